"""Everything a handler needs about one TikTok order, read in one short session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from ecomsend.db.models import OrderLink, ProductLink, Shop, TikTokOrder, TikTokShop
from ecomsend.integrations.tiktok.models.orders import Order
from ecomsend.sync.errors import SyncPermanent, SyncTransient
from ecomsend.sync.orders import settings as settings_mod

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.sync.state import EntityKey


@dataclass
class OrderContext:
    tts: TikTokShop
    shop: Shop
    order: Order
    link: OrderLink | None
    prefs: settings_mod.ConnectionSettings
    #: TikTok sku_id → Shopify variant GID, for the order's SKUs that are linked.
    variant_by_sku: dict[str, str]


async def load_connection(session: AsyncSession, tts_pk: int) -> tuple[TikTokShop, Shop]:
    tts = await session.get(TikTokShop, tts_pk)
    shop = await session.get(Shop, tts.shop_id) if tts is not None else None
    if tts is None or shop is None:
        raise SyncPermanent("This TikTok Shop connection no longer exists.")
    if tts.disconnected_at is not None:
        raise SyncPermanent("TikTok Shop is disconnected: reconnect it, then Retry.")
    return tts, shop


async def load_order(session: AsyncSession, key: EntityKey) -> OrderContext:
    tts, shop = await load_connection(session, key.tiktok_shop_id)
    row = (await session.execute(select(TikTokOrder).where(
        TikTokOrder.tiktok_shop_id == tts.id, TikTokOrder.order_id == key.entity_id))
    ).scalar_one_or_none()
    if row is None:
        raise SyncPermanent(f"TikTok order {key.entity_id} has not been fetched yet: use "
                            "Fetch orders, then Retry.")
    if not row.payload:
        raise SyncTransient(f"TikTok order {key.entity_id} is being fetched")
    order = Order.model_validate(row.payload)
    link = (await session.execute(select(OrderLink).where(
        OrderLink.tiktok_shop_id == tts.id, OrderLink.tiktok_order_id == order.id))
    ).scalar_one_or_none()
    skus = {li.sku_id for li in order.line_items if li.sku_id}
    links = await session.execute(select(ProductLink.tiktok_sku_id, ProductLink.shopify_variant_id)
                                  .where(ProductLink.tiktok_shop_id == tts.id,
                                         ProductLink.tiktok_sku_id.in_(skus)))
    variants = {sku: variant_gid(variant) for sku, variant in links.all()}
    return OrderContext(tts, shop, order, link, await settings_mod.load(session, tts.id),
                        variants)


def variant_gid(value: str) -> str:
    return value if value.startswith("gid://") else f"gid://shopify/ProductVariant/{value}"


def order_gid(value: str | int) -> str:
    text = str(value)
    return text if text.startswith("gid://") else f"gid://shopify/Order/{text}"
