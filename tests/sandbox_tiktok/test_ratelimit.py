"""50 requests per second per API per app+shop (a sliding one-second window, the stricter
reading): 429 / 36009002 beyond, independent per API, configurable per API."""

from __future__ import annotations

import asyncio
from typing import Any

from ecomsend.sandbox.tiktok.ratelimit import RateLimiter

from .helpers import Api, Control


def test_sliding_window_admits_the_limit_in_any_second() -> None:
    limiter = RateLimiter()
    key = ("app", "shop", "GET /x")
    assert all(limiter.allow(key, now=100.0 + i * 0.01) for i in range(50))  # 100.00-100.49
    assert not limiter.allow(key, now=100.5)
    # A token bucket (50, +50/s) would admit ~25 more by now; the window admits none.
    assert not limiter.allow(key, now=100.99)
    assert limiter.allow(key, now=101.001)  # the first request left the window
    assert not limiter.allow(key, now=101.002)
    assert limiter.allow(("app", "other-shop", "GET /x"), now=101.002)


def test_per_api_limits_fold_versions() -> None:
    limiter = RateLimiter()
    limiter.configure(per_api={"POST /product/202309/products": 2})
    assert limiter.limit_for("POST /product/202509/products") == 2
    key = ("app", "shop", "POST /product/202309/products")
    assert [limiter.allow(key, now=5.0) for _ in range(3)] == [True, True, False]
    assert limiter.limit_for("GET /x") == 50


async def test_per_api_limit_over_http(us: tuple[Api, dict[str, Any]],
                                       control: Control) -> None:
    api, _ = us
    await control("PUT", "/ratelimit", {"per_api": {"GET /logistics/202309/warehouses": 5}})
    try:
        codes = await _burst(api, "/logistics/202309/warehouses", 8)
        assert sorted(codes) == [0] * 5 + [36009002] * 3
        assert (await api.call("GET", "/product/202312/prerequisites")).json()["code"] == 0
        await asyncio.sleep(1.05)
        assert await _burst(api, "/logistics/202309/warehouses", 5) == [0] * 5
    finally:
        await control("PUT", "/ratelimit", {"default_qps": 50, "per_api": {}})
    assert (await control("GET", "/ratelimit"))["default_qps"] == 50


async def _burst(api: Api, path: str, n: int) -> list[int]:
    resps = await asyncio.gather(*(api.call("GET", path) for _ in range(n)))
    return [r.json()["code"] for r in resps]


async def _until_throttled(api: Api, path: str) -> list[int]:
    """Bursts of 150 until one is throttled (a slow, shared CI box refills the bucket faster)."""
    codes: list[int] = []
    for _ in range(5):
        codes = await _burst(api, path, 150)
        if 36009002 in codes:
            break
    return codes


async def test_burst_on_one_api_is_throttled(us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    codes = await _until_throttled(api, "/logistics/202309/warehouses")
    assert codes.count(36009002) > 0
    assert set(codes) <= {0, 36009002}


async def test_bursts_on_two_apis_do_not_share_a_bucket(us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    a, b = await asyncio.gather(_burst(api, "/logistics/202309/warehouses", 45),
                                _burst(api, "/product/202312/prerequisites", 45))
    assert set(a) == {0} and set(b) == {0}


async def test_throttled_response_shape(us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    limited: list[Any] = []
    for _ in range(5):
        resps = await asyncio.gather(*(api.call("GET", "/event/202309/webhooks")
                                       for _ in range(150)))
        limited = [r for r in resps if r.status_code == 429]
        if limited:
            break
    assert limited
    env = limited[0].json()
    assert env["code"] == 36009002 and env["data"] is None
