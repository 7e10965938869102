"""OAuth flows are bound to the browser that started them: a callback (Shopify) or a consent
(TikTok) completed in another browser is refused and changes nothing; the embedded UI's start
ticket is single-use; a TikTok shop connected to one store cannot be attached to another."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from ecomsend.db.models import TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant


@pytest.fixture
def stack(sqlite_db: Database, tmp_path: Path) -> Iterator[LocalStack]:
    with LocalStack(tmp_path, database_url=sqlite_db.url,
                    settings_overrides={"token_encryption_key": sqlite_db.settings
                                        .token_encryption_key}) as running:
        yield running


async def _connections(db: Database) -> list[tuple[int, str]]:
    async with db.sessionmaker() as session:
        rows = (await session.execute(select(TikTokShop.shop_id, TikTokShop.tiktok_shop_id)))
        return [(int(a), str(b)) for a, b in rows.all()]


async def test_shopify_callback_in_another_browser_gets_no_session(stack: LocalStack) -> None:
    merchant = Merchant(stack)
    try:
        await merchant.create_store("bind-shopify.myshopify.com", products=1)
        start = await merchant.browser.get(f"{stack.app_url}/auth/shopify/install",
                                           params={"shop": "bind-shopify.myshopify.com"},
                                           follow_redirects=False)
        grant = await merchant.browser.get(start.headers["location"], follow_redirects=False)
        callback = grant.headers["location"]
        async with httpx.AsyncClient() as other_browser:
            stolen = await other_browser.get(callback, follow_redirects=False)
            assert stolen.status_code == 400 and "did not start in this browser" in stolen.text
            assert "ecomsend_session" not in stolen.cookies
        # The state was not used up: the browser that started the flow still completes it.
        mine = await merchant.browser.get(callback, follow_redirects=False)
        assert mine.status_code == 302 and "ecomsend_session" in mine.cookies
    finally:
        await merchant.close()


async def test_tiktok_consent_in_another_browser_attaches_nothing(
        stack: LocalStack, sqlite_db: Database) -> None:
    attacker = Merchant(stack)
    try:
        await attacker.create_store("attacker.myshopify.com", products=1)
        await attacker.install("attacker.myshopify.com")
        victim_shop = await attacker.create_tiktok_shop("US")
        start = await attacker.browser.get(f"{stack.app_url}/auth/tiktok/connect",
                                           follow_redirects=False)
        consent = httpx.URL(start.headers["location"]).copy_add_param(
            "shop_id", victim_shop["shop_id"])
        async with httpx.AsyncClient() as victim_browser:  # the seller approves the link
            approved = await victim_browser.get(consent, follow_redirects=False)
            callback = await victim_browser.get(approved.headers["location"],
                                                follow_redirects=False)
        assert callback.status_code == 400
        assert await _connections(sqlite_db) == []
    finally:
        await attacker.close()


async def test_embedded_start_ticket_is_single_use(stack: LocalStack,
                                                   sqlite_db: Database) -> None:
    merchant = Merchant(stack)
    try:
        await merchant.create_store("ticket.myshopify.com", products=1)
        await merchant.install("ticket.myshopify.com")
        tts = await merchant.create_tiktok_shop("US")
        url = (await merchant.browser.post(f"{stack.app_url}/api/tiktok/connect")).json()["url"]
        assert url.startswith(f"{stack.app_url}/auth/tiktok/start?ticket=")
        async with httpx.AsyncClient() as top_window:
            location = url
            for _ in range(3):  # start → TikTok's consent (approves at once) → our callback
                hop = await top_window.get(location)
                assert hop.status_code == 302, hop.text
                location = hop.headers["location"]
            assert location.startswith("https://admin.shopify.com/store/ticket/apps/")
            again = await top_window.get(url)
            assert again.status_code == 400 and "already used" in again.text
        assert [t for _, t in await _connections(sqlite_db)] == [tts["shop_id"]]
        forged = await httpx.AsyncClient().get(f"{stack.app_url}/auth/tiktok/start",
                                               params={"ticket": "made-up"})
        assert forged.status_code == 400
    finally:
        await merchant.close()


async def test_a_tiktok_shop_of_another_store_is_refused(stack: LocalStack,
                                                         sqlite_db: Database) -> None:
    first, second = Merchant(stack), Merchant(stack)
    try:
        await first.create_store("owner.myshopify.com", products=1)
        await first.install("owner.myshopify.com")
        tts = await first.create_tiktok_shop("US")
        await first.connect_tiktok(tts["shop_id"])
        await second.create_store("other.myshopify.com", products=1)
        await second.install("other.myshopify.com")
        start = await second.browser.get(f"{stack.app_url}/auth/tiktok/connect",
                                         follow_redirects=False)
        consent = httpx.URL(start.headers["location"]).copy_add_param("shop_id", tts["shop_id"])
        approved = await second.browser.get(consent, follow_redirects=False)
        taken = await second.browser.get(approved.headers["location"], follow_redirects=False)
        assert taken.status_code == 409 and "another Shopify store" in taken.text
        assert len(await _connections(sqlite_db)) == 1
    finally:
        await first.close()
        await second.close()
