"""Shop webhook subscriptions (Event API, parsed by `events.py`)."""

from __future__ import annotations

from pydantic import Field

from ecomsend.integrations.tiktok.models.common import TikTokModel


class WebhookSubscription(TikTokModel):
    event_type: str
    address: str
    create_time: int | None = None
    update_time: int | None = None


class WebhookSubscriptions(TikTokModel):
    webhooks: list[WebhookSubscription] = Field(default_factory=list)
    total_count: int | None = None
