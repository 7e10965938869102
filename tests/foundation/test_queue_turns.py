"""LocalQueue's write turns (jobs/local_queue.py): the final writes of jobs that finish together
commit in one transaction with the next claim, a failing one fails alone, and a sync job's lease
is taken in the transaction that claims it (its claim hook)."""

from __future__ import annotations

import asyncio

import pytest
from queue_tasks import TEST_KIND
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from conftest import add_connection
from ecomsend.db.models import ActivityLog, LocalJob, SyncState
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.registry import TaskContext, TaskRegistry
from ecomsend.sync import state
from ecomsend.sync.engine import LeaseClaim, register_sync_tasks
from ecomsend.sync.errors import PushResult, SyncTransient

JOBS = 4


def _finishing_registry(sessions: list[int], release: asyncio.Event,
                        arrived: list[str]) -> TaskRegistry:
    """A task whose runs all wait for `release`, then complete with a write that records the
    session it ran in (marker "bad" raises inside its write)."""
    async def finish_together(ctx: TaskContext, marker: str) -> None:
        arrived.append(marker)
        await release.wait()

        async def write(session: AsyncSession) -> None:
            # Session ids can be reused once one is gone: tag each session instead.
            sessions.append(session.info.setdefault("tag", len(set(sessions))))
            session.add(ActivityLog(kind=TEST_KIND, entity_id=marker, status="done"))
            if marker == "bad":
                raise RuntimeError("this completion's write fails")

        await ctx.queue.complete_with(ctx.job_id, write)

    registry = TaskRegistry()
    registry.add("finish_together", finish_together)
    return registry


async def _run_together(db: Database, markers: list[str]) -> list[int]:
    """Run one `finish_together` job per marker at once, release them together, wait until
    every good one is done; returns a tag of the session each write ran in."""
    sessions: list[int] = []
    release, arrived = asyncio.Event(), list[str]()
    queue = LocalQueue(db, _finishing_registry(sessions, release, arrived), retry_base_s=60)
    async with db.unit_of_work() as session:
        for marker in markers:
            await queue.defer(session, "finish_together", {"marker": marker})
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.run_worker(stop, concurrency=len(markers)))
    try:
        async with asyncio.timeout(20):
            while len(arrived) < len(markers):
                await asyncio.sleep(0.02)
            release.set()
            while await _done(db) < len([m for m in markers if m != "bad"]):
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await worker
    return sessions


async def _done(db: Database) -> int:
    async with db.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(ActivityLog).where(
            ActivityLog.kind == TEST_KIND, ActivityLog.status == "done"))).scalar_one())


async def _jobs(db: Database) -> list[tuple[str, str]]:
    async with db.sessionmaker() as session:
        return [(str(r[0]), str(r[1])) for r in (await session.execute(
            select(LocalJob.args, LocalJob.status))).all()]


async def test_jobs_finishing_together_complete_in_one_transaction(sqlite_db: Database) -> None:
    sessions = await _run_together(sqlite_db, [f"m{n}" for n in range(JOBS)])
    assert len(sessions) == JOBS and len(set(sessions)) == 1, sessions
    assert await _jobs(sqlite_db) == []  # every job deleted with its final write


async def test_a_failing_final_write_fails_alone(sqlite_db: Database) -> None:
    sessions = await _run_together(sqlite_db, ["m0", "bad", "m2", "m3"])
    # The batch rolled back at the failing write; then each went again, alone.
    assert len(set(sessions[-JOBS:])) == JOBS and len(sessions) > JOBS
    assert await _done(sqlite_db) == JOBS - 1
    # Only the failing job is left, waiting for its retry (its attempt counted).
    assert await _jobs(sqlite_db) == [("{'marker': 'bad'}", "waiting")]


async def test_a_sync_jobs_lease_is_taken_with_its_claim(
        sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The handler finds the lease its job's claim took (ctx.claimed), already recorded on
    the row; the push then finishes with the job's completion."""
    seen: list[tuple[object, str | None]] = []

    async def handler(ctx: TaskContext, lease: state.Lease) -> PushResult:
        async with sqlite_db.sessionmaker() as session:
            row = await session.get(SyncState, lease.state_id)
        assert row is not None
        seen.append((ctx.claimed, row.lease_owner))
        if len(seen) == 1:
            raise SyncTransient("first push fails: the failure is written with the completion")
        return PushResult(pushed_hash="h", api_calls=1)

    registry = TaskRegistry()
    register_sync_tasks(registry, {("product", "to_tiktok"): handler}, sweep_every_s=3600)
    queue = LocalQueue(sqlite_db, registry)
    shop_id, tts_id = await add_connection(sqlite_db, "turns.myshopify.com")
    key = state.EntityKey(shop_id, tts_id, "product", "gid://shopify/Product/1", "to_tiktok")
    async with sqlite_db.unit_of_work() as session:
        state_id = await state.mark_changed(session, queue, key)
    monkeypatch.setattr(state, "transient_delay_s", lambda attempts: 0.0)
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.run_worker(stop, concurrency=2))
    try:
        async with asyncio.timeout(20):
            while True:
                async with sqlite_db.sessionmaker() as session:
                    row = await session.get(SyncState, state_id)
                if row is not None and row.status == state.SYNCED:
                    break
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await worker
    assert len(seen) == 2
    for claimed, owner in seen:
        assert isinstance(claimed, LeaseClaim) and claimed.lease is not None
        assert owner == claimed.lease.owner
    assert await _jobs(sqlite_db) == []
