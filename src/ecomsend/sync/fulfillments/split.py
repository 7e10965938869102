"""Partial shipments where Mark Package As Shipped does not exist (MX): split the order so the
shipped units form their own package (Split Orders), then ship that package (Ship Package).

TikTok's Split Orders doc (contracts/tiktok/official-docs-scraped/api-reference/fulfillment/
split-orders.spec.json) allows an "all-units split" for "MX (local sellers)" — a package takes
every unit of each SKU in it — and an "item-level split" for "MX (global sellers)". The doc is
silent on whether a split must leave units behind; we only split off a subset of one unshipped
package. Called by `to_tiktok._ship`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.fulfillment import FulfillmentApi
from ecomsend.integrations.tiktok.models.logistics import ShippingProvider
from ecomsend.integrations.tiktok.models.orders import LineItem
from ecomsend.sync.errors import SyncPermanent

#: Regions whose local sellers may only split whole SKUs (Split Orders doc, Case 1).
ALL_UNITS_REGIONS = frozenset({"MX"})
#: Our id for the one group sent; TikTok echoes it next to the new package id.
GROUP_ID = "ecomsend-1"


def all_units_problem(order_lines: Sequence[LineItem], lines: Sequence[LineItem],
                      unshipped: frozenset[str]) -> str | None:
    """Why `lines` cannot be split off under an all-units split (pure), or None: for each SKU
    among them, every unshipped unit of that SKU in the order must ship together."""
    chosen = {li.id for li in lines}
    for sku in {li.sku_id for li in lines}:
        left = [li for li in order_lines if li.sku_id == sku and li.id not in chosen
                and (li.package_status or "") in unshipped]
        if left:
            return (f"TikTok Shop Mexico ships all units of a product together: this shipment "
                    f"leaves {len(left)} unit(s) of SKU {sku} behind. Fulfil every unit of it "
                    "in one Shopify fulfillment, then Retry.")
    return None


async def split_and_ship(api: FulfillmentApi, shop: ShopContext, order_id: str,
                         order_lines: Sequence[LineItem], lines: Sequence[LineItem], *,
                         all_units: bool, unshipped: frozenset[str], tracking_number: str,
                         provider: ShippingProvider) -> str:
    """Split `lines` (one unshipped package's subset) into a package and ship it; returns the
    new package id. SyncPermanent when the region's split rules refuse it."""
    if len({li.package_id for li in lines}) != 1:
        raise SyncPermanent("The fulfilled units are in different TikTok packages; ship them "
                            "in separate Shopify fulfillments.")
    problem = all_units_problem(order_lines, lines, unshipped) if all_units else None
    if problem:
        raise SyncPermanent(problem)
    split = await api.split_order(shop, order_id, {GROUP_ID: [li.id for li in lines]})
    package_id = next((p.id for p in split.packages
                       if p.splittable_group_id == GROUP_ID and p.id), None)
    if package_id is None:
        raise SyncPermanent("TikTok split the order but returned no package to ship; ship it "
                            "on TikTok Shop.")
    await api.ship_package(shop, package_id, tracking_number=tracking_number,
                           shipping_provider_id=provider.id)
    return package_id
