"""The after-sale mirror (`after_sale`): TikTok returns/refunds and cancellation requests as
last read from TikTok, and what a change in them sets in motion.

`record_returns` / `record_cancellations` run inside the caller's unit of work (the fetch job,
the merchant's approve/reject): each upsert never lets an older read overwrite a newer one
(`update_time`), and a return that reached an approved-refund status marks its refund
(kind `refund`, TikTok → Shopify) for the sync to carry into Shopify.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ecomsend.db.models import AfterSale, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.integrations.tiktok.models.returns import Cancellation, ReturnOrder
from ecomsend.sync import state

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue

RETURN, CANCELLATION, SHOPIFY_REFUND = "return", "cancellation", "shopify_refund"
REFUND_KIND, TO_SHOPIFY = "refund", "to_shopify"
#: Return statuses meaning "the buyer is (being) refunded" (Search Returns value list:
#: SUCCESS "The buyer will be refunded", COMPLETE "The buyer has been refunded",
#: REPLACEMENT_REQUEST_REFUND_SUCCESS "resolved by refund").
REFUNDED = frozenset({"RETURN_OR_REFUND_REQUEST_SUCCESS", "RETURN_OR_REFUND_REQUEST_COMPLETE",
                      "REPLACEMENT_REQUEST_REFUND_SUCCESS"})
#: Statuses in which the seller is expected to answer (approve or reject).
AWAITING_SELLER = frozenset({"RETURN_OR_REFUND_REQUEST_PENDING", "BUYER_SHIPPED_ITEM",
                             "REPLACEMENT_REQUEST_PENDING", "CANCELLATION_REQUEST_PENDING"})
#: How far along a request is. TikTok's `update_time` has one-second resolution, so two reads
#: of one request can carry the same time: the further status wins (unknown ones count 0).
_STAGE = {"RETURN_OR_REFUND_REQUEST_PENDING": 1, "REPLACEMENT_REQUEST_PENDING": 1,
          "CANCELLATION_REQUEST_PENDING": 1, "AWAITING_BUYER_RESPONSE": 2,
          "AWAITING_BUYER_SHIP": 2, "BUYER_SHIPPED_ITEM": 3}
_FINAL_STAGE = 4


def stage(status: str | None) -> int:
    """Position of a status in a request's life (decided/closed statuses last)."""
    if not status:
        return 0
    return _STAGE.get(status, 5 if status.endswith("COMPLETE") else _FINAL_STAGE)


def _ts(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def _money(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None


def return_values(item: ReturnOrder) -> dict[str, Any]:
    """The `after_sale` columns of a Search Returns item (pure)."""
    amount = item.refund_amount
    return {"order_id": item.order_id, "request_type": item.return_type or "REFUND",
            "status": item.return_status or "", "role": item.role,
            "reason_text": (item.return_reason_text or item.return_reason or "")[:512] or None,
            "currency": amount.currency if amount else None,
            "refund_total": _money(amount.refund_total) if amount else None,
            "line_item_ids": [li.order_line_item_id for li in item.return_line_items],
            "payload": item.model_dump(mode="json"), "update_time": _ts(item.update_time)}


def cancellation_values(item: Cancellation) -> dict[str, Any]:
    """The `after_sale` columns of a Search Cancellations item (pure)."""
    amount = item.refund_amount or {}
    return {"order_id": item.order_id, "request_type": "CANCEL",
            "status": item.cancel_status or "", "role": item.role,
            "reason_text": (item.cancel_reason_text or item.cancel_reason or "")[:512] or None,
            "currency": amount.get("currency"),
            "refund_total": _money(amount.get("refund_total")),
            "line_item_ids": [li.order_line_item_id for li in item.cancel_line_items
                              if li.order_line_item_id],
            "payload": item.model_dump(mode="json"), "update_time": _ts(item.update_time)}


async def upsert(session: AsyncSession, tts_pk: int, kind: str, external_id: str,
                 values: dict[str, Any]) -> AfterSale | None:
    """Store a read unless what we hold is newer or the same; the row when it changed."""
    row = (await session.execute(select(AfterSale).where(
        AfterSale.tiktok_shop_id == tts_pk, AfterSale.kind == kind,
        AfterSale.external_id == external_id).with_for_update())).scalar_one_or_none()
    if row is None:
        row = AfterSale(tiktok_shop_id=tts_pk, kind=kind, external_id=external_id,
                        created_at=utcnow())
        session.add(row)
    else:
        newer = values["update_time"]
        if row.update_time and newer and (newer < row.update_time or (
                newer == row.update_time and stage(values["status"]) < stage(row.status))):
            return None  # a late, older read
        if row.status == values["status"] and row.payload == values["payload"]:
            return None
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    await session.flush()
    return row


async def record_returns(session: AsyncSession, queue: JobQueue, tts: TikTokShop,
                         items: Iterable[ReturnOrder]) -> int:
    """Mirror returns; mark the Shopify refund of each one TikTok refunds (the handler skips
    orders that never reached Shopify). Returns how many rows changed."""
    changed = 0
    for item in items:
        row = await upsert(session, tts.id, RETURN, item.return_id, return_values(item))
        if row is None:
            continue
        changed += 1
        if row.status in REFUNDED and row.shopify_refund_id is None:
            await state.mark_changed(session, queue, state.EntityKey(
                tts.shop_id, tts.id, REFUND_KIND, row.external_id, TO_SHOPIFY))
    return changed


async def record_cancellations(session: AsyncSession, tts: TikTokShop,
                               items: Iterable[Cancellation]) -> int:
    """Mirror cancellation requests (a completed one reaches Shopify through the order sync,
    which cancels the Shopify order). Returns how many rows changed."""
    changed = 0
    for item in items:
        if await upsert(session, tts.id, CANCELLATION, item.cancel_id,
                        cancellation_values(item)) is not None:
            changed += 1
    return changed
