"""TikTok Shop Open API client (issue 4): signing, typed calls, errors, webhooks.

Public API: `TikTokClient`, `ClientConfig`, `RetryPolicy`, `ShopContext`, `TokenSet`,
`TokenPersister`, the errors, `verify_webhook` / `parse_webhook`, and the models in `models/`.
"""

from ecomsend.integrations.tiktok.client import TikTokClient
from ecomsend.integrations.tiktok.context import ShopContext, TokenPersister
from ecomsend.integrations.tiktok.errors import (
    AuthExpired,
    AuthInvalid,
    FieldError,
    PartialFailure,
    Permanent,
    ProtocolError,
    RateLimited,
    TikTokError,
    Transient,
)
from ecomsend.integrations.tiktok.models.auth import TokenSet
from ecomsend.integrations.tiktok.transport import DEFAULT_BUCKET, ClientConfig, RetryPolicy
from ecomsend.integrations.tiktok.webhooks import WebhookError, parse_webhook, verify_webhook

__all__ = [
    "DEFAULT_BUCKET",
    "AuthExpired",
    "AuthInvalid",
    "ClientConfig",
    "FieldError",
    "PartialFailure",
    "Permanent",
    "ProtocolError",
    "RateLimited",
    "RetryPolicy",
    "ShopContext",
    "TikTokClient",
    "TikTokError",
    "TokenPersister",
    "TokenSet",
    "Transient",
    "WebhookError",
    "parse_webhook",
    "verify_webhook",
]
