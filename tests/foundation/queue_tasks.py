"""Tasks used by the queue contract suite; every effect is a row in `activity_log`, so it can
be counted across processes (the crash-recovery test runs workers as subprocesses)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from ecomsend.db.models import ActivityLog
from ecomsend.db.session import Database
from ecomsend.jobs.registry import RetryJob, TaskContext, TaskRegistry

TEST_KIND = "queue-test"


async def record(db: Database, marker: str, status: str, message: str = "") -> None:
    async with db.unit_of_work() as session:
        session.add(ActivityLog(kind=TEST_KIND, entity_id=marker, status=status, message=message))


async def count(db: Database, marker: str, status: str) -> int:
    async with db.sessionmaker() as session:
        return int((await session.execute(
            select(func.count()).select_from(ActivityLog)
            .where(ActivityLog.entity_id == marker, ActivityLog.status == status))).scalar_one())


async def times(db: Database, marker: str, status: str) -> list[Any]:
    async with db.sessionmaker() as session:
        return list((await session.execute(
            select(ActivityLog.created_at).where(ActivityLog.entity_id == marker,
                                                 ActivityLog.status == status)
            .order_by(ActivityLog.id))).scalars())


def build_test_registry(periodic_every_s: float | None = None) -> TaskRegistry:
    registry = TaskRegistry()

    @registry.task("record")
    async def record_task(ctx: TaskContext, marker: str, sleep_s: float = 0.0) -> None:
        await record(ctx.db, marker, "started")
        await asyncio.sleep(sleep_s)
        await record(ctx.db, marker, "done")

    @registry.task("retry_once")
    async def retry_once(ctx: TaskContext, marker: str, after_s: float) -> None:
        await record(ctx.db, marker, "started")
        if await count(ctx.db, marker, "started") == 1:
            raise RetryJob(after_s, "first run asks to retry")
        await record(ctx.db, marker, "done")

    @registry.task("fail_once")
    async def fail_once(ctx: TaskContext, marker: str) -> None:
        await record(ctx.db, marker, "started")
        if await count(ctx.db, marker, "started") == 1:
            raise RuntimeError("boom")
        await record(ctx.db, marker, "done")

    @registry.task("always_fail")
    async def always_fail(ctx: TaskContext, marker: str) -> None:
        await record(ctx.db, marker, "started")
        raise RuntimeError("permanently broken")

    @registry.task("slow_first_run")
    async def slow_first_run(ctx: TaskContext, marker: str) -> None:
        await record(ctx.db, marker, "started")
        if await count(ctx.db, marker, "started") == 1:
            await asyncio.sleep(600)  # the test SIGKILLs the worker during this
        await record(ctx.db, marker, "done")

    @registry.task("complete_inside")
    async def complete_inside(ctx: TaskContext, marker: str) -> None:
        first = await count(ctx.db, marker, "started") == 0
        await record(ctx.db, marker, "started")
        async with ctx.db.unit_of_work() as session:
            session.add(ActivityLog(kind=TEST_KIND, entity_id=marker, status="done"))
            await ctx.queue.complete_in(session, ctx.job_id)
            if first:
                raise RuntimeError("rolled back together with the job's completion")

    @registry.task("tick")
    async def tick(ctx: TaskContext) -> None:
        await record(ctx.db, "tick", "done")

    if periodic_every_s is not None:
        registry.every("tick", periodic_every_s)
    return registry
