"""The Shopify Admin API client (DESIGN.md §5): GraphQL, bulk export, OAuth, webhooks.

Public entry points:
- `ShopifyClient` (client.py): one async method per operation; typed errors from `errors.py`.
- `export_catalog` (bulk.py): the whole catalog by bulk operation, as an async iterator.
- `oauth`, `session_token`, `webhooks`: install/callback checks, token grants, App Bridge
  session tokens, webhook HMAC and payload models.
"""

from ecomsend.integrations.shopify.buckets import BucketBook
from ecomsend.integrations.shopify.bulk import CatalogExport, export_catalog, start_catalog_export
from ecomsend.integrations.shopify.client import API_VERSION, ShopifyClient, shop_base_url
from ecomsend.integrations.shopify.errors import (
    AuthenticationFailed,
    FieldError,
    InvalidShopDomain,
    InvalidSignature,
    Permanent,
    RateLimited,
    ShopifyError,
    TokenRejected,
    Transient,
    UserErrors,
)
from ecomsend.integrations.shopify.oauth import AccessToken, ExpiringToken
from ecomsend.integrations.shopify.transport import RetryPolicy, StaticToken

__all__ = [
    "API_VERSION",
    "AccessToken",
    "AuthenticationFailed",
    "BucketBook",
    "CatalogExport",
    "ExpiringToken",
    "FieldError",
    "InvalidShopDomain",
    "InvalidSignature",
    "Permanent",
    "RateLimited",
    "RetryPolicy",
    "ShopifyClient",
    "ShopifyError",
    "StaticToken",
    "TokenRejected",
    "Transient",
    "UserErrors",
    "export_catalog",
    "shop_base_url",
    "start_catalog_export",
]
