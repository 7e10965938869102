"""Per-shop webhook subscriptions via the Event API (called when a shop connects)."""

from __future__ import annotations

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.common import Empty
from ecomsend.integrations.tiktok.models.events import WebhookSubscriptions
from ecomsend.integrations.tiktok.transport import TikTokTransport

#: Max webhook address length (Update Shop Webhook doc).
MAX_WEBHOOK_ADDRESS_LEN = 255


class EventsApi:
    """Typed Event API calls."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def get_webhooks(self, shop: ShopContext) -> WebhookSubscriptions:
        """The shop's webhook subscriptions."""
        return WebhookSubscriptions.model_validate(await self._t.call(ep.WEBHOOKS_GET, shop))

    async def update_webhook(self, shop: ShopContext, *, event_type: str, address: str) -> Empty:
        """Subscribe (or move) `event_type` to `address` (https, domain, no port in prod)."""
        if len(address) > MAX_WEBHOOK_ADDRESS_LEN:
            raise ValueError("webhook address longer than 255 characters")
        data = await self._t.call(ep.WEBHOOK_UPDATE, shop,
                                  body={"address": address, "event_type": event_type})
        return Empty.model_validate(data)

    async def delete_webhook(self, shop: ShopContext, *, event_type: str) -> Empty:
        """Unsubscribe `event_type` (DELETE with a JSON body)."""
        data = await self._t.call(ep.WEBHOOK_DELETE, shop, body={"event_type": event_type})
        return Empty.model_validate(data)
