"""Build the queue for the configured backend and run a worker process (`ecomsend worker`)."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import TYPE_CHECKING

import structlog

from ecomsend.config import QueueBackend, Settings, get_settings

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue
    from ecomsend.jobs.registry import TaskRegistry
    from ecomsend.services import Services

log = structlog.get_logger(__name__)


def build_queue(settings: Settings, db: Database, registry: TaskRegistry,
                services: Services | None = None) -> JobQueue:
    """The `JobQueue` adapter Settings asks for; jobs get `services` in their context."""
    if settings.queue_backend is QueueBackend.PROCRASTINATE:
        if db.dialect != "postgresql":
            raise ValueError("the procrastinate queue needs DATABASE_URL on PostgreSQL")
        from ecomsend.jobs.procrastinate_queue import ProcrastinateQueue

        return ProcrastinateQueue(db, registry, services=services)
    from ecomsend.jobs.local_queue import LocalQueue

    return LocalQueue(db, registry, services=services)


#: A worker process that runs only lane jobs (`ecomsend worker --only bulk`: a catalog's
#: first listing, a template's products) lowers its own CPU priority by this much. Linux then
#: gives the other processes (stock, price and order pushes, webhooks: the latency merchants
#: see) the CPU first, and a big listing takes what is left; nice 10 weighs about a tenth of
#: nice 0 (sched(7)). bench/multi_tenant.py runs its listing on such a worker.
BULK_NICE = 10


async def run_until_signalled(queue: JobQueue, concurrency: int,
                              only: str | None = None) -> None:
    """Run `queue`'s worker until SIGINT/SIGTERM, then finish running jobs and return;
    `only`: the one procrastinate queue to run (scale-out)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker.start", backend=type(queue).__name__, concurrency=concurrency,
             only=only)
    try:
        if only is None:
            await queue.run_worker(stop, concurrency=concurrency)
        else:
            from ecomsend.jobs.procrastinate_queue import ProcrastinateQueue

            if not isinstance(queue, ProcrastinateQueue):
                raise ValueError("--only needs the procrastinate queue (scale-out mode)")
            await queue.run_worker(stop, concurrency=concurrency, only=only)
    finally:
        await queue.close()
        log.info("worker.stopped")


def run_worker_process(concurrency: int, settings: Settings | None = None,
                       only: str | None = None) -> None:
    """Entry point of `ecomsend worker`: all of the app's tasks, on the configured backend;
    `only`: one procrastinate queue (`bulk` lowers this process's CPU priority: BULK_NICE)."""
    from ecomsend.db.session import Database
    from ecomsend.jobs.tasks import build_registry
    from ecomsend.logging import configure_logging

    settings = settings or get_settings()
    configure_logging(settings)
    if only is not None:
        from ecomsend.jobs.procrastinate_queue import BULK_QUEUE

        if only == BULK_QUEUE:
            os.nice(BULK_NICE)

    async def main() -> None:
        from ecomsend.services import Services

        db = Database(settings)
        services = Services.build(settings, db)
        try:
            queue = build_queue(settings, db, build_registry(), services)
            await run_until_signalled(queue, concurrency, only)
        finally:
            await services.close()
            await db.dispose()

    asyncio.run(main())
