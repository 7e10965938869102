"""Bulk actions of the Orders page: Sync orders, Sync fulfillments, Retry, for selected orders.

Each order is queued for what can help it, in the right direction (seller shipping: Shopify →
TikTok; TikTok shipping: TikTok → Shopify); an order that cannot be helped now is skipped with
the reason, never queued to fail. Ids this connection does not hold (not fetched yet, or
another shop's) are skipped as unknown, so a bulk call reveals nothing about other shops.
Runs in the caller's unit of work (`api_orders`); never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from ecomsend.db.models import OrderLink, TikTokOrder, TikTokShop
from ecomsend.sync import state
from ecomsend.sync.orders import overview
from ecomsend.sync.orders.mirror import (
    ELIGIBLE,
    FULFILLMENT_KIND,
    ORDER_KIND,
    STUB_STATUS,
    TO_SHOPIFY,
    TO_TIKTOK,
    key,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue

BulkWhat = Literal["order", "fulfillment", "retry"]
UNKNOWN = "Not found for this TikTok Shop: use Fetch orders now if it was just placed."


@dataclass
class BulkOutcome:
    queued: list[str] = field(default_factory=list)
    #: (order id, why it was not queued)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def fulfillment_direction(shipping_type: str | None) -> str:
    """TikTok shipping is reported TikTok → Shopify; seller shipping Shopify → TikTok."""
    return TO_SHOPIFY if shipping_type == "TIKTOK" else TO_TIKTOK


def order_skip_reason(status: str) -> str | None:
    """Why an order cannot be imported now, or None when it can (stubs are being fetched)."""
    if status == "CANCELLED":
        return "Cancelled on TikTok: nothing to sync."
    if status != STUB_STATUS and status not in ELIGIBLE:
        return (f"The TikTok order is {status}: it syncs once it reaches Awaiting shipment "
                "(paid, past the on-hold period).")
    return None


async def _rows(session: AsyncSession, tts: TikTokShop, order_ids: list[str],
                ) -> dict[str, tuple[str, str | None, bool]]:
    """`{order_id: (status, shipping_type, linked)}` for the ids this connection holds."""
    linked = select(OrderLink.id).where(OrderLink.tiktok_shop_id == tts.id,
                                        OrderLink.tiktok_order_id == TikTokOrder.order_id)
    rows = await session.execute(
        select(TikTokOrder.order_id, TikTokOrder.status, TikTokOrder.shipping_type,
               linked.exists()).where(TikTokOrder.tiktok_shop_id == tts.id,
                                      TikTokOrder.order_id.in_(order_ids)))
    return {r[0]: (r[1], r[2], bool(r[3])) for r in rows.all()}


async def _one(session: AsyncSession, queue: JobQueue, tts: TikTokShop, order_id: str,
               row: tuple[str, str | None, bool], what: BulkWhat) -> str | None:
    """Queue one order; returns why not when it was skipped."""
    status, shipping_type, linked = row
    if what == "retry":
        await overview.retry(session, queue, tts, order_id)
        return None
    if what == "order":
        reason = None if linked else order_skip_reason(status)
        if reason is None:
            await state.mark_changed(session, queue, key(tts, ORDER_KIND, order_id, TO_SHOPIFY))
        return reason
    if not linked:
        return "Not in Shopify yet: sync the order first."
    await state.mark_changed(session, queue, key(
        tts, FULFILLMENT_KIND, order_id, fulfillment_direction(shipping_type)))
    return None


async def run(session: AsyncSession, queue: JobQueue, tts: TikTokShop, order_ids: list[str],
              what: BulkWhat) -> BulkOutcome:
    """Queue `what` for each selected order (in the order given, duplicates once)."""
    wanted = list(dict.fromkeys(order_ids))
    rows = await _rows(session, tts, wanted)
    outcome = BulkOutcome()
    for order_id in wanted:
        row = rows.get(order_id)
        reason = UNKNOWN if row is None else await _one(session, queue, tts, order_id, row, what)
        if reason is None:
            outcome.queued.append(order_id)
        else:
            outcome.skipped.append((order_id, reason))
    return outcome
