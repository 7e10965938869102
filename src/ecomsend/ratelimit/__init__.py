"""The `RateLimiter` port (DESIGN.md §1, §4.5) and its two adapters.

`await limiter.acquire(key, spec, cost)` *waits* until the call may go out; it never fails.
Callers (the platform clients) own the bucket spec, because they know the platform's rule.
Reservations may drive a bucket negative: later callers then wait their turn (FIFO-fair).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class BucketSpec:
    """A token bucket: `capacity` tokens, refilled at `refill_per_s` tokens per second."""

    capacity: float
    refill_per_s: float

    def __post_init__(self) -> None:
        if self.capacity <= 0 or self.refill_per_s <= 0:
            raise ValueError("bucket capacity and refill rate must be positive")


class RateLimiter(Protocol):
    """Waits before a call so that the platform's limit is never exceeded."""

    async def acquire(self, key: str, spec: BucketSpec, cost: float = 1.0) -> None:
        """Take `cost` tokens from bucket `key`, sleeping until they are there."""
        ...

    async def observe(self, key: str, spec: BucketSpec, available: float) -> None:
        """Recalibrate from the platform's own report of what is left (e.g. Shopify's
        `throttleStatus.currentlyAvailable`, less our requests still in flight): the bucket
        then holds exactly that, never more and never less (Shopify refunds the unused part of
        a query's reserved cost, reference §5; the local charge was the worst case)."""
        ...

    async def close(self) -> None: ...


from ecomsend.ratelimit.memory import InProcessRateLimiter  # noqa: E402

__all__ = ["BucketSpec", "InProcessRateLimiter", "RateLimiter"]
