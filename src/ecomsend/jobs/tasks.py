"""Every task the app's workers run, in one registry (built per process, no import side effects)."""

from __future__ import annotations

from ecomsend.jobs.registry import TaskRegistry
from ecomsend.sync.activity import PRUNE_EVERY_S, PRUNE_TASK, prune_activity_log
from ecomsend.sync.engine import register_sync_tasks
from ecomsend.sync.handlers import build_sync_handlers
from ecomsend.sync.install import (
    SETUP_TASK,
    WEBHOOKS_CHECK_EVERY_S,
    WEBHOOKS_CHECK_TASK,
    check_webhooks,
    setup_shop,
)
from ecomsend.sync.listing.wiring import register_listing_tasks
from ecomsend.sync.orders.wiring import register_order_tasks
from ecomsend.sync.retention import RETENTION_EVERY_S, RETENTION_TASK, prune_retention
from ecomsend.sync.returns.wiring import register_return_tasks


def build_registry() -> TaskRegistry:
    """The registry `ecomsend worker` and `ecomsend serve` run: sync jobs and periodic jobs."""
    registry = TaskRegistry()
    register_sync_tasks(registry, handlers=build_sync_handlers())
    registry.add(SETUP_TASK, setup_shop)
    registry.add(WEBHOOKS_CHECK_TASK, check_webhooks)
    registry.every(WEBHOOKS_CHECK_TASK, WEBHOOKS_CHECK_EVERY_S)
    registry.add(PRUNE_TASK, prune_activity_log)
    registry.every(PRUNE_TASK, PRUNE_EVERY_S)
    registry.add(RETENTION_TASK, prune_retention)
    registry.every(RETENTION_TASK, RETENTION_EVERY_S)
    register_listing_tasks(registry)
    register_order_tasks(registry)
    register_return_tasks(registry)
    return registry
