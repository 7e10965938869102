"""In-process token buckets: the embedded default (one process owns the limit)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecomsend.ratelimit import BucketSpec


class _Bucket:
    __slots__ = ("stamp", "tokens")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


class InProcessRateLimiter:
    """Token buckets in memory, guarded by one asyncio lock (cheap: no I/O inside it)."""

    def __init__(self, clock: object = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = asyncio.Lock()

    def _now(self) -> float:
        return float(self._clock())  # type: ignore[operator]

    def _refill(self, key: str, spec: BucketSpec, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(spec.capacity, now)
        else:
            bucket.tokens = min(
                spec.capacity, bucket.tokens + (now - bucket.stamp) * spec.refill_per_s
            )
            bucket.stamp = now
        return bucket

    async def acquire(self, key: str, spec: BucketSpec, cost: float = 1.0) -> None:
        """Reserve `cost` tokens now and sleep until the reservation is covered."""
        async with self._lock:
            bucket = self._refill(key, spec, self._now())
            bucket.tokens -= cost
            deficit = -bucket.tokens
        if deficit > 0:
            await asyncio.sleep(deficit / spec.refill_per_s)

    async def settle(self, key: str, spec: BucketSpec, refund: float,
                     ceiling: float | None = None) -> None:
        """Give back `refund` (what the platform did not charge of the reservation), then cap
        at `ceiling` (its own count less our unsent reservations). Called by the Shopify
        transport after each answer. A reading never raises the bucket: setting it to a
        reading (as before) erased the reservations of callers still asleep in `acquire` and
        let an older, higher reading overwrite a newer one, so 16 order jobs outran Shopify's
        bucket (4,856 THROTTLED answers in 6,858 requests in bench/order_sync.py)."""
        async with self._lock:
            bucket = self._refill(key, spec, self._now())
            tokens = min(spec.capacity, bucket.tokens + refund)
            bucket.tokens = tokens if ceiling is None else min(tokens, ceiling)

    async def close(self) -> None:
        return None
