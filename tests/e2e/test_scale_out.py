"""Scale-out mode end to end (issue 12 §4): PostgreSQL, procrastinate, the shared PostgreSQL rate
limiter, the web app without an in-process worker and two separate `ecomsend worker` processes.

One run proves what the mode claims:
- both worker processes run jobs (procrastinate's own "Starting job" lines in each one's log);
- together they keep TikTok's limit: the TikTok sandbox's request log shows no 429 and no
  rolling second with more than 50 calls of one API for the shop;
- a worker SIGKILLed mid-listing has every job it had started and not finished run again by
  the other one (procrastinate's stalled-worker retry keeps the job id), and the listing
  completes with no row left running;
- periodic jobs fire once per period however many workers tick: each `periodic_run` row of the
  sweeper ran exactly one job across both workers.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ecomsend.db.models import (
    InventoryLevel,
    PeriodicRun,
    ProductLink,
    ShopifyProduct,
    ShopifyVariant,
    SyncState,
    TikTokShop,
)
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant, settings_env
from ecomsend.jobs.runtime import BULK_NICE, build_queue
from ecomsend.jobs.tasks import build_registry
from ecomsend.sync.engine import SWEEP_TASK
from ecomsend.sync.listing.bootstrap import activate_default_template

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DOMAIN = "scale-out-e2e.myshopify.com"
PRODUCTS = 60
#: TikTok's documented default: 50 QPS per API per app+shop (rate-limits guide).
LIMIT_QPS = 50
#: Injected TikTok latency on product calls: long enough that a kill lands mid-job.
CREATE_LATENCY_MS = 1500
STARTED = re.compile(r"Starting job (\w+)\[(\d+)\]")
ENDED = re.compile(r"Job (\w+)\[(\d+)\]\(.*\) ended with status")


@pytest.fixture
def stack(pg_db: Database, tmp_path: Path) -> Iterator[LocalStack]:
    overrides = {"queue_backend": "procrastinate", "ratelimit_backend": "postgres",
                 "token_encryption_key": pg_db.settings.token_encryption_key,
                 "session_secret": "scale-out-test-secret-0123456789abcdef",
                 "log_level": "INFO"}
    with LocalStack(tmp_path, database_url=pg_db.url, settings_overrides=overrides,
                    run_worker=False, sandboxes_in_processes=True) as running:
        yield running


def _spawn(stack: LocalStack, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """An `ecomsend worker` process logging to `log` (a file: a pipe would fill and block it)."""
    return subprocess.Popen([sys.executable, "-m", "ecomsend", "worker", "--concurrency", "8",
                             *extra], env=settings_env(stack.settings), stdout=log.open("ab"),
                            stderr=subprocess.STDOUT)


def _jobs(log: Path, pattern: re.Pattern[str]) -> list[tuple[str, int]]:
    return [(m[1], int(m[2])) for m in pattern.finditer(log.read_text(errors="replace"))]


async def _count(db: Database, *where: Any) -> int:
    async with db.sessionmaker() as session:
        return int((await session.execute(
            select(func.count()).select_from(SyncState).where(*where))).scalar_one())


async def _until(check: Any, timeout: float, every: float = 0.25) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(every)


async def _connect_and_import(stack: LocalStack, merchant: Merchant, db: Database) -> tuple[
        str, int]:
    await merchant.create_store(DOMAIN, products=PRODUCTS, seed=3)
    await merchant.install(DOMAIN)
    tiktok = await merchant.create_tiktok_shop("US")
    await merchant.connect_tiktok(tiktok["shop_id"])

    async def imported() -> bool:
        async with db.sessionmaker() as session:
            return int((await session.execute(select(func.count()).select_from(ShopifyProduct))
                        ).scalar_one()) >= PRODUCTS

    await _until(imported, 120)
    async with db.sessionmaker() as session:
        tts_pk = (await session.execute(select(TikTokShop.id))).scalar_one()
    return str(tiktok["shop_id"]), int(tts_pk)


def _running(log: Path) -> set[tuple[str, int]]:
    """Listing jobs the worker writing `log` has started and not finished."""
    started, ended = set(_jobs(log, STARTED)), set(_jobs(log, ENDED))
    return {job for job in started - ended if job[0] == "sync_entity"}


def _busiest_second(entries: list[dict[str, Any]]) -> int:
    """The most calls of one API that arrived within any rolling second."""
    by_api: dict[str, list[float]] = {}
    for entry in entries:
        by_api.setdefault(entry["api"], []).append(float(entry["at"]))
    busiest = 0
    for times in by_api.values():
        times.sort()
        start = 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            busiest = max(busiest, end - start + 1)
    return busiest


async def test_two_workers_share_one_limit_survive_a_sigkill_and_fire_periodics_once(
        stack: LocalStack, pg_db: Database, tmp_path: Path) -> None:
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [_spawn(stack, log) for log in logs]
    merchant = Merchant(stack)
    try:
        tiktok_shop_id, tts_pk = await _connect_and_import(stack, merchant, pg_db)
        sample = (await merchant.browser.get(
            f"{stack.tiktok_url}/_sandbox/shops/{tiktok_shop_id}/sample_product")).json()
        queue = build_queue(stack.settings, pg_db, build_registry())
        # Every product create takes 1.5 s on TikTok's side (sandbox latency fault, applied
        # before the handler runs), so a listing job is surely mid-call when A is killed: a
        # job that started and finished between the log read and the SIGKILL made this flaky.
        await merchant.browser.put(f"{stack.tiktok_url}/_sandbox/shops/{tiktok_shop_id}/faults",
                                   json={"latency_ms": CREATE_LATENCY_MS, "latency_rate": 1.0,
                                         "paths": ["/product/202309/products"]})
        _, marked = await activate_default_template(pg_db, queue, tts_pk, sample)
        await queue.close()
        assert marked >= PRODUCTS // 2
        settled = SyncState.status.in_(["synced", "failed", "review_failed"])
        product = SyncState.kind == "product"

        async def both_busy_and_a_mid_job() -> bool:
            if not all(any(t == "sync_entity" for t, _ in _jobs(log, STARTED)) for log in logs):
                return False
            return bool(_running(logs[0]))

        await _until(both_busy_and_a_mid_job, 120, every=0.05)
        # SIGKILL worker A while it runs listing jobs (no shutdown hook runs).
        killed_at = await _count(pg_db, product, settled)
        assert killed_at < marked, "the listing finished before the kill: nothing to recover"
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        started_a = set(_jobs(logs[0], STARTED))
        orphans = _running(logs[0])
        assert orphans, "worker A was running no listing job when killed"

        async def listing_done() -> bool:
            return await _count(pg_db, product, settled) >= marked

        await _until(listing_done, 180)
        assert await _count(pg_db, SyncState.status == "running") == 0
        # Every job A had started and not finished was run again, by B (same job id).
        rerun_by_b = set(_jobs(logs[1], STARTED))
        assert orphans <= rerun_by_b, (orphans - rerun_by_b, killed_at)
        assert any(t == "sync_entity" for t, _ in started_a)

        # Periodics: each fired period of the sweeper ran one job across both workers.
        await _until(lambda: _periods(pg_db, 2), 70)
        for _ in range(3):  # a read between two periods (every 30 s) is stable
            periods = await _periods(pg_db)
            await asyncio.sleep(2)  # the last fired sweep has started by now
            sweeps = {job for log in logs for job in _jobs(log, STARTED) if job[0] == SWEEP_TASK}
            if await _periods(pg_db) == periods:
                break
        assert len(sweeps) == periods, (sweeps, periods)  # one job per period, not per worker

        log = (await merchant.browser.get(f"{stack.tiktok_url}/_sandbox/requests",
                                          params={"shop_id": tiktok_shop_id})).json()
        entries = log["requests"]
        assert not [e for e in entries if e["http_status"] == 429]
        assert _busiest_second(entries) <= LIMIT_QPS
        assert log["counts"].get("POST /product/202309/products", 0) >= 1
    finally:
        await merchant.close()
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(timeout=30) for worker in workers]
    assert codes[1] == 0, logs[1].read_text()[-3000:]


async def _periods(db: Database, at_least: int = 0) -> int:
    """The sweeper's fired periods (`periodic_run` rows); 0 while fewer than `at_least`."""
    async with db.sessionmaker() as session:
        fired = int((await session.execute(select(func.count()).select_from(PeriodicRun).where(
            PeriodicRun.task == SWEEP_TASK))).scalar_one())
    return fired if fired >= at_least else 0


async def test_a_bulk_only_worker_lists_at_a_lower_cpu_priority_and_stock_goes_elsewhere(
        stack: LocalStack, pg_db: Database, tmp_path: Path) -> None:
    """README's busy-host layout: `ecomsend worker --only bulk` runs at nice + BULK_NICE and
    runs the template's listing jobs and nothing else; `--only default` (normal priority)
    pushes a stock change of a listed product."""
    logs = {role: tmp_path / f"worker-{role}.log" for role in ("default", "bulk")}
    workers = {role: _spawn(stack, log, "--only", role) for role, log in logs.items()}
    merchant = Merchant(stack)
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        async def niced() -> bool:
            return os.getpriority(os.PRIO_PROCESS, workers["bulk"].pid) == mine + BULK_NICE

        await _until(niced, 30)
        assert os.getpriority(os.PRIO_PROCESS, workers["default"].pid) == mine
        tiktok_shop_id, tts_pk = await _connect_and_import(stack, merchant, pg_db)
        sample = (await merchant.browser.get(
            f"{stack.tiktok_url}/_sandbox/shops/{tiktok_shop_id}/sample_product")).json()
        queue = build_queue(stack.settings, pg_db, build_registry())
        _, marked = await activate_default_template(pg_db, queue, tts_pk, sample)
        await queue.close()
        settled = SyncState.status.in_(["synced", "failed", "review_failed"])
        product = SyncState.kind == "product"
        await _until(lambda: _count_ge(pg_db, marked, product, settled), 180)

        async def logged() -> bool:  # its line comes just after the job's commit
            return len(_jobs(logs["bulk"], ENDED)) >= marked

        await _until(logged, 10)
        pushed_before = {j for j in _jobs(logs["default"], ENDED) if j[0] == "sync_entity"}

        inventory = "POST /product/202309/products/{product_id}/inventory/update"

        async def inventory_calls() -> int:
            got = (await merchant.browser.get(f"{stack.tiktok_url}/_sandbox/requests",
                                              params={"shop_id": tiktok_shop_id})).json()
            return int(got["counts"].get(inventory, 0))

        calls_before = await inventory_calls()
        item, location = await _a_listed_level(pg_db, tts_pk)
        (await merchant.browser.post(
            f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}/inventory/set",
            json={"inventory_item_id": item, "location_id": location, "available": 4321},
        )).raise_for_status()

        async def pushed() -> bool:
            return await inventory_calls() > calls_before

        await _until(pushed, 60)
        ran = {j for j in _jobs(logs["default"], ENDED) if j[0] == "sync_entity"}
        assert ran - pushed_before, "the default worker pushed no stock change"
        assert {task for task, _ in _jobs(logs["bulk"], ENDED)} == {"sync_entity"}
    finally:
        await merchant.close()
        for worker in workers.values():
            worker.send_signal(signal.SIGTERM)
        codes = {role: worker.wait(timeout=30) for role, worker in workers.items()}
    assert codes == {"default": 0, "bulk": 0}, logs["bulk"].read_text()[-3000:]


async def _count_ge(db: Database, n: int, *where: Any) -> bool:
    return await _count(db, *where) >= n


async def _a_listed_level(db: Database, tts_pk: int) -> tuple[str, str]:
    """(inventory item GID, location GID) of a stocked variant that is on TikTok."""
    async with db.sessionmaker() as session:
        row = (await session.execute(
            select(InventoryLevel.inventory_item_id, InventoryLevel.location_id)
            .join(ShopifyVariant, ShopifyVariant.inventory_item_id
                  == InventoryLevel.inventory_item_id)
            .join(ProductLink, ProductLink.shopify_variant_id == ShopifyVariant.shopify_id)
            .where(ProductLink.tiktok_shop_id == tts_pk).limit(1))).one()
    return str(row[0]), str(row[1])
