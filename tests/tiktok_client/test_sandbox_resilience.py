"""Token expiry, injected faults and 429s: the client copes over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ecomsend.integrations.tiktok import (
    AuthInvalid,
    RetryPolicy,
    ShopContext,
    TikTokClient,
    Transient,
)
from ecomsend.ratelimit import BucketSpec

from .conftest import Control, Persisted, connect_shop, make_client

Shop = tuple[ShopContext, dict[str, Any]]
QUICK = RetryPolicy(max_transient_attempts=8, base_delay_s=0.02, max_delay_s=0.2)


async def test_expired_token_refreshed_once_persisted_and_call_retried(
        client: TikTokClient, control: Control, us_shop: Shop, persisted: Persisted) -> None:
    shop, view = us_shop
    old = shop.tokens
    await control("POST", "/tokens/expire", {"shop_id": view["shop_id"]})
    # Many concurrent calls hit 105002 together: exactly one refresh, one persist.
    results = await asyncio.gather(*(client.logistics.get_warehouses(shop) for _ in range(5)))
    assert all(r.warehouses for r in results)
    assert len(persisted.calls) == 1
    shop_id, tokens = persisted.calls[0]
    assert shop_id == view["shop_id"]
    assert tokens.access_token != old.access_token and tokens.refresh_token
    assert shop.tokens == tokens
    counts = await control("GET", "/requests", shop_id=view["shop_id"])
    assert any(r["code"] == 105002 for r in counts["requests"])


async def test_expired_refresh_token_needs_reconnect(client: TikTokClient, control: Control,
                                                     us_shop: Shop) -> None:
    shop, view = us_shop
    await control("POST", "/tokens/expire", {"shop_id": view["shop_id"], "refresh": True})
    with pytest.raises(AuthInvalid, match="reconnect") as info:
        await client.logistics.get_warehouses(shop)
    assert info.value.code is not None  # TikTok's own code for the refused refresh token


@pytest.mark.parametrize("fault", [
    {"error_rate": 0.4, "error_status": 503},
    {"error_rate": 0.4, "error_status": 500},
    {"reset_rate": 0.3},
    {"rate_limit_rate": 0.4},
])
async def test_injected_faults_are_retried(sandbox_url: str, control: Control,
                                           persisted: Persisted, fault: dict[str, Any]) -> None:
    async with make_client(sandbox_url, persisted, retry=QUICK) as client:
        shop, view = await connect_shop(client, control)
        await control("PUT", f"/shops/{view['shop_id']}/faults", {"seed": 7, **fault})
        try:
            for _ in range(12):
                assert (await client.logistics.get_warehouses(shop)).warehouses
        finally:
            await control("DELETE", f"/shops/{view['shop_id']}/faults")
        log = await control("GET", "/requests", shop_id=view["shop_id"])
        assert any(r["http_status"] != 200 for r in log["requests"]) or fault.get("reset_rate")


async def test_client_timeout_is_transient(sandbox_url: str, control: Control,
                                           persisted: Persisted) -> None:
    retry = RetryPolicy(max_transient_attempts=2, base_delay_s=0.01, max_delay_s=0.02)
    async with make_client(sandbox_url, persisted, retry=retry, timeout_s=0.3) as client:
        shop, view = await connect_shop(client, control)
        await control("PUT", f"/shops/{view['shop_id']}/faults",
                      {"timeout_rate": 1.0, "timeout_s": 1.0})
        try:
            with pytest.raises(Transient):
                await client.logistics.get_warehouses(shop)
        finally:
            await control("DELETE", f"/shops/{view['shop_id']}/faults")


async def test_without_our_bucket_the_sandbox_throttles_and_we_wait_and_retry(
        sandbox_url: str, control: Control, persisted: Persisted) -> None:
    loose = BucketSpec(capacity=1000, refill_per_s=1000)
    async with make_client(sandbox_url, persisted, bucket=loose) as client:
        shop, view = await connect_shop(client, control)
        await control("DELETE", "/requests")
        results = await asyncio.gather(*(client.logistics.get_warehouses(shop)
                                         for _ in range(120)))
        assert len(results) == 120 and all(r.warehouses for r in results)
        assert client.rate_limited_seen > 0
        log = await control("GET", "/requests", shop_id=view["shop_id"])
        assert any(r["http_status"] == 429 and r["code"] == 36009002 for r in log["requests"])
