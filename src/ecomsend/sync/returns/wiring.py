"""Return sync entries for `sync.handlers` and `jobs.tasks` (one line each there)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecomsend.jobs.registry import TaskRegistry
from ecomsend.sync.engine import SyncHandler
from ecomsend.sync.inbox import InboundWebhook, Platform, WebhookHandler
from ecomsend.sync.orders.fetch import on_order_webhook
from ecomsend.sync.returns.fetch import (
    FETCH_TASK,
    POLL_EVERY_S,
    POLL_TASK,
    fetch_returns,
    on_after_sale_webhook,
)
from ecomsend.sync.returns.from_shopify import on_shopify_refund
from ecomsend.sync.returns.mirror import REFUND_KIND, TO_SHOPIFY
from ecomsend.sync.returns.to_shopify import sync_refund_to_shopify

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue


async def on_cancellation_webhook(session: AsyncSession, queue: JobQueue,
                                  webhook: InboundWebhook) -> str:
    """Type 11 serves two use-cases: the order fetch (a completed cancellation cancels the
    order) and the cancellation-request mirror (the merchant answers pending requests)."""
    orders = await on_order_webhook(session, queue, webhook)
    requests = await on_after_sale_webhook(session, queue, webhook)
    return f"{orders}; {requests}"


RETURN_WEBHOOK_HANDLERS: dict[tuple[Platform, str], WebhookHandler] = {
    (Platform.TIKTOK, "11"): on_cancellation_webhook,
    (Platform.TIKTOK, "12"): on_after_sale_webhook,
    (Platform.SHOPIFY, "refunds/create"): on_shopify_refund,
}

RETURN_SYNC_HANDLERS: dict[tuple[str, str], SyncHandler] = {
    (REFUND_KIND, TO_SHOPIFY): sync_refund_to_shopify,
}


def register_return_tasks(registry: TaskRegistry) -> None:
    """The fetch job (webhooks) and its periodic run over every connection (safety net)."""
    registry.add(FETCH_TASK, fetch_returns)
    registry.add(POLL_TASK, fetch_returns)
    registry.every(POLL_TASK, POLL_EVERY_S)
