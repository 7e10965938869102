"""Per-shop fairness in both `JobQueue` adapters (issue 12 §3): due jobs run highest priority
first, a coalesced defer raises the waiting job's priority, and `sync.state.job_priority` puts a
stock push ahead of every bulk listing job and takes bulk marks of two shops in turns."""

from __future__ import annotations

import asyncio
from pathlib import Path

from queue_tasks import TEST_KIND, build_test_registry, times
from sqlalchemy import select, text
from test_queue_contract import Backend, backend, eventually, running  # noqa: F401 (fixture)

from ecomsend.db.models import ActivityLog
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LANE_SLOTS_WHEN_BUSY, LocalQueue
from ecomsend.jobs.port import BULK_LANES, JobQueue
from ecomsend.jobs.procrastinate_queue import BULK_QUEUE, LANE_SLOTS, ProcrastinateQueue
from ecomsend.sync.state import PRIORITY_STEP, job_priority


async def _defer(backend: Backend, queue: JobQueue, marker: str, priority: int,  # noqa: F811
                 lock: str | None = None) -> None:
    async with backend.db.unit_of_work() as session:
        await queue.defer(session, "record", {"marker": marker}, queueing_lock=lock,
                          priority=priority)


async def _started(backend: Backend) -> list[str]:  # noqa: F811
    async with backend.db.sessionmaker() as session:
        return list((await session.execute(
            select(ActivityLog.entity_id).where(ActivityLog.kind == TEST_KIND,
                                                ActivityLog.status == "started")
            .order_by(ActivityLog.id))).scalars())


async def test_higher_priority_runs_first_and_coalescing_raises_it(
        backend: Backend) -> None:  # noqa: F811
    queue = backend.queue(build_test_registry())
    big = [f"big{n}" for n in range(6)]
    for n, marker in enumerate(big):  # one shop's bulk listing, deferred first
        await _defer(backend, queue, marker, job_priority("product", backlog=n), f"b:{n}")
    await _defer(backend, queue, "raised", job_priority("product", backlog=99), "r:1")
    await _defer(backend, queue, "raised", job_priority("product"), "r:1")  # coalesces
    await _defer(backend, queue, "other_shop", job_priority("product"), "o:1")
    await _defer(backend, queue, "stock", job_priority("inventory"), "s:1")
    async with running(queue, concurrency=1):
        await eventually(lambda: _count_ge(backend, 9))
    order = await _started(backend)
    assert order[0] == "stock", order
    # Position 0 of every batch ties; among ties the oldest goes first.
    assert order[1:4] == ["big0", "raised", "other_shop"], order
    assert order[4:] == big[1:], order
    assert order.count("raised") == 1


async def _count_ge(backend: Backend, n: int) -> bool:  # noqa: F811
    return len(await _started(backend)) >= n


def test_job_priority_orders_kinds_and_spreads_bulk_marks() -> None:
    assert job_priority("inventory") > job_priority("price") > job_priority("product")
    assert job_priority("order") > job_priority("product") == 0
    # However long a bulk mark, it never sinks into (or rises into) another class.
    assert job_priority("product", backlog=10**9) > -PRIORITY_STEP
    assert job_priority("inventory", backlog=10**9) > job_priority("price")
    assert job_priority("product", backlog=1) < job_priority("product", backlog=0)


async def test_jobs_sharing_a_lane_run_one_at_a_time_in_priority_order(
        backend: Backend) -> None:  # noqa: F811
    queue = backend.queue(build_test_registry())
    async with backend.db.unit_of_work() as session:
        for n in range(4):  # one lane of a bulk mark: priority order is its run order
            await queue.defer(session, "record", {"marker": f"lane{n}", "sleep_s": 0.3},
                              queueing_lock=f"l:{n}", priority=-n, lane="bulk:1:0")
        await queue.defer(session, "record", {"marker": "free", "sleep_s": 0.3},
                          queueing_lock="f:1", priority=-10)
    async with running(queue, concurrency=4):
        await eventually(lambda: _done_ge(backend, 5))
    started = {m: (await times(backend.db, m, "started"))[0] for m in
               ["lane0", "lane1", "lane2", "lane3", "free"]}
    done = {m: (await times(backend.db, m, "done"))[0] for m in started}
    for n in range(3):  # each lane job starts after the previous one finished
        assert started[f"lane{n + 1}"] >= done[f"lane{n}"], (started, done)
    # A job outside the lane did not wait for it (it ran beside the lane's first job).
    assert started["free"] < done["lane1"], (started, done)


async def _done_ge(backend: Backend, n: int) -> bool:  # noqa: F811
    async with backend.db.sessionmaker() as session:
        return len((await session.execute(select(ActivityLog.id).where(
            ActivityLog.kind == TEST_KIND, ActivityLog.status == "done"))).all()) >= n


async def test_a_dead_run_covered_by_a_waiting_job_takes_its_place_not_a_crash(
        pg_db: Database) -> None:
    """procrastinate: a stalled run whose queueing lock a waiting job already holds cannot go
    back to todo beside it (unique index); recovery puts the dead run in the waiting job's
    place (same job id: its re-run takes over its sync lease at once, see
    test_sync_engine) with the higher priority, and goes on with the other stalled jobs."""
    queue = ProcrastinateQueue(pg_db, build_test_registry(), stalled_after_s=1.0)
    async with pg_db.unit_of_work() as session:
        for marker, lock in (("covered", "c:1"), ("alone", "a:1")):
            await queue.defer(session, "record", {"marker": marker}, queueing_lock=lock)
        dead = (await session.execute(text(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour')"
            " RETURNING id"))).scalar_one()
        dead_runs = dict((await session.execute(text(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w"
            " RETURNING queueing_lock, id"), {"w": dead})).all())
        await queue.defer(session, "record", {"marker": "covered"}, queueing_lock="c:1",
                          priority=7)
    assert await queue.recover_orphans() == 2
    async with pg_db.sessionmaker() as session:
        rows = (await session.execute(text(
            "SELECT queueing_lock, status, id, priority FROM procrastinate_jobs"))).all()
    await queue.close()
    assert sorted((str(lock), str(status), job, prio) for lock, status, job, prio in rows) == [
        ("a:1", "todo", dead_runs["a:1"], 0), ("c:1", "todo", dead_runs["c:1"], 7)]


async def test_procrastinate_lane_jobs_never_take_the_other_jobs_slots(pg_db: Database) -> None:
    """procrastinate: a bulk mark deferred while the workers are idle does not fill their slots
    (a stock job deferred after it starts at once), and a process runs its lane jobs on
    concurrency / BULK_SHARE slots of their own (here 1: one at a time, though in 4 lanes)."""
    queue = ProcrastinateQueue(pg_db, build_test_registry(), heartbeat_s=0.3,
                               stalled_after_s=1.5, fetch_job_polling_interval_s=0.1)
    pg = Backend("procrastinate", pg_db, Path("."))
    async with pg_db.unit_of_work() as session:
        for n in range(4):
            await queue.defer(session, "record", {"marker": f"bulk{n}", "sleep_s": 0.5},
                              queueing_lock=f"b:{n}", priority=-n, lane=f"bulk:1:{n}")
    async with running(queue, concurrency=4):
        await eventually(lambda: _started_ge(pg, 1))
        await _defer(pg, queue, "stock", job_priority("inventory"), "s:1")
        await eventually(lambda: _done_ge(pg, 5))
    started = {m: (await times(pg_db, m, "started"))[0]
               for m in ["stock", "bulk0", "bulk1", "bulk2", "bulk3"]}
    done = {m: (await times(pg_db, m, "done"))[0] for m in started}
    assert started["stock"] < done["bulk0"], (started, done)
    for n in range(3):  # one lane slot in this process: the lanes took turns
        assert started[f"bulk{n + 1}"] >= done[f"bulk{n}"], (started, done)


async def _started_ge(backend: Backend, n: int) -> bool:  # noqa: F811
    return len(await _started(backend)) >= n


async def _most_at_once(db: Database, markers: list[str]) -> int:
    """The most of `markers`' runs that overlapped (from their started/done records)."""
    spans = [((await times(db, m, "started"))[0], (await times(db, m, "done"))[0])
             for m in markers]
    return max(sum(1 for s, d in spans if s <= start < d) for start, _ in spans)


async def test_local_lane_jobs_hold_few_slots_while_other_jobs_come(sqlite_db: Database) -> None:
    """LocalQueue: a bulk mark alone runs all its lanes at once; while other jobs come (one
    claimed within BUSY_WINDOW_S) its lane jobs hold at most LANE_SLOTS_WHEN_BUSY slots."""
    queue = LocalQueue(sqlite_db, build_test_registry(), heartbeat_s=0.3, orphan_after_s=1.5)
    local = Backend("local", sqlite_db, Path("."))

    async def bulk_mark(prefix: str) -> list[str]:
        markers = [f"{prefix}{n}" for n in range(4)]
        async with sqlite_db.unit_of_work() as session:
            for n, marker in enumerate(markers):  # four lanes of one connection
                await queue.defer(session, "record", {"marker": marker, "sleep_s": 0.4},
                                  queueing_lock=f"{prefix}:{n}", priority=-n,
                                  lane=f"bulk:1:{n}")
        return markers

    alone = await bulk_mark("alone")
    async with running(queue, concurrency=8):
        await eventually(lambda: _done_ge(local, 4))
        await _defer(local, queue, "stock", job_priority("inventory"), "s:1")
        await eventually(lambda: _done_ge(local, 5))
        busy = await bulk_mark("busy")
        await eventually(lambda: _done_ge(local, 9))
    assert await _most_at_once(sqlite_db, alone) == 4
    assert await _most_at_once(sqlite_db, busy) == LANE_SLOTS_WHEN_BUSY


async def test_procrastinate_lane_hands_over_without_waiting_for_the_poll(
        pg_db: Database) -> None:
    """procrastinate, a `--only bulk` worker asked for more slots than a listing has lanes:
    each lane's next job starts when the one before it ends, not at the next fetch poll (60 s
    here). procrastinate fetches again on a job's end only when every slot was taken, so the
    worker runs at most LANE_SLOTS lane jobs (with 8 slots this waited for the poll)."""
    queue = ProcrastinateQueue(pg_db, build_test_registry(), heartbeat_s=0.3,
                               stalled_after_s=1.5, fetch_job_polling_interval_s=60.0)
    pg = Backend("procrastinate", pg_db, Path("."))
    markers = [f"lane{n}" for n in range(2 * BULK_LANES)]
    async with pg_db.unit_of_work() as session:
        for n, marker in enumerate(markers):  # one bulk mark: two jobs in each lane
            await queue.defer(session, "record", {"marker": marker, "sleep_s": 0.2},
                              queueing_lock=f"l:{n}", priority=-n,
                              lane=f"bulk:1:{n % BULK_LANES}")
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.run_worker(stop, concurrency=8, only=BULK_QUEUE))
    try:
        await eventually(lambda: _done_ge(pg, len(markers)), timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(worker, timeout=30)
        await queue.close()
    assert await _most_at_once(pg_db, markers) == LANE_SLOTS
