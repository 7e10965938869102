"""The Orders page's JSON API: TikTok orders with their order sync and fulfillment sync status
(Not synced / Synced / Failed with reason), manual sync of one or many orders, Retry, and
"Fetch orders now"."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import TikTokShop
from ecomsend.sync.orders import overview
from ecomsend.sync.orders.fetch import POLL_TASK
from ecomsend.web.deps import DbDep, QueueDep
from ecomsend.web.session import CurrentShopDep

router = APIRouter(prefix="/api/orders", tags=["orders"])
ConnectionQuery = Annotated[int | None, Query(
    description="TikTok connection id (from /api/session); defaults to the first one")]


class SyncStatusOut(BaseModel):
    status: str = Field(description="not_synced | waiting | pending | running | synced | "
                                    "backoff | failed | cancelled")
    error: dict[str, Any] | None = Field(
        default=None, description="When failed: {message, field_errors[{field, message, fix}]}")
    updated_at: datetime | None = None


class ItemOut(BaseModel):
    sku_id: str
    seller_sku: str | None
    product_name: str | None
    quantity: int
    linked: bool = Field(description="False: link this TikTok SKU to a Shopify variant")


class ShipmentOut(BaseModel):
    direction: Literal["to_tiktok", "to_shopify"] | str
    tiktok_package_id: str
    shopify_fulfillment_id: str
    tracking_number: str | None
    carrier: str | None


class OrderOut(BaseModel):
    order_id: str = Field(description="TikTok order id")
    status: str = Field(description="TikTok order status")
    shipping_type: str | None
    currency: str | None
    total: str | None
    created_at: datetime | None
    shopify_order_id: str | None
    shopify_order_name: str | None
    order_sync: SyncStatusOut
    fulfillment_sync: SyncStatusOut
    cancel_sync: SyncStatusOut | None
    items: list[ItemOut]
    shipments: list[ShipmentOut]


class OrderPageOut(BaseModel):
    total: int
    orders: list[OrderOut]


class SyncRequest(BaseModel):
    order_ids: list[str] = Field(min_length=1, max_length=250)
    what: Literal["order", "fulfillment"] = "order"


class SyncAccepted(BaseModel):
    queued: list[str]


class RetryAccepted(BaseModel):
    retried: list[str] = Field(description="What was retried: order / fulfillment / "
                                           "order_cancel")


class SummaryOut(BaseModel):
    orders: dict[str, int]
    fulfillments: dict[str, int]


async def connection(session: AsyncSession, shop_id: int, connection_id: int | None
                     ) -> TikTokShop:
    stmt = select(TikTokShop).where(TikTokShop.shop_id == shop_id).order_by(TikTokShop.id)
    if connection_id is not None:
        stmt = stmt.where(TikTokShop.id == connection_id)
    tts = (await session.execute(stmt.limit(1))).scalar_one_or_none()
    if tts is None:
        raise HTTPException(404, "No TikTok Shop connection: connect TikTok Shop first.")
    return tts


def _out(view: overview.OrderView) -> OrderOut:
    def st(v: overview.SyncView) -> SyncStatusOut:
        return SyncStatusOut(status=v.status, error=v.error, updated_at=v.updated_at)

    return OrderOut(
        order_id=view.order_id, status=view.status, shipping_type=view.shipping_type,
        currency=view.currency, total=None if view.total is None else str(view.total),
        created_at=view.created_at, shopify_order_id=view.shopify_order_id,
        shopify_order_name=view.shopify_order_name, order_sync=st(view.order_sync),
        fulfillment_sync=st(view.fulfillment_sync),
        cancel_sync=None if view.cancel_sync is None else st(view.cancel_sync),
        items=[ItemOut(**vars(i)) for i in view.items],
        shipments=[ShipmentOut(**vars(s)) for s in view.shipments])


@router.get("", response_model=OrderPageOut)
async def list_orders(db: DbDep, current: CurrentShopDep, connection_id: ConnectionQuery = None,
                      limit: Annotated[int, Query(ge=1, le=250)] = 50,
                      offset: Annotated[int, Query(ge=0)] = 0) -> OrderPageOut:
    """TikTok orders, newest first, each with its order and fulfillment sync status."""
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        total, views = await overview.list_orders(session, tts.id, limit=limit, offset=offset)
    return OrderPageOut(total=total, orders=[_out(v) for v in views])


@router.get("/summary", response_model=SummaryOut)
async def order_summary(db: DbDep, current: CurrentShopDep,
                        connection_id: ConnectionQuery = None) -> SummaryOut:
    """Counts of orders synced/failed and fulfillments each way (dashboard)."""
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        counts = await overview.summary(session, tts.id)
    return SummaryOut(**counts)


@router.get("/{order_id}", response_model=OrderOut)
async def get_order(order_id: str, db: DbDep, current: CurrentShopDep,
                    connection_id: ConnectionQuery = None) -> OrderOut:
    """One TikTok order with its sync status, items (linked or not) and shipments."""
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        _, views = await overview.list_orders(session, tts.id, order_ids=[order_id])
    if not views:
        raise HTTPException(404, f"Unknown TikTok order {order_id}")
    return _out(views[0])


@router.post("/sync", response_model=SyncAccepted, status_code=202)
async def sync_orders(body: SyncRequest, db: DbDep, queue: QueueDep, current: CurrentShopDep,
                      connection_id: ConnectionQuery = None) -> SyncAccepted:
    """Manual sync of the selected orders (their order, or their fulfillments)."""
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        queued = await overview.request_sync(session, queue, tts, body.order_ids, body.what)
    return SyncAccepted(queued=queued)


@router.post("/{order_id}/retry", response_model=RetryAccepted, status_code=202)
async def retry_order(order_id: str, db: DbDep, queue: QueueDep, current: CurrentShopDep,
                      connection_id: ConnectionQuery = None) -> RetryAccepted:
    """Retry what failed for this order (order sync, fulfillment sync or cancellation)."""
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        retried = await overview.retry(session, queue, tts, order_id)
    return RetryAccepted(retried=retried)


@router.post("/fetch", response_model=SyncAccepted, status_code=202)
async def fetch_now(db: DbDep, queue: QueueDep, current: CurrentShopDep,
                    connection_id: ConnectionQuery = None) -> SyncAccepted:
    """Poll TikTok for new and updated orders now (the periodic poll does it anyway)."""
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        await queue.defer(session, POLL_TASK, {"tiktok_shop_pk": tts.id},
                          queueing_lock=f"{POLL_TASK}:{tts.id}")
    return SyncAccepted(queued=[])
