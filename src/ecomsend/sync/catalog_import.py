"""Initial catalog import: bulk-export a shop's catalog and upsert it into the mirrors.

`import_catalog(db, shop_id, products)` is called by the install flow / the "re-import
catalog" job with `export_catalog(client)` as `products`. Rows are mapped by pure functions
(`product_row`, `variant_row`, `level_rows`, each with a content hash), then written in batches:
one transaction per batch, executemany `INSERT … ON CONFLICT DO UPDATE` on SQLite and
PostgreSQL. Mapping (the producer) and writing (the consumer) overlap through a small queue.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import InventoryLevel, ShopifyProduct, ShopifyVariant
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.integrations.shopify.models import Product, Variant

#: Products per transaction: big enough to amortise commits, small enough for bounded memory.
DEFAULT_BATCH_PRODUCTS = 500
#: Batches mapped ahead of the writer; bounds memory while parsing overlaps DB writes.
QUEUE_DEPTH = 2
#: Separator for content hashing; cannot occur in the stringified values we join.
_SEP = "\x1f"

PRODUCT_T: Table = ShopifyProduct.__table__  # type: ignore[assignment]
VARIANT_T: Table = ShopifyVariant.__table__  # type: ignore[assignment]
LEVEL_T: Table = InventoryLevel.__table__  # type: ignore[assignment]
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """Counts written so far; passed to the progress callback after every batch."""

    products: int
    variants: int
    inventory_levels: int
    batches: int
    seconds: float


ProgressCallback = Callable[[ImportProgress], None]


def content_hash(values: Iterable[Any]) -> str:
    """sha256 over the row's synced fields, in a fixed order (change detection for pushes)."""
    text = _SEP.join("" if v is None else str(v) for v in values)
    return hashlib.sha256(text.encode()).hexdigest()


def product_row(shop_id: int, product: Product, now: datetime) -> Row:
    """The `shopify_product` row of a product (pure)."""
    options = [{"name": o.name, "position": o.position, "values": list(o.values)}
               for o in product.options]
    images = [{"id": i.id, "url": i.url, "alt": i.alt} for i in product.images]
    collections = [c.id for c in product.collections]
    row: Row = {
        "shop_id": shop_id, "shopify_id": product.id, "title": product.title[:512],
        "handle": product.handle, "body_html": product.description_html,
        "vendor": product.vendor, "product_type": product.product_type,
        "category": product.category, "status": product.status, "tags": list(product.tags),
        "options": options, "images": images, "collections": collections,
        "source_updated_at": product.updated_at, "deleted_at": None,
        "created_at": now, "updated_at": now,
    }
    row["content_hash"] = content_hash((
        product.title, product.handle, product.description_html, product.vendor,
        product.product_type, product.category, product.status, product.tags, options, images,
        collections))
    return row


def variant_row(shop_id: int, product_db_id: int, variant: Variant, image_url: str | None,
                now: datetime) -> Row:
    """The `shopify_variant` row of a variant (pure)."""
    options = [{"name": n, "value": v} for n, v in variant.selected_options]
    row: Row = {
        "shop_id": shop_id, "product_id": product_db_id, "shopify_id": variant.id,
        "title": variant.title, "sku": variant.sku, "barcode": variant.barcode,
        "price": variant.price, "compare_at_price": variant.compare_at_price,
        "inventory_item_id": variant.inventory_item_id, "weight": variant.weight,
        "weight_unit": variant.weight_unit, "position": variant.position,
        "selected_options": options, "image_url": image_url,
        "source_updated_at": variant.updated_at, "created_at": now, "updated_at": now,
    }
    row["content_hash"] = content_hash((
        variant.title, variant.sku, variant.barcode, variant.price, variant.compare_at_price,
        variant.inventory_item_id, variant.weight, variant.weight_unit, variant.position,
        variant.selected_options, image_url))
    return row


def level_rows(shop_id: int, variant: Variant) -> list[Row]:
    """`inventory_level` rows (available per location) of a variant (pure)."""
    return [{"shop_id": shop_id, "inventory_item_id": lv.inventory_item_id,
             "location_id": lv.location_id, "available": lv.available or 0,
             "source_updated_at": lv.updated_at}
            for lv in variant.inventory_levels if lv.inventory_item_id and lv.location_id]


def _upsert(dialect: str, table: Table, keys: Sequence[str], columns: Sequence[str]) -> Any:
    """`INSERT … ON CONFLICT (keys) DO UPDATE SET col = excluded.col` for either database."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns})


class _Writer:
    """Writes batches for one shop; one transaction per batch (called by import_catalog)."""

    def __init__(self, db: Database, shop_id: int) -> None:
        self.db = db
        self.shop_id = shop_id
        d = db.dialect
        p_cols = [c.name for c in PRODUCT_T.columns if c.name not in ("id", "shop_id",
                                                                       "shopify_id", "created_at")]
        v_cols = [c.name for c in VARIANT_T.columns if c.name not in ("id", "shop_id",
                                                                       "shopify_id", "created_at")]
        self.products_stmt = _upsert(d, PRODUCT_T, ("shop_id", "shopify_id"), p_cols).returning(
            PRODUCT_T.c.id, PRODUCT_T.c.shopify_id)
        self.variants_stmt = _upsert(d, VARIANT_T, ("shop_id", "shopify_id"), v_cols)
        self.levels_stmt = _upsert(d, LEVEL_T, ("shop_id", "inventory_item_id", "location_id"),
                                   ("available", "source_updated_at"))

    async def write(self, products: list[Product], now: datetime) -> tuple[int, int]:
        """Upsert one batch of products with their variants and levels; (variants, levels)."""
        async with self.db.unit_of_work() as session:
            ids = await self._products(session, products, now)
            variants: list[Row] = []
            levels: list[Row] = []
            for product in products:
                image = product.images[0].url if product.images else None
                for v in product.variants:
                    variants.append(variant_row(self.shop_id, ids[product.id], v, image, now))
                    levels.extend(level_rows(self.shop_id, v))
            if variants:
                await session.execute(self.variants_stmt, variants)
            if levels:
                await session.execute(self.levels_stmt, levels)
        return len(variants), len(levels)

    async def _products(self, session: AsyncSession, products: list[Product],
                        now: datetime) -> dict[str, int]:
        rows = [product_row(self.shop_id, p, now) for p in products]
        result = await session.execute(self.products_stmt, rows)
        return {shopify_id: db_id for db_id, shopify_id in result.all()}

    async def prune(self, started: datetime) -> None:
        """After a complete import: mark products Shopify no longer has as deleted, drop
        vanished variants and the levels of inventory items no variant uses any more."""
        shop = self.shop_id
        async with self.db.unit_of_work() as session:
            await session.execute(update(PRODUCT_T).where(and_(
                PRODUCT_T.c.shop_id == shop, PRODUCT_T.c.updated_at < started,
                PRODUCT_T.c.deleted_at.is_(None))).values(deleted_at=utcnow()))
            await session.execute(delete(VARIANT_T).where(and_(
                VARIANT_T.c.shop_id == shop, VARIANT_T.c.updated_at < started)))
            used = select(VARIANT_T.c.inventory_item_id).where(
                VARIANT_T.c.shop_id == shop, VARIANT_T.c.inventory_item_id.is_not(None))
            await session.execute(delete(LEVEL_T).where(and_(
                LEVEL_T.c.shop_id == shop, LEVEL_T.c.inventory_item_id.not_in(used))))


async def _batches(products: AsyncIterator[Product], size: int,
                   queue: asyncio.Queue[list[Product] | None]) -> None:
    """Producer: group the product stream into batches for the writer."""
    try:
        batch: list[Product] = []
        async for product in products:
            batch.append(product)
            if len(batch) >= size:
                await queue.put(batch)
                batch = []
        if batch:
            await queue.put(batch)
    finally:
        await queue.put(None)


async def import_catalog(
    db: Database,
    shop_id: int,
    products: AsyncIterator[Product],
    *,
    batch_products: int = DEFAULT_BATCH_PRODUCTS,
    on_progress: ProgressCallback | None = None,
    prune: bool = True,
) -> ImportProgress:
    """Upsert every product of `products` (e.g. `export_catalog(client)`) for `shop_id`.

    Commits once per batch, so a crash keeps what was written; re-running is idempotent.
    With `prune`, a complete run also retires what Shopify no longer has.
    """
    writer = _Writer(db, shop_id)
    started = utcnow()
    clock = time.perf_counter()
    queue: asyncio.Queue[list[Product] | None] = asyncio.Queue(maxsize=QUEUE_DEPTH)
    producer = asyncio.create_task(_batches(products, batch_products, queue))
    totals = ImportProgress(0, 0, 0, 0, 0.0)
    try:
        while (batch := await queue.get()) is not None:
            n_variants, n_levels = await writer.write(batch, utcnow())
            totals = ImportProgress(totals.products + len(batch), totals.variants + n_variants,
                                    totals.inventory_levels + n_levels, totals.batches + 1,
                                    time.perf_counter() - clock)
            if on_progress is not None:
                on_progress(totals)
        await producer  # re-raises a failed export
    finally:
        if not producer.done():
            producer.cancel()
    if prune:
        await writer.prune(started)
    return ImportProgress(totals.products, totals.variants, totals.inventory_levels,
                          totals.batches, time.perf_counter() - clock)
