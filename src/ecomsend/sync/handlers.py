"""The wiring of every use-case into the app: webhook handlers by (platform, topic) and sync
handlers by (kind, direction). `web.app` and `jobs.tasks` read these; each use-case package
adds its own entries here (one line each)."""

from __future__ import annotations

from ecomsend.sync.engine import HandlerMap, SyncHandler
from ecomsend.sync.inbox import WebhookHandlers
from ecomsend.sync.listing.wiring import LISTING_SYNC_HANDLERS, LISTING_WEBHOOK_HANDLERS
from ecomsend.sync.orders.wiring import ORDER_SYNC_HANDLERS, ORDER_WEBHOOK_HANDLERS
from ecomsend.sync.returns.wiring import RETURN_SYNC_HANDLERS, RETURN_WEBHOOK_HANDLERS
from ecomsend.sync.shop_lifecycle import LIFECYCLE_HANDLERS


def build_webhook_handlers() -> WebhookHandlers:
    """Every webhook handler, by (platform, topic)."""
    handlers = dict(LIFECYCLE_HANDLERS)
    handlers.update(LISTING_WEBHOOK_HANDLERS)
    handlers.update(ORDER_WEBHOOK_HANDLERS)
    handlers.update(RETURN_WEBHOOK_HANDLERS)  # after orders: its type 11 handler wraps theirs
    return handlers


def build_sync_handlers() -> HandlerMap:
    """Every `sync_entity` handler, by (kind, direction)."""
    handlers: dict[tuple[str, str], SyncHandler] = {}
    handlers.update(LISTING_SYNC_HANDLERS)
    handlers.update(ORDER_SYNC_HANDLERS)
    handlers.update(RETURN_SYNC_HANDLERS)
    return handlers
