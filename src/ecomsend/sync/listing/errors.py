"""TikTok client errors → the sync errors the engine understands (DESIGN.md §4.3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from ecomsend.integrations.tiktok import errors as tt
from ecomsend.sync.errors import FieldError, SyncPermanent, SyncRateLimited, SyncTransient

#: Create Product: the new-shop listing limit (`12052093`) and the merchant request limit.
LISTING_LIMIT_CODES = frozenset({12052093, 12052109})
#: "Product status not valid for this operation" (e.g. a price update while under audit).
STATUS_NOT_VALID = 12052901
#: How long to wait for an audit before retrying a price update refused for the status.
AUDIT_WAIT_S = 2.0

_FIXES: dict[str, str] = {
    "category_id": "Choose another category in the category template.",
    "brand_id": "Choose another brand in the category template, or none.",
    "product_attributes": "Fill in the attribute in the category template.",
    "skus.seller_sku": "Give every variant a unique SKU in Shopify.",
    "skus.inventory.warehouse_id": "Map your Shopify locations to TikTok warehouses in "
                                   "Settings → Products.",
    "package_weight": "Set the package weight in the category template.",
}


class ListingLimitReached(SyncRateLimited):
    """TikTok's new-shop upload limit: the caller pauses auto sync for the connection."""


def field_errors(exc: tt.Permanent) -> list[FieldError]:
    """TikTok's field-level reasons in our FieldError shape (with a fix when we know one)."""
    out = []
    for err in exc.field_errors:
        field = err.field or "product"
        fix = next((f for key, f in _FIXES.items() if field.startswith(key)), None)
        out.append(FieldError(field, str(err.message), fix))
    return out


def translate(exc: Exception) -> Exception:
    """The sync error for a client error (unknown exceptions are returned as they are)."""
    if isinstance(exc, tt.RateLimited):
        return SyncRateLimited(exc.retry_after, str(exc))
    if isinstance(exc, tt.AuthInvalid):
        return SyncPermanent("TikTok refused our credentials: reconnect the TikTok shop "
                             f"in Settings ({exc.message}).")
    if isinstance(exc, tt.Permanent):
        if exc.code in LISTING_LIMIT_CODES:
            return ListingLimitReached(0.0, exc.message)
        if exc.code == STATUS_NOT_VALID:
            return SyncRateLimited(AUDIT_WAIT_S, "TikTok is still reviewing the product: "
                                   + exc.message)
        return SyncPermanent(f"TikTok refused the product: {exc.human()}", field_errors(exc))
    if isinstance(exc, (tt.TikTokError, httpx.HTTPError)):
        return SyncTransient(str(exc))
    if isinstance(exc, PermissionError):
        return SyncPermanent(str(exc))
    return exc


@asynccontextmanager
async def tiktok_errors() -> AsyncIterator[None]:
    """Wrap TikTok calls: client errors leave as sync errors."""
    try:
        yield
    except (tt.TikTokError, httpx.HTTPError, PermissionError) as exc:
        raise translate(exc) from exc
