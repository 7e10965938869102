"""Seller shipping (kind `fulfillment`, `to_tiktok`): each Shopify fulfillment of a synced
order ships the TikTok units it covers, with the mapped shipping provider.

- a fulfillment covering a whole unshipped package → Ship Package (`self_shipment`);
- a partial one → Mark Package As Shipped for those line items (TikTok splits the package;
  US, GB, ES, IE, IT, DE, FR, JP only — elsewhere it fails saying so);
- a tracking edit on an already shipped fulfillment → Update Package Shipping Info.

Shipping is not idempotent on TikTok (Ship Package and Mark Package As Shipped take no
idempotency key), so before shipping the handler checks whether those units already carry this
tracking number in Get Order Detail, read fresh by order id (a previous attempt shipped but died
before saving the link), and then only records the link. Update Package Shipping Info replaces
the tracking, so sending it twice is harmless.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ecomsend.integrations.shopify.models import Fulfillment, TrackingInfo
from ecomsend.integrations.shopify.webhook_models import FulfillmentPayload
from ecomsend.integrations.tiktok.models.logistics import ShippingProvider
from ecomsend.integrations.tiktok.models.orders import LineItem
from ecomsend.regions import region_code
from ecomsend.services import tiktok_context
from ecomsend.sync import state
from ecomsend.sync.errors import PushResult, SyncPermanent
from ecomsend.sync.fulfillments.carriers import CarrierMismatch
from ecomsend.sync.fulfillments.common import Shipment, load_shipment, save_link, update_link
from ecomsend.sync.fulfillments.split import ALL_UNITS_REGIONS, split_and_ship
from ecomsend.sync.inbox import InboundWebhook
from ecomsend.sync.orders import settings as settings_mod
from ecomsend.sync.orders.cancel import links_for_shopify_order
from ecomsend.sync.orders.context import order_gid
from ecomsend.sync.orders.errors import platform_errors
from ecomsend.sync.orders.mirror import FULFILLMENT_KIND, TO_TIKTOK, key

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue
    from ecomsend.jobs.registry import TaskContext
    from ecomsend.sync.state import Lease

#: Regions where Mark Package As Shipped (partial shipment by line item) exists: "exclusive to
#: the following markets: US, UK, ES, IE, IT, DE, FR, JP" (contracts/tiktok/official-docs-scraped/
#: api-reference/fulfillment/mark-package-as-shipped.spec.json, env_desc; reference §4.8). Keyed by
#: canonical code (`ecomsend.regions`: the doc's UK is GB). MX is not on that list; TikTok's Split
#: Orders doc (split-orders.spec.json) allows an "all-units split" for MX local sellers and an
#: item-level split for MX global sellers, after which the new package ships on its own: MX
#: partial shipments go that way (`split.split_and_ship`).
PARTIAL_REGIONS = frozenset({"US", "GB", "ES", "IE", "IT", "DE", "FR", "JP"})
UNSHIPPED = frozenset({"", "TO_FULFILL", "PROCESSING"})


def _tracking(f: Fulfillment) -> TrackingInfo:
    if not f.tracking or not f.tracking[0].number:
        raise SyncPermanent(f"Fulfillment {f.name or f.id} has no tracking number: add the "
                            "tracking number and company in Shopify, then Retry.")
    return f.tracking[0]


def tiktok_lines_for(shipment: Shipment, f: Fulfillment, claimed: set[str]) -> list[LineItem]:
    """The TikTok units a Shopify fulfillment covers: per variant, that many line items of the
    linked SKU, preferring ones already carrying its tracking number, then unshipped ones."""
    variant_of_line = {li.id: li.variant_id for li in shipment.shopify.line_items}
    wanted: Counter[str] = Counter()
    for fl in f.line_items:
        variant = variant_of_line.get(fl.line_item_id or "")
        sku = shipment.sku_by_variant.get(variant or "")
        if sku is None:
            raise SyncPermanent(f"A line of fulfillment {f.name or f.id} is not a linked TikTok "
                                "product; ship it on TikTok Shop by hand.")
        wanted[sku] += fl.quantity
    number = _tracking(f).number
    chosen: list[LineItem] = []
    for sku, qty in wanted.items():
        pool = [li for li in shipment.tiktok.line_items if li.sku_id == sku and li.id not in claimed
                and (li.tracking_number == number or (li.package_status or "") in UNSHIPPED)]
        pool.sort(key=lambda li: li.tracking_number != number)
        chosen += pool[:qty]
    claimed.update(li.id for li in chosen)
    return chosen


async def _ship(ctx: TaskContext, shipment: Shipment, lines: list[LineItem], number: str,
                provider: ShippingProvider) -> str:
    """Ship `lines` on TikTok; returns the package id."""
    fulfillment = ctx.need_services().tiktok.fulfillment
    shop = tiktok_context(shipment.oc.tts)
    package_ids = {li.package_id for li in lines}
    whole = [li for li in shipment.tiktok.line_items if li.package_id in package_ids
             and (li.package_status or "") in UNSHIPPED]
    if len(package_ids) == 1 and {li.id for li in whole} == {li.id for li in lines}:
        package_id = next(iter(package_ids)) or ""
        await fulfillment.ship_package(shop, package_id, tracking_number=number,
                                       shipping_provider_id=provider.id)
        return package_id
    region = region_code(shipment.oc.tts.region)
    if region not in PARTIAL_REGIONS:  # MX: Split Orders, then Ship Package (split.py)
        return await split_and_ship(
            fulfillment, shop, shipment.tiktok.id, shipment.tiktok.line_items, lines,
            all_units=region in ALL_UNITS_REGIONS and shipment.oc.tts.seller_type != "CROSS_BORDER",
            unshipped=UNSHIPPED, tracking_number=number, provider=provider)
    shipped = await fulfillment.mark_package_as_shipped(
        shop, shipment.tiktok.id, tracking_number=number, shipping_provider_id=provider.id,
        order_line_item_ids=[li.id for li in lines])
    return shipped.package_id or ""


async def _providers(ctx: TaskContext, shipment: Shipment) -> list[ShippingProvider]:
    option = shipment.tiktok.delivery_option_id
    if not option:
        raise SyncPermanent("The TikTok order has no delivery option: ship it on TikTok.")
    logistics = ctx.need_services().tiktok.logistics
    found = await logistics.get_shipping_providers(tiktok_context(shipment.oc.tts), option)
    return list(found.shipping_providers)


async def _push_one(ctx: TaskContext, shipment: Shipment, f: Fulfillment,
                    providers: list[ShippingProvider], claimed: set[str]) -> int:
    tracking = _tracking(f)
    number = tracking.number or ""
    try:
        provider = shipment.carriers.provider_for(tracking.company, providers)
    except CarrierMismatch as exc:
        raise SyncPermanent(str(exc)) from exc
    link = shipment.links.get(f.id)
    if link is not None:
        if (link.tracking_number, link.carrier) == (number, provider.name):
            return 0
        await ctx.need_services().tiktok.fulfillment.update_package_shipping_info(
            tiktok_context(shipment.oc.tts), link.tiktok_package_id, tracking_number=number,
            shipping_provider_id=provider.id)
        await update_link(ctx.db, link.id, number, provider.name)
        return 1
    lines = tiktok_lines_for(shipment, f, claimed)
    if not lines:
        raise SyncPermanent(f"Fulfillment {f.name or f.id} covers no TikTok unit left to ship.")
    calls = 0
    if all(li.tracking_number == number for li in lines):
        package_id = lines[0].package_id or ""  # shipped by an attempt that died before saving
    else:
        package_id, calls = await _ship(ctx, shipment, lines, number, provider), 1
    await save_link(ctx.db, shipment, fulfillment_id=f.id, package_id=package_id,
                    direction=TO_TIKTOK, number=number, carrier=provider.name)
    return calls


async def sync_fulfillment_to_tiktok(ctx: TaskContext, lease: Lease) -> PushResult:
    """Handler for (`fulfillment`, `to_tiktok`)."""
    shipment = await load_shipment(ctx, lease)
    if shipment.tiktok.shipping_type == "TIKTOK":
        return PushResult(api_calls=2, details={"skipped": "TikTok ships this order"})
    fulfillments = [f for f in shipment.shopify.fulfillments
                    if f.status.upper() not in ("CANCELLED", "ERROR", "FAILURE")]
    if not fulfillments:
        return PushResult(api_calls=2)
    calls, claimed = 3, {li.id for li in shipment.tiktok.line_items
                         if any(li.package_id == link.tiktok_package_id
                                for link in shipment.links.values())}
    async with platform_errors("Shipping on TikTok Shop"):
        providers = await _providers(ctx, shipment)
        for f in sorted(fulfillments, key=lambda f: (f.created_at is None, f.created_at)):
            calls += await _push_one(ctx, shipment, f, providers, claimed)
    return PushResult(api_calls=calls)


async def on_shopify_fulfillment(session: AsyncSession, queue: JobQueue,
                                 webhook: InboundWebhook) -> str:
    """fulfillments/create|update on a synced order → ship / update tracking on TikTok when
    fulfillment auto sync is on; when it is off, the order is noted as fulfilled in Shopify and
    not synced yet (queued when auto sync is turned on, or by Sync fulfillments)."""
    payload = webhook.payload
    if not isinstance(payload, FulfillmentPayload) or payload.order_id is None:
        return "no order id"
    links = await links_for_shopify_order(session, webhook.shop_key, order_gid(payload.order_id))
    marked = noted = 0
    for tts, link in links:
        entity = key(tts, FULFILLMENT_KIND, link.tiktok_order_id, TO_TIKTOK)
        if (await settings_mod.load(session, tts.id)).fulfillment.auto_sync:
            await state.mark_changed(session, queue, entity)
            marked += 1
        else:
            await state.record_unsynced(session, entity)
            noted += 1
    if not links:
        return "not a TikTok order"
    return f"{marked} fulfillment sync(s) queued, {noted} waiting for auto sync or Sync"

