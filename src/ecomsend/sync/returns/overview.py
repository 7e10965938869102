"""What the Orders page shows of after-sale requests: each TikTok return/refund, cancellation
request and Shopify-side refund of a connection, with its Shopify order, the state of its
refund sync and what the merchant can do. Read by `web.api_returns`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from ecomsend.db.models import AfterSale, OrderLink, SyncState
from ecomsend.sync.returns.actions import Action, allowed_actions
from ecomsend.sync.returns.from_shopify import GUIDANCE
from ecomsend.sync.returns.mirror import (
    AWAITING_SELLER,
    REFUND_KIND,
    REFUNDED,
    SHOPIFY_REFUND,
    TO_SHOPIFY,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class AfterSaleView:
    row: AfterSale
    shopify_order_id: str | None
    shopify_order_name: str | None
    refund_sync: str | None
    refund_error: str | None
    actions: list[Action]
    guidance: str | None


def guidance(row: AfterSale, refund_sync: str | None, linked: bool) -> str | None:
    """What the merchant should know or do about this request, if anything."""
    if row.kind == SHOPIFY_REFUND:
        return GUIDANCE
    if row.status in AWAITING_SELLER:
        return "Waiting for your answer: approve or reject it before TikTok's deadline."
    if row.status in REFUNDED and not linked:
        return ("TikTok refunded the buyer; this order is not in Shopify, so no Shopify refund "
                "is made.")
    if refund_sync == "failed":
        return "The Shopify refund failed: see the reason, fix it, then Retry the order."
    return None


async def list_after_sales(session: AsyncSession, tts_pk: int, *, limit: int, offset: int,
                           open_only: bool = False, order_id: str | None = None,
                           ) -> tuple[int, list[AfterSaleView]]:
    """One page of a connection's after-sale rows, newest first, and their total."""
    where: list[Any] = [AfterSale.tiktok_shop_id == tts_pk]
    if open_only:
        where.append(AfterSale.status.in_(AWAITING_SELLER))
    if order_id:
        where.append(AfterSale.order_id == order_id)
    total = int((await session.execute(select(func.count()).select_from(AfterSale)
                                       .where(*where))).scalar_one())
    stmt = (select(AfterSale, OrderLink, SyncState)
            .outerjoin(OrderLink, and_(OrderLink.tiktok_shop_id == AfterSale.tiktok_shop_id,
                                       OrderLink.tiktok_order_id == AfterSale.order_id))
            .outerjoin(SyncState, and_(SyncState.tiktok_shop_id == AfterSale.tiktok_shop_id,
                                       SyncState.kind == REFUND_KIND,
                                       SyncState.entity_id == AfterSale.external_id,
                                       SyncState.direction == TO_SHOPIFY))
            .where(*where).order_by(AfterSale.update_time.desc(), AfterSale.id.desc())
            .limit(limit).offset(offset))
    views = []
    for row, link, sync in (await session.execute(stmt)).all():
        status = sync.status if sync is not None else None
        error = (sync.last_error or {}).get("message") if sync is not None else None
        views.append(AfterSaleView(row, link.shopify_order_id if link else None,
                                   link.shopify_order_name if link else None, status,
                                   error if status in ("failed", "backoff") else None,
                                   allowed_actions(row), guidance(row, status, link is not None)))
    return total, views
