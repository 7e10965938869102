"""Periodic jobs for both adapters: one `periodic_run` row per (task, period) makes each period
fire exactly once, however many workers tick at the same time."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

import structlog

from ecomsend.db.models import PeriodicRun
from ecomsend.db.upsert import dialect_insert

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue
    from ecomsend.jobs.registry import PeriodicJob

log = structlog.get_logger(__name__)

#: Tick at least this often so short test periods fire on time, at most this rarely in prod.
MIN_TICK_S = 0.05
MAX_TICK_S = 5.0


async def fire_due_periodics(db: Database, queue: JobQueue, now: float | None = None) -> int:
    """Defer every periodic job whose current period has not fired yet; returns how many."""
    now = time.time() if now is None else now
    fired = 0
    for job in queue.registry.periodic:
        if await _claim_period(db, queue, job, int(now // job.every_s)):
            fired += 1
    return fired


async def _claim_period(db: Database, queue: JobQueue, job: PeriodicJob, period: int) -> bool:
    async with db.unit_of_work() as session:
        stmt = dialect_insert(session, PeriodicRun).values(task=job.task, period_start=period)
        claimed = await session.execute(stmt.on_conflict_do_nothing().returning(PeriodicRun.id))
        if claimed.first() is None:  # another worker fired this period already
            return False
        await queue.defer(session, job.task, dict(job.args), queueing_lock=f"periodic:{job.task}")
        log.debug("periodic.fired", task=job.task, period=period)
        return True


def tick_interval(queue: JobQueue) -> float:
    """How often a worker checks for due periods: a quarter of the shortest period."""
    periods = [job.every_s for job in queue.registry.periodic]
    if not periods:
        return MAX_TICK_S
    return max(MIN_TICK_S, min(MAX_TICK_S, min(periods) / 4))


async def run_periodic_loop(db: Database, queue: JobQueue, stop: asyncio.Event) -> None:
    """Fire due periodic jobs until `stop`; run by every worker (dedup is in the database)."""
    interval = tick_interval(queue)
    while not stop.is_set():
        try:
            await fire_due_periodics(db, queue)
        except Exception:  # a DB hiccup must not kill the worker; next tick retries
            log.exception("periodic.tick_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
