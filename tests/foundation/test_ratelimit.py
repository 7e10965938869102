"""Rate limiters wait rather than fail, and never exceed the limit, even across processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ecomsend.db.session import Database
from ecomsend.ratelimit import BucketSpec, InProcessRateLimiter

HERE = Path(__file__).parent


def max_in_window(stamps: list[float], window: float = 1.0) -> int:
    """The most events in any `window`-long interval."""
    stamps = sorted(stamps)
    best, lo = 0, 0
    for hi, t in enumerate(stamps):
        while stamps[lo] < t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def test_in_process_bucket_paces_callers_asking_for_twice_the_rate() -> None:
    limiter = InProcessRateLimiter()
    spec = BucketSpec(capacity=5, refill_per_s=40)
    stamps: list[float] = []
    end = time.monotonic() + 2.0

    async def caller() -> None:
        while time.monotonic() < end:
            await limiter.acquire("k", spec)
            stamps.append(time.monotonic())

    await asyncio.gather(*[caller() for _ in range(8)])
    steady = [t for t in stamps if t > stamps[0] + 0.5]
    assert max_in_window(stamps) <= 5 + 40 + 1
    rate = len(steady) / (steady[-1] - steady[0])
    assert 32 <= rate <= 44, rate


async def test_observe_never_lets_the_bucket_believe_in_more_than_reported() -> None:
    limiter = InProcessRateLimiter()
    spec = BucketSpec(capacity=1000, refill_per_s=50)
    await limiter.observe("shop", spec, available=0)  # Shopify says: nothing left
    began = time.monotonic()
    await limiter.acquire("shop", spec, cost=25)
    assert time.monotonic() - began >= 0.45  # had to wait for 25 points at 50/s


def test_two_processes_sharing_a_postgres_bucket_never_exceed_it_together(
        pg_db: Database) -> None:
    capacity, rate, seconds = 5.0, 30.0, 3.0
    procs = [subprocess.Popen([sys.executable, str(HERE / "ratelimit_worker.py"), pg_db.url,
                               str(seconds), str(capacity), str(rate)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    per_process = [[float(line) for line in out.split()] for out, _ in outputs]
    assert all(len(stamps) > 10 for stamps in per_process)  # both really competed
    stamps = sorted(per_process[0] + per_process[1])
    assert max_in_window(stamps) <= capacity + rate + 1
    steady = [t for t in stamps if stamps[0] + 0.5 < t < stamps[-1]]
    achieved = len(steady) / (steady[-1] - steady[0])
    assert achieved >= 0.8 * rate, achieved


async def test_observe_takes_shopifys_refund(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shopify reserves a query's requestedQueryCost and refunds what it did not use
    (reference §5): after the report the bucket holds what Shopify says, more than before, so
    the next call does not wait for the worst case it was charged."""
    from ecomsend.ratelimit import memory

    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)
    monkeypatch.setattr(memory.asyncio, "sleep", record)
    limiter = InProcessRateLimiter()
    spec = BucketSpec(capacity=2000, refill_per_s=100)
    for _ in range(5):
        await limiter.acquire("shop", spec, cost=403)  # a page reserved at its worst case
        await limiter.observe("shop", spec, available=1997)  # Shopify charged 3
    assert slept == []
    await limiter.observe("shop", spec, available=2500)  # never past the capacity
    await limiter.acquire("shop", spec, cost=2000)
    assert slept == []
    await limiter.acquire("shop", spec, cost=100)
    assert slept and slept[0] == pytest.approx(1.0, abs=0.05)


async def test_postgres_observe_takes_the_refund_too(pg_db: Database) -> None:
    from sqlalchemy import text

    from ecomsend.ratelimit.postgres import PostgresRateLimiter

    limiter = PostgresRateLimiter(pg_db.engine)
    spec = BucketSpec(capacity=2000, refill_per_s=100)
    await limiter.acquire("shop", spec, cost=1500)
    await limiter.observe("shop", spec, available=1997)
    async with pg_db.engine.connect() as conn:
        tokens = (await conn.execute(text(
            "SELECT tokens FROM rate_bucket WHERE key = 'shop'"))).scalar_one()
    assert float(tokens) == pytest.approx(1997)
