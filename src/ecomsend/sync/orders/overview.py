"""What the Orders page shows and does: per order, the order sync and fulfillment sync status
(Not synced / Synced / Failed with reason), manual sync, Retry, and turning auto sync on.
Runs inside the caller's session; never commits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
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
from ecomsend.sync.orders import fixes
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
from ecomsend.sync.orders.order_query import (
    UNFULFILLED,
    OrderColumns,
    OrderFilter,
    SortDir,
    SortKey,
    count_by,
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
    buyer: str | None = None
    buyer_email: str | None = None
    #: Fulfillment sync per direction; None where the direction does not apply.
    fulfillment_to_tiktok: SyncView | None = None
    fulfillment_to_shopify: SyncView | None = None
    problems: list[fixes.Problem] = field(default_factory=list)


def _view(row: SyncState | None) -> SyncView | None:
    return None if row is None else SyncView(row.status, row.last_error, row.updated_at)


def fulfillment_status(states: list[SyncState], shipments: list[ShipmentView]) -> SyncView:
    failing = [s for s in states if s.status in (state.FAILED, state.BACKOFF)]
    if failing:
        return _view(failing[0]) or SyncView(state.FAILED)
    if states:
        latest = max(states, key=lambda s: s.updated_at)
        return _view(latest) or SyncView(state.NOT_SYNCED)
    return SyncView(state.SYNCED if shipments else UNFULFILLED)


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


def _direction_view(status: str, row: SyncState | None) -> SyncView | None:
    """One fulfillment direction as shown: None when it does not apply to the order."""
    if status == "none":
        return None
    if row is not None and row.status == status:
        return SyncView(status, row.last_error, row.updated_at)
    return SyncView(status, None, row.updated_at if row is not None else None)


async def _shipments(session: AsyncSession, tts_pk: int,
                     ids: list[str]) -> dict[str, list[ShipmentView]]:
    ships: dict[str, list[ShipmentView]] = {}
    for fl in (await session.execute(select(FulfillmentLink).where(
            FulfillmentLink.tiktok_shop_id == tts_pk,
            FulfillmentLink.tiktok_order_id.in_(ids)).order_by(FulfillmentLink.id))).scalars():
        ships.setdefault(fl.tiktok_order_id, []).append(ShipmentView(
            fl.direction, fl.tiktok_package_id, fl.shopify_fulfillment_id, fl.tracking_number,
            fl.carrier))
    return ships


def _buyer(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    address = payload.get("recipient_address") or {}
    name = address.get("name") if isinstance(address, dict) else None
    return (str(name) if name else None), payload.get("buyer_email") or None


def _problems(order_sync: SyncView, directions: dict[str, SyncView | None],
              items: list[ItemView]) -> list[fixes.Problem]:
    unlinked = [fixes.UnlinkedItem(i.sku_id, i.seller_sku, i.product_name)
                for i in items if not i.linked]
    pairs: list[tuple[fixes.Where, SyncView | None]] = [
        ("to_tiktok", directions[TO_TIKTOK]), ("to_shopify", directions[TO_SHOPIFY])]
    ways = [(w, v.status, v.error) for w, v in pairs if v is not None]
    return fixes.problems(order_sync.status, order_sync.error, ways, unlinked)


async def list_orders(session: AsyncSession, tts_pk: int, *, limit: int = 50, offset: int = 0,
                      order_ids: list[str] | None = None, filters: OrderFilter | None = None,
                      sort: SortKey = "created_at", direction: SortDir = "desc",
                      ) -> tuple[int, list[OrderView]]:
    """A page of orders with their sync status, filtered and sorted; and the total count."""
    f = filters or OrderFilter()
    if order_ids is not None:
        f = replace(f, order_ids=tuple(order_ids))
    cols = OrderColumns(tts_pk)
    where = cols.where(f)
    total = int((await session.execute(cols.joined(
        select(func.count()).select_from(TikTokOrder)).where(*where))).scalar_one())
    to_tiktok, to_shopify = cols.fulfillment[TO_TIKTOK], cols.fulfillment[TO_SHOPIFY]
    stmt = cols.joined(select(TikTokOrder, cols.link, cols.order_state,
                              cols.states[TO_TIKTOK], cols.states[TO_SHOPIFY], cols.order_sync,
                              to_tiktok, to_shopify).select_from(TikTokOrder))
    rows = (await session.execute(stmt.where(*where).order_by(*cols.order_by(sort, direction))
                                  .limit(limit).offset(offset))).all()
    orders = [r[0] for r in rows]
    ids = [o.order_id for o in orders]
    ships = await _shipments(session, tts_pk, ids)
    states, items = await _states(session, tts_pk, ids), await _items(session, tts_pk, orders)
    views = []
    for r, link, order_st, st_tiktok, st_shopify, order_sync, f_tiktok, f_shopify in rows:
        shipments = ships.get(r.order_id, [])
        sync = (SyncView(order_sync, order_st.last_error, order_st.updated_at)
                if order_st is not None and order_st.status == order_sync
                else SyncView(order_sync, None, link.created_at if link else None))
        ways = {TO_TIKTOK: _direction_view(f_tiktok, st_tiktok),
                TO_SHOPIFY: _direction_view(f_shopify, st_shopify)}
        order_items = items.get(r.id, [])
        buyer, email = _buyer(r.payload or {})
        views.append(OrderView(
            r.order_id, r.status, r.shipping_type, r.currency, r.total_amount, r.create_time,
            link.shopify_order_id if link else None, link.shopify_order_name if link else None,
            sync, fulfillment_status(states.get((r.order_id, FULFILLMENT_KIND), []), shipments),
            _view(states.get((r.order_id, CANCEL_KIND), [None])[0]), order_items, shipments,
            buyer, email, ways[TO_TIKTOK], ways[TO_SHOPIFY],
            _problems(sync, ways, order_items)))
    return total, views


async def status_counts(session: AsyncSession, tts_pk: int) -> dict[str, dict[str, int]]:
    """Orders per order sync status and per fulfillment status in each direction."""
    cols = OrderColumns(tts_pk)
    out: dict[str, dict[str, int]] = {}
    for name, column in (("order_sync", cols.order_sync),
                         ("to_tiktok", cols.fulfillment[TO_TIKTOK]),
                         ("to_shopify", cols.fulfillment[TO_SHOPIFY])):
        rows = (await session.execute(count_by(cols, column))).all()
        out[name] = {str(value): int(n) for value, n in rows if value != "none"}
    return out


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


async def not_synced_order_keys(session: AsyncSession, tts: TikTokShop) -> list[state.EntityKey]:
    """Every eligible order that is neither linked nor queued yet: what turning auto sync on
    queues (the order settings API marks them with bulk_mark.mark_in_batches)."""
    linked = select(OrderLink.tiktok_order_id).where(OrderLink.tiktok_shop_id == tts.id)
    queued = select(SyncState.entity_id).where(SyncState.tiktok_shop_id == tts.id,
                                               SyncState.kind == ORDER_KIND)
    ids = (await session.execute(select(TikTokOrder.order_id).where(
        TikTokOrder.tiktok_shop_id == tts.id, TikTokOrder.status.in_(ELIGIBLE),
        TikTokOrder.order_id.not_in(linked), TikTokOrder.order_id.not_in(queued))
        .order_by(TikTokOrder.create_time, TikTokOrder.id))).scalars()
    return [key(tts, ORDER_KIND, order_id, TO_SHOPIFY) for order_id in ids]


async def unsynced_fulfillment_keys(session: AsyncSession,
                                    tts: TikTokShop) -> list[state.EntityKey]:
    """Every fulfillment noted while fulfillment auto sync was off (fulfilled in Shopify, or
    shipped on TikTok, and not synced yet), in both directions: what turning it on queues."""
    return [k for direction in (TO_TIKTOK, TO_SHOPIFY)
            for k in await state.unsynced_keys(session, tts.id, FULFILLMENT_KIND, direction)]


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
