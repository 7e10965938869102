"""TikTok's new-shop upload limit: pause auto listing for the connection, resume later.

When Create Product answers the listing limit (`12052093`), the connection gets
`listing_paused_until` (now + PAUSE_S) and a plain-words `listing_paused_reason`; creates wait
(backoff until then, no call), edits, prices and stock keep flowing. The periodic
`resume_listing` job clears expired pauses and re-defers the waiting products at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import select, update

from ecomsend.db.models import SyncState, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.sync import state
from ecomsend.sync.listing.ids import PRODUCT, TO_TIKTOK

if TYPE_CHECKING:
    from ecomsend.jobs.registry import TaskContext

log = structlog.get_logger(__name__)

RESUME_TASK = "listing_resume"
RESUME_EVERY_S = 60.0
#: How long a pause lasts before we try again (TikTok lifts the limit as the shop matures).
PAUSE_S = 6 * 3600.0


def pause_message(until: datetime, detail: str) -> str:
    return (f"TikTok's upload limit for new shops is reached ({detail}). Automatic listing of "
            f"new products is paused until {until:%Y-%m-%d %H:%M} UTC and resumes by itself; "
            "price and stock updates continue. Raise the shop's limit in TikTok Seller "
            "Center (complete shop verification and first orders) to resume sooner.")


async def pause(ctx: TaskContext, tiktok_shop_id: int, detail: str,
                pause_s: float = PAUSE_S) -> datetime:
    """Pause auto listing for the connection; returns until when (an existing later pause
    is kept)."""
    until = utcnow() + timedelta(seconds=pause_s)
    async with ctx.db.unit_of_work() as session:
        current = (await session.execute(select(TikTokShop.listing_paused_until).where(
            TikTokShop.id == tiktok_shop_id))).scalar_one()
        if current is not None and current > until:
            return current
        await session.execute(update(TikTokShop).where(TikTokShop.id == tiktok_shop_id).values(
            listing_paused_until=until, listing_paused_reason=pause_message(until, detail)))
    log.warning("listing.paused", tiktok_shop_id=tiktok_shop_id, until=until.isoformat())
    return until


def paused_for_s(shop: TikTokShop) -> float:
    """Seconds left of the connection's pause (0 when not paused)."""
    until = shop.listing_paused_until
    return 0.0 if until is None else max(0.0, (until - utcnow()).total_seconds())


async def resume_listing(ctx: TaskContext) -> None:
    """Periodic: clear expired pauses and re-defer the products waiting for them."""
    now = utcnow()
    async with ctx.db.unit_of_work() as session:
        ids = list((await session.execute(update(TikTokShop).where(
            TikTokShop.listing_paused_until.is_not(None),
            TikTokShop.listing_paused_until <= now).values(
            listing_paused_until=None, listing_paused_reason=None).returning(TikTokShop.id)
        )).scalars())
        if not ids:
            return
        waiting = (await session.execute(select(SyncState.id).where(
            SyncState.tiktok_shop_id.in_(ids), SyncState.kind == PRODUCT,
            SyncState.direction == TO_TIKTOK, SyncState.status == state.BACKOFF))).scalars()
        for state_id in waiting:
            await session.execute(update(SyncState).where(SyncState.id == state_id).values(
                not_before=None))
            await ctx.queue.defer(session, state.SYNC_TASK, {"sync_state_id": state_id},
                                  queueing_lock=state.queueing_lock(state_id))
    log.info("listing.resumed", connections=ids)
