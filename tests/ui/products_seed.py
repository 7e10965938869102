"""Helpers of the Products and Product detail browser tests: put products in a sync status (as
the pipeline leaves them after a push) and record activity rows, straight in the app's SQLite."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ecomsend.db.models import ActivityLog, ShopifyProduct, SyncState, TikTokShop
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.demo.stack import LocalStack

FAILURE = {"kind": "SyncPermanent", "message": "TikTok refused the product",
           "field_errors": [{"field": "package_weight", "message": "The package weight is missing.",
                             "fix": "Set a package weight in the template."}]}


async def seed_statuses(stack: LocalStack, conn: int, statuses: dict[int, str]) -> None:
    """Product id → sync status (`synced`, `failed`, …) with a failure reason for failures,
    and one activity row per product (its history)."""
    db = Database(stack.settings)
    try:
        async with db.unit_of_work() as s:
            tts = (await s.execute(select(TikTokShop).where(TikTokShop.id == conn))).scalar_one()
            rows = (await s.execute(select(ShopifyProduct.id, ShopifyProduct.shopify_id).where(
                ShopifyProduct.id.in_(list(statuses))))).all()
            now = utcnow()
            for pid, gid in rows:
                status = statuses[pid]
                error: dict[str, Any] | None = FAILURE if status == "failed" else None
                s.add(SyncState(shop_id=tts.shop_id, tiktok_shop_id=conn, kind="product",
                                entity_id=gid, direction="to_tiktok", status=status,
                                desired_version=1, synced_version=1, last_error=error,
                                last_synced_at=now if status == "synced" else None))
                s.add(ActivityLog(shop_id=tts.shop_id, tiktok_shop_id=conn, kind="product",
                                  entity_id=gid, direction="to_tiktok", status=status,
                                  message="1 API call(s)" if status == "synced"
                                  else "TikTok refused the product", error=error,
                                  created_at=now - timedelta(minutes=5)))
    finally:
        await db.dispose()
