"""The order sync handler (kind `order`, TikTok → Shopify): create the Shopify order exactly
once, or carry a TikTok cancellation over to it.

Exactly once (DESIGN.md §4.6): the engine's lease lets one worker push an order at a time; the
`order_link` row is UNIQUE per TikTok order; before every `orderCreate` the Shopify order is
looked up by its source identifier (the TikTok order id); and a *create intent* is committed
before `orderCreate` is sent and deleted with the link. Shopify's order search lags behind
writes ("Search indexing may lag a few seconds behind creation", reference/shopify-api.md §9),
so a look-up right after a crash can miss the order the dead worker made: a retry that finds an
intent without a link re-looks the order up with backoff (the job is rescheduled, no worker
sleeps) until `shopify_order_search_lag_s` has passed since that attempt, and only then may it
create again. Without an intent (the normal path) there is no wait. A TikTok cancellation of
an order with an intent but no link (the buyer cancelled while its create was cut short) looks
the same way for the Shopify order the earlier attempt may have made, to cancel it
(`cancel_unlinked`).

Why search and not a lookup outside the index: `orderCreate` documents no `@idempotent` key in
the 2026-07 schema (only inventory, refund and location mutations do), and the one non-search
lookup Shopify offers, `orderByIdentifier(identifier: {customId: …})` over a metafield
definition with the `uniqueValues` capability (schema: `OrderIdentifierInput.customId`,
`MetafieldCapabilityCreateInput.uniqueValues`; reference §9 "Alternatively…"), is not served by
the Shopify sandbox yet (CONTROL.md coverage list), so it could not be tested here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog

from ecomsend.db.models import OrderLink
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.integrations.shopify import errors as shopify_errors
from ecomsend.integrations.shopify.client import ShopifyClient
from ecomsend.integrations.shopify.models import Order as ShopifyOrder
from ecomsend.integrations.shopify.orders import search_term
from ecomsend.sync import intents
from ecomsend.sync.errors import FieldError, PushResult, SyncPermanent
from ecomsend.sync.orders.cancel import cancel_in_shopify
from ecomsend.sync.orders.context import OrderContext, load_order
from ecomsend.sync.orders.errors import SearchLagWait, platform_errors
from ecomsend.sync.orders.mapping import UnlinkedItems, build_order_input, describe_item, input_hash
from ecomsend.sync.orders.mirror import ELIGIBLE, mark_shipped_after_link

if TYPE_CHECKING:
    from ecomsend.jobs.registry import TaskContext
    from ecomsend.sync.state import Lease

#: The outcome of a TikTok cancellation that came before the order reached Shopify.
NEVER_SYNCED = "cancelled on TikTok before it was synced"
log = structlog.get_logger(__name__)

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


async def save_link(ctx: TaskContext, tts_pk: int, tiktok_order_id: str,
                    created: ShopifyOrder) -> None:
    """Commit the order link and drop the create intent, in one transaction (a concurrent
    identical insert is a no-op); a TikTok shipment that came meanwhile is queued with it."""
    async with ctx.db.unit_of_work() as session:
        stmt = dialect_insert(session, OrderLink).values(
            tiktok_shop_id=tts_pk, tiktok_order_id=tiktok_order_id,
            shopify_order_id=created.id, shopify_order_name=created.name,
            created_at=utcnow(), updated_at=utcnow())
        await session.execute(stmt.on_conflict_do_nothing())
        await intents.clear_intent(session, tts_pk, intents.SHOPIFY_ORDER, tiktok_order_id)
        await mark_shipped_after_link(session, ctx.queue, tts_pk, tiktok_order_id)


async def wait_for_search_lag(ctx: TaskContext, oc: OrderContext) -> None:
    """After a look-up that found nothing: if an earlier attempt may have created the order
    (an intent without a link) and the lag window since it is not over, count the look-up and
    reschedule the job (SearchLagWait). Returns when a create may be sent."""
    intent = await intents.load_intent(ctx.db, oc.tts.id, intents.SHOPIFY_ORDER, oc.order.id)
    if intent is None:
        return
    window = ctx.need_services().settings.shopify_order_search_lag_s
    wait = intents.lag_wait_s(intent, window)
    if wait is None:
        return
    await intents.note_lookup(ctx.db, oc.tts.id, intents.SHOPIFY_ORDER, oc.order.id)
    raise SearchLagWait(wait, (
        f"An earlier attempt may have created this order in Shopify (no answer was seen): "
        f"looking it up again in {wait:.1f} s, until Shopify's order search has caught up "
        f"({window:.0f} s after that attempt), before creating it."))


async def create_with_intent(ctx: TaskContext, oc: OrderContext, client: ShopifyClient,
                             body: dict[str, Any]) -> ShopifyOrder:
    """Commit the intent, then `orderCreate`. A failure that proves nothing was created
    (refused, rate limited, never sent) drops the intent again, so the retry need not wait
    out the search lag; an ambiguous one (sent, no answer) keeps it."""
    await intents.record_intent(ctx.db, oc.tts.id, intents.SHOPIFY_ORDER, oc.order.id,
                                str(body["sourceIdentifier"]))
    try:
        return await client.create_order(body)
    except shopify_errors.ShopifyError as exc:
        if not (isinstance(exc, shopify_errors.Transient) and exc.ambiguous):
            async with ctx.db.unit_of_work() as session:
                await intents.clear_intent(session, oc.tts.id, intents.SHOPIFY_ORDER,
                                           oc.order.id)
        raise


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
            await wait_for_search_lag(ctx, oc)
            calls += 1
            order = await create_with_intent(ctx, oc, client, body)
    await save_link(ctx, oc.tts.id, oc.order.id, order)
    return PushResult(pushed_hash=input_hash(body), api_calls=calls,
                      details={"shopify_order_id": order.id, "name": order.name})


async def cancel_unlinked(ctx: TaskContext, oc: OrderContext) -> PushResult:
    """A TikTok cancellation of an order without a link. Usually it never reached Shopify:
    nothing to do. But a create intent without a link means an earlier attempt may have made
    the Shopify order (its worker was SIGKILLed during `orderCreate`, or the answer was lost)
    and the buyer cancelled before the retry ran (the chaos suite's lost cancellation, issue
    11): find that order — re-looking it up until the search-lag window since the attempt has
    passed, as a create retry would — link it and cancel it. Not found after the window:
    nothing was created, and the intent is dropped."""
    intent = await intents.load_intent(ctx.db, oc.tts.id, intents.SHOPIFY_ORDER, oc.order.id)
    if intent is None:
        return PushResult(details={"skipped": NEVER_SYNCED})
    client = ctx.need_services().shopify(oc.shop)
    async with platform_errors("Looking up the Shopify order to cancel"):
        found = await find_existing(client, oc.order.id)
    if found is None:
        await wait_for_search_lag(ctx, oc)
        async with ctx.db.unit_of_work() as session:
            await intents.clear_intent(session, oc.tts.id, intents.SHOPIFY_ORDER, oc.order.id)
        return PushResult(api_calls=1, details={"skipped": NEVER_SYNCED})
    await save_link(ctx, oc.tts.id, oc.order.id, found)
    log.info("orders.cut_short_create_found", order_id=oc.order.id, shopify_order_id=found.id)
    cancelled = await cancel_in_shopify(ctx, oc, found.id)
    return PushResult(api_calls=cancelled.api_calls + 1,
                      details={**cancelled.details, "shopify_order_id": found.id})


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
        return await cancel_unlinked(ctx, oc)
    if status not in ELIGIBLE:
        raise SyncPermanent(f"The TikTok order is {status}: it can be synced once it reaches "
                            "Awaiting shipment (paid, past the on-hold period).")
    return await create_in_shopify(ctx, oc)
