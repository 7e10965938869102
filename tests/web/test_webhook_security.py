"""Webhook headers are not signed (only the body is): captured, correctly signed deliveries
re-sent with swapped headers change nothing; GDPR topics erase, export and redact what they
must; malformed but signed bodies are answered 200/400, never 500. Real HTTP, SQLite and PG."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, update

from ecomsend.db.models import (
    ActivityLog,
    OrderLink,
    Shop,
    ShopifyProduct,
    TikTokOrder,
    TikTokShop,
    WebhookReceipt,
)
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.serving import BackgroundServer
from ecomsend.web.app import create_app

from .home_activity_seed import Seeded, add_activity, client_for, seed_shop

A, B = "victim-a.myshopify.com", "victim-b.myshopify.com"


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


@pytest.fixture
async def served(db: Database) -> AsyncIterator[tuple[httpx.AsyncClient, Seeded, Seeded]]:
    a = await seed_shop(db, A, "7101")
    b = await seed_shop(db, B, "7102")
    with BackgroundServer(create_app(db.settings, run_worker=False)) as url:
        async with httpx.AsyncClient(base_url=url, timeout=20) as http:
            yield http, a, b


def _signed(db: Database, body: bytes, topic: str, shop: str) -> dict[str, str]:
    key = db.settings.shopify_api_secret.get_secret_value().encode()
    digest = base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()
    return {"X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": digest,
            "X-Shopify-Shop-Domain": shop, "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "Content-Type": "application/json"}


async def _post(http: httpx.AsyncClient, db: Database, body: Any, topic: str,
                shop: str) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await http.post("/webhooks/shopify", content=raw,
                           headers=_signed(db, raw, topic, shop))


def _product(n: int, title: str = "Tee", updated: str = "2026-12-01T10:00:00Z") -> dict[str, Any]:
    return {"id": n, "admin_graphql_api_id": f"gid://shopify/Product/{n}", "title": title,
            "status": "active", "updated_at": updated,
            "variants": [{"id": n + 1, "sku": f"S{n}", "price": "10.00",
                          "inventory_item_id": n + 2}]}


async def _products_of(db: Database, shop_id: int) -> list[str]:
    async with db.sessionmaker() as s:
        return list((await s.execute(select(ShopifyProduct.shopify_id).where(
            ShopifyProduct.shop_id == shop_id))).scalars())


async def _shop(db: Database, domain: str) -> Shop | None:
    async with db.sessionmaker() as s:
        return (await s.execute(select(Shop).where(Shop.domain == domain))).scalar_one_or_none()


async def test_captured_products_update_resent_to_another_shop_changes_nothing(
        db: Database, served: tuple[httpx.AsyncClient, Seeded, Seeded]) -> None:
    http, a, b = served
    body = json.dumps(_product(9001)).encode()
    assert (await _post(http, db, body, "products/update", A)).status_code == 200
    assert await _products_of(db, a.shop_id) == ["gid://shopify/Product/9001"]
    # Re-sent under B's domain with a fresh webhook id (and as products/create).
    for topic in ("products/update", "products/create"):
        assert (await _post(http, db, body, topic, B)).status_code == 200
    assert await _products_of(db, b.shop_id) == []
    # Even after the receipts are pruned, a product of A's is never added to B.
    async with db.unit_of_work() as s:
        await s.execute(delete(WebhookReceipt))
    assert (await _post(http, db, body, "products/update", B)).status_code == 200
    assert await _products_of(db, b.shop_id) == []


async def test_app_uninstalled_acts_on_the_shop_the_body_names(
        db: Database, served: tuple[httpx.AsyncClient, Seeded, Seeded]) -> None:
    http, _a, _b = served
    body = json.dumps({"id": 1, "name": "A", "myshopify_domain": A, "domain": A}).encode()
    assert (await _post(http, db, body, "app/uninstalled", B)).status_code == 200
    shop_a, shop_b = await _shop(db, A), await _shop(db, B)
    assert shop_a is not None and shop_a.uninstalled_at is not None
    assert shop_b is not None and shop_b.uninstalled_at is None
    # A products/update body re-sent as app/uninstalled does not fit the topic: nothing done.
    product = json.dumps(_product(9100)).encode()
    assert (await _post(http, db, product, "app/uninstalled", B)).status_code == 200
    shop_b = await _shop(db, B)
    assert shop_b is not None and shop_b.uninstalled_at is None


async def test_data_request_resent_as_shop_redact_deletes_nothing(
        db: Database, served: tuple[httpx.AsyncClient, Seeded, Seeded]) -> None:
    http, _a, _b = served
    request = {"shop_id": 1, "shop_domain": A, "customer": {"id": 5, "email": "x@y.z"},
               "orders_requested": [], "data_request": {"id": 9}}
    raw = json.dumps(request).encode()
    for topic in ("customers/data_request", "shop/redact", "customers/redact"):
        assert (await _post(http, db, raw, topic, A)).status_code == 200
    # A shop/redact body for an installed shop (or one uninstalled 1 h ago) deletes nothing.
    redact = {"shop_id": 1, "shop_domain": A}
    assert (await _post(http, db, redact, "shop/redact", B)).status_code == 200
    assert await _shop(db, A) is not None
    async with db.unit_of_work() as s:
        await s.execute(update(Shop).where(Shop.domain == A).values(
            uninstalled_at=utcnow() - timedelta(hours=1)))
    assert (await _post(http, db, {**redact, "x": 1}, "shop/redact", A)).status_code == 200
    assert await _shop(db, A) is not None
    async with db.unit_of_work() as s:
        await s.execute(update(Shop).where(Shop.domain == A).values(
            uninstalled_at=utcnow() - timedelta(hours=49)))
    # Header names B; the signed body names A: A (uninstalled 49 h ago) goes, B stays.
    assert (await _post(http, db, {**redact, "x": 2}, "shop/redact", B)).status_code == 200
    assert await _shop(db, A) is None and await _shop(db, B) is not None
    async with db.sessionmaker() as s:
        left = (await s.execute(select(func.count()).select_from(TikTokShop))).scalar_one()
    assert left == 1


async def _orders(db: Database, seeded: Seeded) -> None:
    async with db.unit_of_work() as s:
        for oid, email, phone in (("5801", "Buyer@Mail.test", "+1 555 0100"),
                                  ("5802", "other@mail.test", "+1 555 0199"),
                                  ("5803", "noemail", "+1 555 0100")):
            s.add(TikTokOrder(tiktok_shop_id=seeded.tts_id, order_id=oid,
                              status="AWAITING_SHIPMENT", create_time=utcnow(),
                              payload={"id": oid, "buyer_email": email,
                                       "buyer_message": "leave at door",
                                       "recipient_address": {"name": f"Name {oid}",
                                                             "phone_number": phone,
                                                             "full_address": "1 Main St"}}))
        s.add(OrderLink(tiktok_shop_id=seeded.tts_id, tiktok_order_id="5802",
                        shopify_order_id="gid://shopify/Order/4402"))


async def test_customers_redact_erases_that_buyer_and_data_request_exports(
        db: Database, served: tuple[httpx.AsyncClient, Seeded, Seeded]) -> None:
    http, a, b = served
    await _orders(db, a)
    await _orders(db, b)  # same buyer at another store: untouched
    await add_activity(db, a, [{"kind": "order", "status": "failed",
                                "request_excerpt": '{"email": "Buyer@Mail.test"}'}])
    request = {"shop_id": 1, "shop_domain": A, "customer": {"id": 77,
               "email": "buyer@mail.test", "phone": "+1 555 0100"},
               "orders_requested": [4402], "data_request": {"id": 3}}
    assert (await _post(http, db, request, "customers/data_request", A)).status_code == 200
    async with client_for(db, str(http.base_url), a) as mine, \
            client_for(db, str(http.base_url), b) as theirs:
        listed = (await mine.get("/api/compliance/exports")).json()
        assert len(listed) == 1 and listed[0]["customer_id"] == "77"
        export = (await mine.get(f"/api/compliance/exports/{listed[0]['id']}")).json()["data"]
        assert sorted(o["tiktok_order_id"] for o in export["tiktok_orders"]) == [
            "5801", "5802", "5803"]
        assert (await theirs.get(f"/api/compliance/exports/{listed[0]['id']}")).status_code == 404
        assert (await theirs.get("/api/compliance/exports")).json() == []
    redact = {"shop_id": 1, "shop_domain": A, "customer": {"id": 77, "email": "buyer@mail.test"},
              "orders_to_redact": [4402]}
    assert (await _post(http, db, redact, "customers/redact", A)).status_code == 200
    async with db.sessionmaker() as s:
        rows = {(o.tiktok_shop_id, o.order_id): o.payload for o in
                (await s.execute(select(TikTokOrder))).scalars()}
        excerpts = (await s.execute(select(ActivityLog.request_excerpt).where(
            ActivityLog.kind == "order"))).scalars().all()
    assert "buyer_email" not in rows[(a.tts_id, "5801")]  # by email
    assert "recipient_address" not in rows[(a.tts_id, "5802")]  # by the Shopify order
    assert rows[(a.tts_id, "5803")]["buyer_email"] == "noemail"  # phone not sent this time
    assert all(rows[(b.tts_id, o)].get("buyer_email") for o in ("5801", "5802"))
    assert excerpts == [None]


async def test_malformed_signed_bodies_are_answered_without_a_500(
        db: Database, served: tuple[httpx.AsyncClient, Seeded, Seeded]) -> None:
    http, a, _b = served
    deep = b"[" * 5000 + b"]" * 5000
    for body, topic in ((b'{"id": "not a number"}', "products/update"),
                        (b"not json", "orders/create"),
                        (deep, "products/update"), (deep, "customers/redact"),
                        (b'{"id": NaN}', "products/update"), (b'{"id": 1e400}', "products/delete"),
                        (json.dumps({"id": 2**70}).encode(), "products/delete"),
                        (b'{"shop_id": 1, "shop_domain": "\\u0000evil"}', "shop/redact")):
        assert (await _post(http, db, body, topic, A)).status_code == 200, (body[:30], topic)
    assert await _products_of(db, a.shop_id) == []
    key = db.settings.tiktok_app_secret.get_secret_value().encode()
    app_key = db.settings.tiktok_app_key.encode()
    for body in (deep, b"{", b'{"type": 1, "shop_id": "\\u0000", "data": {}}'):
        sig = hmac.new(key, app_key + body, hashlib.sha256).hexdigest()
        response = await http.post("/webhooks/tiktok", content=body,
                                   headers={"Authorization": sig})
        assert response.status_code in (200, 400), body[:30]


async def test_tiktok_events_without_notification_id_in_one_second_are_both_kept(
        db: Database, served: tuple[httpx.AsyncClient, Seeded, Seeded]) -> None:
    http, _a, _b = served
    key = db.settings.tiktok_app_secret.get_secret_value().encode()
    app_key = db.settings.tiktok_app_key.encode()
    for status in ("AWAITING_SHIPMENT", "CANCELLED", "CANCELLED"):
        body = json.dumps({"type": 1, "shop_id": "7101", "timestamp": 1764000000,
                           "data": {"order_id": "5801", "order_status": status}}).encode()
        sig = hmac.new(key, app_key + body, hashlib.sha256).hexdigest()
        assert (await http.post("/webhooks/tiktok", content=body,
                                headers={"Authorization": sig})).status_code == 200
    async with db.sessionmaker() as s:
        count = (await s.execute(select(func.count()).select_from(WebhookReceipt).where(
            WebhookReceipt.platform == "tiktok"))).scalar_one()
    assert count == 2  # two different events; the third is a repeat of the second


async def test_a_products_update_just_after_uninstall_is_not_applied(
        db: Database, served: tuple[httpx.AsyncClient, Seeded, Seeded]) -> None:
    http, a, _b = served
    assert (await _post(http, db, _product(9200), "products/update", A)).status_code == 200
    uninstall = {"id": 1, "myshopify_domain": A}
    assert (await _post(http, db, uninstall, "app/uninstalled", A)).status_code == 200
    changed = _product(9300, updated="2026-12-02T10:00:00Z")
    assert (await _post(http, db, changed, "products/update", A)).status_code == 200
    assert await _products_of(db, a.shop_id) == ["gid://shopify/Product/9200"]


async def test_session_cookie_expires(db: Database,
                                      served: tuple[httpx.AsyncClient, Seeded, Seeded]) -> None:
    import time

    import jwt

    from ecomsend.web.session import COOKIE_NAME, SESSION_TTL_S

    http, a, _b = served
    key = db.settings.session_key()
    for claims in ({"sub": str(a.shop_id), "shop": A, "exp": int(time.time()) - 5},
                   {"sub": str(a.shop_id), "shop": A}):  # expired; no expiry at all
        token = jwt.encode(claims, key, algorithm="HS256")
        response = await http.get("/api/session", cookies={COOKIE_NAME: token})
        assert response.status_code == 401, claims
    assert 0 < SESSION_TTL_S <= 24 * 3600
