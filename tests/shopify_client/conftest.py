"""Fixtures of the Shopify client tests: the real 2026-07 schema (built once per session) and
the Shopify sandbox over real HTTP (one server per session, one fresh shop per test)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, build_schema

from ecomsend.contracts import SHOPIFY_ADMIN_SDL
from ecomsend.integrations.shopify import RetryPolicy, ShopifyClient
from ecomsend.ratelimit import InProcessRateLimiter
from ecomsend.serving import BackgroundServer


@pytest.fixture(scope="session")
def admin_schema() -> GraphQLSchema:
    """Shopify's real Admin schema (≈2-3 s to build; `assume_valid`: graphql-core 3.3 rejects
    some deprecation mismatches in Shopify's own SDL that do not affect validation)."""
    return build_schema(SHOPIFY_ADMIN_SDL.read_text(encoding="utf-8"), assume_valid=True)


# --- the Shopify sandbox over real HTTP ------------------------------------------------------

API_KEY = "test-api-key"
API_SECRET = "test-api-secret-0123456789abcdef"
_shop_numbers = itertools.count(1)
#: Shopify Plus limits (reference §5): 20000 points, 1000/s.
PLUS_BUCKET = {"capacity": 20000, "restore_rate": 1000}


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    """One Shopify sandbox for the session (its schema build is the slow part)."""
    from ecomsend.sandbox.shopify.app import create_app

    app = create_app(API_KEY, API_SECRET, bulk_delay_s=0.02)
    with BackgroundServer(app) as url:
        yield url


@dataclass
class SandboxShop:
    """A freshly seeded sandbox shop and a way to build clients for it."""

    base: str
    domain: str
    token: str
    location_ids: list[str]
    control: httpx.AsyncClient

    @property
    def shop_url(self) -> str:
        return f"{self.base}/store/{self.domain}"

    def client(self, **kw: Any) -> ShopifyClient:
        kw.setdefault("limiter", InProcessRateLimiter())
        kw.setdefault("retry", RetryPolicy(base_delay_s=0.05, max_delay_s=1.0))
        return ShopifyClient(self.domain, kw.pop("token", self.token), base_url=self.shop_url,
                             **kw)

    async def get(self, path: str, **params: Any) -> Any:
        r = await self.control.get(f"/_sandbox/shops/{self.domain}{path}", params=params)
        r.raise_for_status()
        return r.json()

    async def post(self, path: str, body: Any = None, method: str = "POST") -> Any:
        r = await self.control.request(method, f"/_sandbox/shops/{self.domain}{path}",
                                       json=body)
        r.raise_for_status()
        return r.json()


@pytest.fixture
async def sandbox_shop(sandbox_url: str) -> AsyncIterator[SandboxShop]:
    """A new shop (installed, offline token) with 3 locations and 30 seeded products, on a
    Plus-sized bucket so functional tests do not wait on the (correct) limiter."""
    domain = f"client-test-{next(_shop_numbers)}.myshopify.com"
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=60) as control:
        r = await control.post("/_sandbox/shops", json={
            "domain": domain, "locations": 3, "bucket": PLUS_BUCKET})
        r.raise_for_status()
        body = r.json()
        shop = SandboxShop(sandbox_url, domain, body["access_token"], body["location_ids"],
                           control)
        await shop.post("/seed", {"products": 30, "seed": 7})
        yield shop
        await control.delete(f"/_sandbox/shops/{domain}")

