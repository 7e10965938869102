"""Database reads of the listing pipeline: a product with its variants and stock, a
connection's prefs and templates, a product's links. Every function takes the caller's session
and never writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from ecomsend.db.models import (
    CategoryTemplate,
    InventoryLevel,
    ProductLink,
    Shop,
    ShopifyProduct,
    ShopifyVariant,
    ShopSettings,
    SyncState,
    TikTokShop,
)
from ecomsend.sync.links.overrides import overrides_from_settings
from ecomsend.sync.listing.exclusions import excluded_gids
from ecomsend.sync.products.converters import prefs_from_settings, product_snapshot, template_spec
from ecomsend.sync.products.regions import RegionRules, UnknownRegion, region_rules
from ecomsend.sync.products.types import ProductPrefs, ProductSnapshot, TemplateSpec

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

#: Stands in for the shop's default warehouse when comparing stock before it is known, so a
#: stock change is still seen as one (`changes.classify_change` ignores unmapped stock).
PLACEHOLDER_WAREHOUSE = "default-warehouse"


@dataclass
class ProductRows:
    """A mirrored product with its variants and the stock of their inventory items."""

    product: ShopifyProduct
    variants: list[ShopifyVariant]
    levels: list[InventoryLevel]

    def snapshot(self, currency: str | None) -> ProductSnapshot:
        return product_snapshot(self.product, self.variants, self.levels,
                                currency=currency or "USD")


@dataclass
class Connection:
    """One TikTok shop connection with what a push or a classification needs."""

    tiktok_shop: TikTokShop
    prefs: ProductPrefs
    templates: list[TemplateSpec]
    region: RegionRules | None
    #: Manual-sync overrides by Shopify product GID (category, attributes, brand, package).
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Products the merchant excluded here (GIDs): no template claims them (`exclusions`).
    excluded: frozenset[str] = frozenset()

    @property
    def id(self) -> int:
        return self.tiktok_shop.id

    def comparison_prefs(self) -> ProductPrefs:
        """Prefs for change detection: a placeholder warehouse when none is set yet."""
        if self.prefs.warehouse_map or self.prefs.default_warehouse_id:
            return self.prefs
        return replace(self.prefs, default_warehouse_id=PLACEHOLDER_WAREHOUSE)


async def product_rows(session: AsyncSession, shop_id: int, shopify_id: str) -> ProductRows | None:
    """The product (even if deleted) with variants and levels; None when never mirrored."""
    product = (await session.execute(select(ShopifyProduct).where(
        ShopifyProduct.shop_id == shop_id, ShopifyProduct.shopify_id == shopify_id))
    ).scalar_one_or_none()
    if product is None:
        return None
    return await rows_of(session, product)


async def rows_of(session: AsyncSession, product: ShopifyProduct) -> ProductRows:
    variants = list((await session.execute(select(ShopifyVariant).where(
        ShopifyVariant.product_id == product.id).order_by(ShopifyVariant.position))).scalars())
    items = [v.inventory_item_id for v in variants if v.inventory_item_id]
    levels: list[InventoryLevel] = []
    if items:
        levels = list((await session.execute(select(InventoryLevel).where(
            InventoryLevel.shop_id == product.shop_id,
            InventoryLevel.inventory_item_id.in_(items)))).scalars())
    return ProductRows(product, variants, levels)


async def shop_currency(session: AsyncSession, shop_id: int) -> str:
    currency = (await session.execute(select(Shop.currency).where(Shop.id == shop_id))
                ).scalar_one_or_none()
    return currency or "USD"


def _region(code: str) -> RegionRules | None:
    try:
        return region_rules(code)
    except UnknownRegion:
        return None


def connection_of(tiktok_shop: TikTokShop, product_settings: dict[str, Any],
                  templates: list[TemplateSpec]) -> Connection:
    """A Connection from already loaded rows (pure)."""
    prefs = prefs_from_settings(product_settings)
    if tiktok_shop.seller_type in ("LOCAL", "CROSS_BORDER"):
        prefs = replace(prefs, seller_type=tiktok_shop.seller_type)  # type: ignore[arg-type]
    return Connection(tiktok_shop, prefs, templates, _region(tiktok_shop.region),
                      overrides_from_settings(product_settings))


async def connection(session: AsyncSession, tiktok_shop: TikTokShop, *,
                     active_only: bool = True) -> Connection:
    """The connection's prefs (settings.product), its (active) templates as specs and its
    excluded products."""
    raw = (await session.execute(select(ShopSettings.product).where(
        ShopSettings.tiktok_shop_id == tiktok_shop.id))).scalar_one_or_none() or {}
    query = select(CategoryTemplate).where(CategoryTemplate.tiktok_shop_id == tiktok_shop.id)
    if active_only:
        query = query.where(CategoryTemplate.active.is_(True))
    templates = [template_spec(t) for t in (await session.execute(query)).scalars()]
    conn = connection_of(tiktok_shop, raw, templates)
    conn.excluded = await excluded_gids(session, tiktok_shop.id)
    return conn


async def connections(session: AsyncSession, shop_id: int) -> list[Connection]:
    """Every live TikTok connection of a Shopify shop."""
    shops = (await session.execute(select(TikTokShop).where(
        TikTokShop.shop_id == shop_id, TikTokShop.disconnected_at.is_(None)))).scalars()
    return [await connection(session, s) for s in shops]


async def links(session: AsyncSession, tiktok_shop_id: int,
                product_shopify_id: str) -> list[ProductLink]:
    """The product's variant ↔ TikTok SKU links in one TikTok shop (every push reads them)."""
    return list((await session.execute(_links_stmt(), {
        "b_tts_id": tiktok_shop_id, "b_shopify_id": product_shopify_id})).scalars())


@cache
def _links_stmt() -> Any:
    """links' select with bind parameters, built once."""
    return select(ProductLink).where(ProductLink.tiktok_shop_id == bindparam("b_tts_id"),
                                     ProductLink.shopify_product_id == bindparam("b_shopify_id"))


async def linked_connection_ids(session: AsyncSession, product_shopify_id: str,
                                tiktok_shop_ids: list[int]) -> set[int]:
    if not tiktok_shop_ids:
        return set()
    return set((await session.execute(select(ProductLink.tiktok_shop_id).where(
        ProductLink.shopify_product_id == product_shopify_id,
        ProductLink.tiktok_shop_id.in_(tiktok_shop_ids)).distinct())).scalars())


async def sync_row(session: AsyncSession, state_id: int) -> SyncState:
    return (await session.execute(select(SyncState).where(SyncState.id == state_id))).scalar_one()


async def tiktok_shop(session: AsyncSession, tiktok_shop_id: int) -> TikTokShop:
    return (await session.execute(select(TikTokShop).where(TikTokShop.id == tiktok_shop_id))
            ).scalar_one()


def deleted_aware(rows: ProductRows, currency: str) -> ProductSnapshot:
    """The snapshot; a product deleted in Shopify gets the status DELETED."""
    snap = rows.snapshot(currency)
    return replace(snap, status="DELETED") if rows.product.deleted_at is not None else snap


async def shop_snapshots(session: AsyncSession, shop_id: int) -> list[ProductSnapshot]:
    """Every not-deleted product of the shop (three queries, grouped here)."""
    currency = await shop_currency(session, shop_id)
    products = list((await session.execute(select(ShopifyProduct).where(
        ShopifyProduct.shop_id == shop_id, ShopifyProduct.deleted_at.is_(None)))).scalars())
    variants: dict[int, list[ShopifyVariant]] = defaultdict(list)
    for v in (await session.execute(select(ShopifyVariant).where(
            ShopifyVariant.shop_id == shop_id))).scalars():
        variants[v.product_id].append(v)
    levels: dict[str | None, list[InventoryLevel]] = defaultdict(list)
    for lvl in (await session.execute(select(InventoryLevel).where(
            InventoryLevel.shop_id == shop_id))).scalars():
        levels[lvl.inventory_item_id].append(lvl)
    out = []
    for p in products:
        vs = sorted(variants[p.id], key=lambda v: v.position)
        lv = [lvl for v in vs for lvl in levels.get(v.inventory_item_id, [])]
        out.append(deleted_aware(ProductRows(p, vs, lv), currency))
    return out
