"""A buyer redacted by customers/redact stays redacted: the order mirror's upsert strips the
personal keys again when TikTok returns the order with them (a re-poll, a webhook's fetch),
while the order's other fields still update. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ecomsend.db.models import Shop, TikTokOrder, TikTokShop
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.integrations.shopify.webhook_models import CustomersRedactPayload
from ecomsend.integrations.tiktok.models.orders import Order
from ecomsend.sync.compliance import PERSONAL_KEYS, REDACTED_KEY, customers_redact
from ecomsend.sync.inbox import InboundWebhook, Platform
from ecomsend.sync.orders.mirror import upsert_order

DOMAIN = "redact-sticks.myshopify.com"
EMAIL = "jane.buyer@mail.test"


def _order(update_time: int, status: str) -> Order:
    return Order.model_validate({
        "id": "5770001", "status": status, "create_time": 1_780_000_000,
        "update_time": update_time, "buyer_email": EMAIL, "buyer_message": "ring twice",
        "recipient_address": {"name": "Jane Buyer", "phone_number": "+1 555 0100",
                              "full_address": "1 Main St, Austin"}})


async def _seed(db: Database) -> int:
    now = utcnow()
    async with db.unit_of_work() as s:
        shop = Shop(domain=DOMAIN, name="Redact", scopes="", installed_at=now, currency="USD")
        s.add(shop)
        await s.flush()
        tts = TikTokShop(shop_id=shop.id, tiktok_shop_id="7301", cipher="c", region="US",
                         name="Redact US", access_token="at", refresh_token="rt",
                         access_token_expires_at=now + timedelta(days=7),
                         refresh_token_expires_at=now + timedelta(days=300))
        s.add(tts)
        await s.flush()
        return int(tts.id)


async def _payload(db: Database) -> dict[str, Any]:
    async with db.sessionmaker() as s:
        row = (await s.execute(select(TikTokOrder))).scalar_one()
        return dict(row.payload)


async def test_redacted_buyer_stays_redacted_when_the_order_is_read_again(
        any_db: Database) -> None:
    tts_id = await _seed(any_db)
    async with any_db.unit_of_work() as s:
        assert await upsert_order(s, tts_id, _order(1_780_000_100, "AWAITING_SHIPMENT"))
    assert (await _payload(any_db))["buyer_email"] == EMAIL
    redact = CustomersRedactPayload.model_validate({
        "shop_id": 1, "shop_domain": DOMAIN, "customer": {"id": 9, "email": EMAIL},
        "orders_to_redact": []})
    async with any_db.unit_of_work() as s:
        note = await customers_redact(s, None, InboundWebhook(  # type: ignore[arg-type]
            Platform.SHOPIFY, "d1", "customers/redact", DOMAIN, redact))
    assert note.startswith("buyer data erased from 1")
    first = await _payload(any_db)
    assert not set(PERSONAL_KEYS) & set(first) and first[REDACTED_KEY]

    # TikTok returns the order again, newer and with the buyer's data (the order poll).
    async with any_db.unit_of_work() as s:
        assert await upsert_order(s, tts_id, _order(1_780_000_200, "IN_TRANSIT"))
    again = await _payload(any_db)
    assert not set(PERSONAL_KEYS) & set(again), again
    assert again[REDACTED_KEY] == first[REDACTED_KEY] and again["status"] == "IN_TRANSIT"
    async with any_db.sessionmaker() as s:
        assert (await s.execute(select(TikTokOrder.status))).scalar_one() == "IN_TRANSIT"
