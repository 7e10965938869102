"""What every push handler loads first (one short read), and the shared helpers around it:
the shop context, prefs with a resolved warehouse, TikTok SKU ids by variant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import select, update

from ecomsend.db.models import (
    ProductLink,
    Shop,
    ShopifyProduct,
    ShopSettings,
    SyncState,
)
from ecomsend.integrations.shopify.errors import ShopifyError
from ecomsend.integrations.shopify.models import Product
from ecomsend.services import Services, tiktok_context
from ecomsend.sync.catalog_import import import_catalog
from ecomsend.sync.errors import SyncPermanent, SyncTransient
from ecomsend.sync.listing import loading, reference, stock_queries
from ecomsend.sync.listing.errors import tiktok_errors
from ecomsend.sync.listing.market_prices import attach_market_prices
from ecomsend.sync.listing.mirror import REFRESH
from ecomsend.sync.listing.mirror import snapshot as product_snapshot
from ecomsend.sync.products.regions import RegionRules
from ecomsend.sync.products.types import ProductPrefs, ProductSnapshot

if TYPE_CHECKING:
    from ecomsend.integrations.tiktok.context import ShopContext
    from ecomsend.jobs.registry import TaskContext
    from ecomsend.sync.state import Lease


@dataclass
class PushJob:
    """A leased entity with the rows its push reads."""

    services: Services
    lease: Lease
    row: SyncState
    conn: loading.Connection
    rows: loading.ProductRows | None
    snapshot: ProductSnapshot | None
    links: list[ProductLink]
    #: The status of the product's own push (`product`, `to_tiktok`) when the job was loaded;
    #: read by the stock jobs only (load_stock_job), None there when it has no row.
    product_status: str | None = None

    @property
    def region(self) -> RegionRules:
        if self.conn.region is None:
            raise SyncPermanent(f"TikTok region {self.conn.tiktok_shop.region} is not supported.")
        return self.conn.region

    def shop_context(self) -> ShopContext:
        try:
            return tiktok_context(self.conn.tiktok_shop)
        except PermissionError as exc:
            raise SyncPermanent(f"{exc}: reconnect it in Settings.") from exc

    def sku_ids(self) -> dict[str, str]:
        """Shopify variant id → TikTok SKU id."""
        return {link.shopify_variant_id: link.tiktok_sku_id for link in self.links}

    def links_by_product(self) -> dict[str, dict[str, str]]:
        """TikTok product id → {variant id: sku id} (linked listings may span products)."""
        out: dict[str, dict[str, str]] = defaultdict(dict)
        for link in self.links:
            out[link.tiktok_product_id][link.shopify_variant_id] = link.tiktok_sku_id
        return dict(out)


async def _one(product: Product) -> AsyncIterator[Product]:
    yield product


async def refresh_from_shopify(ctx: TaskContext, shop_id: int, product_gid: str) -> None:
    """Re-read one product from Shopify into the mirror (after same-second webhooks whose
    order is unknown). Network first, then one write; a vanished product is left to the
    products/delete webhook."""
    services = ctx.need_services()
    async with ctx.db.sessionmaker() as session:
        shop = (await session.execute(select(Shop).where(Shop.id == shop_id))).scalar_one()
    try:
        async with services.shopify(shop) as client:
            product = await client.product(product_gid)
    except (ShopifyError, httpx.HTTPError) as exc:
        raise SyncTransient(f"Shopify: {exc}") from exc
    if product is not None:
        await import_catalog(ctx.db, shop_id, _one(product), prune=False)


async def load_job(ctx: TaskContext, lease: Lease) -> PushJob:
    """Read the sync row, the connection (all templates), the product and its links."""
    key = lease.key
    async with ctx.db.sessionmaker() as session:
        flag = (await session.execute(select(ShopifyProduct.content_hash).where(
            ShopifyProduct.shop_id == key.shop_id, ShopifyProduct.shopify_id == key.entity_id))
        ).scalar_one_or_none()
    if flag == REFRESH:
        await refresh_from_shopify(ctx, key.shop_id, key.entity_id)
    async with ctx.db.sessionmaker() as session:
        row = await loading.sync_row(session, lease.state_id)
        tts = await loading.tiktok_shop(session, key.tiktok_shop_id)
        conn = await loading.connection(session, tts, active_only=False)
        rows = await loading.product_rows(session, key.shop_id, key.entity_id)
        currency = await loading.shop_currency(session, key.shop_id)
        links = await loading.links(session, tts.id, key.entity_id)
    snap = None if rows is None else await attach_market_prices(
        ctx.db, ctx.need_services(), key.shop_id, product_snapshot(rows, currency), conn.region)
    return PushJob(ctx.need_services(), lease, row, conn, rows, snap, links)


async def load_stock_job(ctx: TaskContext, lease: Lease, *, prices: bool = True) -> PushJob:
    """The lean read of the price and inventory pushes (no templates), as these run for every
    stock change: four prebuilt queries (stock_queries, loading.links) in one
    `Database.reading` session — the sync row with its connection, settings, currency and the
    product push's status (`product_status`, for push_stock's wait); the product with its
    variants; their stock levels; the links. `prices`: fetch the Shopify Markets prices (the
    inventory push reads no price, so it skips the Shopify call)."""
    key = lease.key
    product = {"b_shop_id": key.shop_id, "b_shopify_id": key.entity_id}
    async with ctx.db.reading() as session:
        row, tts, raw, currency, product_status = (await session.execute(
            stock_queries.job_row(), {"b_state_id": lease.state_id})).one()
        pairs = (await session.execute(stock_queries.product_variants(), product)).all()
        rows = None
        if pairs:
            levels = (await session.execute(stock_queries.stock_levels(), product)).scalars()
            rows = loading.ProductRows(pairs[0][0], [v for _, v in pairs if v is not None],
                                       list(levels))
        links = await loading.links(session, tts.id, key.entity_id)
    if rows is not None and rows.product.content_hash == REFRESH:
        await refresh_from_shopify(ctx, key.shop_id, key.entity_id)
        return await load_stock_job(ctx, lease, prices=prices)
    conn = loading.connection_of(tts, raw or {}, [])
    snap = None if rows is None else product_snapshot(rows, currency or "USD")
    if snap is not None and prices:
        snap = await attach_market_prices(ctx.db, ctx.need_services(), key.shop_id, snap,
                                          conn.region)
    return PushJob(ctx.need_services(), lease, row, conn, rows, snap, links, product_status)


async def resolved_prefs(job: PushJob) -> ProductPrefs:
    """The connection's prefs; with no warehouse set, the shop's default sales warehouse
    (fetched once, cached, and saved into the settings so later runs need no call)."""
    prefs = job.conn.prefs
    if prefs.warehouse_map or prefs.default_warehouse_id:
        return prefs
    services = job.services
    async with tiktok_errors():
        warehouse = await reference.default_sales_warehouse(
            services.tiktok, job.shop_context(), job.conn.id)
    if warehouse is None:
        raise SyncPermanent("The TikTok shop has no sales warehouse.", [])
    async with services.db.unit_of_work() as session:
        raw = (await session.execute(select(ShopSettings.product).where(
            ShopSettings.tiktok_shop_id == job.conn.id))).scalar_one_or_none()
        if raw is not None and not raw.get("default_warehouse_id"):
            await session.execute(update(ShopSettings).where(
                ShopSettings.tiktok_shop_id == job.conn.id).values(
                product={**raw, "default_warehouse_id": warehouse}))
    return replace(prefs, default_warehouse_id=warehouse)
