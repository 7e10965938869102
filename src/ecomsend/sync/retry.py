"""Retry failed syncs of any kind (products, prices, stock, audits, orders, fulfillments,
cancellations) from the Home page's recent failures and the Activity page's bulk Retry.

Each entity's `sync_state` row is pushed again through the sync engine (`commands.retry`:
the last pushed hash is forgotten and a `sync_entity` job deferred). What cannot be retried
says why, in words a merchant can act on. Runs in the caller's unit of work; never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, tuple_

from ecomsend.db.models import SyncState, TikTokShop
from ecomsend.sync import state
from ecomsend.sync.listing import commands

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue

#: Kinds whose activity rows stand for a sync the engine can run again.
SYNC_KINDS = frozenset({"product", "price", "inventory", "audit", "order", "fulfillment",
                        "order_cancel"})
#: sync_state statuses a Retry acts on.
RETRYABLE = (state.FAILED, state.REVIEW_FAILED, state.BACKOFF)

#: (tiktok_shop_id, kind, entity_id, direction): what identifies a sync_state row.
EntityRef = tuple[int, str, str, str]


@dataclass(frozen=True)
class RetryOutcome:
    """One requested item: retried (with its sync_state id) or why not."""

    retried: bool
    sync_state_id: int | None
    reason: str | None


def why_not(kind: str, row: SyncState | None, connected: bool) -> str | None:
    """Why this entity cannot be retried now (None: it can)."""
    if kind not in SYNC_KINDS:
        return "Not a sync: there is nothing to retry."
    if row is None:
        return "There is no sync record for it any more."
    if not connected:
        return "Its TikTok Shop is disconnected: reconnect it in Settings › Connections first."
    if row.status in (state.PENDING, state.RUNNING):
        return "Already queued: it is syncing now."
    if row.status == state.SYNCED:
        return "Synced since: nothing to retry."
    if row.status not in RETRYABLE:
        return "It has not failed: use Sync on its page."
    return None


async def states_by_ref(session: AsyncSession,
                        refs: Iterable[EntityRef]) -> dict[EntityRef, SyncState]:
    """The sync_state rows behind these entities (missing ones are absent)."""
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    rows = (await session.execute(select(SyncState).where(tuple_(
        SyncState.tiktok_shop_id, SyncState.kind, SyncState.entity_id,
        SyncState.direction).in_(wanted)))).scalars()
    return {(r.tiktok_shop_id, r.kind, r.entity_id, r.direction): r for r in rows}


async def connected_ids(session: AsyncSession, shop_id: int) -> set[int]:
    """The shop's TikTok connections that are connected now."""
    return set((await session.execute(select(TikTokShop.id).where(
        TikTokShop.shop_id == shop_id, TikTokShop.disconnected_at.is_(None)))).scalars())


async def retry_rows(session: AsyncSession, queue: JobQueue, shop_id: int,
                     rows: list[tuple[str, SyncState | None]]) -> list[RetryOutcome]:
    """Retry each (kind, sync_state row) of `shop_id` that can be; a row asked twice is
    retried once (the second says so)."""
    live = await connected_ids(session, shop_id)
    done: set[int] = set()
    out = []
    for kind, row in rows:
        if row is not None and row.shop_id != shop_id:
            row = None  # never act on another shop's row
        reason = why_not(kind, row, row is not None and row.tiktok_shop_id in live)
        if row is not None and row.id in done:
            reason = "Retried with another row of the same item."
        if reason is not None or row is None:
            out.append(RetryOutcome(False, row.id if row else None, reason))
            continue
        await commands.retry(session, queue, row.id)
        done.add(row.id)
        out.append(RetryOutcome(True, row.id, None))
    return out


def error_text(error: dict[str, Any] | None) -> str | None:
    """The plain-words message of a stored sync error (`last_error` / activity `error`)."""
    if not error:
        return None
    return str(error.get("message") or error.get("kind") or "Sync failed")
