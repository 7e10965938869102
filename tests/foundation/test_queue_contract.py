"""One contract suite, run against both `JobQueue` adapters (LocalQueue on SQLite,
ProcrastinateQueue on PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from queue_tasks import build_test_registry, count, times
from sqlalchemy import func, select

from ecomsend.db.models import LocalJob
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.port import JobQueue
from ecomsend.jobs.procrastinate_queue import ProcrastinateQueue
from ecomsend.jobs.registry import MAX_ATTEMPTS, TaskRegistry

HERE = Path(__file__).parent


@dataclass
class Backend:
    name: str
    db: Database
    var_dir: Path

    def queue(self, registry: TaskRegistry) -> JobQueue:
        if self.name == "local":
            return LocalQueue(self.db, registry, heartbeat_s=0.3, orphan_after_s=1.5,
                              retry_base_s=0.1)
        return ProcrastinateQueue(self.db, registry, heartbeat_s=0.3, stalled_after_s=1.5,
                                  fetch_job_polling_interval_s=0.1, retry_base_s=0.1)


@pytest.fixture(params=["local", "procrastinate"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    db = request.getfixturevalue("sqlite_db" if request.param == "local" else "pg_db")
    return Backend(request.param, db, tmp_path)


@asynccontextmanager
async def running(queue: JobQueue, concurrency: int = 4) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(queue.run_worker(stop, concurrency))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await queue.close()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def defer(backend: Backend, queue: JobQueue, task: str, lock: str | None = None,
                **args: object) -> None:
    async with backend.db.unit_of_work() as session:
        await queue.defer(session, task, args, queueing_lock=lock)


async def test_repeated_defers_coalesce_into_one_run(backend: Backend) -> None:
    queue = backend.queue(build_test_registry())
    for _ in range(5):
        await defer(backend, queue, "record", lock="entity:1", marker="coalesce")
    async with running(queue):
        await eventually(lambda: _ge(backend.db, "coalesce", "done", 1))
        await asyncio.sleep(0.5)
    assert await count(backend.db, "coalesce", "done") == 1


async def test_a_defer_during_a_run_is_not_lost(backend: Backend) -> None:
    queue = backend.queue(build_test_registry())
    await defer(backend, queue, "record", lock="entity:2", marker="during", sleep_s=1.0)
    async with running(queue):
        await eventually(lambda: _ge(backend.db, "during", "started", 1))
        await defer(backend, queue, "record", lock="entity:2", marker="during", sleep_s=0.0)
        await defer(backend, queue, "record", lock="entity:2", marker="during", sleep_s=0.0)
        await eventually(lambda: _ge(backend.db, "during", "done", 2))
        await asyncio.sleep(0.5)
    # The two defers made during the run coalesced into exactly one more run, never overlapping.
    assert await count(backend.db, "during", "done") == 2
    started, done = (await times(backend.db, "during", "started"),
                     await times(backend.db, "during", "done"))
    assert started[1] >= done[0]


async def test_retry_job_is_rescheduled_after_its_backoff(backend: Backend) -> None:
    queue = backend.queue(build_test_registry())
    await defer(backend, queue, "retry_once", marker="backoff", after_s=1.0)
    async with running(queue):
        await eventually(lambda: _ge(backend.db, "backoff", "done", 1))
    started = await times(backend.db, "backoff", "started")
    assert len(started) == 2
    assert (started[1] - started[0]).total_seconds() >= 0.9


async def test_unexpected_error_is_retried_with_backoff(backend: Backend) -> None:
    queue = backend.queue(build_test_registry())
    await defer(backend, queue, "fail_once", marker="error")
    async with running(queue):
        await eventually(lambda: _ge(backend.db, "error", "done", 1), timeout=30)
    started = await times(backend.db, "error", "started")
    assert len(started) == 2 and (started[1] - started[0]).total_seconds() >= 0.09


async def test_a_job_that_keeps_failing_stops_after_max_attempts(backend: Backend) -> None:
    queue = backend.queue(build_test_registry())
    await defer(backend, queue, "always_fail", lock="broken:1", marker="broken")
    async with running(queue):
        await eventually(lambda: _ge(backend.db, "broken", "started", MAX_ATTEMPTS), timeout=30)
        await asyncio.sleep(2.5)  # no further run arrives
    assert await count(backend.db, "broken", "started") == MAX_ATTEMPTS


async def test_a_job_completed_in_the_tasks_transaction_runs_until_that_commits(
        backend: Backend) -> None:
    queue = backend.queue(build_test_registry())
    await defer(backend, queue, "complete_inside", lock="inside:1", marker="inside")
    async with running(queue):
        await eventually(lambda: _ge(backend.db, "inside", "done", 1), timeout=30)
        await asyncio.sleep(1.0)  # no further run arrives
    # The first run's completion rolled back with its transaction, so the job ran again.
    assert await count(backend.db, "inside", "started") == 2
    assert await count(backend.db, "inside", "done") == 1
    if backend.name == "local":
        async with backend.db.sessionmaker() as session:
            assert (await session.execute(select(func.count()).select_from(LocalJob))
                    ).scalar_one() == 0


async def test_periodic_job_fires_once_per_period_with_two_workers(tmp_path: Path,
                                                                   backend: Backend) -> None:
    first = backend.queue(build_test_registry(periodic_every_s=1.0))
    second = backend.queue(build_test_registry(periodic_every_s=1.0))
    began = time.time()
    async with running(first), running(second):
        await asyncio.sleep(3.6)
    elapsed = time.time() - began
    ticks = await count(backend.db, "tick", "done")
    # One run per wall-clock second boundary crossed (plus the period we started in).
    assert int(elapsed) - 1 <= ticks <= int(elapsed) + 2, (ticks, elapsed)


def _spawn_worker(backend: Backend) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOMSEND_")}
    return subprocess.Popen(
        [sys.executable, str(HERE / "queue_worker.py"),
         backend.name, str(backend.db.url), str(backend.var_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def test_sigkilled_worker_job_completes_once_after_restart(backend: Backend) -> None:
    queue = backend.queue(build_test_registry())
    await defer(backend, queue, "slow_first_run", lock="crash:1", marker="crash")
    worker = _spawn_worker(backend)
    try:
        await eventually(lambda: _ge(backend.db, "crash", "started", 1), timeout=30)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert await count(backend.db, "crash", "done") == 0
        worker = _spawn_worker(backend)
        await eventually(lambda: _ge(backend.db, "crash", "done", 1), timeout=30)
        await asyncio.sleep(2.0)  # long enough for any duplicate run to show up
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=30)
    assert await count(backend.db, "crash", "done") == 1, err.decode()[-2000:]
    assert await count(backend.db, "crash", "started") == 2


async def _ge(db: Database, marker: str, status: str, n: int) -> bool:
    return await count(db, marker, status) >= n
