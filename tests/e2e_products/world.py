"""A running local stack (both sandboxes + the app, real HTTP) with a seeded, installed and
connected shop, and helpers to drive the merchant's side and read both platforms' state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ecomsend.db.models import (
    CategoryTemplate,
    InventoryLevel,
    LocalJob,
    ProductLink,
    ShopifyProduct,
    ShopifyVariant,
    SyncState,
    TikTokShop,
)
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.tasks import build_registry
from ecomsend.regions import region_code
from ecomsend.services import Services
from ecomsend.sync.listing import commands
from ecomsend.sync.listing.bootstrap import default_template, template_is_expressible

DOMAIN = "products-e2e.myshopify.com"
SETTLED = ("synced", "failed", "review_failed", "not_synced")


class World:
    """The merchant's shop on both sandboxes and the app's database."""

    def __init__(self, stack: LocalStack, db: Database) -> None:
        self.stack, self.db = stack, db
        self.merchant = Merchant(stack)
        self.http: httpx.AsyncClient = self.merchant.browser
        self.queue = LocalQueue(db, build_registry())
        self.tts_id = 0
        self.tiktok_shop_id = ""
        self.region = "US"

    async def setup(self, products: int, seed: int = 11, region: str = "US",
                    **tiktok: Any) -> dict[str, Any]:
        """Seed, install, connect a TikTok shop of `region`, wait for the catalog import."""
        seeded = await self.merchant.create_store(DOMAIN, products, seed=seed)
        await self.merchant.install(DOMAIN)
        shop = await self.merchant.create_tiktok_shop(region, **tiktok)
        self.region = region_code(region)
        self.tiktok_shop_id = shop["shop_id"]
        await self.merchant.connect_tiktok(shop["shop_id"])
        async with asyncio.timeout(30):
            while await self.count(ShopifyProduct) < seeded["products"]:
                await asyncio.sleep(0.05)
        async with self.db.sessionmaker() as session:
            self.tts_id = (await session.execute(select(TikTokShop.id))).scalar_one()
        return seeded

    async def count(self, model: Any, *where: Any) -> int:
        async with self.db.sessionmaker() as session:
            stmt = select(func.count()).select_from(model).where(*where)
            return int((await session.execute(stmt)).scalar_one())

    async def sample_body(self) -> dict[str, Any]:
        url = f"{self.stack.tiktok_url}/_sandbox/shops/{self.tiktok_shop_id}/sample_product"
        body: dict[str, Any] = (await self.http.get(url)).json()
        assert template_is_expressible(body), body
        return body

    async def default_template(self, *, activate: bool = True) -> int:
        body = await self.sample_body()
        async with self.db.unit_of_work() as session:
            row = default_template(self.tts_id, self.region, body)
            session.add(row)
            await session.flush()
            template_id = row.id
        if activate:
            await commands.activate_template(self.db, self.queue, template_id)
        return template_id

    async def settle(self, timeout: float = 30) -> dict[str, int]:
        """Wait until webhooks are delivered and every sync row is at rest; status counts."""
        async with asyncio.timeout(timeout):
            calm = 0
            while calm < 3:
                await self.http.post(f"{self.stack.shopify_url}/_sandbox/webhooks/flush")
                await self.http.post(f"{self.stack.tiktok_url}/_sandbox/webhooks/drain",
                                     json={"timeout_s": 5})
                busy = await self.count(SyncState, SyncState.status.not_in(SETTLED))
                jobs = await self.count(LocalJob, LocalJob.status.in_(["waiting", "running"]),
                                        LocalJob.task == "sync_entity")
                calm = calm + 1 if busy == 0 and jobs == 0 else 0
                await asyncio.sleep(0.1)
        return await self.status_counts()

    async def status_counts(self, kind: str = "product") -> dict[str, int]:
        async with self.db.sessionmaker() as session:
            rows = await session.execute(select(SyncState.status, func.count()).where(
                SyncState.kind == kind).group_by(SyncState.status))
            return {str(s): int(n) for s, n in rows.all()}

    async def errors(self) -> list[object]:
        async with self.db.sessionmaker() as session:
            return list((await session.execute(select(SyncState.last_error).where(
                SyncState.last_error.is_not(None)))).scalars())

    async def state(self, product_gid: str, kind: str = "product") -> SyncState | None:
        async with self.db.sessionmaker() as session:
            return (await session.execute(select(SyncState).where(
                SyncState.entity_id == product_gid, SyncState.kind == kind))
            ).scalar_one_or_none()

    async def synced_products(self) -> list[str]:
        async with self.db.sessionmaker() as session:
            return list((await session.execute(select(SyncState.entity_id).where(
                SyncState.kind == "product", SyncState.status == "synced")
                .order_by(SyncState.id))).scalars())

    async def links(self, product_gid: str) -> list[ProductLink]:
        async with self.db.sessionmaker() as session:
            return list((await session.execute(select(ProductLink).where(
                ProductLink.shopify_product_id == product_gid))).scalars())

    async def variants(self, product_gid: str) -> list[ShopifyVariant]:
        async with self.db.sessionmaker() as session:
            return list((await session.execute(select(ShopifyVariant).join(
                ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id).where(
                ShopifyProduct.shopify_id == product_gid)
                .order_by(ShopifyVariant.position))).scalars())

    async def levels(self, item_gid: str) -> list[InventoryLevel]:
        async with self.db.sessionmaker() as session:
            return list((await session.execute(select(InventoryLevel).where(
                InventoryLevel.inventory_item_id == item_gid))).scalars())

    async def listed(self) -> tuple[str, ProductLink, ShopifyVariant]:
        """A synced product, the link and the mirror row of its first variant."""
        for product in await self.synced_products():
            for variant in await self.variants(product):
                if variant.inventory_item_id:
                    link = next(lk for lk in await self.links(product)
                                if lk.shopify_variant_id == variant.shopify_id)
                    return product, link, variant
        raise AssertionError("no listed variant")

    async def location(self) -> str:
        """The Shopify shop's first location (GID)."""
        got = (await self.http.get(f"{self.stack.shopify_url}/_sandbox/shops/{DOMAIN}")).json()
        return str(got["locations"][0]["admin_graphql_api_id"])

    async def template(self, template_id: int) -> CategoryTemplate:
        async with self.db.sessionmaker() as session:
            return (await session.execute(select(CategoryTemplate).where(
                CategoryTemplate.id == template_id))).scalar_one()

    # ---- TikTok sandbox ------------------------------------------------------------------
    async def tiktok_calls(self) -> dict[str, int]:
        """Product API calls per API since the last `clear_tiktok_log` (other pipelines, such
        as order polling, are left out)."""
        got = (await self.http.get(f"{self.stack.tiktok_url}/_sandbox/requests",
                                   params={"limit": 1})).json()
        return {k: int(v) for k, v in got["counts"].items() if " /product/" in k}

    async def clear_tiktok_log(self) -> None:
        await self.http.delete(f"{self.stack.tiktok_url}/_sandbox/requests")

    async def tiktok_product(self, product_id: str) -> dict[str, Any]:
        url = f"{self.stack.tiktok_url}/_sandbox/shops/{self.tiktok_shop_id}/products/{product_id}"
        got: dict[str, Any] = (await self.http.get(url)).json()
        return got

    # ---- Shopify sandbox (merchant edits fire real webhooks) ------------------------------
    def _shop(self, path: str) -> str:
        return f"{self.stack.shopify_url}/_sandbox/shops/{DOMAIN}/{path}"

    async def edit_product(self, product_gid: str, **fields: Any) -> None:
        got = await self.http.patch(self._shop(f"products/{product_gid.rsplit('/', 1)[-1]}"),
                                    json=fields)
        got.raise_for_status()

    async def edit_variant(self, variant_gid: str, **fields: Any) -> None:
        got = await self.http.patch(self._shop(f"variants/{variant_gid.rsplit('/', 1)[-1]}"),
                                    json=fields)
        got.raise_for_status()

    async def set_stock(self, item_gid: str, location_gid: str, available: int) -> None:
        got = await self.http.post(self._shop("inventory/set"), json={
            "inventory_item_id": item_gid, "location_id": location_gid, "available": available})
        got.raise_for_status()

    async def close(self) -> None:
        await self.merchant.close()


def _stack(db: Database, tmp_path: Path, *, run_worker: bool = True) -> LocalStack:
    return LocalStack(tmp_path, database_url=db.url, run_worker=run_worker,
                      tiktok_options={"audit_delay_s": 0.05},
                      settings_overrides={"token_encryption_key":
                                          db.settings.token_encryption_key})


@pytest.fixture
async def world_pg(pg_db: Database, tmp_path: Path) -> AsyncIterator[World]:
    """The same world on PostgreSQL (embedded LocalQueue on it)."""
    stack = LocalStack(tmp_path, database_url=pg_db.url, tiktok_options={"audit_delay_s": 0.05},
                       settings_overrides={"token_encryption_key":
                                           pg_db.settings.token_encryption_key})
    with stack:
        w = World(stack, pg_db)
        try:
            yield w
        finally:
            await w.close()


@pytest.fixture
async def world(sqlite_db: Database, tmp_path: Path) -> AsyncIterator[World]:
    with _stack(sqlite_db, tmp_path) as stack:
        w = World(stack, sqlite_db)
        try:
            yield w
        finally:
            await w.close()


class Worker:
    """The job worker run by the test itself, so a test can hold jobs back."""

    def __init__(self, stack: LocalStack, db: Database) -> None:
        self.services = Services.build(stack.settings, db)
        self.queue = LocalQueue(db, build_registry(), services=self.services)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.queue.run_worker(self._stop, concurrency=4))

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None


@pytest.fixture
async def manual(sqlite_db: Database, tmp_path: Path) -> AsyncIterator[tuple[World, Worker]]:
    """A world whose app runs no worker: the test's `Worker` runs the jobs."""
    with _stack(sqlite_db, tmp_path, run_worker=False) as stack:
        w, worker = World(stack, sqlite_db), Worker(stack, sqlite_db)
        worker.start()
        try:
            yield w, worker
        finally:
            await worker.stop()
            await worker.services.close()
            await w.close()
