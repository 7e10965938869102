"""`TikTokClient`: the one TikTok Shop client of the app (DESIGN.md §5).

Constructed once per process by the web app / worker (usually with `from_settings`), shared by
every shop: each method takes an explicit `ShopContext`. Calls are grouped by domain:
`client.products.update_inventory(shop, …)`, `client.orders.search_orders(shop, …)`, …
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from ecomsend.config import Settings
from ecomsend.integrations.tiktok.auth import (
    AuthApi,
    RefreshGuard,
    ShopsApi,
    TokenKeeper,
    no_guard,
)
from ecomsend.integrations.tiktok.categories import CategoriesApi
from ecomsend.integrations.tiktok.compliance import ComplianceApi
from ecomsend.integrations.tiktok.context import TokenPersister
from ecomsend.integrations.tiktok.events import EventsApi
from ecomsend.integrations.tiktok.fulfillment import FulfillmentApi
from ecomsend.integrations.tiktok.logistics import LogisticsApi
from ecomsend.integrations.tiktok.orders import OrdersApi
from ecomsend.integrations.tiktok.products import ProductsApi
from ecomsend.integrations.tiktok.returns import ReturnsApi
from ecomsend.integrations.tiktok.transport import ClientConfig, TikTokTransport
from ecomsend.integrations.tiktok.webhooks import verify_webhook
from ecomsend.ratelimit import RateLimiter


class TikTokClient:
    """Signed, rate-limited, retrying async client; token refreshes go to `on_tokens_refreshed`.

    `TikTokClient(config, limiter, on_tokens_refreshed, http=None)`; use as an async context
    manager or call `aclose()`.
    """

    def __init__(self, config: ClientConfig, limiter: RateLimiter,
                 on_tokens_refreshed: TokenPersister, *, http: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None, refresh_guard: RefreshGuard = no_guard) -> None:
        self.config = config
        self.transport = TikTokTransport(config, limiter, http=http, clock=clock, rng=rng)
        self.auth = AuthApi(self.transport)
        self.transport.tokens = TokenKeeper(self.auth.refresh_access_token, on_tokens_refreshed,
                                            clock=clock, guard=refresh_guard)
        self.shops = ShopsApi(self.transport)
        self.categories = CategoriesApi(self.transport)
        self.compliance = ComplianceApi(self.transport)
        self.products = ProductsApi(self.transport)
        self.logistics = LogisticsApi(self.transport)
        self.orders = OrdersApi(self.transport)
        self.fulfillment = FulfillmentApi(self.transport)
        self.returns = ReturnsApi(self.transport)
        self.events = EventsApi(self.transport)

    @classmethod
    def from_settings(cls, settings: Settings, limiter: RateLimiter,
                      on_tokens_refreshed: TokenPersister, **kwargs: Any) -> TikTokClient:
        """The client for the configured app and hosts (sandbox or production)."""
        config = ClientConfig(app_key=settings.tiktok_app_key,
                              app_secret=settings.tiktok_app_secret.get_secret_value(),
                              api_base_url=settings.tiktok_api_base_url,
                              auth_base_url=settings.tiktok_auth_base_url)
        return cls(config, limiter, on_tokens_refreshed, **kwargs)

    def verify_webhook(self, raw_body: bytes, authorization: str | None) -> bool:
        """Constant-time webhook signature check with this app's key and secret."""
        return verify_webhook(self.config.app_key, self.config.app_secret, raw_body,
                              authorization)

    @property
    def rate_limited_seen(self) -> int:
        """How many 429 answers this client has received (and waited out)."""
        return self.transport.rate_limited_seen

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> TikTokClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
