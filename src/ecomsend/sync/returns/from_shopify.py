"""A refund made in Shopify for a TikTok order (refunds/create): recorded on the order so the
Orders page shows it with guidance. TikTok Shop has no API for a seller to refund a buyer
outside a buyer's request (the return-and-refund docs offer Search/Approve/Reject and Create
Return only), so the app cannot carry the money over: the merchant settles it in Seller Center.
Refunds our own sync made (their note starts with `mapping.NOTE_PREFIX`) are not recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ecomsend.integrations.shopify.webhook_models import RefundPayload
from ecomsend.sync.inbox import InboundWebhook
from ecomsend.sync.orders.cancel import links_for_shopify_order
from ecomsend.sync.orders.context import order_gid
from ecomsend.sync.returns import mapping
from ecomsend.sync.returns.mirror import SHOPIFY_REFUND, upsert

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue

STATUS = "REFUNDED_IN_SHOPIFY"
GUIDANCE = ("Refunded in Shopify only. TikTok Shop offers no API to refund a buyer from an app: "
            "if the buyer should get this money back on TikTok, settle it in TikTok Shop Seller "
            "Center (Orders → the order → Returns/Refunds), or ask the buyer to request a refund "
            "there and approve it here.")


def refunded_amount(payload: RefundPayload) -> Decimal:
    """Sum of the refund's successful refund transactions."""
    total = Decimal(0)
    for t in payload.transactions:
        if (t.kind or "refund") == "refund" and (t.status or "success") == "success":
            try:
                total += Decimal(t.amount or "0")
            except InvalidOperation:
                continue
    return total


def shopify_refund_values(payload: RefundPayload, order_id: str) -> dict[str, Any]:
    """The `after_sale` columns of a Shopify refund of a TikTok order (pure)."""
    currency = next((t.currency for t in payload.transactions if t.currency), None)
    created = payload.created_at
    when = datetime.fromisoformat(created) if created else datetime.now(UTC)
    return {"order_id": order_id, "request_type": "SHOPIFY_REFUND", "status": STATUS,
            "role": "SELLER", "reason_text": (payload.note or "")[:512] or None,
            "currency": currency, "refund_total": refunded_amount(payload),
            "line_item_ids": [], "payload": payload.model_dump(mode="json"),
            "update_time": when}


async def on_shopify_refund(session: AsyncSession, queue: JobQueue,
                            webhook: InboundWebhook) -> str:
    """refunds/create: record a merchant's Shopify refund of a synced TikTok order."""
    payload = webhook.payload
    if not isinstance(payload, RefundPayload):
        return "unparsed payload"
    if mapping.is_ours(payload.note):
        return "our own refund of a TikTok return"
    links = await links_for_shopify_order(session, webhook.shop_key, order_gid(payload.order_id))
    refund_id = payload.admin_graphql_api_id or f"gid://shopify/Refund/{payload.id}"
    for tts, link in links:
        await upsert(session, tts.id, SHOPIFY_REFUND, refund_id,
                     shopify_refund_values(payload, link.tiktok_order_id))
    return f"recorded on {len(links)} TikTok order(s)" if links else "not a TikTok order"
