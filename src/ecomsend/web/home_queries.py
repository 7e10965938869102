"""What the Home page and Settings › Connections show per TikTok connection, computed in SQL:
counts by status of products, orders and fulfillments; connection health (token expiry, last
successful exchange with TikTok, last webhook received); setup progress (templates active,
order auto sync). Read-only; used by `web.api_home` and `web.api_connections`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import (
    CategoryTemplate,
    FulfillmentLink,
    OrderLink,
    ShopifyProduct,
    SyncState,
    TikTokOrder,
    TikTokShop,
    WebhookReceipt,
)
from ecomsend.db.types import utcnow
from ecomsend.sync import state
from ecomsend.sync.orders import settings as order_settings
from ecomsend.sync.orders.mirror import ELIGIBLE, STUB_STATUS
from ecomsend.web.product_queries import BADGE_OF_RANK, worst_rank_subquery

#: A refresh token this close to its end needs a reauthorization soon.
EXPIRING_WITHIN = timedelta(days=14)
SYNCING = (state.PENDING, state.RUNNING, state.BACKOFF)
FAILING = (state.FAILED, state.REVIEW_FAILED)


@dataclass(frozen=True)
class Health:
    """Is the connection working: tokens, last success, last webhook, failures."""

    token_state: str
    access_token_expires_at: datetime | None
    refresh_token_expires_at: datetime | None
    connected_at: datetime
    disconnected_at: datetime | None
    last_success_at: datetime | None
    last_webhook_at: datetime | None
    failing: int


@dataclass(frozen=True)
class Setup:
    """The connection's onboarding steps that live in our database."""

    active_templates: int
    default_template_active: bool
    order_auto_sync: bool
    fulfillment_auto_sync: bool


def token_state(tts: TikTokShop) -> str:
    """disconnected / expired / expiring / ok, from the refresh token's absolute expiry (the
    access token renews itself until then)."""
    if tts.disconnected_at is not None or not tts.refresh_token:
        return "disconnected"
    until = tts.refresh_token_expires_at
    if until is None:
        return "ok"
    now = utcnow()
    if until <= now:
        return "expired"
    return "expiring" if until - now <= EXPIRING_WITHIN else "ok"


async def health(session: AsyncSession, tts: TikTokShop) -> Health:
    last_success = (await session.execute(select(func.max(SyncState.last_synced_at)).where(
        SyncState.tiktok_shop_id == tts.id))).scalar_one()
    last_webhook = (await session.execute(select(func.max(WebhookReceipt.received_at)).where(
        WebhookReceipt.platform == "tiktok", WebhookReceipt.shop_key == tts.tiktok_shop_id))
    ).scalar_one()
    failing = int((await session.execute(select(func.count()).select_from(SyncState).where(
        SyncState.tiktok_shop_id == tts.id, SyncState.status.in_(FAILING)))).scalar_one())
    return Health(token_state(tts), tts.access_token_expires_at, tts.refresh_token_expires_at,
                  tts.created_at, tts.disconnected_at, last_success, last_webhook, failing)


async def last_shopify_webhook(session: AsyncSession, domain: str) -> datetime | None:
    return (await session.execute(select(func.max(WebhookReceipt.received_at)).where(
        WebhookReceipt.platform == "shopify", WebhookReceipt.shop_key == domain))).scalar_one()


async def setup(session: AsyncSession, tts: TikTokShop) -> Setup:
    rows = (await session.execute(select(CategoryTemplate.is_default, func.count()).where(
        CategoryTemplate.tiktok_shop_id == tts.id, CategoryTemplate.active.is_(True))
        .group_by(CategoryTemplate.is_default))).all()
    active = {bool(d): int(n) for d, n in rows}
    prefs = await order_settings.load(session, tts.id)
    return Setup(sum(active.values()), active.get(True, 0) > 0, prefs.order.auto_sync,
                 prefs.fulfillment.auto_sync)


def _zero(*keys: str) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


async def product_counts(session: AsyncSession, tts: TikTokShop) -> dict[str, int]:
    """Live products by badge (the worst of their product/price/inventory rows); drafts and
    archived products without a sync are Not listable."""
    sub = worst_rank_subquery(tts.id)
    rank = func.coalesce(sub.c.rank, literal_column("0"))
    active = case((ShopifyProduct.status == "ACTIVE", literal_column("1")),
                  else_=literal_column("0"))
    rows = (await session.execute(
        select(rank, active, func.count()).select_from(ShopifyProduct)
        .outerjoin(sub, sub.c.entity_id == ShopifyProduct.shopify_id)
        .where(ShopifyProduct.shop_id == tts.shop_id, ShopifyProduct.deleted_at.is_(None))
        .group_by(rank, active))).all()
    out = _zero("not_synced", "syncing", "synced", "failed", "review_failed", "not_listable")
    for r, is_active, n in rows:
        badge = BADGE_OF_RANK[int(r)]
        key = "not_listable" if badge == "not_synced" and not int(is_active) else badge
        out[key] += int(n)
    out["total"] = sum(out.values())
    return out


async def order_counts(session: AsyncSession, tts: TikTokShop) -> dict[str, int]:
    """TikTok orders by order-sync state, as the Orders page labels them."""
    st = select(SyncState.entity_id, SyncState.status).where(
        SyncState.tiktok_shop_id == tts.id, SyncState.kind == "order").subquery()
    bucket = case(
        (st.c.status.in_(FAILING), literal_column("'failed'")),
        (st.c.status.in_(SYNCING), literal_column("'syncing'")),
        ((OrderLink.id.is_not(None)) | (st.c.status == state.SYNCED),
         literal_column("'synced'")),
        (TikTokOrder.status.in_(sorted(ELIGIBLE)), literal_column("'not_synced'")),
        else_=literal_column("'waiting'"))
    rows = (await session.execute(
        select(bucket, func.count()).select_from(TikTokOrder)
        .outerjoin(OrderLink, (OrderLink.tiktok_shop_id == tts.id)
                   & (OrderLink.tiktok_order_id == TikTokOrder.order_id))
        .outerjoin(st, st.c.entity_id == TikTokOrder.order_id)
        .where(TikTokOrder.tiktok_shop_id == tts.id, TikTokOrder.status != STUB_STATUS)
        .group_by(bucket))).all()
    out = _zero("not_synced", "waiting", "syncing", "synced", "failed")
    for key, n in rows:
        out[str(key)] += int(n)
    out["total"] = sum(out.values())
    return out


async def fulfillment_counts(session: AsyncSession, tts: TikTokShop) -> dict[str, int]:
    """Shipments synced each way (links) and fulfillment syncs in progress or failed."""
    out = _zero("to_tiktok", "to_shopify", "syncing", "failed")
    for direction, n in (await session.execute(select(FulfillmentLink.direction, func.count())
                                               .where(FulfillmentLink.tiktok_shop_id == tts.id)
                                               .group_by(FulfillmentLink.direction))).all():
        if direction in out:
            out[direction] += int(n)
    for status, n in (await session.execute(select(SyncState.status, func.count()).where(
            SyncState.tiktok_shop_id == tts.id, SyncState.kind == "fulfillment")
            .group_by(SyncState.status))).all():
        if status in SYNCING:
            out["syncing"] += int(n)
        elif status in FAILING:
            out["failed"] += int(n)
    return out


async def recent_failures(session: AsyncSession, shop_id: int, limit: int) -> list[SyncState]:
    """The shop's current failures (failed, review failed, retrying), latest first."""
    return list((await session.execute(select(SyncState).where(
        SyncState.shop_id == shop_id,
        SyncState.status.in_((*FAILING, state.BACKOFF))).order_by(
        SyncState.updated_at.desc(), SyncState.id.desc()).limit(limit))).scalars())
