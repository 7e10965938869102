"""Fixtures for the Shopify sandbox tests: one sandbox server and one webhook receiver per
session (the schema is built once), a fresh shop per test."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ecomsend.sandbox.shopify.app import create_app
from ecomsend.sandbox.shopify.schema import get_schema
from ecomsend.serving import BackgroundServer

API_KEY = "test-key"
API_SECRET = "test-secret-long-enough-for-hs256-keys"
VERSION = "2026-07"
#: Shopify's 4-hour retry schedule compressed to ~0.05 s for the first retry.
WEBHOOK_TIME_SCALE = 0.05 / 56.47
BULK_RUN = """mutation BulkExportProducts($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status createdAt } userErrors { field message code } } }"""
BULK_STATUS = """query BulkOperationStatus($id: ID!) { bulkOperation(id: $id) { id status errorCode
  objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt query } }"""


@pytest.fixture(scope="session")
def schema() -> Any:
    return get_schema()


@pytest.fixture(scope="session")
def sandbox_app(schema: Any) -> Any:
    # Search lag and bulk pace off for the session: these tests are not about them;
    # test_lag_and_bulk_pace turns them on through PUT /_sandbox/settings and back off.
    return create_app(API_KEY, API_SECRET, bulk_delay_s=0.01, webhook_max_attempts=3,
                      webhook_time_scale=WEBHOOK_TIME_SCALE, search_lag_s=0,
                      bulk_objects_per_s=0)


@pytest.fixture(scope="session")
def sandbox_url(sandbox_app: Any) -> Iterator[str]:
    with BackgroundServer(sandbox_app) as url:
        yield url


@pytest.fixture(scope="session")
def sandbox(sandbox_app: Any) -> Any:
    """The Sandbox state object (for white-box assertions)."""
    return sandbox_app.sandbox


@dataclass
class Receiver:
    """A tiny webhook endpoint: records deliveries, fails the first `fail[name]` of them, and
    the first `fail_each[name]` attempts of every delivery (by X-Shopify-Webhook-Id)."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)
    fail_each: dict[str, int] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def endpoint(self, name: str) -> str:
        return f"{self.url}/hooks/{name}"

    def deliveries(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.received if r["name"] == name]

    def wait_for(self, name: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.deliveries(name)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"{name}: expected {count} deliveries, got "
                             f"{len(self.deliveries(name))}")


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    async def hook(request: Request) -> JSONResponse:
        name = request.path_params["name"]
        body = await request.body()
        with rec.lock:
            rec.received.append({"name": name, "headers": dict(request.headers), "body": body})
            failing = rec.fail.get(name, 0)
            if failing:
                rec.fail[name] = failing - 1
            webhook_id = request.headers.get("x-shopify-webhook-id", "")
            seen = rec.attempts[webhook_id] = rec.attempts.get(webhook_id, 0) + 1
            failing = failing or seen <= rec.fail_each.get(name, 0)
        return JSONResponse({"ok": not failing}, status_code=500 if failing else 200)

    app = Starlette(routes=[Route("/hooks/{name}", hook, methods=["POST"])])
    with BackgroundServer(app) as url:
        rec.url = url
        yield rec


@dataclass
class ShopClient:
    """A test shop: its domain, token, and helpers for GraphQL and the control API."""

    http: httpx.Client
    domain: str
    token: str
    location_ids: list[str]

    def gql(self, query: str, variables: dict[str, Any] | None = None,
            token: str | None = None) -> dict[str, Any]:
        response = self.gql_raw(query, variables, token)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def gql_raw(self, query: str, variables: dict[str, Any] | None = None,
                token: str | None = None) -> httpx.Response:
        return self.http.post(f"/store/{self.domain}/admin/api/{VERSION}/graphql.json",
                              json={"query": query, "variables": variables or {}},
                              headers={"X-Shopify-Access-Token": token or self.token})

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"/_sandbox/shops/{self.domain}{path}", **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    def flush(self) -> None:
        self.http.post("/_sandbox/webhooks/flush", params={"timeout": 10})

    def run_bulk(self, query: str) -> dict[str, Any]:
        """Start a bulk query and poll it to COMPLETED; the final BulkOperation."""
        body = self.gql(BULK_RUN, {"query": query})["data"]["bulkOperationRunQuery"]
        assert body["userErrors"] == [], body
        assert body["bulkOperation"]["status"] == "CREATED"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            op = self.gql(BULK_STATUS, {"id": body["bulkOperation"]["id"]})
            op = op["data"]["bulkOperation"]
            if op["status"] == "COMPLETED":
                return op  # type: ignore[no-any-return]
            assert op["status"] in ("CREATED", "RUNNING"), op
            time.sleep(0.02)
        raise AssertionError("bulk operation did not complete")


@pytest.fixture
def http(sandbox_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_url, timeout=30) as client:
        yield client


def make_shop(http: httpx.Client, **body: Any) -> ShopClient:
    domain = f"t-{uuid.uuid4().hex[:10]}.myshopify.com"
    response = http.post("/_sandbox/shops", json={"domain": domain, "locations": 2, **body})
    assert response.status_code == 201, response.text
    data = response.json()
    return ShopClient(http, domain, data["access_token"], data["location_ids"])


@pytest.fixture
def shop_factory(http: httpx.Client) -> Any:
    """make(**body) -> a new ShopClient (body as for POST /_sandbox/shops)."""
    return lambda **body: make_shop(http, **body)


@pytest.fixture
def shop(http: httpx.Client) -> ShopClient:
    return make_shop(http)


@pytest.fixture
def seeded(shop: ShopClient) -> ShopClient:
    shop.control("POST", "/seed", json={"products": 12, "seed": 7, "locations": 2})
    return shop
