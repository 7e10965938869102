"""Platform-client errors → the engine's sync errors (DESIGN.md §4.3), for orders and
fulfillments. `async with platform_errors(): …` around client calls."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from ecomsend.integrations.shopify import errors as shopify
from ecomsend.integrations.tiktok import errors as tiktok
from ecomsend.sync.errors import FieldError, SyncPermanent, SyncRateLimited, SyncTransient


class SearchLagWait(SyncRateLimited):
    """Look the created object up again later: a create whose answer was lost may not be
    searchable yet (sync.orders.push). Rescheduled like a rate limit: attempts unchanged."""


def _shopify_fields(exc: shopify.Permanent) -> list[FieldError]:
    return [FieldError(".".join(e.field) or "order", e.message, None) for e in exc.field_errors]


def _tiktok_fields(exc: tiktok.Permanent) -> list[FieldError]:
    return [FieldError(e.field or "request", str(e), None) for e in exc.field_errors]


@contextlib.asynccontextmanager
async def platform_errors(action: str) -> AsyncIterator[None]:
    """Translate Shopify/TikTok client errors raised inside into SyncTransient /
    SyncRateLimited / SyncPermanent, prefixing `action` ("Creating the Shopify order")."""
    try:
        yield
    except (shopify.RateLimited, tiktok.RateLimited) as exc:
        raise SyncRateLimited(max(exc.retry_after, 0.1), f"{action}: rate limited") from exc
    except shopify.Permanent as exc:
        raise SyncPermanent(f"{action}: Shopify refused: {exc.message}",
                            _shopify_fields(exc)) from exc
    except tiktok.Permanent as exc:
        raise SyncPermanent(f"{action}: TikTok Shop refused: {exc.human()}",
                            _tiktok_fields(exc)) from exc
    except (shopify.ShopifyError, tiktok.TikTokError) as exc:
        raise SyncTransient(f"{action}: {exc}") from exc
