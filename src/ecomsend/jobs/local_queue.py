"""`LocalQueue`: the embedded default — jobs in the app's SQLite database, run in-process.

Jobs are rows of `local_job`, written in the caller's transaction. SQLite serialises writers
(BEGIN IMMEDIATE, see db.session), so claiming a job is one UPDATE … RETURNING with no race.

SQLite has one write lock for the whole app, so the worker writes in *turns*: one transaction
completes every job that finished since the last turn (their tasks' final writes, handed over
with `complete_with`), then claims jobs for the free slots and runs their tasks' claim hooks
(a sync job's lease). A stock push used to take three write turns of its own (claim, lease,
finish); now it shares one with the pushes that finished and started beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import traceback
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.orm import aliased

from ecomsend.db.models import LocalJob
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import prepared
from ecomsend.jobs.local_sql import (
    FAILED,
    RUNNING,
    WAITING,
    any_claimable_stmt,
    claim_stmt,
    insert_job,
    insert_or_coalesce_job,
)
from ecomsend.jobs.periodic import run_periodic_loop
from ecomsend.jobs.registry import (
    BACKOFF_BASE_S,
    MAX_ATTEMPTS,
    RetryJob,
    TaskContext,
    backoff_s,
    log_context,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.db.session import Database
    from ecomsend.jobs.registry import JsonArgs, TaskRegistry
    from ecomsend.services import Services

log = structlog.get_logger(__name__)
T = TypeVar("T")

#: Idle poll period: bounds the pickup latency of a job deferred by another process.
POLL_INTERVAL_S = 0.02
#: A running job renews its heartbeat this often …
HEARTBEAT_S = 2.0
#: … and is presumed orphaned (worker crashed) once the heartbeat is this old.
ORPHAN_AFTER_S = 10.0
#: While other jobs come (one claimed within BUSY_WINDOW_S), lane jobs (a bulk mark's: a big
#: listing) hold at most LANE_SLOTS_WHEN_BUSY slots. The embedded worker shares one process,
#: one core, with the web app: six listing jobs beside four other shops' stock pushes made
#: those 7.7× slower at the p99 (bench/multi_tenant.py --embedded). With 2 slots the listing
#: ran at 0.73 of TikTok's limit and the others' p99 was 5.6× their own (403 against 72 ms);
#: with 1, 0.58 and 1.6× (118 ms). Alone, a listing uses all its lanes (the demo's first).
LANE_SLOTS_WHEN_BUSY = 1
BUSY_WINDOW_S = 5.0
#: Lane room when no other job came lately: the lanes themselves are the bound.
_ANY_ROOM = 1_000_000


@dataclass
class _Completion:
    """A finished job's final write, waiting for the worker's next turn (complete_with)."""

    job_id: int
    write: Callable[[AsyncSession], Awaitable[Any]]
    future: asyncio.Future[Any]


#: A claimed job: its context (claim hook result included), task name and arguments.
Claimed = tuple[TaskContext, str, dict[str, Any]]


async def _no_write(session: AsyncSession) -> None:
    """The final write of a task that has none (its job is only deleted)."""
    return None


class LocalQueue:
    """The `JobQueue` adapter of the embedded default (see module docstring)."""

    def __init__(self, db: Database, registry: TaskRegistry, *, poll_interval_s: float =
                 POLL_INTERVAL_S, heartbeat_s: float = HEARTBEAT_S,
                 orphan_after_s: float = ORPHAN_AFTER_S, services: Services | None = None,
                 retry_base_s: float = BACKOFF_BASE_S) -> None:
        self.retry_base_s = retry_base_s
        self.db = db
        self.services = services
        self.registry = registry
        self.poll_interval_s = poll_interval_s
        self.heartbeat_s = heartbeat_s
        self.orphan_after_s = orphan_after_s
        self.worker_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._wakeup = asyncio.Event()
        #: Jobs this worker runs now, and those whose task completed them itself (complete_in).
        self._running: set[int] = set()
        self._completed: set[int] = set()
        #: Final writes handed over for the next turn, while run_worker takes them (`_turns`).
        self._completions: list[_Completion] = []
        self._turns = False
        #: The last claim took fewer jobs than it could: the next claim without completions
        #: first reads whether any job is claimable (an empty claim holds the write lock).
        self._starved = False
        #: Lane jobs this worker runs now, and until when (loop time) other jobs count as
        #: coming (LANE_SLOTS_WHEN_BUSY).
        self._lane_jobs: set[int] = set()
        self._busy_until = 0.0

    async def defer(self, session: AsyncSession, task: str, args: JsonArgs | None = None, *,
                    queueing_lock: str | None = None, run_at: datetime | None = None,
                    priority: int = 0, lane: str | None = None) -> None:
        """Insert a waiting job in `session`'s transaction; coalesce on `queueing_lock`."""
        now = utcnow()
        build = insert_job if queueing_lock is None else insert_or_coalesce_job
        await session.execute(prepared(session, build), {
            "task": task, "args": dict(args or {}), "queueing_lock": queueing_lock,
            "status": WAITING, "scheduled_at": run_at or now, "attempts": 0, "created_at": now,
            "priority": priority, "lane": lane})
        self._wakeup.set()

    async def _claim_in(self, session: AsyncSession, limit: int) -> list[Claimed]:
        """Take up to `limit` due jobs whose lock no running job holds (one UPDATE, in the
        turn's transaction) and run their tasks' claim hooks there. Two of them never share a
        lock: one waiting job per lock exists. A hook that fails leaves its work to the task."""
        params = {"b_now": utcnow(), "b_limit": limit, "b_worker": self.worker_id,
                  "b_lane_room": self._lane_room()}
        rows = (await session.execute(claim_stmt(), params)).all()
        self._starved = len(rows) < limit
        claimed: list[Claimed] = []
        for job_id, task, args, attempt, lane in rows:
            if lane is None:
                self._busy_until = asyncio.get_running_loop().time() + BUSY_WINDOW_S
            else:
                self._lane_jobs.add(int(job_id))
            ctx = TaskContext(db=self.db, queue=self, worker_id=self.worker_id,
                              job_id=str(job_id), attempt=attempt, services=self.services)
            hook = self.registry.claim_hooks.get(task)
            if hook is not None:
                try:
                    ctx.claimed = await hook(session, ctx, args)
                except Exception:
                    log.exception("local_queue.claim_hook_failed", task=task, job_id=job_id)
            claimed.append((ctx, task, args))
        return claimed

    async def _turn(self, completions: list[_Completion], limit: int) -> list[Claimed]:
        """One write transaction: the final writes of `completions` and the deletion of their
        jobs, then the claim of up to `limit` jobs. If it fails, each completion is written
        alone (only a failing one fails) and nothing is claimed until the next turn."""
        if not completions:
            if limit <= 0 or (self._starved and not await self._any_claimable()):
                return []
            async with self.db.unit_of_work() as session:
                return await self._claim_in(session, limit)
        try:
            async with self.db.unit_of_work() as session:
                results = [await done.write(session) for done in completions]
                await session.execute(delete(LocalJob).where(
                    LocalJob.id.in_([done.job_id for done in completions])))
                claimed = await self._claim_in(session, limit) if limit > 0 else []
        except Exception:
            for done in completions:
                await self._complete_alone(done)
            return []
        except BaseException as exc:  # cancelled: the tasks waiting on these must not hang
            for done in completions:
                if not done.future.done():
                    done.future.set_exception(exc)
            raise
        for done, result in zip(completions, results, strict=True):
            if not done.future.done():
                done.future.set_result(result)
        return claimed

    def _lane_room(self) -> int:
        """How many more lane jobs a claim may take (LANE_SLOTS_WHEN_BUSY)."""
        if asyncio.get_running_loop().time() >= self._busy_until:
            return _ANY_ROOM
        return max(0, LANE_SLOTS_WHEN_BUSY - len(self._lane_jobs))

    async def _any_claimable(self) -> bool:
        """Whether a claim would take a job now, read without the write lock: after a claim
        that found too few, the next ones (woken by each defer, most of them coalesced into a
        job already waiting) skip their write turn while there is nothing to take."""
        async with self.db.sessionmaker() as session:
            return bool((await session.execute(any_claimable_stmt(), {
                "b_now": utcnow(), "b_lane_room": self._lane_room()})).scalar())

    async def _complete_alone(self, done: _Completion) -> None:
        """`done`'s final write and its job's deletion in a transaction of their own."""
        try:
            async with self.db.unit_of_work() as session:
                result = await done.write(session)
                await session.execute(delete(LocalJob).where(LocalJob.id == done.job_id))
        except Exception as exc:
            if not done.future.done():
                done.future.set_exception(exc)
        else:
            if not done.future.done():
                done.future.set_result(result)

    async def complete_in(self, session: AsyncSession, job_id: str) -> None:
        """Delete the running job in `session`'s transaction (see JobQueue.complete_in);
        a no-op for an id this worker is not running (a task called directly)."""
        job = int(job_id) if job_id.isdigit() else None
        if job is not None and job in self._running:
            await session.execute(delete(LocalJob).where(LocalJob.id == job))
            self._completed.add(job)

    async def complete_with(self, job_id: str,
                            write: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`write` and the job's deletion in the worker's next turn (see the module
        docstring and JobQueue.complete_with); in a transaction of their own when no worker
        loop takes turns (stopping) or the job is not this worker's (a task called directly)."""
        job = int(job_id) if job_id.isdigit() else None
        if job is None or job not in self._running or not self._turns:
            async with self.db.unit_of_work() as session:
                result = await write(session)
                await self.complete_in(session, job_id)
            return result
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._completions.append(_Completion(job, write, future))
        self._wakeup.set()
        result = await future
        self._completed.add(job)
        return result

    async def recover_orphans(self) -> int:
        """Running jobs with a stale heartbeat (their worker died) go back to waiting, keeping
        their id. A dead run whose lock a waiting job holds (a defer made while it ran) takes
        that job's place, with its arguments, lane and the higher priority: run under the same
        id, it takes over its dead run's sync lease at once (`sync.state.take_lease`), where
        the other job would wait for the lease to expire (LEASE_S)."""
        stale = utcnow() - timedelta(seconds=self.orphan_after_s)
        orphan = and_(LocalJob.status == RUNNING, LocalJob.heartbeat_at < stale)
        waiting = aliased(LocalJob)
        async with self.db.unit_of_work() as session:
            covered = (await session.execute(
                select(LocalJob.id, waiting.id, waiting.args, waiting.lane, waiting.priority)
                .join(waiting, and_(waiting.status == WAITING,
                                    waiting.queueing_lock == LocalJob.queueing_lock))
                .where(orphan))).all()
            if covered:
                await session.execute(delete(LocalJob).where(
                    LocalJob.id.in_([row[1] for row in covered])))
            for dead_id, _, args, lane, priority in covered:
                await session.execute(update(LocalJob).where(LocalJob.id == dead_id).values(
                    args=args, lane=lane, priority=func.max(LocalJob.priority, priority)))
            requeued = await session.execute(
                update(LocalJob).where(orphan)
                .values(status=WAITING, worker_id=None, scheduled_at=utcnow())
            )
        count = int(requeued.rowcount)  # type: ignore[attr-defined]
        if count:
            log.warning("local_queue.orphans_recovered", count=count, replaced=len(covered))
        return count

    async def _heartbeat(self, job_id: int) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            async with self.db.unit_of_work() as session:
                await session.execute(update(LocalJob).where(LocalJob.id == job_id)
                                      .values(heartbeat_at=utcnow()))

    async def _run_one(self, ctx: TaskContext, task: str, args: dict[str, Any]) -> None:
        job_id = int(ctx.job_id)
        beat = asyncio.create_task(self._heartbeat(job_id))
        self._running.add(job_id)
        try:
            with structlog.contextvars.bound_contextvars(**log_context(task, ctx.job_id, args)):
                await self.registry.get(task)(ctx, **args)
                if job_id not in self._completed:  # deleted in the next turn
                    await self.complete_with(ctx.job_id, _no_write)
        except RetryJob as retry:
            await self._reschedule(job_id, task, args, retry.after_s)
        except Exception as exc:
            await self._after_error(job_id, task, args, ctx.attempt, exc)
        finally:
            self._running.discard(job_id)
            self._completed.discard(job_id)
            self._lane_jobs.discard(job_id)
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat

    async def _reschedule(self, job_id: int, task: str, args: dict[str, Any],
                          after_s: float) -> None:
        async with self.db.unit_of_work() as session:
            row = (await session.execute(
                delete(LocalJob).where(LocalJob.id == job_id)
                .returning(LocalJob.queueing_lock, LocalJob.priority, LocalJob.lane)
            )).first()
            lock, priority, lane = (row[0], int(row[1]), row[2]) if row else (None, 0, None)
            await self.defer(session, task, args, queueing_lock=lock, lane=lane,
                             run_at=utcnow() + timedelta(seconds=after_s), priority=priority)

    async def _after_error(self, job_id: int, task: str, args: dict[str, Any], attempt: int,
                           exc: Exception) -> None:
        """Re-queue the same row (its attempt count kept) after a backoff, or mark it failed
        after MAX_ATTEMPTS runs; a waiting job with the same lock already covers a re-run."""
        log.error("job.error", task=task, job_id=job_id, attempt=attempt, error=repr(exc))
        detail = "".join(traceback.format_exception(exc))[-4000:]
        this_job = LocalJob.id == job_id
        async with self.db.unit_of_work() as session:
            if attempt >= MAX_ATTEMPTS:
                await session.execute(update(LocalJob).where(this_job).values(
                    status=FAILED, finished_at=utcnow(), last_error=detail))
                return
            waiting = aliased(LocalJob)
            covered = exists().where(and_(waiting.status == WAITING,
                                          waiting.queueing_lock == LocalJob.queueing_lock))
            await session.execute(delete(LocalJob).where(this_job, covered))
            await session.execute(update(LocalJob).where(this_job).values(
                status=WAITING, worker_id=None, last_error=detail,
                scheduled_at=utcnow() + timedelta(seconds=backoff_s(attempt, self.retry_base_s))))

    async def run_worker(self, stop: asyncio.Event, concurrency: int = 4) -> None:
        """Run jobs with up to `concurrency` at once, plus periodic jobs and orphan recovery,
        until `stop` is set; running jobs are awaited before returning. Each turn completes
        the jobs that finished (their slots are free again) and fills the free slots."""
        await self.recover_orphans()
        periodic = asyncio.create_task(run_periodic_loop(self.db, self, stop))
        running: set[asyncio.Task[None]] = set()
        loop = asyncio.get_running_loop()
        next_recovery = loop.time() + self.orphan_after_s
        self._turns = True
        try:
            while not stop.is_set():
                self._wakeup.clear()
                completions, self._completions = self._completions, []
                free = concurrency - len(running) + len(completions)
                claimed = await self._turn(completions, free)
                for ctx, task, args in claimed:
                    job = asyncio.create_task(self._run_one(ctx, task, args))
                    running.add(job)
                    job.add_done_callback(self._job_done(running))
                if completions or claimed:
                    continue
                if free > 0 and loop.time() >= next_recovery:
                    await self.recover_orphans()
                    next_recovery = loop.time() + self.orphan_after_s
                await self._idle()
        finally:
            self._turns = False  # from now on each completion is written alone
            completions, self._completions = self._completions, []
            await self._turn(completions, 0)
            await asyncio.gather(*running, return_exceptions=True)
            await periodic

    def _job_done(self, running: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]],
                                                                         None]:
        """A done callback: the job's slot is free, the worker loop looks again."""
        def done(job: asyncio.Task[None]) -> None:
            running.discard(job)
            self._wakeup.set()
        return done

    async def _idle(self) -> None:
        """Wait for a defer, a completion or a finished job, or the poll interval (jobs
        deferred by another process, due times passing)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout=self.poll_interval_s)

    async def close(self) -> None:
        return None
