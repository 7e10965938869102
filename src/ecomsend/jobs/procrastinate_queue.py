"""`ProcrastinateQueue`: the scale-out adapter — procrastinate workers on PostgreSQL.

`defer` runs procrastinate's INSERT on the *same psycopg connection and transaction* as the
caller's SQLAlchemy session, so a rolled-back state change takes its job with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import procrastinate
import structlog
from procrastinate import exceptions as pexc
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ecomsend.jobs.periodic import run_periodic_loop
from ecomsend.jobs.port import BULK_LANES
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
    from ecomsend.jobs.registry import JsonArgs, TaskFn, TaskRegistry
    from ecomsend.services import Services

log = structlog.get_logger(__name__)
T = TypeVar("T")

#: A coalesced defer raises the waiting job's priority to the higher of the two (JobQueue.defer);
#: procrastinate itself leaves the waiting job as it was.
_RAISE_PRIORITY = text(
    "UPDATE procrastinate_jobs SET priority = :p"
    " WHERE queueing_lock = :lock AND status = 'todo' AND priority < :p")

#: Lane jobs (a bulk mark's: JobQueue.defer) wait in their own procrastinate queue, run by a
#: worker of their own in each process with BULK_SHARE of its slots (at least 1), beside the
#: slots of everything else. procrastinate's fetch skips a job whose lock has a running or an
#: earlier job; with a 5,000-job listing in one queue, every fetch that found nothing due (all
#: lanes busy, the common case) walked all 5,000 and probed each one's lock: 42 ms of
#: PostgreSQL per empty fetch, and every stock job's NOTIFY woke each worker to make one. Now
#: the other jobs' fetch never sees lane jobs' locks, and no listing holds their slots.
BULK_QUEUE = "bulk"
DEFAULT_QUEUE = "default"
BULK_SHARE = 4
#: A process runs at most this many lane jobs at once: one listing's lanes. procrastinate's
#: worker fetches again when a job ends only if every slot was taken; with a slot to spare, a
#: lane's next job waited for the fetch poll (1 s) after the job before it, so one shop's
#: listing ran at 5.45 products/s on 8 slots and 14.3 on 6 (bench/multi_tenant.py, scale-out,
#: `--only bulk` worker). More shops listing at once share these slots in turns (priorities);
#: run more `--only bulk` workers for more at once.
LANE_SLOTS = BULK_LANES
#: The queues `ecomsend worker --only` accepts (a process running just one of them).
WORKER_QUEUES = (DEFAULT_QUEUE, BULK_QUEUE)

#: Workers renew their procrastinate heartbeat this often (s) …
HEARTBEAT_S = 2.0
#: … and their running jobs are retried once the heartbeat is this old (worker presumed dead);
#: 10 s let a live worker starved of CPU (load 20 on 2 cores) look dead.
STALLED_AFTER_S = 30.0


def libpq_dsn(database_url: str) -> str:
    """`postgresql+psycopg://…` (SQLAlchemy) → `postgresql://…` (libpq/psycopg)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


def make_procrastinate_app(database_url: str) -> procrastinate.App:
    """A procrastinate App on `database_url`, without tasks (used for schema management)."""
    connector = procrastinate.PsycopgConnector(conninfo=libpq_dsn(database_url))
    return procrastinate.App(connector=connector)


class BackoffRetry(procrastinate.BaseRetryStrategy):
    """The same schedule as LocalQueue: run at most MAX_ATTEMPTS times, waiting base × 2^n."""

    def __init__(self, base_s: float) -> None:
        self.base_s = base_s

    def get_retry_decision(self, *, exception: BaseException,
                           job: procrastinate.jobs.Job) -> procrastinate.RetryDecision | None:
        attempt = job.attempts + 1  # procrastinate counts previous runs
        if attempt >= MAX_ATTEMPTS:
            return None
        return procrastinate.RetryDecision(
            retry_in={"seconds": int(max(1, round(backoff_s(attempt, self.base_s))))})


class ProcrastinateQueue:
    """The `JobQueue` adapter for scale-out mode (see module docstring)."""

    def __init__(self, db: Database, registry: TaskRegistry, *,
                 heartbeat_s: float = HEARTBEAT_S, stalled_after_s: float = STALLED_AFTER_S,
                 fetch_job_polling_interval_s: float = 1.0,
                 services: Services | None = None,
                 retry_base_s: float = BACKOFF_BASE_S) -> None:
        self.db = db
        self.services = services
        self.registry = registry
        self.heartbeat_s = heartbeat_s
        self.stalled_after_s = stalled_after_s
        self.polling_s = fetch_job_polling_interval_s
        self.worker_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.app = make_procrastinate_app(db.url)
        retry = BackoffRetry(retry_base_s)
        for name, fn in registry.tasks.items():
            self.app.task(name=name, pass_context=True, retry=retry)(self._wrap(name, fn))
        self._opened = False

    async def open(self) -> None:
        if not self._opened:
            await self.app.open_async()
            self._opened = True

    async def complete_in(self, session: AsyncSession, job_id: str) -> None:
        """Nothing to do: procrastinate finishes the job itself when the task returns."""
        return None

    async def complete_with(self, job_id: str,
                            write: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`write` in a transaction of its own (JobQueue.complete_with); procrastinate
        finishes the job itself when the task returns."""
        async with self.db.unit_of_work() as session:
            return await write(session)

    async def close(self) -> None:
        if self._opened:
            await self.app.close_async()
            self._opened = False

    def _wrap(self, name: str, fn: TaskFn) -> Any:
        async def run(job_context: procrastinate.JobContext, **args: Any) -> None:
            job = job_context.job
            ctx = TaskContext(db=self.db, queue=self, worker_id=self.worker_id,
                              job_id=str(job.id), attempt=job.attempts + 1,
                              services=self.services)
            try:
                with structlog.contextvars.bound_contextvars(**log_context(name, str(job.id),
                                                                           args)):
                    await fn(ctx, **args)
            except RetryJob as retry:
                # A fresh job for later; this one ends. Same lock: it waits for us to finish.
                deferrer = self.app.configure_task(
                    name, queueing_lock=job.queueing_lock, lock=job.lock, queue=job.queue,
                    schedule_in={"seconds": retry.after_s}, priority=job.priority)
                with contextlib.suppress(pexc.AlreadyEnqueued):
                    await deferrer.defer_async(**args)

        run.__name__ = name.replace(".", "_")
        return run

    async def defer(self, session: AsyncSession, task: str, args: JsonArgs | None = None, *,
                    queueing_lock: str | None = None, run_at: datetime | None = None,
                    priority: int = 0, lane: str | None = None) -> None:
        """Defer on the session's own psycopg connection, inside its transaction; `priority`
        is procrastinate's own (its fetch takes the highest first, then the oldest) and a
        `lane` is its `lock` (one job of a lock runs at a time, in priority order) in the
        BULK_QUEUE; without a lane the queueing lock is also the lock."""
        sa_conn = await session.connection()
        raw = await sa_conn.get_raw_connection()
        deferrer = self.app.configure_task(
            task, queueing_lock=queueing_lock, lock=lane or queueing_lock, schedule_at=run_at,
            priority=priority, queue=BULK_QUEUE if lane else DEFAULT_QUEUE,
            connection=raw.driver_connection)
        # A duplicate queueing lock raises inside PostgreSQL and would abort the caller's
        # transaction: run the INSERT in a SAVEPOINT so only the duplicate is undone (= the
        # defer coalesces). Issued explicitly: procrastinate bypasses SQLAlchemy's bookkeeping.
        await sa_conn.exec_driver_sql("SAVEPOINT ecomsend_defer")
        try:
            await deferrer.defer_async(**dict(args or {}))
        except pexc.AlreadyEnqueued:
            await sa_conn.exec_driver_sql("ROLLBACK TO SAVEPOINT ecomsend_defer")
            await sa_conn.execute(_RAISE_PRIORITY, {"lock": queueing_lock, "p": priority})
        await sa_conn.exec_driver_sql("RELEASE SAVEPOINT ecomsend_defer")

    async def recover_orphans(self) -> int:
        """Retry jobs left `doing` by workers whose heartbeat stopped (SIGKILL, OOM, power)."""
        await self.open()
        stalled = list(await self.app.job_manager.get_stalled_jobs(
            seconds_since_heartbeat=self.stalled_after_s))
        for job in stalled:
            try:
                await self.app.job_manager.retry_job(job)
            except pexc.UniqueViolation:
                # Raising here would stop every later stalled job from being recovered.
                await self._take_waiting_place(job)
        if stalled:
            log.warning("procrastinate.orphans_recovered", count=len(stalled))
        return len(stalled)

    async def _take_waiting_place(self, job: procrastinate.jobs.Job) -> None:
        """A waiting job with the dead run `job`'s queueing lock covers it (a defer made while
        it ran): the dead run takes that job's place (its queue, lock and the higher priority),
        as in LocalQueue.recover_orphans, so the re-run keeps the job id whose sync lease it
        takes over at once (`sync.state.take_lease`) instead of waiting LEASE_S for it. The
        waiting job goes first (one todo job per queueing lock); should a defer made just then
        beat the retry, the dead run stays stalled and the next recovery goes again."""
        rows = await self.app.connector.execute_query_all_async(
            "DELETE FROM procrastinate_jobs WHERE queueing_lock = %(lock)s AND status = 'todo'"
            " RETURNING priority, queue_name, lock", lock=job.queueing_lock)
        priority, queue, lock = ((int(rows[0]["priority"]), str(rows[0]["queue_name"]),
                                  rows[0]["lock"]) if rows else (job.priority, job.queue,
                                                                 job.lock))
        with contextlib.suppress(pexc.UniqueViolation):
            await self.app.job_manager.retry_job(job, priority=max(job.priority, priority),
                                                 queue=queue, lock=lock)

    async def _recovery_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.recover_orphans()
            except Exception:
                log.exception("procrastinate.recovery_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.stalled_after_s / 2)

    async def run_worker(self, stop: asyncio.Event, concurrency: int = 4,
                         only: str | None = None) -> None:
        """Two procrastinate workers — `concurrency` slots for every job but lane jobs, and
        concurrency / BULK_SHARE (at least 1) more for lane jobs (BULK_QUEUE) — or, with
        `only` (one of WORKER_QUEUES), `concurrency` slots for that queue alone (lane jobs: at
        most LANE_SLOTS); plus the periodic and orphan-recovery loops, until `stop`."""
        if only is not None and only not in WORKER_QUEUES:
            raise ValueError(f"unknown queue {only!r}: one of {', '.join(WORKER_QUEUES)}")
        await self.open()
        wanted = ([(DEFAULT_QUEUE, concurrency), (BULK_QUEUE, max(1, concurrency // BULK_SHARE))]
                  if only is None else [(only, concurrency)])
        plan = [(queue, min(slots, LANE_SLOTS) if queue == BULK_QUEUE else slots)
                for queue, slots in wanted]
        workers = [asyncio.create_task(self._procrastinate_worker(queue, slots))
                   for queue, slots in plan]
        helpers = [asyncio.create_task(run_periodic_loop(self.db, self, stop)),
                   asyncio.create_task(self._recovery_loop(stop))]
        await stop.wait()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, *helpers, return_exceptions=True)

    async def _procrastinate_worker(self, queue: str, concurrency: int) -> None:
        """procrastinate's worker on one of our queues (`run_worker`)."""
        await self.app.run_worker_async(
            queues=[queue], concurrency=concurrency, name=f"{self.worker_id}:{queue}",
            install_signal_handlers=False, update_heartbeat_interval=self.heartbeat_s,
            stalled_worker_timeout=self.stalled_after_s,
            fetch_job_polling_interval=self.polling_s, delete_jobs="successful", wait=True)
