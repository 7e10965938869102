"""What every push handler loads first (one short read), and the shared helpers around it:
the shop context, prefs with a resolved warehouse, TikTok SKU ids by variant."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ecomsend.db.models import ProductLink, ShopSettings, SyncState
from ecomsend.services import Services, tiktok_context
from ecomsend.sync.errors import SyncPermanent
from ecomsend.sync.listing import loading, reference
from ecomsend.sync.listing.errors import tiktok_errors
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


async def load_job(ctx: TaskContext, lease: Lease) -> PushJob:
    """Read the sync row, the connection (all templates), the product and its links."""
    key = lease.key
    async with ctx.db.sessionmaker() as session:
        row = await loading.sync_row(session, lease.state_id)
        tts = await loading.tiktok_shop(session, key.tiktok_shop_id)
        conn = await loading.connection(session, tts, active_only=False)
        rows = await loading.product_rows(session, key.shop_id, key.entity_id)
        currency = await loading.shop_currency(session, key.shop_id)
        links = await loading.links(session, tts.id, key.entity_id)
    snap = None if rows is None else product_snapshot(rows, currency)
    return PushJob(ctx.need_services(), lease, row, conn, rows, snap, links)


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
