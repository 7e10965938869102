"""Retention of what grows with traffic: the hourly `prune_retention` task (registered in
`jobs.tasks`) deletes expired OAuth states (the install route is unauthenticated: anyone can add
rows), webhook receipts and periodic-run markers past their retention (Settings
`webhook_receipt_retention_days`, `periodic_run_retention_days`). The activity log has its own
task (`sync.activity`)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import delete

from ecomsend.db.models import OAuthState, PeriodicRun, WebhookReceipt
from ecomsend.db.types import utcnow

if TYPE_CHECKING:
    from ecomsend.jobs.registry import TaskContext

log = structlog.get_logger(__name__)

RETENTION_TASK = "prune_retention"
RETENTION_EVERY_S = 3600.0


async def prune_retention(ctx: TaskContext) -> None:
    """Delete expired OAuth states, old webhook receipts and old periodic-run markers. A marker
    is kept at least two periods of its task, so a period can never fire twice."""
    settings = ctx.db.settings
    now = utcnow()
    longest = max((job.every_s for job in ctx.queue.registry.periodic), default=0.0)
    keep_runs = max(timedelta(days=settings.periodic_run_retention_days),
                    timedelta(seconds=2 * longest))
    async with ctx.db.unit_of_work() as session:
        states = await session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
        receipts = await session.execute(delete(WebhookReceipt).where(
            WebhookReceipt.received_at
            < now - timedelta(days=settings.webhook_receipt_retention_days)))
        runs = await session.execute(delete(PeriodicRun).where(
            PeriodicRun.created_at < now - keep_runs))
    log.info("retention.pruned", oauth_states=states.rowcount,  # type: ignore[attr-defined]
             webhook_receipts=receipts.rowcount,  # type: ignore[attr-defined]
             periodic_runs=runs.rowcount)  # type: ignore[attr-defined]
