"""Install from Shopify and connect TikTok Shop through the real OAuth redirects, across three
real servers; then the setup job subscribes webhooks and imports the catalog by bulk operation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from ecomsend.db.models import Shop, ShopifyProduct, ShopifyVariant, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant

DOMAIN = "onboarding-e2e.myshopify.com"


@pytest.fixture
def stack(sqlite_db: Database, tmp_path: Path) -> Iterator[LocalStack]:
    with LocalStack(tmp_path, database_url=sqlite_db.url,
                    settings_overrides={"token_encryption_key": sqlite_db.settings
                                        .token_encryption_key}) as running:
        yield running


async def test_install_connect_and_initial_import(stack: LocalStack, sqlite_db: Database) -> None:
    merchant = Merchant(stack)
    try:
        seeded = await merchant.create_store(DOMAIN, products=40)
        session = await merchant.install(DOMAIN)
        assert session["shop"] == DOMAIN and session["connections"] == []
        tts = await merchant.create_tiktok_shop("US")
        session = await merchant.connect_tiktok(tts["shop_id"])
        [connection] = session["connections"]
        assert (connection["tiktok_shop_id"], connection["region"]) == (tts["shop_id"], "US")
        await _until_imported(sqlite_db, seeded["products"])
        subs = (await merchant.browser.get(
            f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}/webhooks")).json()["subscriptions"]
    finally:
        await merchant.close()
    assert {s["topic"] for s in subs} >= {"products/update", "inventory_levels/update",
                                          "app/uninstalled"}
    assert all(s["uri"] == f"{stack.app_url}/webhooks/shopify" for s in subs)
    async with sqlite_db.sessionmaker() as db:
        shop = (await db.execute(select(Shop))).scalar_one()
        assert shop.name and shop.currency == "USD" and shop.access_token
        variants = (await db.execute(select(func.count()).select_from(ShopifyVariant))
                    ).scalar_one()
        assert variants == seeded["variants"]
        stored = (await db.execute(text("SELECT access_token FROM tiktok_shop"))).scalar_one()
        tiktok = (await db.execute(select(TikTokShop))).scalar_one()
    assert tiktok.cipher == tts["cipher"] and stored != tiktok.access_token  # encrypted


async def test_replayed_or_forged_callbacks_are_refused(stack: LocalStack) -> None:
    merchant = Merchant(stack)
    try:
        await merchant.create_store(DOMAIN, products=1)
        start = await merchant.browser.get(f"{stack.app_url}/auth/shopify/install",
                                           params={"shop": DOMAIN}, follow_redirects=False)
        grant = await merchant.browser.get(start.headers["location"], follow_redirects=False)
        callback = grant.headers["location"]
        first = await merchant.browser.get(callback, follow_redirects=False)
        assert first.status_code == 302
        replay = await merchant.browser.get(callback, follow_redirects=False)
        assert replay.status_code == 400 and "already used" in replay.text
        forged = await merchant.browser.get(callback.replace("code=", "code=x"),
                                            follow_redirects=False)
        assert forged.status_code == 400
        anonymous = await httpx.AsyncClient().get(f"{stack.app_url}/auth/tiktok/connect")
        assert anonymous.status_code == 401
    finally:
        await merchant.close()


async def _until_imported(db: Database, products: int, timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while True:
            async with db.sessionmaker() as session:
                n = (await session.execute(select(func.count()).select_from(ShopifyProduct))
                     ).scalar_one()
            if n >= products:
                return
            await asyncio.sleep(0.1)
