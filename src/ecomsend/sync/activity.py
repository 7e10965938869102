"""Activity-log retention (DESIGN.md §3): successes are pruned after N days, failures are kept
until the merchant has dealt with them. A periodic job registered in `jobs.tasks`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import delete

from ecomsend.db.models import ActivityLog
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import prepared

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.registry import TaskContext

log = structlog.get_logger(__name__)

PRUNE_TASK = "prune_activity_log"
PRUNE_EVERY_S = 3600.0
#: Statuses of rows that record something that went well (or was deliberately ignored).
PRUNABLE_STATUSES = ("synced", "received", "ignored")


async def record_activity(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert one activity row (columns as `values`) in the caller's transaction. A prebuilt
    Core insert: every webhook and every push writes one, inside SQLite's write lock, so it
    skips the ORM's flush. Called by the webhook inbox and the sync engine."""
    await session.execute(prepared(session, _activity_insert), {"created_at": utcnow(), **values})


def _activity_insert(insert: Callable[..., Any]) -> Any:
    return insert(ActivityLog.__table__)


async def prune_activity_log(ctx: TaskContext, retention_days: float | None = None) -> None:
    """Delete successful activity rows older than the retention window (Settings
    `activity_retention_days`, or `retention_days`)."""
    days = ctx.db.settings.activity_retention_days if retention_days is None else retention_days
    keep = timedelta(days=days)
    async with ctx.db.unit_of_work() as session:
        result = await session.execute(delete(ActivityLog).where(
            ActivityLog.status.in_(PRUNABLE_STATUSES), ActivityLog.created_at < utcnow() - keep))
    log.info("activity.pruned", rows=result.rowcount)  # type: ignore[attr-defined]
