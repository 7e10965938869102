"""Disconnecting a TikTok Shop connection (Settings › Connections), keeping its history.

`disconnect` marks the `tiktok_shop` row disconnected and forgets its tokens, in the caller's
unit of work. From then on nothing works for that shop:
- `sync_state` rows are not leased any more (`state.take_lease` skips disconnected
  connections) and the sweeper leaves them alone; they wait, as they are, for a reconnect;
- periodic jobs (reconciliation, order polling) and webhook handlers only look at connected
  shops (`disconnected_at IS NULL`).
Nothing is deleted: orders, links, templates, settings and activity stay readable. Connecting
the same TikTok shop again through OAuth (`sync.connect.save_connections`) clears
`disconnected_at`, stores fresh tokens, and the sweeper resumes the waiting rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from ecomsend.db.models import (
    ActivityLog,
    CategoryTemplate,
    FulfillmentLink,
    OrderLink,
    ProductLink,
    SyncState,
    TikTokOrder,
    TikTokShop,
)
from ecomsend.db.types import utcnow
from ecomsend.sync import state
from ecomsend.sync.activity import record_activity

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

#: sync_state statuses of work that was still to be done when the shop was disconnected.
WAITING_STATUSES = (state.PENDING, state.RUNNING, state.BACKOFF)


@dataclass(frozen=True)
class KeptHistory:
    """What stays stored (and readable) for a disconnected connection."""

    orders: int
    order_links: int
    product_links: int
    fulfillment_links: int
    templates: int
    activity: int


@dataclass(frozen=True)
class DisconnectResult:
    """The outcome of `disconnect`: when, whether it already was, what waits, what is kept."""

    connection_id: int
    disconnected_at: datetime
    already_disconnected: bool
    #: Syncs that were queued or retrying: they wait for a reconnect instead of running.
    waiting_syncs: int
    kept: KeptHistory


async def _count(session: AsyncSession, model: type, tiktok_shop_id: int) -> int:
    column = model.tiktok_shop_id  # type: ignore[attr-defined]
    return int((await session.execute(select(func.count()).select_from(model).where(
        column == tiktok_shop_id))).scalar_one())


async def kept_history(session: AsyncSession, tiktok_shop_id: int) -> KeptHistory:
    """Counts of the connection's stored history (orders, links, templates, activity)."""
    return KeptHistory(
        orders=await _count(session, TikTokOrder, tiktok_shop_id),
        order_links=await _count(session, OrderLink, tiktok_shop_id),
        product_links=await _count(session, ProductLink, tiktok_shop_id),
        fulfillment_links=await _count(session, FulfillmentLink, tiktok_shop_id),
        templates=await _count(session, CategoryTemplate, tiktok_shop_id),
        activity=await _count(session, ActivityLog, tiktok_shop_id))


async def waiting_syncs(session: AsyncSession, tiktok_shop_id: int) -> int:
    """How many of the connection's syncs are queued, running or waiting to retry."""
    return int((await session.execute(select(func.count()).select_from(SyncState).where(
        SyncState.tiktok_shop_id == tiktok_shop_id,
        SyncState.status.in_(WAITING_STATUSES)))).scalar_one())


async def disconnect(session: AsyncSession, tiktok_shop: TikTokShop) -> DisconnectResult:
    """Disconnect `tiktok_shop` (already checked to belong to the signed-in shop): stop its
    jobs, drop its tokens, keep its history, log it. Idempotent: a second call changes nothing.
    Called by `POST /api/connections/{id}/disconnect`; never commits."""
    already = tiktok_shop.disconnected_at is not None
    when = tiktok_shop.disconnected_at or utcnow()
    if not already:
        await session.execute(update(TikTokShop).where(
            TikTokShop.id == tiktok_shop.id, TikTokShop.disconnected_at.is_(None)).values(
            disconnected_at=when, access_token=None, refresh_token=None,
            access_token_expires_at=None, refresh_token_expires_at=None, updated_at=when))
    waiting = await waiting_syncs(session, tiktok_shop.id)
    if not already:
        await record_activity(session, {
            "shop_id": tiktok_shop.shop_id, "tiktok_shop_id": tiktok_shop.id,
            "kind": "connection", "entity_id": tiktok_shop.tiktok_shop_id[:64],
            "direction": None, "status": "disconnected",
            "message": (f"TikTok Shop {tiktok_shop.name or tiktok_shop.tiktok_shop_id} "
                        f"({tiktok_shop.region}) disconnected by the merchant; {waiting} "
                        "sync(s) wait for a reconnect; history kept.")})
    return DisconnectResult(tiktok_shop.id, when, already, waiting,
                            await kept_history(session, tiktok_shop.id))


async def live_connections(session: AsyncSession, tts_pk: int | None = None) -> list[TikTokShop]:
    """The connected TikTok shops (only `tts_pk` when given): what the order and returns polls
    work through."""
    stmt = select(TikTokShop).where(TikTokShop.disconnected_at.is_(None))
    if tts_pk is not None:
        stmt = stmt.where(TikTokShop.id == tts_pk)
    return list((await session.execute(stmt)).scalars())
