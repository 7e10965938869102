"""Build the queue for the configured backend and run a worker process (`ecomsend worker`)."""

from __future__ import annotations

import asyncio
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


async def run_until_signalled(queue: JobQueue, concurrency: int) -> None:
    """Run `queue`'s worker until SIGINT/SIGTERM, then finish running jobs and return."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker.start", backend=type(queue).__name__, concurrency=concurrency)
    try:
        await queue.run_worker(stop, concurrency=concurrency)
    finally:
        await queue.close()
        log.info("worker.stopped")


def run_worker_process(concurrency: int, settings: Settings | None = None) -> None:
    """Entry point of `ecomsend worker`: all of the app's tasks, on the configured backend."""
    from ecomsend.db.session import Database
    from ecomsend.jobs.tasks import build_registry
    from ecomsend.logging import configure_logging

    settings = settings or get_settings()
    configure_logging(settings)

    async def main() -> None:
        from ecomsend.services import Services

        db = Database(settings)
        services = Services.build(settings, db)
        try:
            queue = build_queue(settings, db, build_registry(), services)
            await run_until_signalled(queue, concurrency)
        finally:
            await services.close()
            await db.dispose()

    asyncio.run(main())
