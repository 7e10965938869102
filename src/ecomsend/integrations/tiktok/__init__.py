"""TikTok Shop Open API client (issue 4): signing, typed calls, errors, webhooks.

Public API: `TikTokClient`, `ClientConfig`, `RetryPolicy`, `ShopContext`, `TokenSet`,
`TokenPersister`, the errors, `verify_webhook` / `parse_webhook`, and the models in `models/`.

Usage (a sync job)::

    async def persist(shop: ShopContext, tokens: TokenSet) -> None:
        ...  # store both tokens and both absolute expiries in ONE transaction

    client = TikTokClient.from_settings(settings, limiter, persist)
    shop = ShopContext(tokens=row_tokens, shop_id=row.shop_id, cipher=row.cipher, region="US")
    await client.products.update_inventory(shop, product_id, [SkuInventoryUpdate(...)])

Errors: `RateLimited` / `Transient` (already retried, then raised), `Permanent` (with
`field_errors` and `.human()`), `PartialFailure`, `AuthInvalid` (reconnect), `AuthExpired`.
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
