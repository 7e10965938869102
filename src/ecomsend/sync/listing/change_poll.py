"""The change poll: the frequent safety net behind Shopify products and inventory webhooks.

Shopify drops nothing on purpose, but deliveries fail and subscriptions get deleted (reference
§4.1), and the 6-hourly catalog reconcile is too slow a repair. Every CHANGES_EVERY_S each shop
with a live TikTok connection is asked what changed since its watermark minus SEARCH_LAG_S:
product ids with `updatedAt` (one cheap search), then, only for the products newer than (or as
new as) the mirror, the full product; and the inventory levels updated per location. Each is
fed to the handler its webhook goes through (`webhooks.products_upsert`,
`webhooks.inventory_level_update`): newer-only, idempotent, and a change TikTok does not see
queues no push. When nothing changed a poll makes no call past the two searches.
Registered by `wiring.register_listing_tasks`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select

from ecomsend.db.models import Shop, ShopifyProduct, SyncState, TikTokShop
from ecomsend.integrations.shopify.changes import changed_levels, changed_products
from ecomsend.sync.cursors import Cursor, save_cursor
from ecomsend.sync.inbox import InboundWebhook, Platform
from ecomsend.sync.listing.change_payloads import level_payload, product_payload
from ecomsend.sync.listing.webhooks import inventory_level_update, products_upsert

if TYPE_CHECKING:
    from ecomsend.integrations.shopify.client import ShopifyClient
    from ecomsend.jobs.registry import TaskContext

log = structlog.get_logger(__name__)

CHANGES_TASK = "listing_poll_shopify_changes"
#: A dropped products/inventory webhook is repaired within this (plus the search lag) instead
#: of the catalog reconcile's 6 hours; an idle poll costs two small searches per shop.
CHANGES_EVERY_S = 90.0
#: Each poll reaches this far behind its watermark: Shopify's search index lags writes
#: (reference §9), so a change made just before the last poll may have been searchable only
#: after it. Two minutes is twice the app's default order search lag setting.
SEARCH_LAG_S = 120.0
#: A connection's first poll looks back this far (the install's catalog import read the rest;
#: the catalog reconcile repairs anything older).
FIRST_LOOKBACK_S = 900.0
POLL_CURSOR = Cursor("shopify_change_poll", "from_shopify")


async def _cursor(ctx: TaskContext, conns: list[TikTokShop]) -> datetime | None:
    """The shop's watermark: the oldest of its connections' (None when one has none yet)."""
    async with ctx.db.sessionmaker() as session:
        rows = {int(r[0]): r[1] for r in (await session.execute(select(
            SyncState.tiktok_shop_id, SyncState.last_synced_at).where(
            SyncState.tiktok_shop_id.in_([c.id for c in conns]),
            SyncState.kind == POLL_CURSOR.kind, SyncState.entity_id == POLL_CURSOR.entity))).all()}
    marks = [rows.get(c.id) for c in conns]
    return None if any(m is None for m in marks) else min(m for m in marks if m is not None)


async def _save_cursor(ctx: TaskContext, conns: list[TikTokShop], at: datetime) -> None:
    async with ctx.db.unit_of_work() as session:
        for tts in conns:
            await save_cursor(session, tts, POLL_CURSOR, at)


def _aware(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


async def _to_reread(ctx: TaskContext, shop_id: int, found: list[tuple[str, datetime | None]],
                     same_second_too: bool) -> list[str]:
    """The products Shopify changed after the mirror's copy (or in the same second, whose
    order the mirror cannot know, once the shop has a watermark), or that it lacks."""
    async with ctx.db.sessionmaker() as session:
        mirrored = {str(r[0]): r[1] for r in (await session.execute(select(
            ShopifyProduct.shopify_id, ShopifyProduct.source_updated_at).where(
            ShopifyProduct.shop_id == shop_id,
            ShopifyProduct.shopify_id.in_([g for g, _ in found])))).all()}
    out = []
    for product_id, updated in found:
        mine = _aware(mirrored.get(product_id))
        if product_id not in mirrored or mine is None or updated is None or updated > mine \
                or (same_second_too and updated == mine):
            out.append(product_id)
    return out


def _webhook(shop: Shop, topic: str, key: str, payload: Any) -> InboundWebhook:
    """What a delivery of `topic` would have handed the handler (the poll is its sender)."""
    return InboundWebhook(Platform.SHOPIFY, f"poll:{key}", topic, shop.domain, payload)


async def _products(ctx: TaskContext, shop: Shop, client: ShopifyClient, since: datetime,
                    same_second_too: bool) -> int:
    """Re-read and apply the changed products; how many were re-read."""
    found = await changed_products(client, since)
    ids = await _to_reread(ctx, shop.id, found, same_second_too) if found else []
    for product_id in ids:
        product = await client.product(product_id)
        if product is None:  # deleted since the search; products/delete or reconcile handle it
            continue
        async with ctx.db.unit_of_work() as session:
            await products_upsert(session, ctx.queue, _webhook(
                shop, "products/update", product_id, product_payload(product)))
    return len(ids)


async def _levels(ctx: TaskContext, shop: Shop, client: ShopifyClient, since: datetime) -> int:
    """Apply the changed inventory levels of every active location; how many were read."""
    read = 0
    for location in await client.locations():
        payloads = [p for p in (level_payload(lv) for lv in
                                await changed_levels(client, location.id, since)) if p]
        read += len(payloads)
        if not payloads:
            continue
        async with ctx.db.unit_of_work() as session:
            for payload in payloads:
                await inventory_level_update(session, ctx.queue, _webhook(
                    shop, "inventory_levels/update",
                    f"{payload.inventory_item_id}:{payload.location_id}", payload))
    return read


async def poll_shop(ctx: TaskContext, shop: Shop, conns: list[TikTokShop]) -> tuple[int, int]:
    """One shop's poll; (products re-read, levels read). The watermark moves to the poll's
    start only when every read succeeded."""
    started = datetime.fromtimestamp(time.time(), UTC)
    cursor = _aware(await _cursor(ctx, conns))
    since = (cursor - timedelta(seconds=SEARCH_LAG_S) if cursor
             else started - timedelta(seconds=FIRST_LOOKBACK_S))
    async with ctx.need_services().shopify(shop) as client:
        products = await _products(ctx, shop, client, since, cursor is not None)
        levels = await _levels(ctx, shop, client, since)
    await _save_cursor(ctx, conns, started)
    return products, levels


async def poll_shopify_changes(ctx: TaskContext) -> None:
    """Periodic: poll every installed shop that has a live TikTok connection."""
    async with ctx.db.sessionmaker() as session:
        rows = (await session.execute(select(Shop, TikTokShop).join(
            TikTokShop, TikTokShop.shop_id == Shop.id).where(
            TikTokShop.disconnected_at.is_(None), Shop.uninstalled_at.is_(None)))).all()
    shops: dict[int, tuple[Shop, list[TikTokShop]]] = {}
    for shop, tts in rows:
        shops.setdefault(shop.id, (shop, []))[1].append(tts)
    for shop, conns in shops.values():
        try:
            products, levels = await poll_shop(ctx, shop, conns)
        except Exception:  # one shop's failure must not stop the others; next poll retries
            log.exception("changes.poll_failed", shop_id=shop.id)
            continue
        if products or levels:
            log.info("changes.polled", shop_id=shop.id, products=products, levels=levels)
