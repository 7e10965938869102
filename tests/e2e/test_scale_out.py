"""Scale-out mode end to end: PostgreSQL, procrastinate, the shared rate limiter, the web app
without an in-process worker and two separate `ecomsend worker` processes doing the jobs."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ecomsend.db.models import ShopifyProduct
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant, settings_env

DOMAIN = "scale-out-e2e.myshopify.com"


@pytest.fixture
def stack(pg_db: Database, tmp_path: Path) -> Iterator[LocalStack]:
    overrides = {"queue_backend": "procrastinate", "ratelimit_backend": "postgres",
                 "token_encryption_key": pg_db.settings.token_encryption_key,
                 "session_secret": "scale-out-test-secret-0123456789abcdef"}
    with LocalStack(tmp_path, database_url=pg_db.url, settings_overrides=overrides,
                    run_worker=False) as running:
        yield running


async def test_jobs_run_in_separate_worker_processes(stack: LocalStack, pg_db: Database) -> None:
    env = settings_env(stack.settings)
    workers = [subprocess.Popen([sys.executable, "-m", "ecomsend", "worker", "--concurrency", "4"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for _ in range(2)]
    merchant = Merchant(stack)
    try:
        seeded = await merchant.create_store(DOMAIN, products=25)
        await merchant.install(DOMAIN)
        async with asyncio.timeout(60):
            while await _products(pg_db) < seeded["products"]:
                await asyncio.sleep(0.2)
    finally:
        await merchant.close()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=30)[1].decode() for worker in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    assert any('"event": "worker.start"' in out or "worker.start" in out for out in outputs)


async def _products(db: Database) -> int:
    async with db.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(ShopifyProduct))
                    ).scalar_one())
