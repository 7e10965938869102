"""Webhook routes over real HTTP: forged → 401 and nothing written; verified → recorded once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import func, select

from ecomsend.db.models import ActivityLog, Shop, TikTokShop, WebhookReceipt
from ecomsend.db.session import Database
from ecomsend.serving import BackgroundServer
from ecomsend.web.app import create_app

SHOP = "inbox-test.myshopify.com"


@pytest.fixture
def app_url(sqlite_db: Database) -> Iterator[str]:
    with BackgroundServer(create_app(sqlite_db.settings, run_worker=False)) as url:
        yield url


@pytest.fixture
async def client(app_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=app_url, timeout=10) as http:
        yield http


def shopify_headers(db: Database, body: bytes, topic: str, webhook_id: str | None = None,
                    secret: str | None = None) -> dict[str, str]:
    key = secret or db.settings.shopify_api_secret.get_secret_value()
    digest = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()
    return {"X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": digest,
            "X-Shopify-Shop-Domain": SHOP, "X-Shopify-API-Version": "2026-07",
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "Content-Type": "application/json"}


def tiktok_signature(db: Database, body: bytes, secret: str | None = None) -> str:
    key = secret or db.settings.tiktok_app_secret.get_secret_value()
    return hmac.new(key.encode(), db.settings.tiktok_app_key.encode() + body,
                    hashlib.sha256).hexdigest()


async def _counts(db: Database) -> tuple[int, int]:
    async with db.sessionmaker() as session:
        receipts = (await session.execute(select(func.count()).select_from(WebhookReceipt))
                    ).scalar_one()
        logs = (await session.execute(select(func.count()).select_from(ActivityLog))).scalar_one()
    return int(receipts), int(logs)


async def _installed_shop(db: Database) -> None:
    async with db.unit_of_work() as session:
        shop = Shop(domain=SHOP, scopes="read_products", access_token="shpat_live",
                    refresh_token="shprt_live")
        session.add(shop)
        await session.flush()
        session.add(TikTokShop(shop_id=shop.id, tiktok_shop_id="7494049642642441621",
                               cipher="ROW_x", region="US", access_token="tt_live",
                               refresh_token="tt_refresh"))


@pytest.mark.parametrize("forgery", ["wrong-secret", "no-signature", "tampered-body"])
async def test_forged_shopify_webhook_is_401_and_changes_nothing(
        sqlite_db: Database, client: httpx.AsyncClient, forgery: str) -> None:
    await _installed_shop(sqlite_db)
    body = json.dumps({"id": 1}).encode()
    headers = shopify_headers(sqlite_db, body, "app/uninstalled",
                              secret="attacker" if forgery == "wrong-secret" else None)
    if forgery == "no-signature":
        del headers["X-Shopify-Hmac-Sha256"]
    sent = body.replace(b"1", b"2") if forgery == "tampered-body" else body
    response = await client.post("/webhooks/shopify", content=sent, headers=headers)
    assert response.status_code == 401
    assert await _counts(sqlite_db) == (0, 0)
    async with sqlite_db.sessionmaker() as session:
        shop = (await session.execute(select(Shop))).scalar_one()
    assert shop.uninstalled_at is None and shop.access_token == "shpat_live"


async def test_app_uninstalled_is_applied_once_however_often_delivered(
        sqlite_db: Database, client: httpx.AsyncClient) -> None:
    await _installed_shop(sqlite_db)
    body = json.dumps({"id": 548380009, "domain": SHOP, "myshopify_domain": SHOP}).encode()
    headers = shopify_headers(sqlite_db, body, "app/uninstalled", webhook_id="wh-1")
    for _ in range(3):
        response = await client.post("/webhooks/shopify", content=body, headers=headers)
        assert response.status_code == 200 and response.content == b""
    assert await _counts(sqlite_db) == (1, 1)
    async with sqlite_db.sessionmaker() as session:
        shop = (await session.execute(select(Shop))).scalar_one()
    assert shop.uninstalled_at is not None and shop.access_token is None


async def test_unhandled_topic_is_recorded_and_acknowledged(sqlite_db: Database,
                                                            client: httpx.AsyncClient) -> None:
    body = b'{"id": 7}'
    response = await client.post("/webhooks/shopify", content=body,
                                 headers=shopify_headers(sqlite_db, body, "collections/create"))
    assert response.status_code == 200
    async with sqlite_db.sessionmaker() as session:
        log = (await session.execute(select(ActivityLog))).scalar_one()
    assert log.status == "ignored" and "collections/create" in (log.message or "")


async def test_tiktok_forged_is_401_and_deauthorization_is_applied_once(
        sqlite_db: Database, client: httpx.AsyncClient) -> None:
    await _installed_shop(sqlite_db)
    body = json.dumps({"type": 6, "tts_notification_id": "7327112393057371910",
                       "shop_id": "7494049642642441621", "timestamp": 1644412885,
                       "data": {"message": "seller deauthorized"}}).encode()
    forged = await client.post("/webhooks/tiktok", content=body,
                               headers={"Authorization": tiktok_signature(sqlite_db, body, "x")})
    assert forged.status_code == 401 and await _counts(sqlite_db) == (0, 0)
    good = {"Authorization": tiktok_signature(sqlite_db, body)}
    for _ in range(2):
        response = await client.post("/webhooks/tiktok", content=body, headers=good)
        assert response.status_code == 200 and response.content == b""
    assert await _counts(sqlite_db) == (1, 1)
    async with sqlite_db.sessionmaker() as session:
        tts = (await session.execute(select(TikTokShop))).scalar_one()
    assert tts.disconnected_at is not None and tts.access_token is None


async def test_oversized_bodies_are_refused_before_they_are_read(
        client: httpx.AsyncClient, sqlite_db: Database) -> None:
    from ecomsend.web.webhooks import MAX_WEBHOOK_BYTES

    big = b"{" + b" " * MAX_WEBHOOK_BYTES + b"}"
    declared = await client.post("/webhooks/shopify", content=big,
                                 headers=shopify_headers(sqlite_db, big, "products/update"))
    assert declared.status_code == 413

    async def chunked():  # no Content-Length: the cap holds while streaming
        for _ in range(MAX_WEBHOOK_BYTES // 65536 + 2):
            yield b" " * 65536

    streamed = await client.post("/webhooks/tiktok", content=chunked(),
                                 headers={"Authorization": "x"})
    assert streamed.status_code == 413
    async with sqlite_db.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(WebhookReceipt))
                ).scalar_one() == 0
