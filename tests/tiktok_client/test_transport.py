"""Transport behaviour with an in-memory HTTP double: errors, retries, token refresh.

The same behaviours are exercised over real HTTP against the sandbox in test_sandbox_*.py; these
pin the exact rules (how many attempts, what is persisted, what is never resent).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx
import pytest

from ecomsend.integrations.tiktok import (
    AuthInvalid,
    ClientConfig,
    PartialFailure,
    Permanent,
    RateLimited,
    RetryPolicy,
    ShopContext,
    TikTokClient,
    TokenSet,
    Transient,
)
from ecomsend.integrations.tiktok.models.products import InventoryInput, SkuInventoryUpdate
from ecomsend.ratelimit import InProcessRateLimiter

NOW = 1_800_000_000.0
Handler = Callable[[httpx.Request], httpx.Response]
FAST = RetryPolicy(max_transient_attempts=4, max_rate_limited_attempts=5, base_delay_s=0.001,
                   max_delay_s=0.002)


def ok(data: object = None) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "Success", "request_id": "r",
                                     "data": data if data is not None else {}})


def err(status: int, code: int, message: str, data: object = None) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message, "request_id": "rq",
                                        "data": data})


class Harness:
    def __init__(self, handler: Handler, *, expires_in: float = 86400) -> None:
        self.requests: list[httpx.Request] = []
        self.persisted: list[TokenSet] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        async def persist(shop: ShopContext, tokens: TokenSet) -> None:
            self.persisted.append(tokens)

        self.http = httpx.AsyncClient(transport=httpx.MockTransport(record))
        config = ClientConfig(app_key="ak", app_secret="sk", api_base_url="http://api",
                              auth_base_url="http://auth", retry=FAST)
        self.client = TikTokClient(config, InProcessRateLimiter(), persist, http=self.http,
                                   clock=lambda: NOW, rng=random.Random(1))
        self.shop = ShopContext(TokenSet("old-access", int(NOW + expires_in), "old-refresh",
                                         int(NOW + 10**6)), shop_id="1", cipher="c", region="US")

    def api_calls(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.host == "api"]


def refresh_response() -> httpx.Response:
    return ok({"access_token": "new-access", "access_token_expire_in": int(NOW + 7 * 86400),
               "refresh_token": "new-refresh", "refresh_token_expire_in": int(NOW + 10**7)})


async def test_success_returns_typed_data() -> None:
    h = Harness(lambda r: ok({"warehouses": [{"id": 7068517275539719942,
                                              "type": "SALES_WAREHOUSE"}]}))
    result = await h.client.logistics.get_warehouses(h.shop)
    assert result.warehouses[0].id == "7068517275539719942"
    req = h.requests[0]
    assert req.headers["x-tts-access-token"] == "old-access"
    assert req.url.params["shop_cipher"] == "c"
    assert req.url.params["timestamp"] == str(int(NOW))


async def test_transient_5xx_is_retried_then_succeeds() -> None:
    answers = iter([err(503, 36009003, "Internal error"), err(500, 36009003, "x"), ok()])
    h = Harness(lambda r: next(answers))
    await h.client.events.get_webhooks(h.shop)
    assert len(h.requests) == 3


async def test_transient_gives_up_with_typed_error() -> None:
    h = Harness(lambda r: err(503, 36009003, "Internal error"))
    with pytest.raises(Transient) as info:
        await h.client.events.get_webhooks(h.shop)
    assert info.value.code == 36009003 and len(h.requests) == FAST.max_transient_attempts


async def test_timeouts_and_resets_are_transient_and_retried() -> None:
    answers: list[Exception | httpx.Response] = [httpx.ReadTimeout("slow"),
                                                 httpx.RemoteProtocolError("reset"), ok()]

    def handler(request: httpx.Request) -> httpx.Response:
        item = answers.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    h = Harness(handler)
    await h.client.logistics.get_warehouses(h.shop)
    assert len(h.requests) == 3


async def test_non_idempotent_ship_is_not_resent_after_unknown_outcome() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("lost response")

    h = Harness(handler)
    with pytest.raises(Transient):
        await h.client.fulfillment.ship_package(h.shop, "9", tracking_number="T",
                                                shipping_provider_id="P")
    assert len(h.requests) == 1


async def test_non_idempotent_ship_is_resent_after_a_5xx_answer() -> None:
    answers = iter([err(503, 36009003, "overloaded"), ok()])
    h = Harness(lambda r: next(answers))
    await h.client.fulfillment.ship_package(h.shop, "9", tracking_number="T",
                                            shipping_provider_id="P")
    assert len(h.requests) == 2


async def test_rate_limited_waits_and_retries() -> None:
    answers = iter([err(429, 36009002, "Too many requests"), ok()])
    h = Harness(lambda r: next(answers))
    await h.client.logistics.get_warehouses(h.shop)
    assert len(h.requests) == 2 and h.client.rate_limited_seen == 1


async def test_rate_limited_error_carries_retry_after() -> None:
    h = Harness(lambda r: httpx.Response(429, headers={"retry-after": "0"},
                                         json={"code": 36009002, "message": "slow down"}))
    with pytest.raises(RateLimited) as info:
        await h.client.logistics.get_warehouses(h.shop)
    assert info.value.retry_after == 0.0


async def test_expired_token_refreshes_once_persists_both_and_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth":
            assert request.url.path == "/api/v2/token/refresh"
            assert request.url.params["grant_type"] == "refresh_token"
            assert request.url.params["refresh_token"] == "old-refresh"
            assert "sign" not in request.url.params
            return refresh_response()
        if request.headers["x-tts-access-token"] == "old-access":
            return err(401, 105002, "Expired credentials.")
        return ok()

    h = Harness(handler)
    await h.client.logistics.get_warehouses(h.shop)
    assert [t.access_token for t in h.persisted] == ["new-access"]
    assert h.persisted[0].refresh_token == "new-refresh"
    assert h.shop.tokens.access_token == "new-access"
    assert len(h.api_calls()) == 2


async def test_expired_again_after_refresh_raises_instead_of_looping() -> None:
    h = Harness(lambda r: refresh_response() if r.url.host == "auth"
                else err(401, 105002, "Expired credentials."))
    with pytest.raises(Exception, match="Expired"):
        await h.client.logistics.get_warehouses(h.shop)
    assert len(h.api_calls()) == 2 and len(h.persisted) == 1


async def test_refresh_before_expiry() -> None:
    h = Harness(lambda r: refresh_response() if r.url.host == "auth" else ok(), expires_in=60)
    await h.client.logistics.get_warehouses(h.shop)
    assert h.requests[0].url.host == "auth"
    assert h.api_calls()[0].headers["x-tts-access-token"] == "new-access"


async def test_expired_refresh_token_asks_for_reconnect() -> None:
    h = Harness(lambda r: ok(), expires_in=10)
    h.shop.tokens = TokenSet("a", int(NOW + 10), "r", int(NOW - 1))
    with pytest.raises(AuthInvalid, match="reconnect"):
        await h.client.logistics.get_warehouses(h.shop)


async def test_persist_failure_keeps_old_tokens_and_propagates() -> None:
    h = Harness(lambda r: refresh_response() if r.url.host == "auth" else ok(), expires_in=60)

    async def broken(shop: ShopContext, tokens: TokenSet) -> None:
        raise RuntimeError("db down")

    h.client.transport.tokens._persist = broken  # type: ignore[union-attr]
    with pytest.raises(RuntimeError, match="db down"):
        await h.client.logistics.get_warehouses(h.shop)
    assert h.shop.tokens.access_token == "old-access"


async def test_permanent_validation_error_keeps_field_messages() -> None:
    msg = "Parameter skus.price.amount is invalid. Reason: out of range. Expected: 0.01-7600"
    h = Harness(lambda r: err(200, 98001004, msg))
    with pytest.raises(Permanent) as info:
        await h.client.products.create_product(h.shop, {"title": "x"})
    assert info.value.code == 98001004
    assert info.value.field_errors[0].field == "skus.price.amount"
    assert "out of range" in info.value.human()
    assert len(h.requests) == 1


async def test_partial_inventory_failure_is_raised_with_sku_and_warehouse() -> None:
    data = {"errors": [{"code": 12052990, "message": "Check failed",
                        "detail": {"sku_id": "17", "extra_errors": [
                            {"warehouse_id": "70", "code": 12052097,
                             "message": "The warehouse does not exist"}]}}]}
    h = Harness(lambda r: ok(data))
    with pytest.raises(PartialFailure) as info:
        await h.client.products.update_inventory(h.shop, "1", [SkuInventoryUpdate(
            id="17", inventory=[InventoryInput(warehouse_id="70", quantity=1)])])
    texts = [str(e) for e in info.value.field_errors]
    assert any("warehouse does not exist" in t and "warehouse_id=70" in t for t in texts)
    assert any("sku_id=17" in t for t in texts)


async def test_non_envelope_answer_is_an_error_never_empty() -> None:
    h = Harness(lambda r: httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(Transient):
        await h.client.logistics.get_warehouses(h.shop)
    h2 = Harness(lambda r: httpx.Response(200, text="oops"))
    with pytest.raises(Transient):
        await h2.client.logistics.get_warehouses(h2.shop)


async def test_invalid_sign_is_auth_invalid() -> None:
    h = Harness(lambda r: err(401, 106001, "Invalid credentials. The sign is invalid."))
    with pytest.raises(AuthInvalid):
        await h.client.logistics.get_warehouses(h.shop)


async def test_create_product_always_sends_an_idempotency_key() -> None:
    h = Harness(lambda r: ok({"product_id": "1"}))
    await h.client.products.create_product(h.shop, {"title": "x"})
    assert b'"idempotency_key":"' in h.requests[0].content


async def test_order_detail_ids_comma_joined() -> None:
    h = Harness(lambda r: ok({"orders": []}))
    await h.client.orders.get_order_detail(h.shop, ["576", "577"])
    assert h.requests[0].url.params["ids"] == "576,577"
    assert h.requests[0].url.params.get_list("ids") == ["576,577"]


async def test_refused_refresh_token_becomes_auth_invalid() -> None:
    h = Harness(lambda r: err(200, 36004004, "Invalid refresh token") if r.url.host == "auth"
                else err(401, 105002, "Expired credentials."))
    with pytest.raises(AuthInvalid, match="reconnect"):
        await h.client.logistics.get_warehouses(h.shop)
    assert h.persisted == []


def test_default_bucket_is_strictly_inside_tiktoks() -> None:
    from ecomsend.integrations.tiktok import DEFAULT_BUCKET

    tiktok_capacity, tiktok_refill = 50, 50  # rate-limits guide: 50 QPS per API per app+shop
    assert DEFAULT_BUCKET.capacity < tiktok_capacity
    assert DEFAULT_BUCKET.refill_per_s < tiktok_refill
    assert DEFAULT_BUCKET.refill_per_s >= 0.9 * tiktok_refill
    # Worst case over any window t: we send ≤ cap + refill·t, TikTok admits 50 + 50·t.
    for t in (0.0, 0.1, 1.0, 60.0):
        sent = DEFAULT_BUCKET.capacity + DEFAULT_BUCKET.refill_per_s * t
        assert sent <= tiktok_capacity + tiktok_refill * t - 30  # ≥ 30 tokens of jitter room


async def test_token_get_matches_the_documented_unsigned_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "GET" and request.url.host == "auth"
        assert request.url.path == "/api/v2/token/get"
        # grant_type is literally "authorized_code" (Get access token doc); no sign/timestamp.
        assert dict(request.url.params) == {"app_key": "ak", "app_secret": "sk",
                                            "auth_code": "CODE", "grant_type": "authorized_code"}
        return refresh_response()

    h = Harness(handler)
    token = await h.client.auth.get_access_token("CODE")
    tokens = TokenSet.from_response(token)
    assert tokens.access_token == "new-access"
    assert tokens.access_token_expires_at == int(NOW + 7 * 86400)  # absolute, as sent


async def test_non_idempotent_ship_is_not_resent_after_a_gateway_timeout() -> None:
    h = Harness(lambda r: err(504, 36009007, "Request timeout."))
    with pytest.raises(Transient):
        await h.client.fulfillment.ship_package(h.shop, "9", tracking_number="T",
                                                shipping_provider_id="P")
    assert len(h.requests) == 1


async def test_connect_error_is_resent_even_for_ship() -> None:
    answers: list[Exception | httpx.Response] = [httpx.ConnectError("refused"), ok()]

    def handler(request: httpx.Request) -> httpx.Response:
        item = answers.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    h = Harness(handler)
    await h.client.fulfillment.ship_package(h.shop, "9", tracking_number="T",
                                            shipping_provider_id="P")
    assert len(h.requests) == 2
