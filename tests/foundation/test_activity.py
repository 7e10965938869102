"""Activity-log retention: old successes go, failures and recent rows stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ecomsend.db.models import ActivityLog
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.registry import TaskContext, TaskRegistry
from ecomsend.sync.activity import prune_activity_log


async def test_old_successes_are_pruned_and_failures_kept(sqlite_db: Database) -> None:
    old = utcnow() - timedelta(days=30)
    async with sqlite_db.unit_of_work() as session:
        session.add_all([
            ActivityLog(kind="product", status="synced", message="old ok", created_at=old),
            ActivityLog(kind="webhook", status="received", message="old hook", created_at=old),
            ActivityLog(kind="product", status="failed", message="old failure", created_at=old),
            ActivityLog(kind="product", status="synced", message="fresh ok"),
        ])
    ctx = TaskContext(sqlite_db, LocalQueue(sqlite_db, TaskRegistry()), "w", "1")
    await prune_activity_log(ctx)
    async with sqlite_db.sessionmaker() as session:
        left = sorted((await session.execute(select(ActivityLog.message))).scalars())
    assert left == ["fresh ok", "old failure"]
