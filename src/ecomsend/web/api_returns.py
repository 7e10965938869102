"""The Orders page's returns and refunds JSON API: TikTok return/refund and cancellation
requests and Shopify-side refunds of TikTok orders, with their state and the Shopify refund the
sync made; the merchant approves or rejects a request (reasons from TikTok's list) and retries
a failed Shopify refund.

Every route works on one TikTok connection of the signed-in shop (`?connection_id=`, the first
when omitted); another shop's request is a 404. A request that is not waiting for that answer is
a 409; a reason TikTok does not list is TikTok's 400.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from ecomsend.db.models import AfterSale, TikTokShop
from ecomsend.sync import state
from ecomsend.sync.returns import actions, overview
from ecomsend.sync.returns.mirror import REFUND_KIND, REFUNDED, RETURN, TO_SHOPIFY
from ecomsend.web.api_common import MAX_ID, TIKTOK_RESPONSES, live_context, tiktok_call
from ecomsend.web.api_orders import ConnectionQuery, connection
from ecomsend.web.deps import DbDep, QueueDep, ServicesDep
from ecomsend.web.session import CurrentShopDep

router = APIRouter(prefix="/api/returns", tags=["returns"])
RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="The request's id in the app")]


class ReturnOut(BaseModel):
    """One after-sale request as the Orders page shows it."""

    id: int
    kind: Literal["return", "cancellation", "shopify_refund"]
    external_id: str = Field(description="TikTok's return or cancel id, or the Shopify refund id")
    request_type: str = Field(description="REFUND, RETURN_AND_REFUND, REPLACEMENT, CANCEL or "
                                          "SHOPIFY_REFUND")
    order_id: str = Field(description="The TikTok order id")
    shopify_order_id: str | None
    shopify_order_name: str | None
    status: str = Field(description="TikTok's status (or REFUNDED_IN_SHOPIFY)")
    role: str | None
    reason: str | None
    currency: str | None
    refund_total: str | None
    shopify_refund_id: str | None
    refund_sync: str | None = Field(description="State of the Shopify refund sync, if any")
    refund_error: str | None
    actions: list[Literal["approve", "reject"]]
    guidance: str | None
    updated_at: datetime | None


class ReturnPageOut(BaseModel):
    total: int
    returns: list[ReturnOut]


class ReasonOut(BaseModel):
    name: str
    text: str


class ReasonsOut(BaseModel):
    reasons: list[ReasonOut]


class RejectIn(BaseModel):
    """A rejection: one of TikTok's reason names (GET …/reject-reasons) and a note."""

    reason: str = Field(min_length=1, max_length=200, pattern=r"^[a-z0-9_]+$")
    comment: str | None = Field(default=None, max_length=500)


class RetriedOut(BaseModel):
    retried: bool


def return_out(view: overview.AfterSaleView) -> ReturnOut:
    row = view.row
    return ReturnOut(
        id=row.id, kind=row.kind, external_id=row.external_id, request_type=row.request_type,
        order_id=row.order_id, shopify_order_id=view.shopify_order_id,
        shopify_order_name=view.shopify_order_name, status=row.status, role=row.role,
        reason=row.reason_text, currency=row.currency,
        refund_total=None if row.refund_total is None else f"{row.refund_total:.2f}",
        shopify_refund_id=row.shopify_refund_id, refund_sync=view.refund_sync,
        refund_error=view.refund_error, actions=view.actions, guidance=view.guidance,
        updated_at=row.update_time)


async def _row(db: DbDep, shop_id: int, connection_id: int | None, request_id: int
               ) -> tuple[TikTokShop, AfterSale]:
    async with db.sessionmaker() as session:
        tts = await connection(session, shop_id, connection_id)
        row = (await session.execute(select(AfterSale).where(
            AfterSale.id == request_id, AfterSale.tiktok_shop_id == tts.id))).scalar_one_or_none()
    if row is None:
        raise HTTPException(404, f"Unknown return or cancellation {request_id}")
    return tts, row


async def _view(db: DbDep, tts: TikTokShop, row: AfterSale) -> ReturnOut:
    async with db.sessionmaker() as session:
        _, views = await overview.list_after_sales(session, tts.id, limit=50, offset=0,
                                                   order_id=row.order_id)
    found = next(v for v in views if v.row.id == row.id)
    return return_out(found)


@router.get("", response_model=ReturnPageOut, responses=TIKTOK_RESPONSES)
async def list_returns(
        db: DbDep, current: CurrentShopDep, connection_id: ConnectionQuery = None,
        limit: Annotated[int, Query(ge=1, le=250)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        open_only: Annotated[bool, Query(description="Only requests waiting for an answer")]
        = False,
        order_id: Annotated[str | None, Query(min_length=1, max_length=64,
                                              pattern=r"^[0-9]+$")] = None,
) -> ReturnPageOut:
    """Returns, refunds, cancellation requests and Shopify refunds, newest first."""
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        total, views = await overview.list_after_sales(session, tts.id, limit=limit,
                                                       offset=offset, open_only=open_only,
                                                       order_id=order_id)
    return ReturnPageOut(total=total, returns=[return_out(v) for v in views])


@router.get("/{request_id}/reject-reasons", response_model=ReasonsOut,
            responses=TIKTOK_RESPONSES)
async def reject_reasons(request_id: RequestId, db: DbDep, services: ServicesDep,
                         current: CurrentShopDep, connection_id: ConnectionQuery = None
                         ) -> ReasonsOut:
    """The reasons TikTok accepts for rejecting this request."""
    tts, row = await _row(db, current.id, connection_id, request_id)
    live_context(tts)
    try:
        found = await tiktok_call(actions.reject_reasons(services.tiktok, tts, row))
    except actions.NotActionable as exc:
        raise HTTPException(409, str(exc)) from exc
    return ReasonsOut(reasons=[ReasonOut(name=n, text=t) for n, t in found])


async def _answer(db: DbDep, queue: QueueDep, services: ServicesDep, shop_id: int,
                  connection_id: int | None, request_id: int, decision: actions.Answer
                  ) -> ReturnOut:
    tts, row = await _row(db, shop_id, connection_id, request_id)
    live_context(tts)
    try:
        await tiktok_call(actions.answer(db, queue, services.tiktok, tts, row, decision))
    except actions.NotActionable as exc:
        raise HTTPException(409, str(exc)) from exc
    return await _view(db, tts, row)


@router.post("/{request_id}/approve", response_model=ReturnOut, responses=TIKTOK_RESPONSES)
async def approve(request_id: RequestId, db: DbDep, queue: QueueDep, services: ServicesDep,
                  current: CurrentShopDep, connection_id: ConnectionQuery = None) -> ReturnOut:
    """Approve the request on TikTok (a refund, a return, a received package or a
    cancellation, by its stage); returns it as TikTok now has it."""
    return await _answer(db, queue, services, current.id, connection_id, request_id,
                         actions.Answer("approve"))


@router.post("/{request_id}/reject", response_model=ReturnOut, responses=TIKTOK_RESPONSES)
async def reject(request_id: RequestId, body: RejectIn, db: DbDep, queue: QueueDep,
                 services: ServicesDep, current: CurrentShopDep,
                 connection_id: ConnectionQuery = None) -> ReturnOut:
    """Reject the request on TikTok with one of its reasons."""
    return await _answer(db, queue, services, current.id, connection_id, request_id,
                         actions.Answer("reject", body.reason, body.comment))


@router.post("/{request_id}/retry", response_model=RetriedOut, status_code=202,
             responses=TIKTOK_RESPONSES)
async def retry_refund(request_id: RequestId, db: DbDep, queue: QueueDep,
                       current: CurrentShopDep, connection_id: ConnectionQuery = None
                       ) -> RetriedOut:
    """Queue the Shopify refund of a refunded TikTok return again (409 when there is none to
    make)."""
    tts, row = await _row(db, current.id, connection_id, request_id)
    if row.kind != RETURN or row.status not in REFUNDED or row.shopify_refund_id:
        raise HTTPException(409, "There is no Shopify refund to make for this request.")
    async with db.unit_of_work() as session:
        await state.mark_changed(session, queue, state.EntityKey(
            tts.shop_id, tts.id, REFUND_KIND, row.external_id, TO_SHOPIFY))
    return RetriedOut(retried=True)
