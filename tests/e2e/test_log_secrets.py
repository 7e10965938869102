"""Nothing secret reaches a log line. The app runs as `ecomsend serve` in its own process at the
default log level (INFO, access log on) with its output captured; a full flow runs through it —
Shopify OAuth, TikTok OAuth (its token endpoint takes app_secret and auth_code in the query),
an embedded load with an id_token, webhooks, API calls — and then the log is searched for every
secret and token the flow used."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
from sqlalchemy import select

from conftest import TEST_TOKEN_KEY
from ecomsend.db.migrate import upgrade
from ecomsend.db.models import Shop, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.stack import SHOPIFY_SECRET, TIKTOK_SECRET, LocalStack, Merchant

DOMAIN = "log-secrets.myshopify.com"
#: A secret query parameter whose value was written out rather than redacted.
LEAKED_PARAM = re.compile(
    r"(?:app_secret|client_secret|auth_code|refresh_token|access_token|id_token|[?&]code|"
    r"[?&]hmac|[?&]state)=(?!\[redacted\])[^&\s\"']+", re.IGNORECASE)


async def _flow(stack: LocalStack) -> tuple[str, list[str]]:
    """Run the flow; returns the id_token it used and the TikTok shop id."""
    merchant = Merchant(stack)
    try:
        await merchant.create_store(DOMAIN, products=4)
        await merchant.install(DOMAIN)
        tts = await merchant.create_tiktok_shop("US")
        await merchant.connect_tiktok(tts["shop_id"])
        control = f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}"
        launch = (await merchant.browser.post(f"{control}/launch", json={
            "url": f"{stack.app_url}/", "embedded": True})).json()["url"]
        assert (await merchant.browser.get(launch)).status_code == 200
        id_token = str(httpx.URL(launch).params["id_token"])
        async with asyncio.timeout(60):  # the setup job (bulk import, webhooks) finishes
            while (await merchant.browser.get(
                    f"{stack.app_url}/api/home")).status_code >= 500:
                await asyncio.sleep(0.5)
            await asyncio.sleep(3)
        return id_token, [str(tts["shop_id"])]
    finally:
        await merchant.close()


async def _stored_tokens(stack: LocalStack) -> list[str]:
    db = Database(stack.settings)
    try:
        async with db.sessionmaker() as session:
            shop = (await session.execute(select(Shop))).scalar_one()
            tiktok = (await session.execute(select(TikTokShop))).scalar_one()
    finally:
        await db.dispose()
    tokens = [shop.access_token, shop.refresh_token, tiktok.access_token, tiktok.refresh_token]
    return [t for t in tokens if t]


async def test_a_full_flow_logs_no_secret(tmp_path: Path) -> None:
    log_file = tmp_path / "app.log"
    stack = LocalStack(tmp_path, sandboxes_in_processes=True, app_in_process=False,
                       app_log=log_file, settings_overrides={
                           "token_encryption_key": TEST_TOKEN_KEY, "log_level": "INFO",
                           "log_format": "json"})
    await asyncio.to_thread(upgrade, stack.settings)
    with stack:
        id_token, _ = await _flow(stack)
        tokens = await _stored_tokens(stack)
    log = log_file.read_text()
    assert "GET /auth/shopify/callback?" in log  # the access log was on: the check can fail
    assert "code=[redacted]" in log
    secrets = [SHOPIFY_SECRET, TIKTOK_SECRET, id_token, *tokens]
    assert len(tokens) == 4
    leaked = [s[:12] + "…" for s in secrets if s in log]
    assert leaked == [], f"secrets in the app log: {leaked}"
    assert LEAKED_PARAM.findall(log) == []
