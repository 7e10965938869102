"""50 requests per second per API per app+shop: 429 / 36009002 beyond, independent per API."""

from __future__ import annotations

import asyncio
from typing import Any

from ecomsend.sandbox.tiktok.ratelimit import RateLimiter

from .helpers import Api


def test_bucket_capacity_and_refill() -> None:
    limiter = RateLimiter()
    key = ("app", "shop", "GET /x")
    assert all(limiter.allow(key, now=100.0) for _ in range(50))
    assert not limiter.allow(key, now=100.0)
    assert limiter.allow(key, now=100.021)  # 0.021 s × 50/s ≥ 1 token
    assert not limiter.allow(key, now=100.021)
    assert limiter.allow(("app", "other-shop", "GET /x"), now=100.021)


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
