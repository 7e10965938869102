"""Seeding for the Home / Activity / Connections API tests: a shop with one TikTok connection,
products, orders, sync rows and activity written straight to the database, and an HTTP client
signed in as that shop (the app's own session cookie) against the app served over real HTTP."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import jwt

from ecomsend.db.models import (
    ActivityLog,
    FulfillmentLink,
    OrderLink,
    ProductLink,
    Shop,
    ShopifyProduct,
    ShopSettings,
    SyncState,
    TikTokOrder,
    TikTokShop,
    WebhookReceipt,
)
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.web.session import COOKIE_NAME


@dataclass
class Seeded:
    shop_id: int
    tts_id: int
    domain: str
    tiktok_shop_id: str


def client_for(db: Database, url: str, seeded: Seeded) -> httpx.AsyncClient:
    """An HTTP client with the standalone session cookie of `seeded`'s shop."""
    token = jwt.encode({"sub": str(seeded.shop_id), "shop": seeded.domain,
                        "exp": int(time.time()) + 600}, db.settings.session_key(),
                       algorithm="HS256")
    return httpx.AsyncClient(base_url=url, cookies={COOKIE_NAME: token}, timeout=30)


async def seed_shop(db: Database, domain: str, tiktok_shop_id: str, region: str = "US",
                    order_auto_sync: bool = True) -> Seeded:
    now = utcnow()
    async with db.unit_of_work() as s:
        shop = Shop(domain=domain, name=domain.split(".")[0].title(), scopes="",
                    installed_at=now, currency="USD")
        s.add(shop)
        await s.flush()
        tts = TikTokShop(shop_id=shop.id, tiktok_shop_id=tiktok_shop_id, cipher="c",
                         region=region, name=f"{shop.name} {region}", access_token="at",
                         refresh_token="rt", access_token_expires_at=now + timedelta(days=7),
                         refresh_token_expires_at=now + timedelta(days=300))
        s.add(tts)
        await s.flush()
        s.add(ShopSettings(tiktok_shop_id=tts.id, product={},
                           order={"auto_sync": order_auto_sync}, fulfillment={}))
        return Seeded(shop.id, tts.id, domain, tiktok_shop_id)


async def add_products(db: Database, seeded: Seeded, statuses: list[str | None],
                       shopify_status: str = "ACTIVE") -> list[str]:
    """One product per entry; a status puts a `product` sync row in it (None: no row)."""
    gids = []
    async with db.unit_of_work() as s:
        for status in statuses:
            n = len(gids) + 1
            gid = f"gid://shopify/Product/{seeded.shop_id}{shopify_status[0]}{n:04d}"
            s.add(ShopifyProduct(shop_id=seeded.shop_id, shopify_id=gid,
                                 title=f"{shopify_status.title()} product {n}",
                                 status=shopify_status))
            if status is not None:
                s.add(sync_row(seeded, "product", gid, "to_tiktok", status))
            gids.append(gid)
    return gids


def sync_row(seeded: Seeded, kind: str, entity: str, direction: str, status: str,
             message: str = "TikTok refused it") -> SyncState:
    failed = status in ("failed", "review_failed", "backoff")
    pending = status in ("pending", "backoff")
    return SyncState(shop_id=seeded.shop_id, tiktok_shop_id=seeded.tts_id, kind=kind,
                     entity_id=entity, direction=direction, status=status,
                     desired_version=2 if pending else 1, synced_version=1,
                     last_synced_at=None if failed else utcnow(),
                     last_error={"kind": "SyncPermanent", "message": message} if failed
                     else None)


async def add_orders(db: Database, seeded: Seeded, spec: dict[str, int]) -> list[str]:
    """Orders by bucket: synced (linked), failed, syncing, not_synced (eligible), waiting."""
    ids = []
    async with db.unit_of_work() as s:
        for bucket, count in spec.items():
            for _ in range(count):
                oid = f"57{seeded.tts_id:03d}{len(ids):08d}"
                status = "UNPAID" if bucket == "waiting" else "AWAITING_SHIPMENT"
                s.add(TikTokOrder(tiktok_shop_id=seeded.tts_id, order_id=oid, status=status,
                                  create_time=utcnow()))
                if bucket == "synced":
                    s.add(OrderLink(tiktok_shop_id=seeded.tts_id, tiktok_order_id=oid,
                                    shopify_order_id=f"gid://shopify/Order/{oid}"))
                elif bucket in ("failed", "syncing"):
                    s.add(sync_row(seeded, "order", oid, "to_shopify",
                                   "failed" if bucket == "failed" else "pending"))
                ids.append(oid)
    return ids


async def add_fulfillments(db: Database, seeded: Seeded, order_ids: list[str],
                           to_tiktok: int, to_shopify: int, failed: int) -> None:
    async with db.unit_of_work() as s:
        for i, oid in enumerate(order_ids[:to_tiktok + to_shopify]):
            s.add(FulfillmentLink(tiktok_shop_id=seeded.tts_id, tiktok_order_id=oid,
                                  shopify_fulfillment_id=f"f{seeded.tts_id}-{i}",
                                  tiktok_package_id=f"p{seeded.tts_id}-{i}",
                                  direction="to_tiktok" if i < to_tiktok else "to_shopify"))
        for oid in order_ids[-failed:] if failed else []:
            s.add(sync_row(seeded, "fulfillment", oid, "to_tiktok", "failed",
                           "No TikTok carrier for DHL"))


async def add_link(db: Database, seeded: Seeded, gid: str) -> None:
    async with db.unit_of_work() as s:
        s.add(ProductLink(tiktok_shop_id=seeded.tts_id, shopify_product_id=gid,
                          shopify_variant_id=gid + "/v", tiktok_product_id=f"tp-{gid[-6:]}",
                          tiktok_sku_id=f"ts-{gid[-6:]}"))


async def add_activity(db: Database, seeded: Seeded | None, rows: list[dict[str, Any]]
                       ) -> list[int]:
    """Activity rows (defaults: this shop and connection); returns their ids in order."""
    ids = []
    async with db.unit_of_work() as s:
        for values in rows:
            base: dict[str, Any] = ({"shop_id": seeded.shop_id, "tiktok_shop_id": seeded.tts_id}
                                    if seeded else {})
            row = ActivityLog(**{**base, **values})
            s.add(row)
            await s.flush()
            ids.append(row.id)
    return ids


async def add_webhook(db: Database, platform: str, shop_key: str, minutes_ago: float) -> None:
    async with db.unit_of_work() as s:
        s.add(WebhookReceipt(platform=platform, delivery_id=f"{shop_key}-{minutes_ago}",
                             topic="1", shop_key=shop_key,
                             received_at=utcnow() - timedelta(minutes=minutes_ago)))
