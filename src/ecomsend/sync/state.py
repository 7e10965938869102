"""`sync_state` versioning and leases (DESIGN.md §4.1–4.3): pure SQL transitions.

Every function takes the caller's session and never commits. The lease is a conditional UPDATE,
the finish is one statement, so two workers never push the same entity at once and a change made
during a push (desired_version bumped) is never lost.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, case, exists, func, or_, select, update

from ecomsend.db.models import SyncState, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import prepared
from ecomsend.jobs.port import BULK_LANES

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue

NOT_SYNCED, PENDING, RUNNING, SYNCED = "not_synced", "pending", "running", "synced"
BACKOFF, FAILED, REVIEW_FAILED = "backoff", "failed", "review_failed"
SYNC_TASK = "sync_entity"
#: A push holds its lease this long; a crashed worker's lease expires and the sweeper re-defers.
LEASE_S = 120.0
#: Transient-failure backoff: base * 2^attempts, capped, with full jitter.
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 600.0


@dataclass(frozen=True)
class EntityKey:
    """Which entity, in which direction, for which connection."""

    shop_id: int
    tiktok_shop_id: int
    kind: str
    entity_id: str
    direction: str


@dataclass(frozen=True)
class Lease:
    """A held lease: push version `version` of `state`."""

    state_id: int
    owner: str
    version: int
    key: EntityKey


#: Job priority classes by sync kind (JobQueue.defer: higher runs first). A stock change must
#: not wait behind another shop's catalog listing (overselling); prices, orders, fulfilments
#: and cancellations next; full product pushes and audits at the default class of every
#: other job (polls, setup, periodic), so those are not starved either.
PRIORITY_STEP = 1_000_000
KIND_PRIORITY = {"inventory": 3, "price": 2, "order": 2, "fulfillment": 2, "order_cancel": 2}


def job_priority(kind: str, backlog: int = 0) -> int:
    """The `sync_entity` job priority of `kind`, lowered by `backlog`: the n-th job of one bulk
    mark (a template activation listing 5,000 products, a reconcile) runs after the first
    jobs of every other shop's marks in the same class, so shops take turns (round robin)
    instead of the first bulk mark holding every worker until it is done."""
    return KIND_PRIORITY.get(kind, 0) * PRIORITY_STEP - min(max(backlog, 0), PRIORITY_STEP - 1)



def bulk_lane(tiktok_shop_id: int, backlog: int) -> str:
    """The lane of the `backlog`-th job of a bulk mark on one TikTok connection."""
    return f"bulk:{tiktok_shop_id}:{backlog % BULK_LANES}"


def queueing_lock(state_id: int) -> str:
    return f"sync:{state_id}"


async def mark_changed(session: AsyncSession, queue: JobQueue, key: EntityKey, *,
                       backlog: int | None = None) -> int:
    """Bump desired_version, set pending and defer one `sync_entity` job (coalesced). A bulk
    mark passes each row's position as `backlog`: its job's priority is lowered by it (see
    job_priority) and it runs in one of the connection's BULK_LANES lanes.

    Called by webhook ingestion, reconciliation and manual "Sync"/"Retry"; returns the row id.
    """
    now = utcnow()
    state_id = int((await session.execute(prepared(session, _mark_upsert), {
        "shop_id": key.shop_id, "tiktok_shop_id": key.tiktok_shop_id, "kind": key.kind,
        "entity_id": key.entity_id, "direction": key.direction, "desired_version": 1,
        "synced_version": 0, "status": PENDING, "attempts": 0, "created_at": now,
        "updated_at": now})).scalar_one())
    await queue.defer(session, SYNC_TASK, {"sync_state_id": state_id},
                      queueing_lock=queueing_lock(state_id),
                      priority=job_priority(key.kind, backlog or 0),
                      lane=None if backlog is None else bulk_lane(key.tiktok_shop_id, backlog))
    return state_id


def _mark_upsert(insert: Callable[..., Any]) -> Any:
    """A new pending row, or the existing one bumped (prebuilt: runs for every change)."""
    table = SyncState.__table__
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=["tiktok_shop_id", "kind", "entity_id", "direction"],
        set_={"desired_version": table.c.desired_version + 1,
              "updated_at": stmt.excluded.updated_at, "not_before": None, "attempts": 0,
              "status": case((table.c.status == RUNNING, RUNNING), else_=PENDING)},
    ).returning(table.c.id)


async def record_unsynced(session: AsyncSession, key: EntityKey) -> int:
    """Note that `key` changed while its auto sync is off: the row says `not_synced` (the
    Orders page shows "fulfilled in Shopify, not synced yet") and no job is queued. A row
    already queued, running or retrying is left as it is. Turning auto sync on queues these
    rows (`unsynced_keys`); the sweeper leaves them alone (it re-defers only pending, running
    and backoff rows). Called by the fulfillment and order-mirror handlers; returns the row id."""
    now = utcnow()
    return int((await session.execute(prepared(session, _unsynced_upsert), {
        "shop_id": key.shop_id, "tiktok_shop_id": key.tiktok_shop_id, "kind": key.kind,
        "entity_id": key.entity_id, "direction": key.direction, "desired_version": 1,
        "synced_version": 0, "status": NOT_SYNCED, "attempts": 0, "created_at": now,
        "updated_at": now})).scalar_one())


def _unsynced_upsert(insert: Callable[..., Any]) -> Any:
    """A new not-synced row, or a settled one (synced / failed) reopened as not synced."""
    table = SyncState.__table__
    stmt = insert(table)
    settled = table.c.status.in_([SYNCED, FAILED, REVIEW_FAILED, NOT_SYNCED])
    return stmt.on_conflict_do_update(
        index_elements=["tiktok_shop_id", "kind", "entity_id", "direction"],
        set_={"desired_version": table.c.desired_version + 1,
              "updated_at": stmt.excluded.updated_at,
              "status": case((settled, NOT_SYNCED), else_=table.c.status)},
    ).returning(table.c.id)


async def unsynced_keys(session: AsyncSession, tiktok_shop_id: int, kind: str,
                        direction: str) -> list[EntityKey]:
    """The rows `record_unsynced` left for one connection, kind and direction (to queue them
    when the merchant turns auto sync on)."""
    rows = await session.execute(select(SyncState).where(
        SyncState.tiktok_shop_id == tiktok_shop_id, SyncState.kind == kind,
        SyncState.direction == direction, SyncState.status == NOT_SYNCED))
    return [EntityKey(r.shop_id, r.tiktok_shop_id, r.kind, r.entity_id, r.direction)
            for r in rows.scalars()]


async def take_lease(session: AsyncSession, state_id: int, owner: str, *,
                     job_id: str | None = None) -> Lease | None:
    """Take the row's lease if free (or expired) and there is something to push; else None.
    A row of a disconnected TikTok connection is never leased: it waits for the reconnect.

    Owners are "<worker>:<job id>". A lease held by an earlier run of the same job `job_id` is
    taken over: the queue hands a job out again only once its worker is dead (SIGKILL; the
    stalled-job / orphan recovery of both queue adapters), so the row need not wait LEASE_S."""
    now = utcnow()
    row = (await session.execute(_take_lease_stmt(), {
        "b_state_id": state_id, "b_owner": owner, "b_now": now,
        "b_rerun": f"%:{job_id}" if job_id else "",
        "b_until": now + timedelta(seconds=LEASE_S)})).first()
    if row is None:
        return None
    return Lease(state_id, owner, int(row[0]), EntityKey(row[1], row[2], row[3], row[4], row[5]))


def disconnected(tiktok_shop_id: Any) -> Any:
    """SQL: the connection `tiktok_shop_id` was disconnected (Settings › Connections or the
    seller's deauthorization); its rows wait untouched until it is connected again."""
    tts = cast(Table, TikTokShop.__table__)
    return exists().where(tts.c.id == tiktok_shop_id, tts.c.disconnected_at.is_not(None))


@cache
def _take_lease_stmt() -> Any:
    """take_lease's UPDATE with bind parameters, built once (it runs for every push)."""
    table = cast(Table, SyncState.__table__)
    now = bindparam("b_now", type_=table.c.updated_at.type)
    return (
        update(table)
        .where(table.c.id == bindparam("b_state_id"),
               table.c.desired_version > table.c.synced_version,
               or_(table.c.lease_until.is_(None), table.c.lease_until < now,
                   table.c.lease_owner.like(bindparam("b_rerun"))),
               or_(table.c.not_before.is_(None), table.c.not_before <= now),
               ~disconnected(table.c.tiktok_shop_id))
        .values(lease_owner=bindparam("b_owner"),
                lease_until=bindparam("b_until", type_=table.c.lease_until.type),
                status=RUNNING, updated_at=now)
        .returning(table.c.desired_version, table.c.shop_id, table.c.tiktok_shop_id,
                   table.c.kind, table.c.entity_id, table.c.direction)
    )


async def backoff_remaining_s(session: AsyncSession, state_id: int) -> float | None:
    """Seconds until a row in backoff may be pushed again, or None when it is not waiting for
    its `not_before` (no change to push, or already due). `sync_entity` calls it when the lease
    was refused, so a job that ran early (coalesced with an earlier defer) waits its turn."""
    row = (await session.execute(select(SyncState.not_before).where(
        SyncState.id == state_id, SyncState.desired_version > SyncState.synced_version))).first()
    if row is None or row[0] is None:
        return None
    remaining = (row[0] - utcnow()).total_seconds()
    return remaining if remaining > 0 else None


def _owned(lease: Lease) -> Any:
    return (SyncState.id == lease.state_id) & (SyncState.lease_owner == lease.owner)


async def finish_success(session: AsyncSession, queue: JobQueue, lease: Lease,
                         pushed_hash: str | None) -> bool:
    """One statement: synced_version = v, release the lease, pending again if a change arrived
    meanwhile (then defer again). Returns True when another push is needed."""
    status = (await session.execute(_finish_success_stmt(), {
        "b_state_id": lease.state_id, "b_owner": lease.owner, "b_version": lease.version,
        "b_now": utcnow(), "b_hash": pushed_hash})).scalar_one_or_none()
    if status == PENDING:
        await queue.defer(session, SYNC_TASK, {"sync_state_id": lease.state_id},
                          queueing_lock=queueing_lock(lease.state_id),
                          priority=job_priority(lease.key.kind))
        return True
    return False


@cache
def _finish_success_stmt() -> Any:
    """finish_success's UPDATE with bind parameters, built once (it runs for every push);
    a None hash keeps the last pushed one."""
    table = cast(Table, SyncState.__table__)
    version = bindparam("b_version", type_=table.c.synced_version.type)
    now = bindparam("b_now", type_=table.c.updated_at.type)
    pushed = bindparam("b_hash", type_=table.c.last_pushed_hash.type)
    return (
        update(table)
        .where(table.c.id == bindparam("b_state_id"), table.c.lease_owner == bindparam("b_owner"))
        .values(synced_version=version, lease_owner=None, lease_until=None,
                status=case((table.c.desired_version > version, PENDING), else_=SYNCED),
                attempts=0, last_error=None, last_synced_at=now, updated_at=now,
                not_before=None,
                last_pushed_hash=func.coalesce(pushed, table.c.last_pushed_hash))
        .returning(table.c.status)
    )


async def finish_retry_later(session: AsyncSession, queue: JobQueue, lease: Lease,
                             delay_s: float, error: dict[str, Any], *,
                             count_attempt: bool) -> datetime:
    """Release the lease into `backoff` until now + delay_s and defer the job for then."""
    not_before = utcnow() + timedelta(seconds=delay_s)
    attempts = SyncState.attempts + (1 if count_attempt else 0)
    await session.execute(update(SyncState).where(_owned(lease)).values(
        lease_owner=None, lease_until=None, status=BACKOFF, attempts=attempts,
        not_before=not_before, last_error=error, updated_at=utcnow()))
    await queue.defer(session, SYNC_TASK, {"sync_state_id": lease.state_id},
                      queueing_lock=queueing_lock(lease.state_id), run_at=not_before,
                      priority=job_priority(lease.key.kind))
    return not_before


async def finish_failed(session: AsyncSession, queue: JobQueue, lease: Lease,
                        error: dict[str, Any], *, review: bool = False) -> None:
    """Release the lease into `failed` (or `review_failed`); Retry or a new change resumes.

    synced_version advances so only a later change (a new desired_version) re-queues the
    entity; a change that arrived during this push does so at once (it may fix the problem)."""
    more = SyncState.desired_version > lease.version
    stmt = update(SyncState).where(_owned(lease)).values(
        lease_owner=None, lease_until=None, synced_version=lease.version,
        status=case((more, PENDING), else_=REVIEW_FAILED if review else FAILED),
        attempts=SyncState.attempts + 1, last_error=error, updated_at=utcnow(),
    ).returning(SyncState.status)
    if (await session.execute(stmt)).scalar_one_or_none() == PENDING:
        await queue.defer(session, SYNC_TASK, {"sync_state_id": lease.state_id},
                          queueing_lock=queueing_lock(lease.state_id),
                          priority=job_priority(lease.key.kind))


def transient_delay_s(attempts: int) -> float:
    """Full-jitter exponential backoff for the `attempts`-th transient failure."""
    return random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempts))


async def attempts_of(session: AsyncSession, state_id: int) -> int:
    return int((await session.execute(
        select(SyncState.attempts).where(SyncState.id == state_id))).scalar_one())
