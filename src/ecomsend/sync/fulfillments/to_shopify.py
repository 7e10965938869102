"""TikTok shipping (kind `fulfillment`, `to_shopify`): when TikTok ships a package of a synced
order (shipping type TIKTOK), the Shopify order gets a fulfillment of those units with the
tracking number, the mapped company and a tracking URL; a changed TikTok tracking number updates
that fulfillment.

`fulfillmentCreate` is not idempotent (no `@idempotent` in the 2026-07 schema), so the units of
Shopify fulfillments already carrying the package's tracking number (an attempt that died before
saving the link) are not fulfilled again. They are read from `order(id:)`, a read by id, not
from the orders search that "may lag a few seconds" behind writes (reference §9).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from ecomsend.integrations.shopify.models import Fulfillment, TrackingInfo
from ecomsend.integrations.tiktok.models.orders import LineItem
from ecomsend.sync.errors import PushResult, SyncPermanent
from ecomsend.sync.fulfillments.common import Shipment, load_shipment, save_link, update_link
from ecomsend.sync.orders.errors import platform_errors
from ecomsend.sync.orders.mirror import TO_SHOPIFY

if TYPE_CHECKING:
    from ecomsend.jobs.registry import TaskContext
    from ecomsend.sync.state import Lease


def shipped_packages(shipment: Shipment) -> dict[str, list[LineItem]]:
    """TikTok packages that carry a tracking number, with their line items."""
    out: dict[str, list[LineItem]] = defaultdict(list)
    for li in shipment.tiktok.line_items:
        if li.tracking_number and li.package_id and li.display_status != "CANCELLED":
            out[li.package_id].append(li)
    return dict(out)


def fulfillment_lines(shipment: Shipment,
                      lines: list[LineItem]) -> dict[str, list[tuple[str, int]]]:
    """`{fulfillment_order_id: [(fo_line_item_id, qty)]}` for these TikTok units."""
    want: Counter[str] = Counter()
    variant_by_sku = shipment.variant_by_sku
    for li in lines:
        variant = variant_by_sku.get(li.sku_id or "")
        if variant is None:
            raise SyncPermanent(f"TikTok SKU {li.sku_id} is no longer linked to a Shopify "
                                "variant: link it again, then Retry.")
        want[variant] += 1
    variant_of_line = {li.id: li.variant_id for li in shipment.shopify.line_items}
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for fo in shipment.shopify.fulfillment_orders:
        if fo.status.upper() in ("CLOSED", "CANCELLED"):
            continue
        for item in fo.line_items:
            variant = variant_of_line.get(item.line_item_id or "")
            take = min(want.get(variant or "", 0), item.remaining_quantity)
            if take > 0:
                out[fo.id].append((item.id, take))
                want[variant or ""] -= take
    if +want:
        raise SyncPermanent("The Shopify order has nothing left to fulfil for the units TikTok "
                            "shipped (already fulfilled in Shopify?).")
    return dict(out)


async def _push_package(ctx: TaskContext, shipment: Shipment, package_id: str,
                        lines: list[LineItem]) -> int:
    client = ctx.need_services().shopify(shipment.oc.shop)
    number = lines[0].tracking_number or ""
    company = shipment.carriers.company_for(lines[0].shipping_provider_name)
    tracking = TrackingInfo(company, number, shipment.carriers.tracking_url(company, number))
    link = next((lk for lk in shipment.links.values() if lk.tiktok_package_id == package_id),
                None)
    if link is not None:
        if link.tracking_number == number:
            return 0
        await client.update_tracking(link.shopify_fulfillment_id, tracking)
        await update_link(ctx.db, link.id, number, company)
        return 1
    # Fulfillments an attempt that died before saving the link already made (read by id, not
    # through the lagging search index): only the units they miss are created.
    made = [f for f in shipment.shopify.fulfillments
            if f.status.upper() not in ("CANCELLED", "ERROR", "FAILURE")
            and any(t.number == number for t in f.tracking)]
    rest = not_yet_fulfilled(shipment, lines, made)
    calls = 0
    if rest:
        for fo_id, items in fulfillment_lines(shipment, rest).items():
            made.append(await client.create_fulfillment({fo_id: items}, tracking))
            calls += 1
    await save_link(ctx.db, shipment, fulfillment_id=made[0].id, package_id=package_id,
                    direction=TO_SHOPIFY, number=number, carrier=company)
    return calls


def not_yet_fulfilled(shipment: Shipment, lines: list[LineItem],
                      made: list[Fulfillment]) -> list[LineItem]:
    """The TikTok units (one line item each) of a package not covered by `made`, the Shopify
    fulfillments already carrying its tracking number (a package spanning two fulfillment
    orders takes two creates; a crash between them leaves the second to make)."""
    variant_of_line = {li.id: li.variant_id for li in shipment.shopify.line_items}
    covered: Counter[str] = Counter()
    for f in made:
        for fl in f.line_items:
            covered[variant_of_line.get(fl.line_item_id or "") or ""] += fl.quantity
    variant_by_sku = shipment.variant_by_sku
    rest = []
    for li in lines:
        variant = variant_by_sku.get(li.sku_id or "") or ""
        if covered[variant] > 0:
            covered[variant] -= 1
        else:
            rest.append(li)
    return rest


async def sync_fulfillment_to_shopify(ctx: TaskContext, lease: Lease) -> PushResult:
    """Handler for (`fulfillment`, `to_shopify`)."""
    shipment = await load_shipment(ctx, lease)
    if shipment.tiktok.shipping_type != "TIKTOK":
        return PushResult(api_calls=2, details={"skipped": "the seller ships this order"})
    calls = 2
    async with platform_errors("Fulfilling the Shopify order"):
        for package_id, lines in shipped_packages(shipment).items():
            calls += await _push_package(ctx, shipment, package_id, lines)
    return PushResult(api_calls=calls)
