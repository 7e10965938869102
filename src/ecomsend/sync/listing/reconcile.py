"""Periodic reconciliation (DESIGN.md §4.4): the safety net behind webhooks.

- `reconcile_inventory` (often): for every listed product, the stock TikTok should show
  (mirror + inventory rule) is hashed and compared with what we last pushed; drift → pending.
- `reconcile_catalog` (less often): re-read the Shopify catalog into the mirror (bulk
  operation, catches missed webhooks), then mark pending the prices that drifted and the
  products changed since their last push (the push's hash check makes a false alarm free).
Each connection is compared in one short read; marks go in one unit of work per connection.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import select

from ecomsend.db.models import ProductLink, Shop, ShopifyProduct, SyncState, TikTokShop
from ecomsend.sync import state
from ecomsend.sync.catalog_import import import_shop_catalog
from ecomsend.sync.listing import loading
from ecomsend.sync.listing.exclusions import excluded_gids, without_excluded
from ecomsend.sync.listing.ids import INVENTORY, PRICE, PRODUCT, TO_TIKTOK
from ecomsend.sync.listing.push_stock import inventory_hash, price_hash

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.registry import TaskContext

log = structlog.get_logger(__name__)

INVENTORY_TASK = "listing_reconcile_inventory"
CATALOG_TASK = "listing_reconcile_catalog"
INVENTORY_EVERY_S = 300.0
CATALOG_EVERY_S = 6 * 3600.0


async def _hashes(session: AsyncSession, tts_id: int, kind: str) -> dict[str, str | None]:
    rows = await session.execute(select(SyncState.entity_id, SyncState.last_pushed_hash).where(
        SyncState.tiktok_shop_id == tts_id, SyncState.kind == kind,
        SyncState.direction == TO_TIKTOK))
    return {str(e): h for e, h in rows.all()}


async def _sku_ids(session: AsyncSession, tts_id: int) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for link in (await session.execute(select(ProductLink).where(
            ProductLink.tiktok_shop_id == tts_id))).scalars():
        out[link.shopify_product_id][link.shopify_variant_id] = link.tiktok_sku_id
    return out


async def drift(session: AsyncSession, tts: TikTokShop, kinds: tuple[str, ...]
                ) -> list[tuple[str, str]]:
    """(kind, product id) pairs whose mirror no longer matches what TikTok was last sent."""
    conn = await loading.connection(session, tts)
    prefs = conn.prefs
    if conn.region is None or not (prefs.warehouse_map or prefs.default_warehouse_id):
        return []  # never pushed yet: nothing to compare with
    links = await _sku_ids(session, tts.id)
    pushed = {kind: await _hashes(session, tts.id, kind) for kind in kinds}
    found = []
    for snap in await loading.shop_snapshots(session, tts.shop_id):
        sku_ids = links.get(snap.id)
        if not sku_ids or snap.status.upper() != "ACTIVE":
            continue
        if INVENTORY in kinds and inventory_hash(snap, prefs, sku_ids) != \
                pushed[INVENTORY].get(snap.id):
            found.append((INVENTORY, snap.id))
        if PRICE in kinds and price_hash(snap, prefs, conn.region, sku_ids) != \
                pushed[PRICE].get(snap.id):
            found.append((PRICE, snap.id))
    return found


async def _changed_since_push(session: AsyncSession, tts: TikTokShop) -> list[str]:
    """Products Shopify changed (its own `updatedAt`, not our re-import time) after their last
    product push."""
    rows = await session.execute(
        select(ShopifyProduct.shopify_id).join(SyncState, (
            SyncState.entity_id == ShopifyProduct.shopify_id)
            & (SyncState.tiktok_shop_id == tts.id) & (SyncState.kind == PRODUCT)
            & (SyncState.direction == TO_TIKTOK)).where(
            ShopifyProduct.shop_id == tts.shop_id, SyncState.status == state.SYNCED,
            ShopifyProduct.source_updated_at > SyncState.last_synced_at))
    return [str(r) for r in rows.scalars()]


async def _mark(ctx: TaskContext, tts: TikTokShop, pairs: list[tuple[str, str]]) -> None:
    """mark_changed the drifted pairs, except what the merchant excluded (stock is kept)."""
    if not pairs:
        return
    async with ctx.db.unit_of_work() as session:
        pairs = without_excluded(pairs, await excluded_gids(session, tts.id))
        for n, (kind, product_id) in enumerate(pairs):
            await state.mark_changed(session, ctx.queue, state.EntityKey(
                tts.shop_id, tts.id, kind, product_id, TO_TIKTOK), backlog=n)
    log.info("reconcile.drift", tiktok_shop_id=tts.id, count=len(pairs))


async def _live_connections(ctx: TaskContext) -> list[TikTokShop]:
    async with ctx.db.sessionmaker() as session:
        return list((await session.execute(select(TikTokShop).join(
            Shop, Shop.id == TikTokShop.shop_id).where(
            TikTokShop.disconnected_at.is_(None), Shop.uninstalled_at.is_(None)))).scalars())


async def reconcile_inventory(ctx: TaskContext) -> None:
    """Periodic: mark pending the listed products whose stock drifted from what we pushed."""
    for tts in await _live_connections(ctx):
        async with ctx.db.sessionmaker() as session:
            pairs = await drift(session, tts, (INVENTORY,))
        await _mark(ctx, tts, pairs)


async def reconcile_catalog(ctx: TaskContext) -> None:
    """Periodic: refresh the mirror from Shopify, then mark drifted prices and products."""
    services = ctx.need_services()
    conns = await _live_connections(ctx)
    for shop_id in sorted({t.shop_id for t in conns}):
        async with ctx.db.sessionmaker() as session:
            shop = (await session.execute(select(Shop).where(Shop.id == shop_id))).scalar_one()
        try:
            async with services.shopify(shop) as client:
                # Collections too: membership changes send no product webhook.
                await import_shop_catalog(ctx.db, shop_id, client)
        except Exception:  # one shop's failure must not stop the others
            log.exception("reconcile.catalog_refresh_failed", shop_id=shop_id)
    for tts in conns:
        async with ctx.db.sessionmaker() as session:
            pairs = await drift(session, tts, (INVENTORY, PRICE))
            pairs += [(PRODUCT, p) for p in await _changed_since_push(session, tts)]
        await _mark(ctx, tts, pairs)
