"""The statements of a stock push's read (`job.load_stock_job`; its links: `loading.links`),
built once with bind parameters: they run for every stock change, and building a select per
call (columns, joins, an alias) cost about a quarter of that read's CPU (py-spy,
bench/multi_tenant.py)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import aliased

from ecomsend.db.models import (
    InventoryLevel,
    Shop,
    ShopifyProduct,
    ShopifyVariant,
    ShopSettings,
    SyncState,
    TikTokShop,
)
from ecomsend.sync.listing.ids import PRODUCT, TO_TIKTOK


@cache
def job_row() -> Any:
    """(sync row, its TikTok connection, product settings, shop currency, the status of the
    product's own push) by `b_state_id`."""
    product_push = aliased(SyncState)
    return (
        select(SyncState, TikTokShop, ShopSettings.product, Shop.currency, product_push.status)
        .join(TikTokShop, TikTokShop.id == SyncState.tiktok_shop_id)
        .join(Shop, Shop.id == TikTokShop.shop_id)
        .outerjoin(ShopSettings, ShopSettings.tiktok_shop_id == TikTokShop.id)
        .outerjoin(product_push, and_(
            product_push.tiktok_shop_id == SyncState.tiktok_shop_id,
            product_push.kind == PRODUCT, product_push.entity_id == SyncState.entity_id,
            product_push.direction == TO_TIKTOK))
        .where(SyncState.id == bindparam("b_state_id")))


def _the_product() -> tuple[Any, Any]:
    return (ShopifyProduct.shop_id == bindparam("b_shop_id"),
            ShopifyProduct.shopify_id == bindparam("b_shopify_id"))


@cache
def product_variants() -> Any:
    """(product, variant or None) rows of `b_shop_id`'s product `b_shopify_id`, by position."""
    return (select(ShopifyProduct, ShopifyVariant)
            .outerjoin(ShopifyVariant, ShopifyVariant.product_id == ShopifyProduct.id)
            .where(*_the_product()).order_by(ShopifyVariant.position))


@cache
def stock_levels() -> Any:
    """The inventory levels of that product's variants' inventory items."""
    items = (select(ShopifyVariant.inventory_item_id)
             .join(ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id)
             .where(*_the_product(), ShopifyVariant.inventory_item_id.is_not(None)))
    return select(InventoryLevel).where(InventoryLevel.shop_id == bindparam("b_shop_id"),
                                        InventoryLevel.inventory_item_id.in_(items))

