"""What the Orders page shows and does: per order, the order sync and fulfillment sync status
(Not synced / Synced / Failed with reason), manual sync, Retry, and turning auto sync on.
Runs inside the caller's session; never commits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import func, select

from ecomsend.db.models import (
    FulfillmentLink,
    OrderLink,
    ProductLink,
    SyncState,
    TikTokOrder,
    TikTokOrderLine,
    TikTokShop,
)
from ecomsend.sync import state
from ecomsend.sync.orders.mirror import (
    CANCEL_KIND,
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

SyncWhat = Literal["order", "fulfillment"]
ORDER_KINDS = (ORDER_KIND, FULFILLMENT_KIND, CANCEL_KIND)


@dataclass
class SyncView:
    status: str
    error: dict[str, Any] | None = None
    updated_at: datetime | None = None


@dataclass
class ItemView:
    sku_id: str
    seller_sku: str | None
    product_name: str | None
    quantity: int
    linked: bool


@dataclass
class ShipmentView:
    direction: str
    tiktok_package_id: str
    shopify_fulfillment_id: str
    tracking_number: str | None
    carrier: str | None


@dataclass
class OrderView:
    order_id: str
    status: str
    shipping_type: str | None
    currency: str | None
    total: Decimal | None
    created_at: datetime | None
    shopify_order_id: str | None
    shopify_order_name: str | None
    order_sync: SyncView
    fulfillment_sync: SyncView
    cancel_sync: SyncView | None
    items: list[ItemView] = field(default_factory=list)
    shipments: list[ShipmentView] = field(default_factory=list)


def _view(row: SyncState | None) -> SyncView | None:
    return None if row is None else SyncView(row.status, row.last_error, row.updated_at)


def order_status(row: TikTokOrder, link: OrderLink | None, st: SyncState | None) -> SyncView:
    if link is None and row.status == "CANCELLED" and (st is None or st.status == state.SYNCED):
        return SyncView("cancelled", None, st.updated_at if st else None)
    if st is not None and not (link is not None and st.status == state.NOT_SYNCED):
        return _view(st) or SyncView(state.NOT_SYNCED)
    if link is not None:
        return SyncView(state.SYNCED, None, link.created_at)
    return SyncView(state.NOT_SYNCED if row.status in ELIGIBLE else "waiting")


def fulfillment_status(states: list[SyncState], shipments: list[ShipmentView]) -> SyncView:
    failing = [s for s in states if s.status in (state.FAILED, state.BACKOFF)]
    if failing:
        return _view(failing[0]) or SyncView(state.FAILED)
    if states:
        latest = max(states, key=lambda s: s.updated_at)
        return _view(latest) or SyncView(state.NOT_SYNCED)
    return SyncView(state.SYNCED if shipments else state.NOT_SYNCED)


async def _states(session: AsyncSession, tts_pk: int,
                  order_ids: list[str]) -> dict[tuple[str, str], list[SyncState]]:
    rows = await session.execute(select(SyncState).where(
        SyncState.tiktok_shop_id == tts_pk, SyncState.kind.in_(ORDER_KINDS),
        SyncState.entity_id.in_(order_ids)))
    out: dict[tuple[str, str], list[SyncState]] = {}
    for st in rows.scalars():
        out.setdefault((st.entity_id, st.kind), []).append(st)
    return out


async def _items(session: AsyncSession, tts_pk: int,
                 rows: list[TikTokOrder]) -> dict[int, list[ItemView]]:
    lines = list((await session.execute(select(TikTokOrderLine).where(
        TikTokOrderLine.order_id.in_([r.id for r in rows])))).scalars())
    skus = {ln.sku_id for ln in lines if ln.sku_id}
    linked = set((await session.execute(select(ProductLink.tiktok_sku_id).where(
        ProductLink.tiktok_shop_id == tts_pk, ProductLink.tiktok_sku_id.in_(skus)))).scalars())
    counts: Counter[tuple[int, str]] = Counter((ln.order_id, ln.sku_id or "") for ln in lines)
    first = {(ln.order_id, ln.sku_id or ""): ln for ln in reversed(lines)}
    out: dict[int, list[ItemView]] = {}
    for (order_pk, sku), qty in counts.items():
        ln = first[(order_pk, sku)]
        out.setdefault(order_pk, []).append(
            ItemView(sku, ln.seller_sku, ln.product_name, qty, sku in linked))
    return out


def _first(rows: list[SyncState] | None) -> SyncState | None:
    return rows[0] if rows else None


async def list_orders(session: AsyncSession, tts_pk: int, *, limit: int = 50, offset: int = 0,
                      order_ids: list[str] | None = None) -> tuple[int, list[OrderView]]:
    """A page of orders (newest first) with their sync status; and the total count."""
    where = [TikTokOrder.tiktok_shop_id == tts_pk, TikTokOrder.status != STUB_STATUS]
    if order_ids is not None:
        where.append(TikTokOrder.order_id.in_(order_ids))
    total = int((await session.execute(select(func.count()).select_from(TikTokOrder)
                                       .where(*where))).scalar_one())
    rows = list((await session.execute(select(TikTokOrder).where(*where).order_by(
        TikTokOrder.create_time.desc(), TikTokOrder.id.desc()).limit(limit).offset(offset))
    ).scalars())
    ids = [r.order_id for r in rows]
    links = {lk.tiktok_order_id: lk for lk in (await session.execute(select(OrderLink).where(
        OrderLink.tiktok_shop_id == tts_pk, OrderLink.tiktok_order_id.in_(ids)))).scalars()}
    ships: dict[str, list[ShipmentView]] = {}
    for fl in (await session.execute(select(FulfillmentLink).where(
            FulfillmentLink.tiktok_shop_id == tts_pk,
            FulfillmentLink.tiktok_order_id.in_(ids)))).scalars():
        ships.setdefault(fl.tiktok_order_id, []).append(ShipmentView(
            fl.direction, fl.tiktok_package_id, fl.shopify_fulfillment_id, fl.tracking_number,
            fl.carrier))
    states, items = await _states(session, tts_pk, ids), await _items(session, tts_pk, rows)
    views = []
    for r in rows:
        link = links.get(r.order_id)
        order_st = _first(states.get((r.order_id, ORDER_KIND)))
        cancel_st = _first(states.get((r.order_id, CANCEL_KIND)))
        shipments = ships.get(r.order_id, [])
        views.append(OrderView(
            r.order_id, r.status, r.shipping_type, r.currency, r.total_amount, r.create_time,
            link.shopify_order_id if link else None, link.shopify_order_name if link else None,
            order_status(r, link, order_st),
            fulfillment_status(states.get((r.order_id, FULFILLMENT_KIND), []), shipments),
            _view(cancel_st), items.get(r.id, []), shipments))
    return total, views


async def request_sync(session: AsyncSession, queue: JobQueue, tts: TikTokShop,
                       order_ids: list[str], what: SyncWhat = "order") -> list[str]:
    """Manual sync (and Retry): mark these orders' order or fulfillment sync changed."""
    rows = (await session.execute(select(TikTokOrder.order_id, TikTokOrder.shipping_type).where(
        TikTokOrder.tiktok_shop_id == tts.id, TikTokOrder.order_id.in_(order_ids)))).all()
    for order_id, shipping_type in rows:
        if what == "order":
            await state.mark_changed(session, queue, key(tts, ORDER_KIND, order_id, TO_SHOPIFY))
        else:
            direction = TO_SHOPIFY if shipping_type == "TIKTOK" else TO_TIKTOK
            await state.mark_changed(session, queue,
                                     key(tts, FULFILLMENT_KIND, order_id, direction))
    return [r[0] for r in rows]


async def retry(session: AsyncSession, queue: JobQueue, tts: TikTokShop,
                order_id: str) -> list[str]:
    """Retry every failed (or backing-off) sync of one order; the order sync if none failed."""
    rows = list((await session.execute(select(SyncState).where(
        SyncState.tiktok_shop_id == tts.id, SyncState.entity_id == order_id,
        SyncState.kind.in_(ORDER_KINDS),
        SyncState.status.in_([state.FAILED, state.BACKOFF, state.REVIEW_FAILED])))).scalars())
    if not rows:
        await request_sync(session, queue, tts, [order_id], "order")
        return [ORDER_KIND]
    for st in rows:
        await state.mark_changed(session, queue, key(tts, st.kind, order_id, st.direction))
    return [st.kind for st in rows]


async def sync_all_not_synced(session: AsyncSession, queue: JobQueue, tts: TikTokShop) -> int:
    """Auto sync turned on: queue every eligible order that is not linked nor queued yet."""
    linked = select(OrderLink.tiktok_order_id).where(OrderLink.tiktok_shop_id == tts.id)
    queued = select(SyncState.entity_id).where(SyncState.tiktok_shop_id == tts.id,
                                               SyncState.kind == ORDER_KIND)
    ids = list((await session.execute(select(TikTokOrder.order_id).where(
        TikTokOrder.tiktok_shop_id == tts.id, TikTokOrder.status.in_(ELIGIBLE),
        TikTokOrder.order_id.not_in(linked), TikTokOrder.order_id.not_in(queued)))).scalars())
    for order_id in ids:
        await state.mark_changed(session, queue, key(tts, ORDER_KIND, order_id, TO_SHOPIFY))
    return len(ids)


async def summary(session: AsyncSession, tts_pk: int | None = None) -> dict[str, dict[str, int]]:
    """Counts for the dashboard and the demo report."""
    def scoped(stmt: Any, column: Any) -> Any:
        return stmt if tts_pk is None else stmt.where(column == tts_pk)

    total = int((await session.execute(scoped(select(func.count()).select_from(TikTokOrder)
                                              .where(TikTokOrder.status != STUB_STATUS),
                                              TikTokOrder.tiktok_shop_id))).scalar_one())
    synced = int((await session.execute(scoped(select(func.count()).select_from(OrderLink),
                                               OrderLink.tiktok_shop_id))).scalar_one())
    by_kind = (await session.execute(scoped(
        select(SyncState.kind, SyncState.status, func.count()).where(
            SyncState.kind.in_([ORDER_KIND, FULFILLMENT_KIND]))
        .group_by(SyncState.kind, SyncState.status), SyncState.tiktok_shop_id))).all()
    failed = {kind: 0 for kind in (ORDER_KIND, FULFILLMENT_KIND)}
    for kind, status, n in by_kind:
        if status == state.FAILED:
            failed[kind] += int(n)
    directions: dict[str, int] = dict((await session.execute(scoped(
        select(FulfillmentLink.direction, func.count()).group_by(FulfillmentLink.direction),
        FulfillmentLink.tiktok_shop_id))).all())
    return {"orders": {"total": total, "synced": synced, "failed": failed[ORDER_KIND]},
            "fulfillments": {"to_tiktok": int(directions.get(TO_TIKTOK, 0)),
                             "to_shopify": int(directions.get(TO_SHOPIFY, 0)),
                             "failed": failed[FULFILLMENT_KIND]}}
