"""Token buckets: 50 requests per second per API per app+shop (reference §6, DOC rate-limits)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

#: TikTok's default quota: 50 QPS per API, counted per (app, shop).
CAPACITY = 50.0
#: Refill rate in tokens per second (same 50 QPS).
REFILL_PER_S = 50.0


@dataclass
class _Bucket:
    """Tokens left and the time they were counted."""
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """A token bucket per key; `allow(key)` takes one token or says no (the request is refused)."""

    capacity: float = CAPACITY
    refill_per_s: float = REFILL_PER_S
    _buckets: dict[tuple[str, ...], _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, key: tuple[str, ...], now: float | None = None) -> bool:
        """Take one token from `key`'s bucket; False when it is empty."""
        t = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.capacity, t)
            bucket.tokens = min(self.capacity,
                                bucket.tokens + (t - bucket.updated) * self.refill_per_s)
            bucket.updated = t
            if bucket.tokens < 1.0:
                return False
            bucket.tokens -= 1.0
            return True

    def reset(self) -> None:
        """Forget every bucket."""
        with self._lock:
            self._buckets.clear()
