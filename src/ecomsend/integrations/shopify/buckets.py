"""What this process knows about each shop's GraphQL bucket, shared by all its clients.

Shopify's bucket is per (app, store) (reference §5), so every `ShopifyClient` of a shop in this
process must share: the bucket size learned from `throttleStatus`, the `requestedQueryCost` per
operation, the cost of requests waiting to be sent, and a gate that lets the very first request
go alone (so a burst never runs on the default 2000-point assumption when the shop's bucket is
smaller). Created once per process next to the `RateLimiter` and passed to every client (a client
without one gets a private book). Keyed by shop: explicit context, not a "current tenant".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from ecomsend.integrations.shopify.cost import STANDARD_BUCKET_CAPACITY, STANDARD_RESTORE_RATE
from ecomsend.ratelimit import BucketSpec


@dataclass(slots=True)
class ShopBucket:
    """Learned facts about one shop's bucket (mutated only by `GraphQLTransport`)."""

    spec: BucketSpec = field(
        default_factory=lambda: BucketSpec(STANDARD_BUCKET_CAPACITY, STANDARD_RESTORE_RATE))
    #: Last `requestedQueryCost` per `cost.cost_key` (operation name + sizing variables).
    costs: dict[str, float] = field(default_factory=dict)
    #: Points being reserved by this process's callers that have not sent their request yet
    #: (asleep in `RateLimiter.acquire`): Shopify has not charged them, so a reading of its
    #: bucket is lowered by them before it caps ours.
    queued: float = 0.0
    calibrated: asyncio.Event = field(default_factory=asyncio.Event)
    calibrating: asyncio.Lock = field(default_factory=asyncio.Lock)


class BucketBook:
    """Shop → ShopBucket for one process (one event loop)."""

    def __init__(self) -> None:
        self._shops: dict[str, ShopBucket] = {}

    def for_shop(self, shop: str) -> ShopBucket:
        """The shop's bucket facts, created on first use."""
        bucket = self._shops.get(shop)
        if bucket is None:
            bucket = self._shops[shop] = ShopBucket()
        return bucket
