"""The order sync handler (kind `order`, TikTok → Shopify): create the Shopify order exactly
once, or carry a TikTok cancellation over to it.

Exactly once (DESIGN.md §4.6): the engine's lease lets one worker push an order at a time; the
`order_link` row is UNIQUE per TikTok order; and before every `orderCreate` the Shopify order is
looked up by its source identifier (the TikTok order id), so a worker that created the order
and died (or whose commit failed) before saving the link finds it on the retry instead of
creating a second one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecomsend.db.models import OrderLink
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.integrations.shopify.client import ShopifyClient
from ecomsend.integrations.shopify.models import Order as ShopifyOrder
from ecomsend.integrations.shopify.orders import search_term
from ecomsend.sync.errors import FieldError, PushResult, SyncPermanent
from ecomsend.sync.orders.cancel import cancel_in_shopify
from ecomsend.sync.orders.context import OrderContext, load_order
from ecomsend.sync.orders.errors import platform_errors
from ecomsend.sync.orders.mapping import UnlinkedItems, build_order_input, describe_item, input_hash
from ecomsend.sync.orders.mirror import ELIGIBLE

if TYPE_CHECKING:
    from ecomsend.jobs.registry import TaskContext
    from ecomsend.sync.state import Lease

LINK_FIX = ("Link this TikTok product to a Shopify variant on the Link products page, "
            "then Retry.")


def unlinked_error(exc: UnlinkedItems) -> SyncPermanent:
    """The failure the Orders page shows: which items, and the link action."""
    fields = [FieldError(f"line_items.{g.sku_id}",
                         f"{describe_item(g)} is not linked to a Shopify variant",
                         f"{LINK_FIX} (link action: tiktok_sku_id={g.sku_id})")
              for g in exc.groups]
    names = ", ".join(describe_item(g) for g in exc.groups)
    return SyncPermanent(f"Not linked to a Shopify variant: {names}. {LINK_FIX}", fields)


async def find_existing(client: ShopifyClient, tiktok_order_id: str) -> ShopifyOrder | None:
    """The Shopify order already imported for this TikTok order, if any."""
    found = await client.find_orders(search_term("source_identifier", tiktok_order_id), 1)
    return next((o for o in found if o.source_identifier == tiktok_order_id), None)


async def save_link(db: Database, tts_pk: int, tiktok_order_id: str,
                    created: ShopifyOrder) -> None:
    """Commit the order link (a concurrent identical insert is a no-op)."""
    async with db.unit_of_work() as session:
        stmt = dialect_insert(session, OrderLink).values(
            tiktok_shop_id=tts_pk, tiktok_order_id=tiktok_order_id,
            shopify_order_id=created.id, shopify_order_name=created.name,
            created_at=utcnow(), updated_at=utcnow())
        await session.execute(stmt.on_conflict_do_nothing())


async def create_in_shopify(ctx: TaskContext, oc: OrderContext) -> PushResult:
    try:
        body = build_order_input(oc.order, oc.variant_by_sku, oc.prefs.order, oc.tts.region)
    except UnlinkedItems as exc:
        raise unlinked_error(exc) from exc
    client = ctx.need_services().shopify(oc.shop)
    calls = 1
    async with platform_errors("Creating the Shopify order"):
        order = await find_existing(client, oc.order.id)
        if order is None:
            calls += 1
            order = await client.create_order(body)
    await save_link(ctx.db, oc.tts.id, oc.order.id, order)
    return PushResult(pushed_hash=input_hash(body), api_calls=calls,
                      details={"shopify_order_id": order.id, "name": order.name})


async def sync_order_to_shopify(ctx: TaskContext, lease: Lease) -> PushResult:
    """Handler for (`order`, `to_shopify`)."""
    async with ctx.db.sessionmaker() as session:
        oc = await load_order(session, lease.key)
    status = oc.order.status
    if oc.link is not None:
        if status == "CANCELLED":
            return await cancel_in_shopify(ctx, oc)
        return PushResult(details={"shopify_order_id": oc.link.shopify_order_id})
    if status == "CANCELLED":
        return PushResult(details={"skipped": "cancelled on TikTok before it was synced"})
    if status not in ELIGIBLE:
        raise SyncPermanent(f"The TikTok order is {status}: it can be synced once it reaches "
                            "Awaiting shipment (paid, past the on-hold period).")
    return await create_in_shopify(ctx, oc)
