"""Token buckets shared by every process through one PostgreSQL row per key (scale-out mode).

pyrate-limiter's Postgres bucket was considered: it keeps a row per request and has no way to
recalibrate from a platform's reported budget (Shopify's throttleStatus), which we need. A token
bucket is one atomic UPDATE here, so every process sees one limit.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from ecomsend.ratelimit import BucketSpec

# One statement: create the bucket full, or refill it by elapsed time, then take `cost`.
# clock_timestamp() (not now()) so concurrent transactions see real elapsed time.
_ACQUIRE_SQL = text(
    """
    INSERT INTO rate_bucket (key, tokens, capacity, refill_per_s, updated_at)
    VALUES (:key, :capacity - :cost, :capacity, :rate, clock_timestamp())
    ON CONFLICT (key) DO UPDATE SET
        tokens = LEAST(EXCLUDED.capacity,
                       rate_bucket.tokens
                       + EXTRACT(EPOCH FROM clock_timestamp() - rate_bucket.updated_at)
                         * EXCLUDED.refill_per_s)
                 - :cost,
        capacity = EXCLUDED.capacity,
        refill_per_s = EXCLUDED.refill_per_s,
        updated_at = clock_timestamp()
    RETURNING tokens
    """
)

# Refill by elapsed time, give back the refund, never past the capacity, then cap at the
# ceiling (LEAST ignores a NULL ceiling). One statement, so concurrent settles all count.
_SETTLE_SQL = text(
    """
    UPDATE rate_bucket SET
        tokens = LEAST(capacity,
                       LEAST(capacity,
                             tokens + EXTRACT(EPOCH FROM clock_timestamp() - updated_at)
                                      * refill_per_s)
                       + :refund,
                       CAST(:ceiling AS double precision)),
        updated_at = clock_timestamp()
    WHERE key = :key
    """
)


class PostgresRateLimiter:
    """Reserve-then-sleep token buckets in the `rate_bucket` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        # Each statement is atomic on its own: run in autocommit, one round trip per call
        # instead of three (BEGIN, the statement, COMMIT); every TikTok and Shopify call
        # acquires, so this is a share of every push's CPU (py-spy, bench/multi_tenant.py).
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def acquire(self, key: str, spec: BucketSpec, cost: float = 1.0) -> None:
        async with self._engine.connect() as conn:
            tokens = (
                await conn.execute(
                    _ACQUIRE_SQL,
                    {"key": key, "capacity": spec.capacity, "rate": spec.refill_per_s,
                     "cost": cost},
                )
            ).scalar_one()
        if tokens < 0:
            await asyncio.sleep(-float(tokens) / spec.refill_per_s)

    async def settle(self, key: str, spec: BucketSpec, refund: float,
                     ceiling: float | None = None) -> None:
        """Refund, then cap at the platform's report (see `RateLimiter.settle`)."""
        async with self._engine.connect() as conn:
            await conn.execute(_SETTLE_SQL, {"key": key, "refund": refund, "ceiling": ceiling})

    async def close(self) -> None:
        return None
