"""The Orders page's JSON API: TikTok orders with their order sync and fulfillment sync status
(each direction), the reason and fix action of each failure, filters, sort and paging on the
server; bulk Sync orders / Sync fulfillments / Retry, and "Fetch orders now".

Every route works on one TikTok connection of the signed-in shop (`?connection_id=`, the page's
connection picker; the first connection when omitted); another shop's connection or order is a
404. Bulk routes skip ids the connection does not hold, with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import TikTokShop
from ecomsend.sync.errors import FieldError
from ecomsend.sync.orders import bulk, overview
from ecomsend.sync.orders.fetch import POLL_TASK
from ecomsend.sync.orders.order_query import (
    FulfillmentStatus,
    OrderFilter,
    OrderSyncStatus,
    SortDir,
    SortKey,
)
from ecomsend.web.api_common import ERROR_RESPONSES, MAX_ID, unprocessable
from ecomsend.web.api_orders_models import (
    BulkIn,
    BulkOut,
    OrderOut,
    OrderPageOut,
    RetryAccepted,
    SkippedOut,
    SummaryOut,
    SyncRequest,
    order_out,
)
from ecomsend.web.deps import DbDep, QueueDep
from ecomsend.web.session import CurrentShopDep

router = APIRouter(prefix="/api/orders", tags=["orders"])
ConnectionQuery = Annotated[int | None, Query(
    ge=1, le=MAX_ID,
    description="TikTok connection id (from /api/session); defaults to the first one")]


async def connection(session: AsyncSession, shop_id: int, connection_id: int | None
                     ) -> TikTokShop:
    stmt = select(TikTokShop).where(TikTokShop.shop_id == shop_id).order_by(TikTokShop.id)
    if connection_id is not None:
        stmt = stmt.where(TikTokShop.id == connection_id)
    tts = (await session.execute(stmt.limit(1))).scalar_one_or_none()
    if tts is None:
        raise HTTPException(404, "No TikTok Shop connection: connect TikTok Shop first.")
    return tts


#: TikTok order statuses (reference §4.7); CANCEL is not a status of an order.
TikTokStatus = Literal["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING",
                       "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED",
                       "CANCELLED"]
SearchText = Annotated[str | None, Query(max_length=100, description=(
    "Order id, buyer name or buyer email contains this (case-insensitive)"))]


def _filters(order_sync: Sequence[str], fulfillment_sync: Sequence[str],
             tiktok_status: Sequence[str],
             created_from: date | None, created_to: date | None, q: str | None) -> OrderFilter:
    """The list filter; dates are whole UTC days, `created_to` included."""
    errors = []
    if q is not None and "\x00" in q:
        errors.append(FieldError("q", "The search contains a NUL character.",
                                 "Remove it and search again."))
    if created_from and created_to and created_from > created_to:
        errors.append(FieldError("created_to", "The end date is before the start date.",
                                 "Pick an end date on or after the start date."))
    if errors:
        raise unprocessable(errors)
    start = datetime.combine(created_from, time(), UTC) if created_from else None
    end = (datetime.combine(created_to + timedelta(days=1), time(), UTC)
           if created_to and created_to < date.max else None)
    return OrderFilter(tuple(order_sync), tuple(fulfillment_sync), tuple(tiktok_status),
                       start, end, (q or "").strip() or None)


@router.get("", response_model=OrderPageOut, responses=ERROR_RESPONSES)
async def list_orders(
        db: DbDep, current: CurrentShopDep, connection_id: ConnectionQuery = None,
        limit: Annotated[int, Query(ge=1, le=250)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        order_sync: Annotated[list[OrderSyncStatus], Query(
            description="Order sync status is one of these")] = [],  # noqa: B006
        fulfillment_sync: Annotated[list[FulfillmentStatus], Query(
            description="Fulfillment status (either direction) is one of these")] = [],  # noqa: B006
        tiktok_status: Annotated[list[TikTokStatus], Query(
            description="TikTok order status is one of these")] = [],  # noqa: B006
        created_from: Annotated[date | None, Query(description="Placed on or after (UTC day)")]
        = None,
        created_to: Annotated[date | None, Query(description="Placed on or before (UTC day)")]
        = None,
        q: SearchText = None, sort: SortKey = "created_at", direction: SortDir = "desc",
) -> OrderPageOut:
    """TikTok orders with their order and fulfillment sync status, filtered and sorted."""
    filters = _filters(order_sync, fulfillment_sync, tiktok_status, created_from, created_to, q)
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        total, views = await overview.list_orders(session, tts.id, limit=limit, offset=offset,
                                                  filters=filters, sort=sort,
                                                  direction=direction)
    return OrderPageOut(total=total, orders=[order_out(v, current.domain) for v in views])


@router.get("/summary", response_model=SummaryOut, responses=ERROR_RESPONSES)
async def order_summary(db: DbDep, current: CurrentShopDep,
                        connection_id: ConnectionQuery = None) -> SummaryOut:
    """Counts of orders synced/failed and fulfillments each way (dashboard), and orders per
    order sync status and per fulfillment status in each direction (the Orders page)."""
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        counts: dict[str, Any] = dict(await overview.summary(session, tts.id))
        by_status = await overview.status_counts(session, tts.id)
    return SummaryOut(**counts, order_sync=by_status["order_sync"],
                      fulfillment_to_tiktok=by_status["to_tiktok"],
                      fulfillment_to_shopify=by_status["to_shopify"])


async def _one_order(session: AsyncSession, tts: TikTokShop, order_id: str,
                     ) -> overview.OrderView:
    _, views = await overview.list_orders(session, tts.id, order_ids=[order_id])
    if not views:
        raise HTTPException(404, f"Unknown TikTok order {order_id}")
    return views[0]


@router.get("/{order_id}", response_model=OrderOut, responses=ERROR_RESPONSES)
async def get_order(order_id: str, db: DbDep, current: CurrentShopDep,
                    connection_id: ConnectionQuery = None) -> OrderOut:
    """One TikTok order with its sync status, items (linked or not) and shipments."""
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        view = await _one_order(session, tts, order_id)
    return order_out(view, current.domain)


def _bulk_out(outcome: bulk.BulkOutcome) -> BulkOut:
    return BulkOut(queued=outcome.queued, skipped=[
        SkippedOut(order_id=i, reason=r) for i, r in outcome.skipped])


@router.post("/sync", response_model=BulkOut, status_code=202, responses=ERROR_RESPONSES)
async def sync_orders(body: SyncRequest, db: DbDep, queue: QueueDep, current: CurrentShopDep,
                      connection_id: ConnectionQuery = None) -> BulkOut:
    """Manual sync of the selected orders: their order (TikTok → Shopify), or their
    fulfillments in the order's direction. Orders that cannot sync now are skipped, with why."""
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        outcome = await bulk.run(session, queue, tts, body.order_ids, body.what)
    return _bulk_out(outcome)


@router.post("/sync-fulfillments", response_model=BulkOut, status_code=202,
             responses=ERROR_RESPONSES)
async def sync_fulfillments(body: BulkIn, db: DbDep, queue: QueueDep, current: CurrentShopDep,
                            connection_id: ConnectionQuery = None) -> BulkOut:
    """Queue the fulfillment sync of the selected orders in each order's direction (seller
    shipping: Shopify → TikTok; TikTok shipping: TikTok → Shopify)."""
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        outcome = await bulk.run(session, queue, tts, body.order_ids, "fulfillment")
    return _bulk_out(outcome)


@router.post("/retry", response_model=BulkOut, status_code=202, responses=ERROR_RESPONSES)
async def retry_orders(body: BulkIn, db: DbDep, queue: QueueDep, current: CurrentShopDep,
                       connection_id: ConnectionQuery = None) -> BulkOut:
    """Retry what failed for each selected order (its order sync if nothing failed)."""
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        outcome = await bulk.run(session, queue, tts, body.order_ids, "retry")
    return _bulk_out(outcome)


@router.post("/{order_id}/retry", response_model=RetryAccepted, status_code=202,
             responses=ERROR_RESPONSES)
async def retry_order(order_id: str, db: DbDep, queue: QueueDep, current: CurrentShopDep,
                      connection_id: ConnectionQuery = None) -> RetryAccepted:
    """Retry what failed for this order (order sync, fulfillment sync or cancellation)."""
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        await _one_order(session, tts, order_id)
        retried = await overview.retry(session, queue, tts, order_id)
    return RetryAccepted(retried=retried)


@router.post("/fetch", response_model=BulkOut, status_code=202, responses=ERROR_RESPONSES)
async def fetch_now(db: DbDep, queue: QueueDep, current: CurrentShopDep,
                    connection_id: ConnectionQuery = None) -> BulkOut:
    """Poll TikTok for new and updated orders now (the periodic poll does it anyway)."""
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        await queue.defer(session, POLL_TASK, {"tiktok_shop_pk": tts.id},
                          queueing_lock=f"{POLL_TASK}:{tts.id}")
    return BulkOut(queued=[])
