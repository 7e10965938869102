"""Order and fulfillment sync entries for `sync.handlers` and `jobs.tasks` (one line each there)."""

from __future__ import annotations

from ecomsend.jobs.registry import TaskRegistry
from ecomsend.sync.engine import SyncHandler
from ecomsend.sync.fulfillments.to_shopify import sync_fulfillment_to_shopify
from ecomsend.sync.fulfillments.to_tiktok import on_shopify_fulfillment, sync_fulfillment_to_tiktok
from ecomsend.sync.inbox import Platform, WebhookHandler
from ecomsend.sync.orders.cancel import on_shopify_order_cancelled, sync_cancel_to_tiktok
from ecomsend.sync.orders.fetch import (
    FETCH_TASK,
    POLL_EVERY_S,
    POLL_TASK,
    WEBHOOK_HANDLERS,
    fetch_orders,
    poll_orders,
)
from ecomsend.sync.orders.mirror import (
    CANCEL_KIND,
    FULFILLMENT_KIND,
    ORDER_KIND,
    TO_SHOPIFY,
    TO_TIKTOK,
)
from ecomsend.sync.orders.push import sync_order_to_shopify

ORDER_WEBHOOK_HANDLERS: dict[tuple[Platform, str], WebhookHandler] = {
    **WEBHOOK_HANDLERS,
    (Platform.SHOPIFY, "orders/cancelled"): on_shopify_order_cancelled,
    (Platform.SHOPIFY, "fulfillments/create"): on_shopify_fulfillment,
    (Platform.SHOPIFY, "fulfillments/update"): on_shopify_fulfillment,
}

ORDER_SYNC_HANDLERS: dict[tuple[str, str], SyncHandler] = {
    (ORDER_KIND, TO_SHOPIFY): sync_order_to_shopify,
    (CANCEL_KIND, TO_TIKTOK): sync_cancel_to_tiktok,
    (FULFILLMENT_KIND, TO_TIKTOK): sync_fulfillment_to_tiktok,
    (FULFILLMENT_KIND, TO_SHOPIFY): sync_fulfillment_to_shopify,
}


def register_order_tasks(registry: TaskRegistry) -> None:
    """The fetch job (webhooks) and the periodic poll (safety net + backfill)."""
    registry.add(FETCH_TASK, fetch_orders)
    registry.add(POLL_TASK, poll_orders)
    registry.every(POLL_TASK, POLL_EVERY_S)
