"""Fixtures that put the TikTok sandbox on a real port and connect shops to it.

One sandbox server per test session (starting it is cheap, but ports and threads are not free on
this shared machine); each test seeds its own shop, so rate-limit buckets and state never mix.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from ecomsend.integrations.tiktok import ClientConfig, ShopContext, TikTokClient, TokenSet
from ecomsend.ratelimit import InProcessRateLimiter
from ecomsend.serving import BackgroundServer

APP_KEY = "client-test-app-key"
APP_SECRET = "client-test-app-secret"


def sandbox_available() -> bool:
    return importlib.util.find_spec("ecomsend.sandbox.tiktok.app") is not None


@dataclass
class WebhookInbox:
    """A tiny ASGI receiver: records (headers, raw body) and answers 200 with an empty body."""

    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.received.append((headers, body))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture(scope="session")
def webhook_inbox() -> Iterator[tuple[WebhookInbox, str]]:
    inbox = WebhookInbox()
    with BackgroundServer(inbox, lifespan="off") as url:
        yield inbox, url


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    if not sandbox_available():
        pytest.skip("ecomsend.sandbox.tiktok.app (the colleague's sandbox) is not in the tree yet")
    from ecomsend.sandbox.tiktok.app import create_app

    app = create_app(APP_KEY, APP_SECRET, audit_delay_s=0.2)
    with BackgroundServer(app) as url:
        yield url


class Control:
    """The sandbox's unsigned control API (`/_sandbox/…`, see sandbox CONTROL.md)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        resp = await self.http.request(method, "/_sandbox" + path, json=body,
                                       params=params or None)
        assert resp.status_code < 300, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp.json()


@pytest.fixture
async def control(sandbox_url: str) -> AsyncIterator[Control]:
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as http:
        yield Control(http)


@dataclass
class Persisted:
    calls: list[tuple[str | None, TokenSet]] = field(default_factory=list)

    async def __call__(self, shop: ShopContext, tokens: TokenSet) -> None:
        await asyncio.sleep(0)
        self.calls.append((shop.shop_id, tokens))


def make_client(url: str, persisted: Persisted, **config: Any) -> TikTokClient:
    cfg = ClientConfig(app_key=APP_KEY, app_secret=APP_SECRET, api_base_url=url,
                       auth_base_url=url, **config)
    return TikTokClient(cfg, InProcessRateLimiter(), persisted)


@pytest.fixture
def persisted() -> Persisted:
    return Persisted()


@pytest.fixture
async def client(sandbox_url: str, persisted: Persisted) -> AsyncIterator[TikTokClient]:
    async with make_client(sandbox_url, persisted) as c:
        yield c


async def connect_shop(client: TikTokClient, control: Control, region: str = "US",
                       **shop_options: Any) -> tuple[ShopContext, dict[str, Any]]:
    """Seed a shop, run the OAuth code exchange and Get Authorized Shops, as the app does."""
    view = await control("POST", "/shops", {"region": region, **shop_options})
    token = await client.auth.get_access_token(view["auth_code"])
    tokens = TokenSet.from_response(token)
    bare = ShopContext(tokens=tokens)
    shops = await client.shops.get_authorized_shops(bare)
    mine = next(s for s in shops.shops if s.id == view["shop_id"])
    shop = ShopContext(tokens=tokens, shop_id=mine.id, cipher=mine.cipher, region=mine.region)
    return shop, view


@pytest.fixture
async def us_shop(client: TikTokClient, control: Control) -> tuple[ShopContext, dict[str, Any]]:
    return await connect_shop(client, control, "US")
