"""A cap on one API's requests in flight, so a stall cannot bunch our paced calls together.

TikTok counts its 50 QPS at its own gateway, over any rolling second (sandbox/tiktok/ratelimit.py
explains why the sandbox takes that strictest reading). The bucket paces when we *send*; a
network or server stall can still deliver several of those sends inside one second of *arrival*.
A request that arrives in a given second was either sent during it (at most burst + rate by the
bucket) or was already in flight when it began, so capping the in-flight count bounds the bunch.

The cap adapts to the round trip: `rate × (fastest recent RTT + one bucket interval) × HEADROOM`,
never below `MIN_IN_FLIGHT`. On a local sandbox (RTT of milliseconds) the floor applies and the
bound is exact; against TikTok itself (RTT of a few hundred ms) the cap grows so that the natural
number in flight at full rate is never what limits throughput. Only `TikTokTransport.call` uses it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

#: The floor of the cap: the bucket lets 1 + 46 out in a second and 3 more in flight keep any
#: rolling second at arrival within TikTok's 50, however they are bunched.
MIN_IN_FLIGHT = 3
#: Round trips remembered per API; the fastest of them is the network's own latency (a stall
#: slows only the requests caught in it, not all of the last 50).
RTT_SAMPLES = 50
#: Room over the natural in-flight count at full rate, so jitter does not cost throughput.
HEADROOM = 2.0


class _Lane:
    """One API of one shop: how many are out, and how fast the latest came back."""

    __slots__ = ("changed", "in_flight", "rtts")

    def __init__(self) -> None:
        self.in_flight = 0
        self.rtts: deque[float] = deque(maxlen=RTT_SAMPLES)
        self.changed = asyncio.Condition()


class InFlightGate:
    """Per-key cap on requests between "about to take a token" and "answer received"."""

    def __init__(self, rate_per_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate_per_s
        self._clock = clock
        self._lanes: dict[str, _Lane] = {}

    def cap(self, key: str) -> int:
        """How many requests of `key` may be in flight now (the floor until one came back)."""
        lane = self._lanes.get(key)
        if lane is None or not lane.rtts:
            return MIN_IN_FLIGHT
        natural = self._rate * (min(lane.rtts) + 1 / self._rate)
        return max(MIN_IN_FLIGHT, math.ceil(natural * HEADROOM))

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[Callable[[], None]]:
        """Hold one of `key`'s slots for the body. Take it *before* the bucket's token, so a
        waiter never sits on a token it would spend in a burst when a stall ends. The body calls
        the yielded `sent()` just before sending: the round trip is timed from there (timing the
        bucket's wait too would feed the cap back into itself)."""
        lane = self._lanes.setdefault(key, _Lane())
        async with lane.changed:
            await lane.changed.wait_for(lambda: lane.in_flight < self.cap(key))
            lane.in_flight += 1
        sent_at: list[float] = []
        try:
            yield lambda: sent_at.append(self._clock())
        finally:
            if sent_at:
                lane.rtts.append(self._clock() - sent_at[0])
            async with lane.changed:
                lane.in_flight -= 1
                lane.changed.notify()
