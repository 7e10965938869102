"""Helpers of the Home, Settings and Activity browser tests: wait for the catalog import of a
freshly connected shop, and write sync failures and activity rows straight into the app's
SQLite (as the pipeline would leave them)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from ecomsend.db.models import ActivityLog, Shop, ShopifyProduct, SyncState, TikTokShop
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.demo.stack import LocalStack


async def connection_of(stack: LocalStack, domain: str, products: int) -> tuple[int, int]:
    """(shop id, TikTok connection id) of `domain`, once its catalog import stored `products`."""
    db = Database(stack.settings)
    try:
        async with asyncio.timeout(60):
            while True:
                async with db.sessionmaker() as s:
                    row = (await s.execute(select(Shop.id, TikTokShop.id).join(
                        TikTokShop, TikTokShop.shop_id == Shop.id).where(Shop.domain == domain))
                    ).first()
                    stored = (await s.execute(select(func.count()).select_from(ShopifyProduct)
                                              .join(Shop, Shop.id == ShopifyProduct.shop_id)
                                              .where(Shop.domain == domain))).scalar_one()
                if row is not None and stored >= products:
                    return int(row[0]), int(row[1])
                await asyncio.sleep(0.2)
    finally:
        await db.dispose()


async def seed_failures(stack: LocalStack, shop_id: int, conn: int, count: int,
                        message: str = "TikTok refused the product") -> list[str]:
    """Put the first `count` products of the shop in Sync failed (sync row + activity row);
    returns their titles."""
    db = Database(stack.settings)
    try:
        async with db.unit_of_work() as s:
            rows = (await s.execute(select(ShopifyProduct.shopify_id, ShopifyProduct.title).where(
                ShopifyProduct.shop_id == shop_id).order_by(ShopifyProduct.id).limit(count))).all()
            error = {"kind": "SyncPermanent", "message": message}
            for gid, _ in rows:
                s.add(SyncState(shop_id=shop_id, tiktok_shop_id=conn, kind="product",
                                entity_id=gid, direction="to_tiktok", status="failed",
                                desired_version=1, synced_version=1, last_error=error))
                s.add(ActivityLog(shop_id=shop_id, tiktok_shop_id=conn, kind="product",
                                  entity_id=gid, direction="to_tiktok", status="failed",
                                  message=message, error=error,
                                  created_at=utcnow() - timedelta(minutes=2)))
        return [str(title) for _, title in rows]
    finally:
        await db.dispose()


async def seed_activity(stack: LocalStack, shop_id: int, conn: int,
                        rows: list[dict[str, Any]]) -> None:
    db = Database(stack.settings)
    try:
        async with db.unit_of_work() as s:
            for values in rows:
                s.add(ActivityLog(**{"shop_id": shop_id, "tiktok_shop_id": conn,
                                     "created_at": utcnow() - timedelta(minutes=1), **values}))
    finally:
        await db.dispose()


async def product_statuses(stack: LocalStack, shop_id: int) -> dict[str, str]:
    """Shopify product title → ACTIVE / DRAFT / ARCHIVED."""
    db = Database(stack.settings)
    try:
        async with db.sessionmaker() as s:
            return {str(t): str(st) for t, st in (await s.execute(select(
                ShopifyProduct.title, ShopifyProduct.status).where(
                ShopifyProduct.shop_id == shop_id))).all()}
    finally:
        await db.dispose()
