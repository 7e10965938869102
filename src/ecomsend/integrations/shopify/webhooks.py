"""Shopify webhook deliveries: HMAC verification, headers, typed payloads (reference §4.1).

Called by the web layer's `/webhooks/shopify` route on the *raw* request body, before anything
parses it: verify (constant time; reply 401 on failure), read the headers, then
`parse_payload(topic, body)` for the topic's pydantic model.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from ecomsend.integrations.shopify.errors import InvalidSignature, Permanent
from ecomsend.integrations.shopify.oauth import normalize_shop_domain
from ecomsend.integrations.shopify.webhook_models import TOPIC_MODELS


def webhook_hmac(raw_body: bytes, secret: str) -> str:
    """base64(HMAC-SHA256(client secret, raw body bytes)) — the `X-Shopify-Hmac-Sha256` value."""
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_webhook_hmac(raw_body: bytes, header_value: str | None, secret: str) -> bool:
    """True if the header matches the body's HMAC (constant-time compare)."""
    if not header_value:
        return False
    return hmac.compare_digest(webhook_hmac(raw_body, secret).encode(),
                               header_value.strip().encode())


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """The `X-Shopify-*` headers of one delivery (names case-insensitive, reference §4.1)."""

    topic: str
    shop_domain: str
    webhook_id: str
    api_version: str | None
    event_id: str | None
    triggered_at: str | None
    name: str | None


def read_delivery(headers: Mapping[str, str], raw_body: bytes, secret: str) -> WebhookDelivery:
    """Verify the HMAC and read the headers; raises InvalidSignature (→ HTTP 401) if the
    signature or a required header (Hmac, Topic, Shop-Domain, Webhook-Id) is missing or bad."""
    lower = {k.lower(): v for k, v in headers.items()}
    if not verify_webhook_hmac(raw_body, lower.get("x-shopify-hmac-sha256"), secret):
        raise InvalidSignature("webhook hmac does not verify")
    topic = lower.get("x-shopify-topic")
    webhook_id = lower.get("x-shopify-webhook-id")
    if not topic or not webhook_id:
        raise InvalidSignature("webhook without topic or webhook id")
    try:
        shop = normalize_shop_domain(lower.get("x-shopify-shop-domain"))
    except Permanent as exc:
        raise InvalidSignature(str(exc)) from exc
    return WebhookDelivery(topic=topic, shop_domain=shop, webhook_id=webhook_id,
                           api_version=lower.get("x-shopify-api-version"),
                           event_id=lower.get("x-shopify-event-id"),
                           triggered_at=lower.get("x-shopify-triggered-at"),
                           name=lower.get("x-shopify-name"))


def parse_payload(topic: str, raw_body: bytes | str) -> BaseModel:
    """The typed payload of a handled topic; Permanent for a topic the app does not handle."""
    model = TOPIC_MODELS.get(topic)
    if model is None:
        raise Permanent(f"unhandled webhook topic {topic!r}")
    return model.model_validate_json(raw_body)
