"""Getting TikTok orders in: order webhooks (types 1, 3, 4, 11), polling on `update_time` as
the safety net, and the backfill window on connect (the first poll of a connection looks back
`backfill_days`). Webhook handlers only defer a fetch (no network inside the inbox
transaction); the fetch re-reads the orders from TikTok — never trusting the webhook's status,
so duplicated and out-of-order deliveries converge on TikTok's current state."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select

from ecomsend.db.models import TikTokShop
from ecomsend.integrations.tiktok import errors as tiktok_errors
from ecomsend.integrations.tiktok.models.orders import Order, OrderSearchFilter
from ecomsend.integrations.tiktok.models.webhooks import (
    CancellationStatusChange,
    OrderStatusChange,
    PackageUpdate,
    RecipientAddressUpdate,
)
from ecomsend.jobs.registry import RetryJob
from ecomsend.services import tiktok_context
from ecomsend.sync.connections import live_connections
from ecomsend.sync.cursors import Cursor, read_cursor, save_cursor
from ecomsend.sync.inbox import InboundWebhook, Platform, WebhookHandler
from ecomsend.sync.orders import settings as settings_mod
from ecomsend.sync.orders.mirror import mark_stale, record_orders, settle_fetched, stale_ids

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue
    from ecomsend.jobs.registry import TaskContext

log = structlog.get_logger(__name__)

FETCH_TASK = "tiktok_orders_fetch"
POLL_TASK = "tiktok_orders_poll"
POLL_EVERY_S = 60.0
#: Each poll looks back this far past its cursor (clock skew, late index updates).
POLL_OVERLAP_S = 120
DETAIL_BATCH = 50
RECORD_BATCH = 100
POLL_CURSOR = Cursor("order_poll", "from_tiktok")


def webhook_order_ids(payload: Any) -> list[str]:
    """The order ids a TikTok order/package/cancellation webhook is about."""
    if isinstance(payload, OrderStatusChange | RecipientAddressUpdate
                  | CancellationStatusChange):
        return [payload.data.order_id]
    if isinstance(payload, PackageUpdate):
        return list(dict.fromkeys(o for p in payload.data.package_list for o in p.order_id_list))
    return []


async def connections(session: AsyncSession, tiktok_shop_id: str) -> list[TikTokShop]:
    rows = await session.execute(select(TikTokShop).where(
        TikTokShop.tiktok_shop_id == tiktok_shop_id, TikTokShop.disconnected_at.is_(None)))
    return list(rows.scalars())


async def defer_fetch(session: AsyncSession, queue: JobQueue, tts_pk: int,
                      order_ids: Sequence[str]) -> None:
    """Mark the orders stale and defer the connection's fetch job (one waiting job per
    connection at most: a burst of webhooks becomes a few 50-order detail calls)."""
    await mark_stale(session, tts_pk, list(order_ids))
    await queue.defer(session, FETCH_TASK, {"tiktok_shop_pk": tts_pk},
                      queueing_lock=f"{FETCH_TASK}:{tts_pk}")


async def on_order_webhook(session: AsyncSession, queue: JobQueue,
                           webhook: InboundWebhook) -> str:
    """Types 1/3/4/11: defer a fetch of each order (coalesced per order)."""
    order_ids = webhook_order_ids(webhook.payload)
    if not order_ids:
        return "no order id"
    shops = await connections(session, webhook.shop_key)
    for tts in shops:
        await defer_fetch(session, queue, tts.id, order_ids)
    return f"fetch deferred for {len(order_ids)} order(s) in {len(shops)} connection(s)"


WEBHOOK_HANDLERS: dict[tuple[Platform, str], WebhookHandler] = {
    (Platform.TIKTOK, topic): on_order_webhook for topic in ("1", "3", "4", "11")}


def retry_later(exc: tiktok_errors.TikTokError) -> RetryJob:
    """The job retry for a throttled or transient TikTok poll (also used by the returns poll)."""
    after = exc.retry_after if isinstance(exc, tiktok_errors.RateLimited) else 2.0
    return RetryJob(after, f"TikTok: {exc}")


async def fetch_orders(ctx: TaskContext, tiktok_shop_pk: int) -> None:
    """Job: re-read every stale order of the connection from TikTok (50 per call), record
    them, until none is left."""
    services = ctx.need_services()
    async with ctx.db.sessionmaker() as session:
        tts = await session.get(TikTokShop, tiktok_shop_pk)
        batch = await stale_ids(session, tiktok_shop_pk, DETAIL_BATCH)
    if tts is None or tts.disconnected_at is not None:
        return
    shop = tiktok_context(tts)
    while batch:
        try:
            found = (await services.tiktok.orders.get_order_detail(shop, batch)).orders
        except (tiktok_errors.RateLimited, tiktok_errors.Transient) as exc:
            raise retry_later(exc) from exc
        async with ctx.db.unit_of_work() as session:
            await record_orders(session, ctx.queue, tts, found)
            await settle_fetched(session, tts.id, batch)
            batch = await stale_ids(session, tiktok_shop_pk, DETAIL_BATCH)


async def updated_since(ctx: TaskContext, tts: TikTokShop, start: int) -> AsyncIterator[Order]:
    """Every order updated at or after `start`, page by page, oldest created first.

    Paged on `create_time` (it never changes) with no `update_time` upper bound: an order
    updated while we page neither moves nor leaves the result, and orders created meanwhile
    come last, so no order is skipped even when page tokens are offsets (the sandbox's; Get
    Order List documents its tokens only as cursor-based, reference §6). The client's default
    (update_time ASC, used with an upper bound) moved every later order one place back when one
    was updated mid-poll, so the next page began one order too far on (issue 11)."""
    orders, shop = ctx.need_services().tiktok.orders, tiktok_context(tts)
    filters = OrderSearchFilter(update_time_ge=start)
    token: str | None = None
    while True:
        page = await orders.search_orders(shop, page_token=token, filters=filters,
                                          sort_field="create_time", sort_order="ASC")
        for order in page.orders:
            yield order
        if not page.has_more:
            return
        token = page.next_page_token


async def poll_shop(ctx: TaskContext, tts: TikTokShop) -> int:
    """Search orders updated since the cursor (or the backfill window) and record them; the
    cursor moves to the time the search started, only once every page was read."""
    now = int(time.time())
    async with ctx.db.sessionmaker() as session:
        cursor = await read_cursor(session, tts.id, POLL_CURSOR)
        prefs = await settings_mod.load(session, tts.id)
    start = (int(cursor.timestamp()) - POLL_OVERLAP_S if cursor
             else now - prefs.order.backfill_days * 86400)
    batch: list[Order] = []
    changed = 0
    async for order in updated_since(ctx, tts, start):
        batch.append(order)
        if len(batch) >= RECORD_BATCH:
            changed += await _record(ctx, tts, batch)
            batch = []
    changed += await _record(ctx, tts, batch)
    async with ctx.db.unit_of_work() as session:
        await save_cursor(session, tts, POLL_CURSOR, datetime.fromtimestamp(now, UTC))
    return changed


async def _record(ctx: TaskContext, tts: TikTokShop, orders: list[Order]) -> int:
    if not orders:
        return 0
    async with ctx.db.unit_of_work() as session:
        return await record_orders(session, ctx.queue, tts, orders)


async def poll_orders(ctx: TaskContext, tiktok_shop_pk: int | None = None) -> None:
    """Job (periodic, or on demand for one connection): poll every connected TikTok shop."""
    await poll_connections(ctx, tiktok_shop_pk, poll_shop, "orders.polled", "orders.poll_failed")


async def poll_connections(ctx: TaskContext, tiktok_shop_pk: int | None,
                           poll_one: Callable[[TaskContext, TikTokShop], Awaitable[int]],
                           done_event: str, failed_event: str) -> None:
    """Run `poll_one` for each connected TikTok shop (or only `tiktok_shop_pk`): throttled or
    transient TikTok errors retry the job, a permanent one is logged and the next shop goes on.
    Used by the order poll and the returns poll."""
    async with ctx.db.sessionmaker() as session:
        shops = await live_connections(session, tiktok_shop_pk)
    for tts in shops:
        try:
            changed = await poll_one(ctx, tts)
        except (tiktok_errors.RateLimited, tiktok_errors.Transient) as exc:
            raise retry_later(exc) from exc
        except tiktok_errors.Permanent as exc:
            log.warning(failed_event, tiktok_shop=tts.id, error=str(exc))
            continue
        if changed:
            log.info(done_event, tiktok_shop=tts.id, changed=changed)
