"""`sync_state` leases and versions (DESIGN.md §4.2–4.3) and the sweeper, on both databases."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, text, update
from structlog.testing import capture_logs

from conftest import add_connection  # the root conftest (tests/ on path)
from ecomsend.db.models import LocalJob, SyncState
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.port import JobQueue
from ecomsend.jobs.procrastinate_queue import ProcrastinateQueue
from ecomsend.jobs.registry import TaskContext, TaskRegistry
from ecomsend.sync import state
from ecomsend.sync.engine import make_sync_task, register_sync_tasks, sweep_sync_state
from ecomsend.sync.errors import (
    FieldError,
    PushResult,
    SyncPermanent,
    SyncRateLimited,
    SyncTransient,
)

KIND, DIRECTION = "product", "to_tiktok"


@dataclass
class RecordingHandler:
    """A push that takes `push_s`, records overlap, and can run a hook mid-push."""

    push_s: float = 0.2
    pushes: list[int] = field(default_factory=list)
    active: int = 0
    max_active: int = 0
    during_first_push: object = None
    fail_with: Exception | None = None

    async def __call__(self, ctx: TaskContext, lease: state.Lease) -> PushResult:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            if self.during_first_push is not None and not self.pushes:
                await self.during_first_push()  # type: ignore[operator]
            await asyncio.sleep(self.push_s)
            if self.fail_with is not None:
                raise self.fail_with
            self.pushes.append(lease.version)
            return PushResult(pushed_hash=f"h{lease.version}", api_calls=1)
        finally:
            self.active -= 1


async def _key(db: Database, entity: str = "gid://shopify/Product/1") -> state.EntityKey:
    shop_id, tts_id = await add_connection(db, f"s{id(db)}.myshopify.com")
    return state.EntityKey(shop_id, tts_id, KIND, entity, DIRECTION)


def _queue(db: Database, handler: RecordingHandler) -> JobQueue:
    registry = TaskRegistry()
    register_sync_tasks(registry, {(KIND, DIRECTION): handler})
    if db.dialect == "sqlite":
        return LocalQueue(db, registry)
    return ProcrastinateQueue(db, registry, fetch_job_polling_interval_s=0.1)


async def _mark(db: Database, queue: JobQueue, key: state.EntityKey) -> int:
    async with db.unit_of_work() as session:
        return await state.mark_changed(session, queue, key)


async def _row(db: Database, state_id: int) -> SyncState:
    async with db.sessionmaker() as session:
        row = await session.get(SyncState, state_id)
        assert row is not None
        return row


#: Statuses a row rests in until something new happens.
SETTLED = (state.SYNCED, state.FAILED, state.REVIEW_FAILED, state.BACKOFF)


async def _run_until_settled(db: Database, queue: JobQueue, state_id: int,
                             timeout: float = 20, statuses: tuple[str, ...] = SETTLED,
                             settle_s: float = 0.3) -> SyncState:
    """Run a worker until the row reaches one of `statuses`, let it run `settle_s` more (a
    stray extra run would show), stop it and return the row."""
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.run_worker(stop, 4))
    try:
        async with asyncio.timeout(timeout):
            while (await _row(db, state_id)).status not in statuses:
                await asyncio.sleep(0.05)
        await asyncio.sleep(settle_s)
        return await _row(db, state_id)
    finally:
        stop.set()
        await worker
        await queue.close()


async def test_webhook_storm_coalesces_into_one_push(any_db: Database) -> None:
    handler = RecordingHandler()
    queue = _queue(any_db, handler)
    key = await _key(any_db)
    for _ in range(25):
        state_id = await _mark(any_db, queue, key)
    row = await _run_until_settled(any_db, queue, state_id)
    assert handler.pushes == [25]
    assert (row.status, row.synced_version, row.last_pushed_hash) == (state.SYNCED, 25, "h25")


async def test_change_during_a_push_ends_in_a_second_push(any_db: Database) -> None:
    handler = RecordingHandler(push_s=0.3)
    queue = _queue(any_db, handler)
    key = await _key(any_db)

    async def merchant_edits_again() -> None:
        await _mark(any_db, queue, key)

    handler.during_first_push = merchant_edits_again
    state_id = await _mark(any_db, queue, key)
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.run_worker(stop, 4))
    try:
        async with asyncio.timeout(20):
            while len(handler.pushes) < 2 or (await _row(any_db, state_id)).status != "synced":
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await worker
        await queue.close()
    row = await _row(any_db, state_id)
    assert handler.pushes == [1, 2] and row.synced_version == row.desired_version == 2


async def test_two_workers_never_push_the_same_entity_at_once(any_db: Database) -> None:
    handler = RecordingHandler(push_s=0.2)
    queue = _queue(any_db, handler)
    key = await _key(any_db)
    state_id = await _mark(any_db, queue, key)
    sync_entity = make_sync_task({(KIND, DIRECTION): handler})
    # Eight "workers" race for the same row, as duplicate jobs would.
    await asyncio.gather(*[
        sync_entity(TaskContext(any_db, queue, f"w{i}", str(i)), sync_state_id=state_id)
        for i in range(8)])
    assert handler.max_active == 1 and handler.pushes == [1]
    await queue.close()


@pytest.mark.parametrize(("error", "status", "attempts"), [
    (SyncTransient("HTTP 503"), state.BACKOFF, 1),
    (SyncRateLimited(5.0), state.BACKOFF, 0),
    (SyncPermanent("TikTok refused the listing",
                   [FieldError("title", "Title is 300 characters; TikTok allows 255",
                               "Shorten the title")]), state.FAILED, 1),
    (SyncPermanent("Audit failed: prohibited item", review=True), state.REVIEW_FAILED, 1),
])
async def test_failures_map_to_the_designed_states(sqlite_db: Database, error: Exception,
                                                   status: str, attempts: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Full jitter can draw a delay shorter than the settle wait: a second attempt would run.
    monkeypatch.setattr(state, "transient_delay_s", lambda attempts: 30.0)
    handler = RecordingHandler(push_s=0.0, fail_with=error)
    queue = _queue(sqlite_db, handler)
    state_id = await _mark(sqlite_db, queue, await _key(sqlite_db))
    row = await _run_until_settled(sqlite_db, queue, state_id)
    assert (row.status, row.attempts) == (status, attempts)
    assert row.last_error is not None and row.last_error["message"] == str(error)
    if isinstance(error, SyncPermanent) and error.field_errors:
        assert row.last_error["field_errors"][0]["field"] == "title"
    if status == state.BACKOFF:
        assert row.not_before is not None and row.lease_owner is None


async def test_sweeper_redefers_pending_rows_whose_job_was_lost(any_db: Database) -> None:
    handler = RecordingHandler(push_s=0.0)
    queue = _queue(any_db, handler)
    state_id = await _mark(any_db, queue, await _key(any_db))
    await _lose_all_jobs(any_db)
    ctx = TaskContext(any_db, queue, "sweeper", "0")
    await sweep_sync_state(ctx, grace_s=30)  # still fresh: nothing re-deferred
    assert await _job_count(any_db) == 0
    await sweep_sync_state(ctx, grace_s=0)
    assert await _job_count(any_db) == 1
    row = await _run_until_settled(any_db, queue, state_id)
    assert row.status == state.SYNCED and handler.pushes == [1]


async def _lose_all_jobs(db: Database) -> None:
    async with db.unit_of_work() as session:
        if db.dialect == "sqlite":
            await session.execute(LocalJob.__table__.delete())
        else:
            from sqlalchemy import text

            await session.execute(text("DELETE FROM procrastinate_jobs"))
        await session.execute(update(SyncState).values(updated_at=SyncState.updated_at))


async def _job_count(db: Database) -> int:
    async with db.sessionmaker() as session:
        if db.dialect == "sqlite":
            return len((await session.execute(select(LocalJob.id))).all())
        from sqlalchemy import text

        return int((await session.execute(text(
            "SELECT count(*) FROM procrastinate_jobs WHERE status='todo'"))).scalar_one())


async def test_a_failed_push_retries_after_backoff_even_when_a_defer_coalesced_it_earlier(
        any_db: Database) -> None:
    """A change during a push defers a job for *now*; the push then fails transiently and asks
    for a retry later, which coalesces into that earlier job. The early job must wait for the
    backoff instead of vanishing (before the fix, only the sweeper revived the row)."""
    key = await _key(any_db)
    calls: list[int] = []
    queue_box: list[JobQueue] = []

    async def flaky(ctx: TaskContext, lease: state.Lease) -> PushResult:
        calls.append(lease.version)
        if len(calls) == 1:
            await _mark(any_db, queue_box[0], key)  # a webhook arrives mid-push
            raise SyncTransient("HTTP 503 from TikTok")
        return PushResult(pushed_hash="ok", api_calls=1)

    registry = TaskRegistry()
    register_sync_tasks(registry, {(KIND, DIRECTION): flaky}, sweep_every_s=3600)
    queue: JobQueue = (LocalQueue(any_db, registry) if any_db.dialect == "sqlite" else
                       ProcrastinateQueue(any_db, registry, fetch_job_polling_interval_s=0.1))
    queue_box.append(queue)
    state_id = await _mark(any_db, queue, key)
    row = await _run_until_settled(any_db, queue, state_id, timeout=10,
                                   statuses=(state.SYNCED,), settle_s=0)
    assert row.status == state.SYNCED and calls == [1, 2]



async def test_a_rerun_of_the_same_job_takes_over_its_dead_runs_lease(any_db: Database) -> None:
    """A job handed out again after its worker died (SIGKILL) need not wait LEASE_S: the
    lease of that job's earlier run is taken over; another job's lease is not."""
    queue = _queue(any_db, RecordingHandler())
    state_id = await _mark(any_db, queue, await _key(any_db))
    async with any_db.unit_of_work() as session:
        assert await state.take_lease(session, state_id, "dead-worker:42", job_id="42")
    async with any_db.unit_of_work() as session:
        assert await state.take_lease(session, state_id, "other:7", job_id="7") is None
        assert await state.take_lease(session, state_id, "other:142", job_id="142") is None
        assert await state.take_lease(session, state_id, "other:4", job_id="4") is None
        taken = await state.take_lease(session, state_id, "new-worker:42", job_id="42")
    assert taken is not None and taken.owner == "new-worker:42"
    assert (await _row(any_db, state_id)).lease_owner == "new-worker:42"
    await queue.close()


async def test_the_sweeper_never_raises_a_waiting_bulk_jobs_priority(any_db: Database) -> None:
    """A long listing's backlog is older than the sweeper's grace: re-deferring its rows must
    leave their waiting jobs where the bulk mark put them (round robin between shops)."""
    queue = _queue(any_db, RecordingHandler())
    key = await _key(any_db)
    async with any_db.unit_of_work() as session:
        await state.mark_changed(session, queue, key, backlog=50)
    await sweep_sync_state(TaskContext(any_db, queue, "sweeper", "0"), grace_s=0)
    from sqlalchemy import text

    table = "local_job" if any_db.dialect == "sqlite" else "procrastinate_jobs"
    async with any_db.sessionmaker() as session:
        priorities = list((await session.execute(text(f"SELECT priority FROM {table}"))
                           ).scalars())
    assert priorities == [state.job_priority(KIND, 50)]
    await queue.close()


async def test_a_dead_run_covered_by_a_later_defer_is_rerun_at_once(any_db: Database) -> None:
    """A worker dies mid-push (SIGKILL) holding the row's lease, and a change made during that
    push queued another job with the same lock. Recovery puts the dead run in that job's place
    (same job id), so the re-run takes over the lease at once and pushes the newer version;
    before, it dropped the dead run and the other job waited LEASE_S (120 s) for the lease."""
    from sqlalchemy import text

    handler = RecordingHandler(push_s=0.0)
    queue = _queue(any_db, handler)
    key = await _key(any_db)
    state_id = await _mark(any_db, queue, key)
    async with any_db.unit_of_work() as session:  # a worker claims the job, leases, dies
        if any_db.dialect == "sqlite":
            job_id = (await session.execute(text(
                "UPDATE local_job SET status = 'running', worker_id = 'dead', attempts = 1,"
                " heartbeat_at = '2000-01-01 00:00:00.000000' RETURNING id"))).scalar_one()
        else:
            dead = (await session.execute(text(
                "INSERT INTO procrastinate_workers (last_heartbeat) VALUES"
                " (now() - interval '1 hour') RETURNING id"))).scalar_one()
            job_id = (await session.execute(text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w RETURNING id"),
                {"w": dead})).scalar_one()
        assert await state.take_lease(session, state_id, f"dead:{job_id}", job_id=str(job_id))
    await _mark(any_db, queue, key)  # the change made during the dead push
    assert await queue.recover_orphans() == 1
    row = await _run_until_settled(any_db, queue, state_id, timeout=30)
    assert (row.status, row.synced_version, handler.pushes) == (state.SYNCED, 2, [2])


async def _deadlock(db: Database) -> None:
    """Two transactions lock two rows in opposite orders: PostgreSQL aborts one of them with
    deadlock_detected (after its deadlock_timeout, 1 s by default); that one's error is raised."""
    async with db.unit_of_work() as session:
        await session.execute(text(
            "CREATE TABLE IF NOT EXISTS deadlock_probe (id int PRIMARY KEY)"))
        await session.execute(text(
            "INSERT INTO deadlock_probe VALUES (1), (2) ON CONFLICT DO NOTHING"))
    both_hold_one = asyncio.Barrier(2)

    async def lock(first: int, second: int) -> None:
        async with db.unit_of_work() as session:
            for n, row in enumerate((first, second)):
                if n:
                    await both_hold_one.wait()
                await session.execute(text(
                    "SELECT id FROM deadlock_probe WHERE id = :id FOR UPDATE"), {"id": row})

    outcomes = await asyncio.gather(lock(1, 2), lock(2, 1), return_exceptions=True)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1, outcomes
    raise errors[0]


async def test_a_real_deadlock_is_retried_as_transient_not_logged_as_a_bug(
        pg_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A push aborted by a PostgreSQL deadlock (e.g. `remember_hashes` against a webhook's
    `mark_changed`) backs off and counts an attempt like any transient failure, and is logged
    as `sync.db_conflict`, not `sync.unexpected_error`."""
    monkeypatch.setattr(state, "transient_delay_s", lambda attempts: 30.0)

    @dataclass
    class DeadlockingHandler(RecordingHandler):
        async def __call__(self, ctx: TaskContext, lease: state.Lease) -> PushResult:
            await _deadlock(pg_db)
            raise AssertionError("unreachable")

    queue = _queue(pg_db, DeadlockingHandler())
    state_id = await _mark(pg_db, queue, await _key(pg_db))
    with capture_logs() as logs:
        row = await _run_until_settled(pg_db, queue, state_id)
    assert (row.status, row.attempts) == (state.BACKOFF, 1)
    assert row.last_error is not None and "deadlock" in row.last_error["message"]
    events = [entry["event"] for entry in logs]
    assert "sync.db_conflict" in events and "sync.unexpected_error" not in events, events
