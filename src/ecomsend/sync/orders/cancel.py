"""Cancellations both ways.

- TikTok → Shopify: a cancelled TikTok order whose Shopify order exists cancels that order
  (restock per setting); called by the order handler.
- Shopify → TikTok (kind `order_cancel`, `to_tiktok`): a Shopify-side cancellation of a synced
  order cancels the TikTok order with the seller-cancel API while TikTok allows it (before it
  ships); otherwise the merchant sees what to do on TikTok.

The TikTok client has no method for seller-initiated cancellation
(`POST /return_refund/202309/cancellations`, reference §4.9), so the endpoint is declared here
and sent through the client's signed transport.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ecomsend.db.models import OrderLink, Shop, TikTokShop
from ecomsend.integrations.shopify.webhook_models import OrderPayload
from ecomsend.integrations.tiktok.endpoints import Endpoint
from ecomsend.integrations.tiktok.models.orders import Order
from ecomsend.services import tiktok_context
from ecomsend.sync import state
from ecomsend.sync.errors import PushResult, SyncPermanent
from ecomsend.sync.inbox import InboundWebhook
from ecomsend.sync.orders.context import OrderContext, load_order, order_gid
from ecomsend.sync.orders.errors import platform_errors
from ecomsend.sync.orders.mirror import CANCEL_KIND, TO_TIKTOK, key

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue
    from ecomsend.jobs.registry import TaskContext
    from ecomsend.sync.state import Lease

SELLER_CANCEL = Endpoint("cancellation_create", "POST", "/return_refund/202309/cancellations",
                         idempotent=False)
#: Seller cancel reason sent to TikTok (reason codes: reference §4.9 / Get Reject Reasons).
SELLER_CANCEL_REASON = "seller_cancel_reason_out_of_stock"
#: Statuses in which the seller may still cancel on TikTok.
SELLER_CANCELLABLE = frozenset({"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"})
SHOPIFY_REASON = {"BUYER": "CUSTOMER", "SELLER": "STAFF", "SYSTEM": "OTHER"}


async def cancel_in_shopify(ctx: TaskContext, oc: OrderContext,
                            shopify_order_id: str | None = None) -> PushResult:
    """Cancel the linked Shopify order, or `shopify_order_id` (an order just found and linked
    by the order handler); a no-op when it is already cancelled."""
    target = shopify_order_id or (oc.link.shopify_order_id if oc.link is not None else None)
    assert target is not None
    client = ctx.need_services().shopify(oc.shop)
    extra = oc.order.model_extra or {}
    initiator = str(oc.order.cancellation_initiator or extra.get("cancel_user") or "BUYER")
    async with platform_errors("Cancelling the Shopify order"):
        current = await client.order(target)
        if current is None or current.cancelled_at is not None:
            return PushResult(api_calls=1, details={"cancelled": "already"})
        await client.cancel_order(
            target, reason=SHOPIFY_REASON.get(initiator.upper(), "OTHER"),
            restock=oc.prefs.order.restock_on_cancel,
            staff_note=f"Cancelled on TikTok Shop by {initiator.lower()}: "
                       f"{oc.order.cancel_reason or 'no reason given'}"[:255])
    return PushResult(api_calls=2, details={"cancelled": target})


def _manual_steps(order_id: str, status: str) -> str:
    return (f"Cancelled in Shopify, but the TikTok order {order_id} is {status} and can no longer "
            "be cancelled by the seller. In TikTok Shop Seller Center open Orders → "
            f"{order_id} and handle it there (return/refund once the buyer asks).")


async def _tiktok_order(ctx: TaskContext, tts: TikTokShop, order_id: str) -> Order:
    tiktok = ctx.need_services().tiktok
    async with platform_errors("Reading the TikTok order"):
        details = await tiktok.orders.get_order_detail(tiktok_context(tts), [order_id])
    if not details.orders:
        raise SyncPermanent(f"TikTok order {order_id} was not found.")
    return details.orders[0]


async def sync_cancel_to_tiktok(ctx: TaskContext, lease: Lease) -> PushResult:
    """Handler for (`order_cancel`, `to_tiktok`)."""
    async with ctx.db.sessionmaker() as session:
        oc = await load_order(session, lease.key)
    order = await _tiktok_order(ctx, oc.tts, oc.order.id)
    if order.status == "CANCELLED":
        return PushResult(api_calls=1, details={"tiktok": "already cancelled"})
    if order.status not in SELLER_CANCELLABLE:
        raise SyncPermanent(_manual_steps(order.id, order.status))
    if not oc.prefs.order.cancel_on_tiktok:
        raise SyncPermanent(f"Cancelled in Shopify only: cancel TikTok order {order.id} in "
                            "TikTok Shop Seller Center (Orders → Cancel order), or turn on "
                            "'Cancel on TikTok' in the order settings and Retry.")
    transport = ctx.need_services().tiktok.transport
    async with platform_errors("Cancelling the TikTok order"):
        await transport.call(SELLER_CANCEL, tiktok_context(oc.tts),
                             body={"order_id": order.id, "cancel_reason": SELLER_CANCEL_REASON})
    return PushResult(api_calls=2, details={"tiktok": "cancelled"})


async def links_for_shopify_order(session: AsyncSession, domain: str,
                                  shopify_order_id: str) -> list[tuple[TikTokShop, OrderLink]]:
    rows = await session.execute(
        select(TikTokShop, OrderLink).join(OrderLink, OrderLink.tiktok_shop_id == TikTokShop.id)
        .join(Shop, Shop.id == TikTokShop.shop_id)
        .where(Shop.domain == domain, OrderLink.shopify_order_id == shopify_order_id))
    return [(row[0], row[1]) for row in rows.all()]


def payload_order_gid(payload: Any) -> str | None:
    if isinstance(payload, OrderPayload):
        return payload.admin_graphql_api_id or order_gid(payload.id)
    return None


async def on_shopify_order_cancelled(session: AsyncSession, queue: JobQueue,
                                     webhook: InboundWebhook) -> str:
    """orders/cancelled: a synced order cancelled in Shopify → carry it to TikTok."""
    gid = payload_order_gid(webhook.payload)
    if gid is None:
        return "unparsed payload"
    links = await links_for_shopify_order(session, webhook.shop_key, gid)
    for tts, link in links:
        await state.mark_changed(session, queue,
                                 key(tts, CANCEL_KIND, link.tiktok_order_id, TO_TIKTOK))
    return f"{len(links)} TikTok order(s) to cancel" if links else "not a TikTok order"
