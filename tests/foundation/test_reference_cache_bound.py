"""The TikTok reference-data caches are bounded: keys carry caller input (brand searches, page
tokens), so past the bound the least recently used answer goes and no per-key lock is kept."""

from __future__ import annotations

import asyncio

from ecomsend.sync.listing.reference import TtlCache
from ecomsend.web.api_tiktok_reference import TTLCache


async def test_web_reference_cache_keeps_the_most_recent_answers_only() -> None:
    cache, calls = TTLCache(max_items=3), []

    async def load(n: int) -> int:
        calls.append(n)
        await asyncio.sleep(0)
        return n * 10

    for n in range(10):
        assert await cache.get(("brands", n), 60, lambda n=n: load(n)) == n * 10
    assert await cache.get(("brands", 7), 60, lambda: load(7)) == 70  # still cached
    assert await cache.get(("brands", 0), 60, lambda: load(0)) == 0  # evicted: loaded again
    assert calls == [*range(10), 0] and len(cache) == 3 and not cache._locks
    # Concurrent misses of one key still share one load.
    got = await asyncio.gather(*(cache.get(("x",), 60, lambda: load(99)) for _ in range(5)))
    assert got == [990] * 5 and calls.count(99) == 1 and not cache._locks


async def test_listing_reference_cache_is_bounded() -> None:
    cache = TtlCache(max_items=4)

    async def value(n: int) -> int:
        return n

    for n in range(50):
        await cache.get(("attrs", n), lambda n=n: value(n))
    assert len(cache._items) == 4 and sorted(k[1] for k in cache._items) == [46, 47, 48, 49]
