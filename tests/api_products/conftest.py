"""One local stack (both sandboxes + the app, real ports, real OAuth) for the whole directory.

Two merchants: `alice` (US shop, prerequisites OK) and `bob` (US shop seeded with failing
listing prerequisites). Each test works on its own objects, so the order does not matter.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from conftest import POSTGRES_ADMIN_URL, make_settings  # the root conftest (tests/ on path)
from ecomsend.db.migrate import upgrade
from ecomsend.db.models import ActivityLog, Shop, ShopifyProduct
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant

PRODUCTS = 30


@dataclass
class Tenant:
    """A merchant signed in to the app with one TikTok connection."""

    merchant: Merchant
    domain: str
    connection_id: int
    tiktok_shop: dict[str, Any]
    shop_id: int

    @property
    def http(self) -> httpx.AsyncClient:
        return self.merchant.browser

    def url(self, path: str) -> str:
        return f"{self.merchant.stack.app_url}/api/connections/{self.connection_id}{path}"


@pytest.fixture(scope="package")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("api_products")


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, var_dir: Path) -> Iterator[str]:
    """The whole directory runs on SQLite, then on a fresh PostgreSQL database (skipped when
    none answers; same embedded LocalQueue). `ECOMSEND_API_TESTS_DB=sqlite|postgres` picks one."""
    only = os.environ.get("ECOMSEND_API_TESTS_DB")
    if only and only != request.param:
        pytest.skip(f"ECOMSEND_API_TESTS_DB={only}")
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{var_dir / 'app.db'}"
        return
    name = f"ecomsend_api_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql").render_as_string(
        hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL} ({exc})")
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="package")
async def db(var_dir: Path, database_url: str) -> AsyncIterator[Database]:
    # The run-wide token key: every Database of the run configures the same token cipher.
    settings = make_settings(database_url, var_dir,
                             session_secret="api-products-tests-" + "x" * 32)
    await asyncio.to_thread(upgrade, settings)
    database = Database(settings)
    yield database
    await database.dispose()


@pytest.fixture(scope="package")
def stack(db: Database, var_dir: Path) -> Iterator[LocalStack]:
    overrides = {"token_encryption_key": db.settings.token_encryption_key,
                 "session_secret": db.settings.session_secret}
    with LocalStack(var_dir, database_url=db.url, settings_overrides=overrides,
                    tiktok_options={"audit_delay_s": 0.05}) as running:
        yield running


async def _tenant(stack: LocalStack, db: Database, domain: str, seed: int,
                  **tiktok: Any) -> Tenant:
    merchant = Merchant(stack)
    await merchant.create_store(domain, products=PRODUCTS, seed=seed)
    await merchant.install(domain)
    shop = await merchant.create_tiktok_shop("US", **tiktok)
    session = await merchant.connect_tiktok(shop["shop_id"])
    [conn] = session["connections"]
    async with asyncio.timeout(30):
        while not await _imported(db, domain):
            await asyncio.sleep(0.1)
    return Tenant(merchant, domain, conn["id"], shop, await _shop_id(db, domain))


async def _shop_id(db: Database, domain: str) -> int:
    async with db.sessionmaker() as s:
        return int((await s.execute(select(Shop.id).where(Shop.domain == domain))).scalar_one())


async def _imported(db: Database, domain: str) -> bool:
    """The setup job logged its catalog import (products, variants and stock all stored)."""
    async with db.sessionmaker() as s:
        done = (await s.execute(select(func.count()).select_from(ActivityLog).join(
            Shop, Shop.id == ActivityLog.shop_id).where(
            Shop.domain == domain, ActivityLog.kind == "catalog_import"))).scalar_one()
        products = (await s.execute(select(func.count()).select_from(ShopifyProduct).join(
            Shop, Shop.id == ShopifyProduct.shop_id).where(Shop.domain == domain))).scalar_one()
    return bool(done) and products >= PRODUCTS


@pytest.fixture(scope="package")
async def alice(stack: LocalStack, db: Database) -> AsyncIterator[Tenant]:
    tenant = await _tenant(stack, db, "alice-api.myshopify.com", seed=11)
    yield tenant
    await tenant.merchant.close()


@pytest.fixture(scope="package")
async def bob(stack: LocalStack, db: Database) -> AsyncIterator[Tenant]:
    tenant = await _tenant(stack, db, "bob-api.myshopify.com", seed=12, prerequisites_ok=False,
                           failing_prerequisites=["RETURN_WAREHOUSE", "SHIPPING_TEMPLATE"])
    yield tenant
    await tenant.merchant.close()


@pytest.fixture
async def anonymous(stack: LocalStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.app_url, timeout=30) as client:
        yield client
