"""Every webhook handler the app has, by (platform, topic): what `web.app` installs."""

from __future__ import annotations

from ecomsend.sync.inbox import WebhookHandlers
from ecomsend.sync.shop_lifecycle import LIFECYCLE_HANDLERS


def build_webhook_handlers() -> WebhookHandlers:
    """All handlers; use-case modules (products, inventory, orders, fulfillments) add theirs."""
    return dict(LIFECYCLE_HANDLERS)
