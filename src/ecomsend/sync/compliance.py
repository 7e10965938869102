"""Shopify's mandatory compliance webhooks (GDPR), run inside the inbox's transaction.

The only personal data the app holds is the TikTok buyers' (email, name, address, phone, message)
in the TikTok order mirror (`tiktok_order.payload`) and what activity excerpts quoted of it.
- customers/redact: those fields are erased from the buyer's orders and quoting excerpts dropped;
- customers/data_request: the same data is gathered into an export, stored as an activity row
  (kind `compliance`, status `export`, never pruned) that `GET /api/compliance/exports` serves;
- shop/redact: everything of an uninstalled shop is deleted — never an installed one, and only
  48 h after the uninstall, as Shopify sends it.
The shop acted on is the one the signed body names (`shop_domain`), set by the webhook route.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, false, func, or_, select, update

from ecomsend.db.models import (
    ActivityLog,
    OAuthState,
    OrderLink,
    Shop,
    TikTokOrder,
    TikTokShop,
    WebhookReceipt,
)
from ecomsend.db.types import utcnow
from ecomsend.integrations.shopify.webhook_models import (
    CustomersDataRequestPayload,
    CustomersRedactPayload,
)
from ecomsend.sync.inbox import InboundWebhook

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue

#: Keys of a TikTok order (Get Order Detail) that identify or describe the buyer.
PERSONAL_KEYS = ("buyer_email", "buyer_message", "recipient_address", "buyer_user_id",
                 "user_id", "cpf", "cpf_name", "buyer_nickname")
#: Key of the marker a redacted order keeps in its payload (when it was redacted): every later
#: mirror upsert of that order strips the personal keys again, since re-reading the order from
#: TikTok (the order poll, a webhook's fetch) returns the buyer's data.
REDACTED_KEY = "redacted_at"
#: Shopify sends shop/redact 48 h after the uninstall (compliance topic description).
SHOP_REDACT_AFTER = timedelta(hours=48)
EXPORT_KIND, EXPORT_STATUS = "compliance", "export"


def redacted(payload: dict[str, Any], at: str) -> dict[str, Any]:
    """The order payload without the buyer's personal keys, marked redacted at `at` (pure).
    Called by customers_redact and by the order mirror's upsert (`orders.mirror`)."""
    return {k: v for k, v in payload.items() if k not in PERSONAL_KEYS} | {REDACTED_KEY: at}


async def _shop_id(session: AsyncSession, domain: str) -> int | None:
    return (await session.execute(select(Shop.id).where(Shop.domain == domain))).scalar()


def _numeric(order_id: str) -> str:
    return order_id.rsplit("/", 1)[-1]


async def _buyer_orders(session: AsyncSession, shop_id: int,
                        payload: CustomersRedactPayload | CustomersDataRequestPayload,
                        order_ids: list[int]) -> list[TikTokOrder]:
    """The shop's mirrored TikTok orders of this buyer: by the Shopify orders Shopify names
    (through order_link), by email (case-insensitive) or by phone."""
    wanted = {str(i) for i in order_ids}
    linked = (await session.execute(
        select(OrderLink.tiktok_shop_id, OrderLink.tiktok_order_id, OrderLink.shopify_order_id)
        .join(TikTokShop, TikTokShop.id == OrderLink.tiktok_shop_id)
        .where(TikTokShop.shop_id == shop_id))).all()
    pairs = [(r[0], r[1]) for r in linked if _numeric(r[2]) in wanted]
    terms: list[ColumnElement[bool]] = [false()]
    email = (payload.customer.email or "").strip().lower()
    if email:
        terms.append(func.lower(TikTokOrder.payload["buyer_email"].as_string()) == email)
    phone = (payload.customer.phone or "").strip()
    if phone:
        terms.append(TikTokOrder.payload[("recipient_address", "phone_number")].as_string()
                     == phone)
    for tts_id, order_id in pairs:
        terms.append((TikTokOrder.tiktok_shop_id == tts_id) & (TikTokOrder.order_id == order_id))
    shops = select(TikTokShop.id).where(TikTokShop.shop_id == shop_id)
    return list((await session.execute(select(TikTokOrder).where(
        TikTokOrder.tiktok_shop_id.in_(shops), or_(*terms)))).scalars())


async def customers_redact(session: AsyncSession, _queue: JobQueue,
                           webhook: InboundWebhook) -> str:
    """customers/redact: erase the buyer's personal data from the order mirror and excerpts."""
    payload: CustomersRedactPayload = webhook.payload
    shop_id = await _shop_id(session, webhook.shop_key)
    if shop_id is None:
        return "unknown shop; nothing held"
    orders = await _buyer_orders(session, shop_id, payload, payload.orders_to_redact)
    needles = {v for o in orders for v in _personal_values(o.payload)}
    for order in orders:
        order.payload = redacted(order.payload, order.payload.get(REDACTED_KEY)
                                 or utcnow().isoformat())
    if needles:
        quoting = [ActivityLog.request_excerpt.contains(n, autoescape=True) for n in needles] + [
            ActivityLog.response_excerpt.contains(n, autoescape=True) for n in needles]
        await session.execute(update(ActivityLog).where(
            ActivityLog.shop_id == shop_id, or_(*quoting)).values(
            request_excerpt=None, response_excerpt=None))
    return f"buyer data erased from {len(orders)} TikTok order(s)"


def _personal_values(payload: dict[str, Any]) -> set[str]:
    """The strings (≥ 5 chars) of a payload's personal fields, to find excerpts quoting them."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and len(value) >= 5:
            found.add(value)

    for key in PERSONAL_KEYS:
        walk(payload.get(key))
    return found


async def customers_data_request(session: AsyncSession, _queue: JobQueue,
                                 webhook: InboundWebhook) -> str:
    """customers/data_request: store the buyer's data as an export the merchant downloads."""
    payload: CustomersDataRequestPayload = webhook.payload
    shop_id = await _shop_id(session, webhook.shop_key)
    if shop_id is None:
        return "unknown shop; nothing held"
    orders = await _buyer_orders(session, shop_id, payload, payload.orders_requested)
    export = {"customer": payload.customer.model_dump(), "data_request": payload.data_request,
              "orders_requested": payload.orders_requested,
              "tiktok_orders": [{"tiktok_order_id": o.order_id, "status": o.status,
                                 "created": o.create_time.isoformat() if o.create_time else None,
                                 **{k: o.payload[k] for k in PERSONAL_KEYS if k in o.payload}}
                                for o in orders]}
    session.add(ActivityLog(
        shop_id=shop_id, kind=EXPORT_KIND, status=EXPORT_STATUS,
        entity_id=str(payload.customer.id or "")[:64] or None, direction="shopify",
        message=f"customers/data_request: export of {len(orders)} TikTok order(s)",
        response_excerpt=json.dumps(export, default=str), created_at=utcnow()))
    return f"export of {len(orders)} TikTok order(s) stored"


async def shop_redact(session: AsyncSession, _queue: JobQueue, webhook: InboundWebhook) -> str:
    """shop/redact: delete the shop's data (cascades) if it was uninstalled ≥ 48 h ago."""
    shop = (await session.execute(select(Shop.id, Shop.uninstalled_at).where(
        Shop.domain == webhook.shop_key))).first()
    if shop is None:
        return "nothing held"
    if shop.uninstalled_at is None:
        return "shop is installed; not redacted"
    if shop.uninstalled_at > utcnow() - SHOP_REDACT_AFTER:
        return "uninstalled less than 48 h ago; not redacted"
    await session.execute(delete(Shop).where(Shop.id == shop.id))
    await session.execute(delete(OAuthState).where(OAuthState.shop_domain == webhook.shop_key))
    await session.execute(delete(WebhookReceipt).where(
        WebhookReceipt.platform == "shopify", WebhookReceipt.shop_key == webhook.shop_key))
    return "shop data deleted"
