"""The reference-data cache: one load per key however many pushes miss it at once."""

from __future__ import annotations

import asyncio

import pytest

from ecomsend.sync.listing.reference import TtlCache


async def test_concurrent_misses_share_one_load_and_a_failure_is_not_cached() -> None:
    cache = TtlCache()
    calls = 0

    async def load() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return f"value {calls}"

    got = await asyncio.gather(*(cache.get(("attrs", 1), load) for _ in range(8)))
    assert got == ["value 1"] * 8 and calls == 1
    assert await cache.get(("attrs", 1), load) == "value 1" and calls == 1

    async def broken() -> str:
        raise RuntimeError("TikTok 500")

    with pytest.raises(RuntimeError):
        await cache.get(("rules", 1), broken)
    assert await cache.get(("rules", 1), load) == "value 2"  # the failure was not kept
