"""One sandbox and one webhook receiver per session; a fresh connected shop per test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ecomsend.sandbox.tiktok import create_app
from ecomsend.serving import BackgroundServer

from .helpers import APP_KEY, APP_SECRET, Api, Control

REDIRECT_URI = "http://app.example.test/tiktok/callback"


@dataclass
class Inbox:
    """Webhook receiver: records deliveries; can be told to fail the next N."""

    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 500
    slow_next: int = 0
    slow_s: float = 0.5

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        if self.slow_next > 0:
            self.slow_next -= 1
            await asyncio.sleep(self.slow_s)
        if self.fail_next > 0:
            self.fail_next -= 1
            return Response(status_code=self.fail_status)
        self.received.append((dict(request.headers), body))
        return Response(status_code=200)


@pytest.fixture(scope="session")
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture(scope="session")
def inbox_url(inbox: Inbox) -> Iterator[str]:
    app = Starlette(routes=[Route("/hook", inbox.endpoint, methods=["POST"])])
    with BackgroundServer(app) as url:
        yield url + "/hook"


@pytest.fixture(scope="session")
def sandbox_app() -> Any:
    return create_app(APP_KEY, APP_SECRET, redirect_uri=REDIRECT_URI, audit_delay_s=0.1,
                      webhook_retry_delays_s=(0.05, 0.1, 0.2))


@pytest.fixture(scope="session")
def base_url(sandbox_app: Any) -> Iterator[str]:
    with BackgroundServer(sandbox_app) as url:
        yield url


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
        yield client


@pytest.fixture
def control(http: httpx.AsyncClient) -> Control:
    return Control(http)


async def connect(http: httpx.AsyncClient, control: Control, region: str = "US",
                  **options: Any) -> tuple[Api, dict[str, Any]]:
    """Seed a shop, exchange its auth code, return a signed API for it."""
    view = await control("POST", "/shops", {"region": region, **options})
    resp = await http.get("/api/v2/token/get", params={
        "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": view["auth_code"],
        "grant_type": "authorized_code"})
    data = resp.json()["data"]
    view["tokens"] = data
    return Api(http, data["access_token"], view["cipher"]), view


@pytest.fixture
async def us(http: httpx.AsyncClient, control: Control) -> tuple[Api, dict[str, Any]]:
    return await connect(http, control, "US")


@pytest.fixture
async def hooks(control: Control, inbox: Inbox, inbox_url: str) -> Inbox:
    """Point the app-level webhook URL at the session inbox."""
    await control("PUT", "/webhook", {"url": inbox_url})
    inbox.fail_next, inbox.fail_status, inbox.slow_next = 0, 500, 0
    return inbox


def delivered(inbox: Inbox, shop_id: str, type_id: int | None = None
              ) -> list[tuple[dict[str, str], bytes, dict[str, Any]]]:
    """Deliveries the inbox got for a shop (optionally one webhook type)."""
    import json

    out = []
    for headers, raw in inbox.received:
        body = json.loads(raw)
        if body["shop_id"] == shop_id and (type_id is None or body["type"] == type_id):
            out.append((headers, raw, body))
    return out
