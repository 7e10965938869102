"""One process hammering a shared PostgreSQL bucket; prints the time of each granted call."""

from __future__ import annotations

import asyncio
import sys
import time

from ecomsend.db.session import make_engine
from ecomsend.ratelimit import BucketSpec
from ecomsend.ratelimit.postgres import PostgresRateLimiter


async def main(url: str, seconds: float, capacity: float, rate: float) -> None:
    engine = make_engine(url)
    limiter = PostgresRateLimiter(engine)
    spec = BucketSpec(capacity, rate)
    end = time.time() + seconds

    async def caller() -> None:
        while time.time() < end:
            await limiter.acquire("tiktok:shop1:/product/202309/products", spec)
            print(f"{time.time():.6f}", flush=True)

    await asyncio.gather(*[caller() for _ in range(4)])  # 4 eager callers per process
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])))
