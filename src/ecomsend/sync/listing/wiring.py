"""What the listing pipeline adds to the app: webhook handlers, sync handlers, tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecomsend.sync.listing import change_poll, pause, reconcile
from ecomsend.sync.listing.audit import check_audit
from ecomsend.sync.listing.ids import AUDIT, FROM_TIKTOK, INVENTORY, PRICE, PRODUCT, TO_TIKTOK
from ecomsend.sync.listing.push_product import push_product
from ecomsend.sync.listing.push_stock import push_inventory, push_price
from ecomsend.sync.listing.webhooks import LISTING_WEBHOOK_HANDLERS

if TYPE_CHECKING:
    from ecomsend.jobs.registry import TaskRegistry
    from ecomsend.sync.engine import SyncHandler

__all__ = ["LISTING_SYNC_HANDLERS", "LISTING_WEBHOOK_HANDLERS", "register_listing_tasks"]

LISTING_SYNC_HANDLERS: dict[tuple[str, str], SyncHandler] = {
    (PRODUCT, TO_TIKTOK): push_product,
    (INVENTORY, TO_TIKTOK): push_inventory,
    (PRICE, TO_TIKTOK): push_price,
    (AUDIT, FROM_TIKTOK): check_audit,
}


def register_listing_tasks(registry: TaskRegistry) -> None:
    """Periodic jobs: resume paused listing, poll Shopify changes (every 90 s), reconcile stock
    (often) and catalog (rarely)."""
    registry.add(pause.RESUME_TASK, pause.resume_listing)
    registry.every(pause.RESUME_TASK, pause.RESUME_EVERY_S)
    registry.add(reconcile.INVENTORY_TASK, reconcile.reconcile_inventory)
    registry.every(reconcile.INVENTORY_TASK, reconcile.INVENTORY_EVERY_S)
    registry.add(change_poll.CHANGES_TASK, change_poll.poll_shopify_changes)
    registry.every(change_poll.CHANGES_TASK, change_poll.CHANGES_EVERY_S)
    registry.add(reconcile.CATALOG_TASK, reconcile.reconcile_catalog)
    registry.every(reconcile.CATALOG_TASK, reconcile.CATALOG_EVERY_S)
