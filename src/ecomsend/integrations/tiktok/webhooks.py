"""Webhook verification and typed parsing (called by the web layer's `/webhooks/tiktok`).

Verify first, against the raw bytes (constant time), then parse; reply 200 with an empty body
within 3 s (configuration guide). There is no timestamp in the signature, so dedupe on
`tts_notification_id` (reference §5.2).
"""

from __future__ import annotations

import json
from typing import Any

from ecomsend.integrations.tiktok.models.webhooks import (
    WEBHOOK_TYPES,
    UnknownWebhook,
    WebhookEvent,
)
from ecomsend.integrations.tiktok.signing import verify_webhook_signature

#: The header TikTok puts the signature in (no "Bearer" prefix).
SIGNATURE_HEADER = "Authorization"


class WebhookError(ValueError):
    """The webhook body is not a TikTok webhook (bad JSON or missing envelope fields)."""


def verify_webhook(app_key: str, app_secret: str, raw_body: bytes,
                   authorization: str | None) -> bool:
    """True iff `Authorization` = hex HMAC-SHA256(app_secret, app_key + raw_body)."""
    return verify_webhook_signature(app_key, app_secret, raw_body, authorization)


def parse_webhook(raw_body: bytes) -> WebhookEvent:
    """The typed event for the body's `type` (`UnknownWebhook` for types the app ignores).

    `json.loads` keeps integer ids exact; models turn them into digit strings.
    """
    try:
        payload: Any = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise WebhookError(f"webhook body is not JSON: {str(exc)[:200]}") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), int):
        raise WebhookError("webhook body has no integer `type`")
    model = WEBHOOK_TYPES.get(payload["type"], UnknownWebhook)
    try:
        return model.model_validate(payload)
    except (ValueError, RecursionError) as exc:
        raise WebhookError(f"webhook type {payload['type']} does not match its schema: "
                           f"{exc}") from exc
