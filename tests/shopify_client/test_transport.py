"""Transport behaviour against a scripted Shopify: throttling, retries, typed errors, refresh."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ecomsend.integrations.shopify import (
    AccessToken,
    AuthenticationFailed,
    ExpiringToken,
    Permanent,
    RateLimited,
    RetryPolicy,
    ShopifyClient,
    Transient,
    UserErrors,
)
from ecomsend.integrations.shopify.cost import estimate_cost, parse_throttle, throttle_wait
from ecomsend.integrations.shopify.models import InventoryQuantity
from ecomsend.integrations.shopify.queries import load_query
from ecomsend.integrations.shopify.responses import parse_retry_after
from ecomsend.ratelimit import InProcessRateLimiter

from .fakes import ScriptedShopify, ok, throttled

FAST = RetryPolicy(max_attempts=4, base_delay_s=0.001, max_delay_s=0.01, max_rate_limit_waits=5)
SHOP = {"shop": {"id": "gid://shopify/Shop/1", "name": "Acme", "myshopifyDomain": "a",
                 "currencyCode": "EUR"}}


def make_client(fake: ScriptedShopify, **kw: object) -> ShopifyClient:
    return ShopifyClient("a.myshopify.com", kw.pop("token", "tok"),  # type: ignore[arg-type]
                         limiter=InProcessRateLimiter(), http=fake.client(),
                         retry=kw.pop("retry", FAST), rng=random.Random(1))  # type: ignore[arg-type]


async def test_success_sends_headers_and_learns_bucket() -> None:
    fake = ScriptedShopify(ok(SHOP, available=3990, maximum=4000, restore=200, requested=3))
    client = make_client(fake)
    shop = await client.shop_info()
    assert (shop.name, shop.currency_code) == ("Acme", "EUR")
    req = fake.requests[0]
    assert req.url.path == "/admin/api/2026-07/graphql.json"
    assert req.headers["x-shopify-access-token"] == "tok"
    assert fake.bodies()[0]["operationName"] == "ShopInfo"
    assert client.transport.bucket.capacity == 4000 and client.transport.bucket.refill_per_s == 200


async def test_throttled_waits_restore_time_then_succeeds() -> None:
    fake = ScriptedShopify(throttled(available=99, requested=100), ok(SHOP))
    client = make_client(fake)
    loop_start = datetime.now(UTC)
    assert (await client.shop_info()).name == "Acme"
    assert len(fake.requests) == 2
    assert datetime.now(UTC) - loop_start >= timedelta(seconds=0.04)


async def test_429_honours_retry_after_and_5xx_and_resets_retry() -> None:
    fake = ScriptedShopify(
        httpx.Response(429, headers={"Retry-After": "0.01"}, json={"errors": "Exceeded"}),
        httpx.Response(503, text="oops"),
        httpx.RemoteProtocolError("reset"),
        httpx.ConnectError("refused"),
        ok(SHOP))
    client = make_client(fake, retry=RetryPolicy(max_attempts=5, base_delay_s=0.001))
    assert (await client.shop_info()).name == "Acme"
    assert len(fake.requests) == 5


async def test_transient_retries_are_bounded() -> None:
    fake = ScriptedShopify(httpx.Response(502, json={"errors": "Bad Gateway"}))
    with pytest.raises(Transient, match="502"):
        await make_client(fake).shop_info()
    assert len(fake.requests) == FAST.max_attempts


async def test_rate_limit_waits_are_bounded() -> None:
    fake = ScriptedShopify(httpx.Response(429, headers={"Retry-After": "0"}, json={}))
    with pytest.raises(RateLimited) as err:
        await make_client(fake).shop_info()
    assert err.value.retry_after == 0


async def test_non_idempotent_mutation_is_not_retried_after_ambiguous_failure() -> None:
    fake = ScriptedShopify(httpx.ReadTimeout("slow"), ok({}))
    with pytest.raises(Transient) as err:
        await make_client(fake).create_order({"lineItems": []})
    assert err.value.ambiguous and len(fake.requests) == 1


async def test_connect_error_is_retried_even_for_create() -> None:
    order = {"id": "gid://shopify/Order/9", "name": "#9", "tags": [], "customAttributes": [],
             "lineItems": {"nodes": []}}
    fake = ScriptedShopify(httpx.ConnectError("down"),
                           ok({"orderCreate": {"order": order, "userErrors": []}}))
    created = await make_client(fake).create_order({"lineItems": []})
    assert created.id == "gid://shopify/Order/9"


async def test_user_errors_carry_field_code_message() -> None:
    fake = ScriptedShopify(ok({"inventorySetQuantities": {"inventoryAdjustmentGroup": None,
                                                          "userErrors": [{
        "field": ["input", "quantities", "0", "changeFromQuantity"],
        "message": "The quantity has changed", "code": "CHANGE_FROM_QUANTITY_STALE"}]}}))
    with pytest.raises(UserErrors) as err:
        await make_client(fake).set_inventory(
            [InventoryQuantity("gid://shopify/InventoryItem/1", "gid://shopify/Location/1", 1, 2)],
            idempotency_key="k")
    e = err.value.field_errors[0]
    assert e.field == ("input", "quantities", "0", "changeFromQuantity")
    assert e.code == "CHANGE_FROM_QUANTITY_STALE" and "changed" in e.message
    assert err.value.codes == ("CHANGE_FROM_QUANTITY_STALE",)


@pytest.mark.parametrize(("response", "error", "text"), [
    (httpx.Response(401, json={"errors": "[API] Invalid API key or access token"}),
     AuthenticationFailed, "Invalid API key"),
    (httpx.Response(404, json={"errors": "Not Found"}), Permanent, "Not Found"),
    (httpx.Response(200, json={"errors": [{"message": "Access denied for orders field.",
                                           "path": ["orders"],
                                           "extensions": {"code": "ACCESS_DENIED"}}],
                               "data": None}), AuthenticationFailed, "Access denied"),
    (httpx.Response(200, json={"errors": [{"message": "Field 'x' doesn't exist on type 'Shop'",
                                           "path": ["query", "shop", "x"],
                                           "extensions": {"code": "undefinedField"}}]}),
     Permanent, "doesn't exist"),
    (httpx.Response(200, json={"data": None}), Permanent, "no data"),
])
async def test_error_shapes_are_typed(response: httpx.Response, error: type[Exception],
                                      text: str) -> None:
    with pytest.raises(error, match=text):
        await make_client(ScriptedShopify(response)).shop_info()


async def test_expiring_token_refreshes_after_401_and_persists_first() -> None:
    saved: list[AccessToken] = []
    grants: list[dict[str, object]] = []

    def shopify(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/access_token"):
            import json as _json
            grants.append(_json.loads(request.content))
            return httpx.Response(200, json={"access_token": "new", "scope": "s",
                                             "expires_in": 3600, "refresh_token": "r2"})
        if request.headers["x-shopify-access-token"] == "old":
            return httpx.Response(401, json={"errors": "[API] Invalid API key or access token"})
        return ok(SHOP)

    fake = ScriptedShopify(shopify)
    http = fake.client()

    async def save(token: AccessToken) -> None:
        saved.append(token)

    source = ExpiringToken(
        AccessToken("old", "s", datetime.now(UTC) + timedelta(hours=1), "r1"), http=http,
        shop_base_url="https://a.myshopify.com", api_key="k", api_secret="sec", save=save)
    client = ShopifyClient("a.myshopify.com", source, limiter=InProcessRateLimiter(), http=http,
                           retry=FAST)
    assert (await client.shop_info()).name == "Acme"
    assert grants == [{"client_id": "k", "client_secret": "sec", "grant_type": "refresh_token",
                       "refresh_token": "r1"}]
    assert [t.refresh_token for t in saved] == ["r2"] and source.current.access_token == "new"


async def test_expiring_token_refreshes_before_expiry() -> None:
    calls: list[str] = []

    def shopify(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/oauth/access_token"):
            return httpx.Response(200, json={"access_token": "new", "scope": "s",
                                             "expires_in": 3600, "refresh_token": "r2"})
        assert request.headers["x-shopify-access-token"] == "new"
        return ok(SHOP)

    fake = ScriptedShopify(shopify)
    http = fake.client()

    async def save(token: AccessToken) -> None:
        return None

    source = ExpiringToken(AccessToken("old", "s", datetime.now(UTC) + timedelta(seconds=5),
                                       "r1"), http=http, shop_base_url="https://a.myshopify.com",
                           api_key="k", api_secret="sec", save=save)
    client = ShopifyClient("a.myshopify.com", source, limiter=InProcessRateLimiter(), http=http)
    await client.shop_info()
    assert calls[0].endswith("/admin/oauth/access_token")


def test_cost_helpers() -> None:
    assert estimate_cost(load_query("ShopInfo")) == 1
    assert estimate_cost(load_query("InventorySetQuantities")) == 10
    assert 100 < estimate_cost(load_query("ProductsPage"), {"first": 10}) <= 1000
    status = parse_throttle({"extensions": {"cost": {"requestedQueryCost": 752,
                                                     "actualQueryCost": None, "throttleStatus": {
        "maximumAvailable": 1000.0, "currentlyAvailable": 666, "restoreRate": 50.0}}}})
    assert status is not None and status.actual_cost is None
    assert throttle_wait(status, 752) == pytest.approx((752 - 666) / 50)
    assert parse_throttle({"data": {}}) is None
    assert parse_retry_after("2.5") == 2.5 and parse_retry_after(None) == 1.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470) == 10
