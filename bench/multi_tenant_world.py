"""The multi-tenant benchmark's processes and shops (used by `bench/multi_tenant.py`).

Scale-out: a fresh PostgreSQL database, one `ecomsend serve` web process (no worker), three
`ecomsend worker` processes (procrastinate, shared PostgreSQL rate limiter): two for the default
queue, one `--only bulk` for listings at a lower CPU priority (`WORKER_ROLES`). Embedded: one
`ecomsend serve` on SQLite with its in-process worker. Both sandboxes run in their own
processes, like the real platforms.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ecomsend.db.migrate import upgrade
from ecomsend.db.models import (
    ProductLink,
    ShopifyProduct,
    ShopifyVariant,
    SyncState,
    TikTokShop,
    WebhookReceipt,
)
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant, settings_env
from ecomsend.jobs.runtime import build_queue
from ecomsend.jobs.tasks import build_registry
from ecomsend.sync.listing.bootstrap import activate_default_template

POSTGRES_ADMIN_URL = os.environ.get("ECOMSEND_TEST_POSTGRES_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: The issue's scale-out deployment: one web process and three workers; as README's
#: scale-out section advises, the big listings' jobs (the `bulk` queue) get a worker of their
#: own, which lowers its CPU priority, so the other shops' stock pushes come first.
WORKER_ROLES, WORKER_CONCURRENCY = ("default", "default", "bulk"), 8
#: Shops set up at once (each is an install + a connect + a catalog import).
SETUP_PARALLEL = 5
SETTLED = ("synced", "failed", "review_failed")
#: (inventory item GID, location GID, TikTok product id) of one listed variant.
Target = tuple[str, str, str]


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Shop:
    """One merchant: its Shopify domain, TikTok shop id and our connection's row id."""

    domain: str
    products: int
    merchant: Merchant
    tiktok_shop_id: str = ""
    tts_pk: int = 0
    shop_pk: int = 0
    targets: list[Target] = field(default_factory=list)


@dataclass
class World:
    """`start()`, set shops up, drive them, `stop()`."""

    mode: str
    var_dir: Path
    stack: LocalStack = field(init=False)
    db: Database = field(init=False)
    _pg_name: str | None = None
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> World:
        overrides: dict[str, Any] = {"session_secret": "bench-session-secret-0123456789abcdef",
                                     "log_level": "WARNING"}
        url = f"sqlite+aiosqlite:///{(self.var_dir / 'bench.db').as_posix()}"
        if self.mode == "scale-out":
            self._pg_name = f"ecomsend_mt_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self._pg_name}"')
            url = make_url(POSTGRES_ADMIN_URL).set(database=self._pg_name).render_as_string(
                hide_password=False)
            overrides.update(queue_backend="procrastinate", ratelimit_backend="postgres",
                             token_encryption_key=Fernet.generate_key().decode())
        self.stack = LocalStack(self.var_dir, database_url=url, settings_overrides=overrides,
                                sandboxes_in_processes=True, app_in_process=False,
                                app_log=self.var_dir / "app.log")
        upgrade(self.stack.settings)
        self.stack.start()
        if self.mode == "scale-out":
            for n, role in enumerate(WORKER_ROLES):
                log = (self.var_dir / f"worker{n}.log").open("ab")
                self._procs.append(subprocess.Popen(  # our own CLI
                    [sys.executable, "-m", "ecomsend", "worker", "--concurrency",
                     str(WORKER_CONCURRENCY), "--only", role],
                    env=settings_env(self.stack.settings),
                    stdout=log, stderr=subprocess.STDOUT))
        return self

    async def open(self) -> None:
        self.db = Database(self.stack.settings)

    def pids(self) -> dict[str, list[int]]:
        """The benchmark's processes by role (the stack starts the Shopify sandbox, the TikTok
        sandbox, then the app); embedded, `web` runs the worker too, and there is no
        `bulk_worker` (the `--only bulk` one that runs the listing)."""
        shopify, tiktok, *app = self.stack._procs  # the stack the bench made
        workers = list(zip(WORKER_ROLES, self._procs, strict=False))
        return {"shopify_sandbox": [shopify.pid], "tiktok_sandbox": [tiktok.pid],
                "web": [p.pid for p in app],
                "workers": [p.pid for role, p in workers if role != "bulk"],
                "bulk_worker": [p.pid for role, p in workers if role == "bulk"]}

    async def stop(self) -> None:
        await self.db.dispose()
        for proc in self._procs:
            proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.stack.stop()
        if self._pg_name:
            with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')

    async def add_shops(self, sizes: list[int]) -> list[Shop]:
        """Create, install, connect and import one store per size, a few at a time."""
        gate = asyncio.Semaphore(SETUP_PARALLEL)
        shops = [Shop(f"bench-mt-{n}.myshopify.com", size, Merchant(self.stack))
                 for n, size in enumerate(sizes)]

        async def one(n: int, shop: Shop) -> None:
            async with gate:
                await shop.merchant.create_store(shop.domain, shop.products, seed=n + 1,
                                                 listable=True)
                await shop.merchant.install(shop.domain)
                tiktok = await shop.merchant.create_tiktok_shop("US")
                shop.tiktok_shop_id = str(tiktok["shop_id"])
                await shop.merchant.connect_tiktok(shop.tiktok_shop_id)

        await asyncio.gather(*(one(n, s) for n, s in enumerate(shops)))
        async with self.db.sessionmaker() as session:
            for shop in shops:
                row = (await session.execute(select(TikTokShop.id, TikTokShop.shop_id).where(
                    TikTokShop.tiktok_shop_id == shop.tiktok_shop_id))).one()
                shop.tts_pk, shop.shop_pk = int(row[0]), int(row[1])
        await self.wait(lambda: self._imported(shops), 900)
        return shops

    async def _imported(self, shops: list[Shop]) -> bool:
        async with self.db.sessionmaker() as session:
            counts = dict((await session.execute(
                select(ShopifyProduct.shop_id, func.count()).group_by(ShopifyProduct.shop_id)
            )).tuples().all())
        return all(counts.get(s.shop_pk, 0) >= s.products for s in shops)

    async def activate(self, shop: Shop) -> int:
        """Activate the default template of `shop`'s connection; returns products marked."""
        sample = (await shop.merchant.browser.get(
            f"{self.stack.tiktok_url}/_sandbox/shops/{shop.tiktok_shop_id}/sample_product"
        )).json()
        queue = build_queue(self.stack.settings, self.db, build_registry())
        try:
            _, marked = await activate_default_template(self.db, queue, shop.tts_pk, sample)
        finally:
            await queue.close()
        return marked

    async def unsettled(self, shops: list[Shop]) -> int:
        """Product rows of `shops` not yet synced or failed."""
        async with self.db.sessionmaker() as session:
            return int((await session.execute(select(func.count()).select_from(SyncState).where(
                SyncState.tiktok_shop_id.in_([s.tts_pk for s in shops]),
                SyncState.kind == "product", SyncState.status.not_in(SETTLED)))).scalar_one())

    async def statuses(self, shop: Shop) -> dict[str, int]:
        """`shop`'s product rows by status (how its listing ended)."""
        async with self.db.sessionmaker() as session:
            rows = await session.execute(select(SyncState.status, func.count()).where(
                SyncState.tiktok_shop_id == shop.tts_pk, SyncState.kind == "product")
                .group_by(SyncState.status))
            return {str(status): int(n) for status, n in rows.tuples().all()}

    async def failure_reasons(self, shop: Shop) -> dict[str, int]:
        """`shop`'s failed product rows by error message (the three most common)."""
        async with self.db.sessionmaker() as session:
            rows = (await session.execute(select(SyncState.last_error).where(
                SyncState.tiktok_shop_id == shop.tts_pk, SyncState.kind == "product",
                SyncState.status.in_(["failed", "review_failed"])))).scalars().all()
        found = Counter(str((e or {}).get("message", ""))[:160] for e in rows)
        return dict(found.most_common(3))

    async def busy(self, shops: list[Shop]) -> int:
        """Sync rows of `shops` still moving (pending, running, backoff)."""
        async with self.db.sessionmaker() as session:
            return int((await session.execute(select(func.count()).select_from(SyncState).where(
                SyncState.tiktok_shop_id.in_([s.tts_pk for s in shops]),
                SyncState.status.not_in([*SETTLED, "not_synced"])))).scalar_one())

    async def load_targets(self, shop: Shop) -> None:
        """One variant per listed product of `shop`, at the store's first location."""
        store = (await shop.merchant.browser.get(
            f"{self.stack.shopify_url}/_sandbox/shops/{shop.domain}")).json()
        location = store["locations"][0]["admin_graphql_api_id"]
        async with self.db.sessionmaker() as session:
            rows = (await session.execute(
                select(ShopifyVariant.inventory_item_id, ProductLink.tiktok_product_id)
                .join(ProductLink, ProductLink.shopify_variant_id == ShopifyVariant.shopify_id)
                .where(ShopifyVariant.shop_id == shop.shop_pk,
                       ProductLink.tiktok_shop_id == shop.tts_pk,
                       ShopifyVariant.inventory_item_id.is_not(None)))).all()
        seen: dict[str, Target] = {}
        for item, product_id in rows:
            seen.setdefault(str(product_id), (str(item), location, str(product_id)))
        shop.targets = list(seen.values())

    async def unprocessed(self) -> int:
        """Webhooks acknowledged and not yet applied (the web's inbox backlog: their pushes
        are not even queued yet)."""
        async with self.db.sessionmaker() as session:
            return int((await session.execute(select(func.count()).select_from(
                WebhookReceipt).where(WebhookReceipt.processed_at.is_(None)))).scalar_one())

    async def settle(self, shops: list[Shop]) -> None:
        """Deliver every queued webhook and wait until the inbox is applied and no sync row of
        `shops` is moving (a big listing cut short by --max-seconds may go on: it is not
        waited for)."""
        calm = 0
        async with asyncio.timeout(600), httpx.AsyncClient(timeout=60) as client:
            while calm < 3:
                await client.post(f"{self.stack.shopify_url}/_sandbox/webhooks/flush")
                still = await self.unprocessed() + await self.busy(shops)
                calm = calm + 1 if still == 0 else 0
                await asyncio.sleep(0.2)

    @staticmethod
    async def wait(check: Any, timeout: float, every: float = 0.25) -> None:
        async with asyncio.timeout(timeout):
            while not await check():
                await asyncio.sleep(every)
