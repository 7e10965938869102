"""The `sync_entity` job and the sweeper (DESIGN.md §4.2–4.4).

`sync_entity` takes the row's lease, runs the handler registered for (kind, direction) *outside*
any transaction (network I/O never holds a DB lock), then finishes in one statement. Handlers
are supplied by the sync use-cases (products, inventory, orders, fulfillments).

On SQLite every write waits for the one write lock, so the lease is taken in the transaction
that claims the job (the task's claim hook, run by LocalQueue) and the finish is written with
the job's completion (`JobQueue.complete_with`, which LocalQueue batches with other jobs'
completions and its next claim): a push costs a share of one write turn instead of three.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import or_, select

from ecomsend.db.models import SyncState
from ecomsend.db.types import utcnow
from ecomsend.jobs.registry import RetryJob
from ecomsend.metrics import SYNC_FAILURES
from ecomsend.sync import state
from ecomsend.sync.activity import record_activity
from ecomsend.sync.errors import PushResult, SyncPermanent, SyncRateLimited, SyncTransient

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.registry import JsonArgs, TaskContext, TaskRegistry

log = structlog.get_logger(__name__)

#: A handler pushes one entity: `await handler(ctx, lease) -> PushResult`.
SyncHandler = Callable[["TaskContext", state.Lease], Awaitable[PushResult]]
HandlerMap = Mapping[tuple[str, str], SyncHandler]
SWEEP_TASK = "sweep_sync_state"
#: Pending rows untouched this long are presumed to have lost their job; the sweeper re-defers.
SWEEP_GRACE_S = 30.0
SWEEP_EVERY_S = 30.0
SWEEP_BATCH = 500
#: SQLSTATEs of a transaction PostgreSQL aborted to settle a conflict with another one:
#: deadlock_detected, serialization_failure (PostgreSQL docs, Appendix A). Either is retried
#: like a transient failure and is no bug of ours (e.g. `remember_hashes` and a webhook's
#: `mark_changed` locking the same product's stock and price rows in the other order).
DB_CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})


def db_conflict(exc: BaseException) -> bool:
    """Whether `exc` (SQLAlchemy's wrapper or the driver's own) is PostgreSQL aborting the
    transaction to settle a conflict (DB_CONFLICT_SQLSTATES)."""
    return getattr(getattr(exc, "orig", exc), "sqlstate", None) in DB_CONFLICT_SQLSTATES


def _error_payload(exc: Exception) -> dict[str, Any]:
    payload: dict[str, Any] = {"kind": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, SyncPermanent):
        payload["field_errors"] = [asdict(f) for f in exc.field_errors]
    return payload


@dataclass(frozen=True)
class LeaseClaim:
    """What a `sync_entity` job got when it asked for its row's lease: the lease, or None
    and how long the row's backoff has yet to run (None: nothing to wait for)."""

    lease: state.Lease | None
    wait_s: float | None = None


async def claim_lease(session: AsyncSession, ctx: TaskContext,
                      sync_state_id: int) -> LeaseClaim:
    """Take the row's lease for the job `ctx` runs, in `session`'s write transaction: by the
    claim hook (LocalQueue's claim turn) or by `sync_entity` itself (other queues)."""
    owner = f"{ctx.worker_id}:{ctx.job_id}"
    lease = await state.take_lease(session, sync_state_id, owner, job_id=ctx.job_id)
    if lease is not None:
        return LeaseClaim(lease)
    return LeaseClaim(None, await state.backoff_remaining_s(session, sync_state_id))


async def _claim_hook(session: AsyncSession, ctx: TaskContext, args: JsonArgs) -> LeaseClaim:
    """`sync_entity`'s claim hook (TaskRegistry.add): its lease, taken with its claim."""
    return await claim_lease(session, ctx, int(args["sync_state_id"]))


def make_sync_task(handlers: HandlerMap) -> Callable[..., Awaitable[None]]:
    """Build the `sync_entity(ctx, sync_state_id)` task over `handlers`."""

    async def sync_entity(ctx: TaskContext, sync_state_id: int) -> None:
        claim = ctx.claimed if isinstance(ctx.claimed, LeaseClaim) else None
        if claim is None:  # no claim hook ran (procrastinate, a direct call)
            async with ctx.db.unit_of_work() as session:
                claim = await claim_lease(session, ctx, sync_state_id)
        lease, wait_s = claim.lease, claim.wait_s
        if wait_s is not None:
            # This job ran before the row's backoff ended (a defer coalesced it earlier):
            # run again then, or the retry would wait for the sweeper.
            raise RetryJob(wait_s, "sync_state in backoff")
        if lease is None:
            return  # someone holds it (they re-check at the end) or nothing to do
        with structlog.contextvars.bound_contextvars(  # the push's log lines name its shop
                shop_id=lease.key.shop_id, tiktok_shop_id=lease.key.tiktok_shop_id,
                kind=lease.key.kind, entity_id=lease.key.entity_id):
            await _push(ctx, lease, handlers.get((lease.key.kind, lease.key.direction)))

    return sync_entity


async def _push(ctx: TaskContext, lease: state.Lease, handler: SyncHandler | None) -> None:
    """Run the leased row's handler, then finish the row (synced, backoff or failed)."""
    try:
        if handler is None:
            raise SyncPermanent(f"no sync handler for {lease.key.kind}/{lease.key.direction}")
        result = await handler(ctx, lease)
    except Exception as exc:
        await _record_failure(ctx, lease, exc)
        return

    async def finish(session: AsyncSession) -> None:
        await state.finish_success(session, ctx.queue, lease, result.pushed_hash)
        await record_activity(session, _activity(lease, "synced",
                                                 f"{result.api_calls} API call(s)"))

    await ctx.queue.complete_with(ctx.job_id, finish)


async def _record_failure(ctx: TaskContext, lease: state.Lease, exc: Exception) -> None:
    """Map the handler's exception to backoff / failed, log it, defer what must run again."""
    error = _error_payload(exc)
    SYNC_FAILURES.labels(lease.key.kind, error["kind"]).inc()
    if db_conflict(exc):
        log.warning("sync.db_conflict", state_id=lease.state_id, error=str(exc)[:300])
    elif not isinstance(exc, SyncRateLimited | SyncPermanent | SyncTransient):
        log.error("sync.unexpected_error", state_id=lease.state_id, exc_info=exc)

    async def finish(session: AsyncSession) -> None:
        if isinstance(exc, SyncRateLimited):
            await state.finish_retry_later(session, ctx.queue, lease, exc.retry_after_s, error,
                                           count_attempt=False)
        elif isinstance(exc, SyncPermanent):
            await state.finish_failed(session, ctx.queue, lease, error, review=exc.review)
        else:
            attempts = await state.attempts_of(session, lease.state_id)
            await state.finish_retry_later(session, ctx.queue, lease,
                                           state.transient_delay_s(attempts), error,
                                           count_attempt=True)
        await record_activity(session, _activity(lease, "failed", str(exc), error))

    await ctx.queue.complete_with(ctx.job_id, finish)


def _activity(lease: state.Lease, status: str, message: str,
              error: dict[str, Any] | None = None) -> dict[str, Any]:
    """The activity row of a push's outcome (columns for `record_activity`)."""
    row = {"shop_id": lease.key.shop_id, "tiktok_shop_id": lease.key.tiktok_shop_id,
           "kind": lease.key.kind, "entity_id": lease.key.entity_id,
           "direction": lease.key.direction, "status": status, "message": message[:2000]}
    return row if error is None else {**row, "error": error}


async def sweep_sync_state(ctx: TaskContext, grace_s: float = SWEEP_GRACE_S) -> None:
    """Re-defer rows that should be moving but have not been touched for `grace_s` (their job
    was lost, or their worker died holding the lease). Coalescing makes a spare defer harmless.
    Rows of disconnected connections are left alone; after a reconnect they are swept again."""
    now = utcnow()
    stale = now - timedelta(seconds=grace_s)
    due = (
        select(SyncState.id, SyncState.kind, SyncState.tiktok_shop_id)
        .where(SyncState.status.in_([state.PENDING, state.RUNNING, state.BACKOFF]),
               SyncState.updated_at < stale,
               or_(SyncState.lease_until.is_(None), SyncState.lease_until < now),
               or_(SyncState.not_before.is_(None), SyncState.not_before <= now),
               ~state.disconnected(SyncState.tiktok_shop_id))
        .order_by(SyncState.updated_at).limit(SWEEP_BATCH)
    )
    async with ctx.db.unit_of_work() as session:
        ids = [(int(r[0]), str(r[1]), int(r[2])) for r in (await session.execute(due)).all()]
        for n, (state_id, kind, tts_id) in enumerate(ids):
            # The lowest priority of its class: a row whose job still waits (a long listing's
            # backlog) keeps its place (a coalesced defer only ever raises it); a re-created
            # job is a bulk mark's, in a lane.
            await ctx.queue.defer(session, state.SYNC_TASK, {"sync_state_id": state_id},
                                  queueing_lock=state.queueing_lock(state_id),
                                  priority=state.job_priority(kind, state.PRIORITY_STEP),
                                  lane=state.bulk_lane(tts_id, n))
    if ids:
        log.info("sweeper.redeferred", count=len(ids))


def register_sync_tasks(registry: TaskRegistry, handlers: HandlerMap, *,
                        sweep_every_s: float = SWEEP_EVERY_S) -> None:
    """Add `sync_entity` and the periodic sweeper to `registry` (called by jobs.tasks)."""
    registry.add(state.SYNC_TASK, make_sync_task(handlers), on_claim=_claim_hook)
    registry.add(SWEEP_TASK, sweep_sync_state)
    registry.every(SWEEP_TASK, sweep_every_s)
