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

    async def settle(self, key: str, spec: BucketSpec, refund: float,
                     ceiling: float | None = None) -> None:
        """After a call was answered: give back `refund` tokens (the part of its reservation
        the platform did not charge; negative if it charged more than was reserved), then, if
        `ceiling` is given, hold at most that many (the platform's own report of what is left,
        e.g. Shopify's `throttleStatus.currentlyAvailable`, less our reservations not yet
        sent). The report only ever lowers the bucket: answers arrive out of order, and one
        taken before other calls were charged is higher than the truth (reference §5: Shopify
        reserves requestedQueryCost up front and refunds the unused part)."""
        ...

    async def close(self) -> None: ...


from ecomsend.ratelimit.memory import InProcessRateLimiter  # noqa: E402

__all__ = ["BucketSpec", "InProcessRateLimiter", "RateLimiter"]
