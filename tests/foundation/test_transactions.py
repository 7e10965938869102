"""A state change and the job it defers commit together or not at all, on both adapters."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from ecomsend.db.models import LocalJob, Shop
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.port import JobQueue
from ecomsend.jobs.procrastinate_queue import ProcrastinateQueue
from ecomsend.jobs.registry import TaskRegistry


def _registry() -> TaskRegistry:
    registry = TaskRegistry()

    async def noop(ctx: object, **_: object) -> None:
        return None

    registry.add("noop", noop)
    return registry


def _queue(db: Database) -> JobQueue:
    if db.dialect == "sqlite":
        return LocalQueue(db, _registry())
    return ProcrastinateQueue(db, _registry())


async def _counts(db: Database) -> tuple[int, int]:
    async with db.sessionmaker() as session:
        shops = (await session.execute(select(func.count()).select_from(Shop))).scalar_one()
        if db.dialect == "sqlite":
            jobs = (await session.execute(select(func.count()).select_from(LocalJob))).scalar_one()
        else:
            jobs = (await session.execute(text("SELECT count(*) FROM procrastinate_jobs"))
                    ).scalar_one()
    return int(shops), int(jobs)


async def test_rollback_removes_both_the_change_and_its_job(any_db: Database) -> None:
    queue = _queue(any_db)
    with pytest.raises(RuntimeError, match="crash before commit"):
        async with any_db.unit_of_work() as session:
            session.add(Shop(domain="rolled-back.myshopify.com", scopes=""))
            await session.flush()
            await queue.defer(session, "noop", {"x": 1}, queueing_lock="k")
            raise RuntimeError("crash before commit")
    assert await _counts(any_db) == (0, 0)
    async with any_db.unit_of_work() as session:
        session.add(Shop(domain="kept.myshopify.com", scopes=""))
        await session.flush()
        await queue.defer(session, "noop", {"x": 1}, queueing_lock="k")
        await queue.defer(session, "noop", {"x": 1}, queueing_lock="k")  # coalesced, no abort
    assert await _counts(any_db) == (1, 1)
    await queue.close()
