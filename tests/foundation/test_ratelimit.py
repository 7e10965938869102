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


async def test_a_lower_report_caps_the_bucket() -> None:
    limiter = InProcessRateLimiter()
    spec = BucketSpec(capacity=1000, refill_per_s=50)
    await limiter.settle("shop", spec, refund=0, ceiling=0)  # Shopify says: nothing left
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


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The in-process limiter's sleeps, recorded instead of slept (it calls asyncio.sleep)."""
    record: list[float] = []

    async def sleep(seconds: float) -> None:
        record.append(seconds)
    monkeypatch.setattr(asyncio, "sleep", sleep)
    return record


async def test_settle_takes_shopifys_refund(slept: list[float]) -> None:
    """Shopify reserves a query's requestedQueryCost and refunds what it did not use
    (reference §5): the refund goes back to the bucket, so the next call does not wait for the
    worst case it was charged."""
    limiter = InProcessRateLimiter()
    spec = BucketSpec(capacity=2000, refill_per_s=100)
    for _ in range(5):
        await limiter.acquire("shop", spec, cost=403)  # a page reserved at its worst case
        await limiter.settle("shop", spec, refund=400, ceiling=1997)  # Shopify charged 3
    assert slept == []
    await limiter.settle("shop", spec, refund=500, ceiling=2500)  # never past the capacity
    await limiter.acquire("shop", spec, cost=2000)
    assert slept == []
    await limiter.acquire("shop", spec, cost=100)
    assert slept and slept[0] == pytest.approx(1.0, abs=0.05)


async def test_a_stale_higher_report_does_not_erase_queued_reservations(
        slept: list[float]) -> None:
    """16 callers drain the bucket and queue; an answer then reports what Shopify had before
    most of them were charged (answers arrive out of order). The queue must survive it: the
    next caller waits behind everyone already waiting, not from the stale reading."""
    limiter = InProcessRateLimiter()
    spec = BucketSpec(capacity=100, refill_per_s=100)
    for _ in range(16):
        await limiter.acquire("shop", spec, cost=10)  # 160 reserved of 100: 60 queued
    await limiter.settle("shop", spec, refund=0, ceiling=90)  # the first call's answer
    slept.clear()
    await limiter.acquire("shop", spec, cost=10)
    assert slept and slept[0] == pytest.approx(0.7, abs=0.05)  # (60 + 10) / 100, not 0


async def test_postgres_settle_refunds_and_caps(pg_db: Database) -> None:
    from sqlalchemy import text

    from ecomsend.ratelimit.postgres import PostgresRateLimiter

    limiter = PostgresRateLimiter(pg_db.engine)
    spec = BucketSpec(capacity=2000, refill_per_s=1)  # slow: the test's own time is noise

    async def tokens() -> float:
        async with pg_db.engine.connect() as conn:
            return float((await conn.execute(text(
                "SELECT tokens FROM rate_bucket WHERE key = 'shop'"))).scalar_one())

    await limiter.acquire("shop", spec, cost=1500)
    await limiter.settle("shop", spec, refund=1497)  # Shopify charged 3 of 1500
    assert await tokens() == pytest.approx(1997, abs=1)
    # a caller queued past the bucket: its reservation is made, it sleeps ~100 s in acquire
    queued = asyncio.create_task(limiter.acquire("shop", spec, cost=2097))
    while await tokens() > 0:
        await asyncio.sleep(0.01)
    await limiter.settle("shop", spec, refund=0, ceiling=1500)  # a stale, higher report
    assert await tokens() == pytest.approx(-100, abs=1)  # the queued reservation survives
    await limiter.settle("shop", spec, refund=0, ceiling=-500)
    assert await tokens() == pytest.approx(-500, abs=1)
    queued.cancel()
