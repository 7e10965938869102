"""The TikTok order mirror (`tiktok_order` + lines) and what a change in it sets in motion.

`record_orders` runs inside the caller's unit of work (fetch job, poll job): it upserts each
order — never letting an older read overwrite a newer one (out-of-order webhooks, polling
racing webhooks) — and marks the affected sync rows changed: the order (TikTok → Shopify) when
auto sync is on or the order is already linked, and the fulfillment (TikTok → Shopify) when
TikTok shipped a linked order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ecomsend.db.models import OrderLink, SyncState, TikTokOrder, TikTokOrderLine, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.integrations.tiktok.models.orders import Order
from ecomsend.sync import state
from ecomsend.sync.compliance import REDACTED_KEY, redacted
from ecomsend.sync.orders import settings as settings_mod
from ecomsend.sync.orders.mapping import money

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue

ORDER_KIND, FULFILLMENT_KIND, CANCEL_KIND = "order", "fulfillment", "order_cancel"
TO_SHOPIFY, TO_TIKTOK = "to_shopify", "to_tiktok"
SELLER_FULFILLED = "FULFILLMENT_BY_SELLER"
#: Statuses at which an order is imported: paid and past the on-hold period (reference §4.7).
ELIGIBLE = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
                      "IN_TRANSIT", "DELIVERED", "COMPLETED"})
#: Order statuses in lifecycle order (reference §4.7). TikTok's `update_time` has one-second
#: resolution, so two reads of one order can carry the same time: the further status wins.
LIFECYCLE = ("", "UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING",
             "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED")
SHIPPED = frozenset({"AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED",
                     "PARTIALLY_SHIPPING"})


def content_hash(order: Order) -> str:
    raw = json.dumps(order.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def _ts(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def key(tts: TikTokShop, kind: str, order_id: str, direction: str) -> state.EntityKey:
    return state.EntityKey(tts.shop_id, tts.id, kind, order_id, direction)


def tiktok_shipped(order: Order) -> bool:
    """TikTok shipped it (TikTok shipping) and some line item carries a tracking number."""
    return (order.shipping_type == "TIKTOK"
            and any(li.tracking_number for li in order.line_items))


#: `status` of a placeholder row: a webhook named the order, its fetch has not run yet.
STUB_STATUS = ""
#: `content_hash` after a fetch that found nothing newer (keeps the row out of the fetch queue).
REFETCHED = "refetched"


async def mark_stale(session: AsyncSession, tts_pk: int, order_ids: list[str]) -> None:
    """Queue these orders for (re)fetching: a placeholder row for a new order, and a cleared
    content hash for a known one (the fetch job reads what is stale, 50 orders a call)."""
    for order_id in order_ids:
        stmt = dialect_insert(session, TikTokOrder).values(
            tiktok_shop_id=tts_pk, order_id=order_id, status=STUB_STATUS, payload={},
            content_hash=None, created_at=utcnow(), updated_at=utcnow())
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["tiktok_shop_id", "order_id"], set_={"content_hash": None}))


async def stale_ids(session: AsyncSession, tts_pk: int, limit: int) -> list[str]:
    return list((await session.execute(select(TikTokOrder.order_id).where(
        TikTokOrder.tiktok_shop_id == tts_pk, TikTokOrder.content_hash.is_(None))
        .order_by(TikTokOrder.id).limit(limit))).scalars())


async def settle_fetched(session: AsyncSession, tts_pk: int, order_ids: list[str]) -> None:
    """After a fetch: drop placeholders TikTok did not return as seller-fulfilled orders, and
    take every other fetched row out of the queue."""
    await session.execute(delete(TikTokOrder).where(
        TikTokOrder.tiktok_shop_id == tts_pk, TikTokOrder.order_id.in_(order_ids),
        TikTokOrder.status == STUB_STATUS))
    await session.execute(update(TikTokOrder).where(
        TikTokOrder.tiktok_shop_id == tts_pk, TikTokOrder.order_id.in_(order_ids),
        TikTokOrder.content_hash.is_(None)).values(content_hash=REFETCHED))


def _stage(status: str | None) -> int:
    """Position of `status` in the lifecycle (unknown statuses count as the earliest)."""
    return LIFECYCLE.index(status) if status in LIFECYCLE else 0


async def upsert_order(session: AsyncSession, tts_pk: int, order: Order) -> bool:
    """Store `order` unless what we hold is newer or identical; True when it changed. An order
    whose buyer was redacted (customers/redact) stays redacted whatever TikTok returns."""
    digest = content_hash(order)
    row = (await session.execute(select(TikTokOrder).where(
        TikTokOrder.tiktok_shop_id == tts_pk, TikTokOrder.order_id == order.id)
        .with_for_update())).scalar_one_or_none()
    updated = _ts(order.update_time)
    if row is not None:
        if row.content_hash == digest:
            return False
        if row.update_time and updated and (
                updated < row.update_time or (updated == row.update_time
                                              and _stage(order.status) < _stage(row.status))):
            return False  # an older read arrived late: keep the newer one
    else:
        row = TikTokOrder(tiktok_shop_id=tts_pk, order_id=order.id)
        session.add(row)
    payment = order.payment
    row.status, row.fulfillment_type = order.status, order.fulfillment_type
    row.shipping_type = order.shipping_type
    row.currency = payment.currency if payment else None
    row.total_amount = money(payment.total_amount) if payment else None
    row.create_time, row.update_time = _ts(order.create_time), updated
    payload = order.model_dump(mode="json")
    marker = (row.payload or {}).get(REDACTED_KEY)
    row.payload = redacted(payload, str(marker)) if marker else payload
    row.content_hash, row.updated_at = digest, utcnow()
    await session.flush()
    await session.execute(delete(TikTokOrderLine).where(TikTokOrderLine.order_id == row.id))
    session.add_all(TikTokOrderLine(
        order_id=row.id, line_id=li.id, product_id=li.product_id, sku_id=li.sku_id,
        seller_sku=li.seller_sku, product_name=(li.product_name or "")[:512],
        sale_price=money(li.sale_price), original_price=money(li.original_price),
        seller_discount=money(li.seller_discount), platform_discount=money(li.platform_discount),
        package_id=li.package_id, display_status=li.display_status) for li in order.line_items)
    return True


async def _upsert_once_raced(session: AsyncSession, tts_pk: int, order: Order) -> bool:
    """upsert_order in a savepoint; a concurrent first insert of the same order (polling
    racing a webhook's fetch) loses the unique race once, then updates the winner's row."""
    try:
        async with session.begin_nested():
            return await upsert_order(session, tts_pk, order)
    except IntegrityError:
        async with session.begin_nested():
            return await upsert_order(session, tts_pk, order)


async def _order_needs_sync(session: AsyncSession, tts_pk: int, order: Order, linked: bool,
                           auto_sync: bool) -> bool:
    """Create it (auto sync, eligible), or carry a cancellation over: to a linked order, or to
    one whose sync is under way (the link may be committed any moment)."""
    if order.status == "CANCELLED":
        if linked:
            return True
        row = (await session.execute(select(SyncState.id).where(
            SyncState.tiktok_shop_id == tts_pk, SyncState.kind == ORDER_KIND,
            SyncState.entity_id == order.id, SyncState.direction == TO_SHOPIFY))).first()
        return row is not None
    return not linked and auto_sync and order.status in ELIGIBLE


async def record_orders(session: AsyncSession, queue: JobQueue, tts: TikTokShop,
                        orders: Iterable[Order]) -> int:
    """Mirror seller-fulfilled orders and mark what must sync; returns how many changed."""
    prefs = await settings_mod.load(session, tts.id)
    changed = 0
    for order in orders:
        if order.fulfillment_type not in (None, SELLER_FULFILLED):
            continue  # fulfilled by TikTok: nothing to ship or import
        if not await _upsert_once_raced(session, tts.id, order):
            continue
        changed += 1
        linked = (await session.execute(select(OrderLink.id).where(
            OrderLink.tiktok_shop_id == tts.id, OrderLink.tiktok_order_id == order.id))
        ).first() is not None
        if await _order_needs_sync(session, tts.id, order, linked, prefs.order.auto_sync):
            await state.mark_changed(session, queue, key(tts, ORDER_KIND, order.id, TO_SHOPIFY))
        if linked and tiktok_shipped(order):
            await _mark_shipment(session, queue, key(tts, FULFILLMENT_KIND, order.id, TO_SHOPIFY),
                                 prefs.fulfillment.auto_sync)
    return changed


async def _mark_shipment(session: AsyncSession, queue: JobQueue, shipped: state.EntityKey,
                         auto_sync: bool) -> None:
    """Queue the Shopify fulfillment of a TikTok shipment (with fulfillment auto-sync off:
    shown as "shipped on TikTok, not synced yet", queued when it is turned on)."""
    if auto_sync:
        await state.mark_changed(session, queue, shipped)
    else:
        await state.record_unsynced(session, shipped)


async def mark_shipped_after_link(session: AsyncSession, queue: JobQueue, tts_pk: int,
                                  order_id: str) -> None:
    """Called by the order push in the transaction that saves the order's link: a TikTok
    shipment mirrored while the order's create was under way found no link then
    (`record_orders` marks linked orders only) and nothing would mark it again (the chaos
    suite's missing fulfillment). The order's mirror as committed now decides."""
    row = (await session.execute(select(TikTokOrder.payload).where(
        TikTokOrder.tiktok_shop_id == tts_pk, TikTokOrder.order_id == order_id))).first()
    if row is None or not row[0] or not tiktok_shipped(Order.model_validate(row[0])):
        return
    tts = await session.get(TikTokShop, tts_pk)
    assert tts is not None
    prefs = await settings_mod.load(session, tts_pk)
    await _mark_shipment(session, queue, key(tts, FULFILLMENT_KIND, order_id, TO_SHOPIFY),
                         prefs.fulfillment.auto_sync)
