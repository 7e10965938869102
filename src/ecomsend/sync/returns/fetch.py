"""Getting returns and cancellation requests in (TikTok → app): webhooks 12 (return status
change) and 11 (cancellation status change) defer a fetch of the connection; the fetch — and
the periodic poll, the safety net — search what changed since the connection's cursor (minus an
overlap) and record it. Never trusting a webhook's status, duplicated or out-of-order deliveries
converge on TikTok's current state.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog

from ecomsend.db.models import TikTokShop
from ecomsend.integrations.tiktok.models.returns import (
    CancellationSearchFilter,
    ReturnSearchFilter,
)
from ecomsend.integrations.tiktok.models.webhooks import (
    CancellationStatusChange,
    ReturnStatusChange,
)
from ecomsend.services import tiktok_context
from ecomsend.sync.cursors import Cursor, read_cursor, save_cursor
from ecomsend.sync.inbox import InboundWebhook
from ecomsend.sync.orders import settings as settings_mod
from ecomsend.sync.orders.fetch import connections, poll_connections
from ecomsend.sync.returns.mirror import record_cancellations, record_returns

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue
    from ecomsend.jobs.registry import TaskContext

log = structlog.get_logger(__name__)

FETCH_TASK = "tiktok_returns_fetch"
POLL_TASK = "tiktok_returns_poll"
POLL_EVERY_S = 120.0
#: Each fetch looks back this far past its cursor (clock skew, late index updates).
OVERLAP_S = 120
POLL_CURSOR = Cursor("return_poll", "from_tiktok")


async def defer_fetch(session: AsyncSession, queue: JobQueue, tts_pk: int) -> None:
    """One waiting fetch per connection at most (a burst of webhooks is one search)."""
    await queue.defer(session, FETCH_TASK, {"tiktok_shop_pk": tts_pk},
                      queueing_lock=f"{FETCH_TASK}:{tts_pk}")


async def on_after_sale_webhook(session: AsyncSession, queue: JobQueue,
                                webhook: InboundWebhook) -> str:
    """Types 11/12: defer the connection's fetch."""
    if not isinstance(webhook.payload, ReturnStatusChange | CancellationStatusChange):
        return "unparsed payload"
    shops = await connections(session, webhook.shop_key)
    for tts in shops:
        await defer_fetch(session, queue, tts.id)
    return f"returns fetch deferred in {len(shops)} connection(s)"


async def fetch_shop(ctx: TaskContext, tts: TikTokShop) -> int:
    """Search returns and cancellations updated since the cursor (or the backfill window),
    record them page by page, then move the cursor. Returns how many rows changed."""
    tiktok = ctx.need_services().tiktok
    shop = tiktok_context(tts)
    now = int(time.time())
    async with ctx.db.sessionmaker() as session:
        cursor = await read_cursor(session, tts.id, POLL_CURSOR)
        prefs = await settings_mod.load(session, tts.id)
    start = (int(cursor.timestamp()) - OVERLAP_S if cursor
             else now - prefs.order.backfill_days * 86400)
    changed = 0
    # Paged on create_time with no update_time upper bound, as the order poll does
    # (orders.fetch.updated_since): a return updated between two page calls must not shift
    # the next page past one it has not read.
    token: str | None = None
    while True:
        returns = await tiktok.returns.search_returns(
            shop, page_token=token, filters=ReturnSearchFilter(update_time_ge=start),
            sort_field="create_time")
        async with ctx.db.unit_of_work() as session:
            changed += await record_returns(session, ctx.queue, tts, returns.return_orders)
        if not returns.has_more:
            break
        token = returns.next_page_token
    # Cancellations: the client sends no sort_field; the sandbox lists them in creation order,
    # which an update cannot shift.
    token = None
    while True:
        page = await tiktok.returns.search_cancellations(
            shop, page_token=token,
            filters=CancellationSearchFilter(update_time_ge=start, update_time_lt=now + 1))
        async with ctx.db.unit_of_work() as session:
            changed += await record_cancellations(session, tts, page.cancellations)
        if not page.has_more:
            break
        token = page.next_page_token
    async with ctx.db.unit_of_work() as session:
        await save_cursor(session, tts, POLL_CURSOR, datetime.fromtimestamp(now, UTC))
    return changed


async def fetch_returns(ctx: TaskContext, tiktok_shop_pk: int | None = None) -> None:
    """Job (webhook-deferred for one connection, or periodic for all): fetch what changed."""
    await poll_connections(ctx, tiktok_shop_pk, fetch_shop, "returns.fetched",
                           "returns.fetch_failed")
