"""Retention on both databases: expired OAuth states, old webhook receipts and old periodic-run
markers are deleted by the hourly task, fresh ones stay; the retention comes from Settings."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ecomsend.db.models import ActivityLog, OAuthState, PeriodicRun, WebhookReceipt
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.registry import TaskContext
from ecomsend.jobs.tasks import build_registry
from ecomsend.sync.activity import PRUNE_TASK, prune_activity_log
from ecomsend.sync.retention import RETENTION_TASK, prune_retention


async def test_growth_is_pruned_on_a_schedule_by_the_configured_retention(
        any_db: Database) -> None:
    db, now = any_db, utcnow()
    db.settings.webhook_receipt_retention_days = 10
    db.settings.activity_retention_days = 3
    async with db.unit_of_work() as s:
        s.add_all([
            OAuthState(nonce="expired", platform="shopify", expires_at=now - timedelta(minutes=1)),
            OAuthState(nonce="live", platform="shopify", expires_at=now + timedelta(minutes=9)),
            WebhookReceipt(platform="shopify", delivery_id="old", topic="t",
                           received_at=now - timedelta(days=11)),
            WebhookReceipt(platform="shopify", delivery_id="new", topic="t",
                           received_at=now - timedelta(days=9)),
            PeriodicRun(task="x", period_start=1, created_at=now - timedelta(days=8)),
            PeriodicRun(task="x", period_start=2, created_at=now - timedelta(days=1)),
            ActivityLog(kind="product", status="synced", message="4 days",
                        created_at=now - timedelta(days=4)),
            ActivityLog(kind="product", status="synced", message="2 days",
                        created_at=now - timedelta(days=2)),
        ])
    registry = build_registry()
    assert {RETENTION_TASK, PRUNE_TASK} <= {job.task for job in registry.periodic}
    ctx = TaskContext(db, LocalQueue(db, registry), "w", "1")
    await prune_retention(ctx)
    await prune_activity_log(ctx)
    async with db.sessionmaker() as s:
        assert (await s.execute(select(OAuthState.nonce))).scalars().all() == ["live"]
        assert (await s.execute(select(WebhookReceipt.delivery_id))).scalars().all() == ["new"]
        assert (await s.execute(select(PeriodicRun.period_start))).scalars().all() == [2]
        assert (await s.execute(select(ActivityLog.message))).scalars().all() == ["2 days"]
