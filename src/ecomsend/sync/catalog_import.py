"""Initial catalog import: bulk-export a shop's catalog and upsert it into the mirrors.

`import_shop_catalog(db, shop_id, client)` is called by the install flow / the "re-import
catalog" job: it starts the bulk export and feeds `import_catalog` its products and levels.
Rows are mapped by pure functions (`product_values`, `variant_values`, `level_values`), then
written in batches: one transaction per batch, driver-level executemany of `INSERT … ON
CONFLICT DO UPDATE` (the same SQL on SQLite and PostgreSQL). Parsing (producer) and mapping
(consumer) overlap through a small queue; the bulk import writes through a `db.bulk_writer`
process on SQLite, so the database works on the other core while this one parses.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import and_, delete, select, update

from ecomsend.db.bulk_writer import BulkSink, ConnectionSink, bulk_sink
from ecomsend.db.models import InventoryLevel, ShopifyProduct, ShopifyVariant
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.integrations.shopify.bulk import CatalogExport, start_catalog_export
from ecomsend.integrations.shopify.client import ShopifyClient
from ecomsend.integrations.shopify.models import InventoryLevel as StockLevel
from ecomsend.integrations.shopify.models import Product, Variant

#: Products per transaction: big enough to amortise commits, small enough for bounded memory.
DEFAULT_BATCH_PRODUCTS = 1000
#: Inventory levels per transaction (small rows).
DEFAULT_BATCH_LEVELS = 5000
#: Young-generation GC threshold during an import (default 700 allocations); see relaxed_gc.
IMPORT_GC_THRESHOLD = 50_000
#: Batches mapped ahead of the writer; bounds memory while parsing overlaps DB writes.
QUEUE_DEPTH = 2
#: Bounded caches for values that repeat across rows (timestamps, option combinations).
CACHE_SIZE = 8192
#: SQLAlchemy's SQLite DATETIME storage format: rows we write must compare and read back
#: exactly like rows the ORM writes.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"

PRODUCT_COLUMNS = ("shop_id", "shopify_id", "title", "handle", "body_html", "vendor",
                   "product_type", "category", "status", "tags", "options", "images",
                   "collections", "source_updated_at", "content_hash", "deleted_at",
                   "created_at", "updated_at")
VARIANT_COLUMNS = ("shop_id", "product_id", "shopify_id", "title", "sku", "barcode", "price",
                   "compare_at_price", "inventory_item_id", "weight", "weight_unit", "position",
                   "selected_options", "image_url", "source_updated_at", "created_at",
                   "updated_at")
LEVEL_COLUMNS = ("shop_id", "inventory_item_id", "location_id", "available", "source_updated_at")
COLLECTION_COLUMNS = ("shop_id", "shopify_id", "title", "handle", "created_at", "updated_at")
Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """Counts written so far; passed to the progress callback after every batch."""

    products: int
    variants: int
    inventory_levels: int
    batches: int
    seconds: float


ProgressCallback = Callable[[ImportProgress], None]


@dataclass(frozen=True, slots=True)
class Codec:
    """How one database wants Python values at the driver level (what SQLAlchemy's type
    processors would do): SQLite stores naive-UTC datetime text and float numerics."""

    sqlite: bool

    def dt(self, value: datetime | None) -> Any:
        """A datetime as the driver wants it (SQLite: SQLAlchemy's naive-UTC text)."""
        if value is None or not self.sqlite:
            return value
        return _sqlite_datetime(value)

    def num(self, value: Decimal | None) -> Any:
        """A Decimal as the driver wants it (SQLite: float, like SQLAlchemy's Numeric)."""
        return float(value) if self.sqlite and value is not None else value


@lru_cache(maxsize=CACHE_SIZE)
def _sqlite_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime(_SQLITE_DATETIME)


@lru_cache(maxsize=CACHE_SIZE)
def _options_json(selected: tuple[tuple[str, str], ...]) -> str:
    return _json([{"name": n, "value": v} for n, v in selected])


def _json(value: Any) -> str:
    """A JSON column's text (orjson: the same values as json.dumps, ~5x faster)."""
    return orjson.dumps(value).decode()


def product_values(shop_id: int, product: Product, now: Any, codec: Codec) -> Row:
    """The `shopify_product` row of a product, in PRODUCT_COLUMNS order (pure).
    `content_hash` is NULL: a fresh read from Shopify clears the mirror's refresh marker."""
    options = _json([{"name": o.name, "position": o.position, "values": o.values}
                     for o in product.options])
    images = _json([{"id": i.id, "url": i.url, "alt": i.alt} for i in product.images])
    collections = _json([c.id for c in product.collections])
    return (shop_id, product.id, product.title[:512], product.handle, product.description_html,
            product.vendor, product.product_type, product.category, product.status,
            _json(product.tags), options, images, collections, codec.dt(product.updated_at),
            None, None, now, now)


def variant_values(shop_id: int, product_gid: str, variant: Variant, image_url: str | None,
                   now: Any, codec: Codec) -> Row:
    """The parameters of a variant's upsert (pure): VARIANT_COLUMNS after shop_id and
    product_id, then the product's shop and GID, which the statement turns into product_id."""
    num = codec.num
    return (variant.id, variant.title, variant.sku, variant.barcode, num(variant.price),
            num(variant.compare_at_price), variant.inventory_item_id, num(variant.weight),
            variant.weight_unit, variant.position, _options_json(variant.selected_options),
            image_url, codec.dt(variant.updated_at), now, now, shop_id, product_gid)


def collection_values(shop_id: int, products: Sequence[Product], now: Any) -> list[Row]:
    """`shopify_collection` rows (COLLECTION_COLUMNS) of the named collections the products
    belong to, each once (pure); refs without a title (membership only) are skipped."""
    seen: dict[str, Row] = {}
    for product in products:
        for ref in product.collections:
            if ref.title is not None and ref.id not in seen:
                seen[ref.id] = (shop_id, ref.id, ref.title[:512], ref.handle, now, now)
    return list(seen.values())


def level_values(shop_id: int, variant: Variant, codec: Codec) -> list[Row]:
    """`inventory_level` rows (available per location) of a variant (pure)."""
    return [(shop_id, lv.inventory_item_id, lv.location_id, lv.available or 0,
             codec.dt(lv.updated_at))
            for lv in variant.inventory_levels if lv.inventory_item_id and lv.location_id]


def _updatable(columns: Sequence[str], keys: Sequence[str]) -> list[str]:
    return [c for c in columns if c not in (*keys, "created_at")]


def upsert_sql(table: str, columns: Sequence[str], keys: Sequence[str], mark: str, *,
               select_from: str | None = None, keep: Sequence[str] = ()) -> str:
    """`INSERT … VALUES (…)` — or `INSERT … SELECT … FROM <select_from>` — `ON CONFLICT (keys)
    DO UPDATE` every other column but created_at and `keep`: valid on SQLite ≥ 3.24 and
    PostgreSQL (pure)."""
    sets = ", ".join(f"{c} = excluded.{c}" for c in _updatable(columns, keys) if c not in keep)
    head = f"INSERT INTO {table} ({', '.join(columns)}) "
    tail = f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    if select_from is None:
        return head + f"VALUES ({', '.join([mark] * len(columns))})" + tail
    return head + select_from + tail


class _Writer:
    """Maps batches for one shop to statements for a `BulkSink` (called by import_catalog)."""

    def __init__(self, db: Database, shop_id: int, sink: BulkSink,
                 with_collections: bool = True) -> None:
        self.db = db
        self.shop_id = shop_id
        self.sink = sink
        self.codec = Codec(sqlite=db.dialect == "sqlite")
        mark = "?" if db.engine.dialect.paramstyle == "qmark" else "%s"
        key = ("shop_id", "shopify_id")
        # An export without collections must not wipe the memberships already mirrored.
        self.products_sql = upsert_sql("shopify_product", PRODUCT_COLUMNS, key, mark,
                                       keep=() if with_collections else ("collections",))
        self.collections_sql = upsert_sql("shopify_collection", COLLECTION_COLUMNS, key, mark)
        # A variant finds its product's row id by the product's GID in the same statement: no
        # round trip between the product and variant upserts of a batch.
        picks = ", ".join([mark] * (len(VARIANT_COLUMNS) - 2))
        self.variants_sql = upsert_sql(
            "shopify_variant", VARIANT_COLUMNS, key, mark,
            select_from=f"SELECT p.shop_id, p.id, {picks} FROM shopify_product p "
                        f"WHERE p.shop_id = {mark} AND p.shopify_id = {mark}")
        self.levels_sql = upsert_sql("inventory_level", LEVEL_COLUMNS,
                                     ("shop_id", "inventory_item_id", "location_id"), mark)

    async def write(self, products: list[Product]) -> tuple[int, int]:
        """Upsert one batch of products with their variants and levels; (variants, levels)."""
        now = self.codec.dt(utcnow())
        shop, codec = self.shop_id, self.codec
        rows = [product_values(shop, p, now, codec) for p in products]
        variants: list[Row] = []
        levels: list[Row] = []
        for product in products:
            image = product.images[0].url if product.images else None
            for v in product.variants:
                variants.append(variant_values(shop, product.id, v, image, now, codec))
                levels.extend(level_values(shop, v, codec))
        named = collection_values(shop, products, now)
        await self.sink.write([(self.products_sql, rows), (self.variants_sql, variants),
                               (self.levels_sql, levels), (self.collections_sql, named)])
        return len(variants), len(levels)

    async def write_levels(self, levels: list[StockLevel]) -> int:
        """Upsert one batch of inventory levels (from BulkInventoryLevels)."""
        shop, codec = self.shop_id, self.codec
        rows = [(shop, lv.inventory_item_id, lv.location_id, lv.available or 0,
                 codec.dt(lv.updated_at)) for lv in levels]
        await self.sink.write([(self.levels_sql, rows)])
        return len(rows)

    async def prune(self, started: datetime) -> None:
        """After a complete import: mark products Shopify no longer has as deleted, drop
        vanished variants and the levels of inventory items no variant uses any more."""
        shop = self.shop_id
        async with self.db.unit_of_work() as session:
            await session.execute(update(ShopifyProduct).where(and_(
                ShopifyProduct.shop_id == shop, ShopifyProduct.updated_at < started,
                ShopifyProduct.deleted_at.is_(None))).values(deleted_at=utcnow()))
            await session.execute(delete(ShopifyVariant).where(and_(
                ShopifyVariant.shop_id == shop, ShopifyVariant.updated_at < started)))
            used = select(ShopifyVariant.inventory_item_id).where(
                ShopifyVariant.shop_id == shop, ShopifyVariant.inventory_item_id.is_not(None))
            await session.execute(delete(InventoryLevel).where(and_(
                InventoryLevel.shop_id == shop, InventoryLevel.inventory_item_id.not_in(used))))


Batch = tuple[str, list[Any]]


async def _batches(products: AsyncIterator[Product], levels: AsyncIterator[StockLevel] | None,
                   sizes: tuple[int, int], queue: asyncio.Queue[Batch | None]) -> None:
    """Producer: group the product stream, then the level stream, into batches."""
    try:
        streams: list[tuple[str, AsyncIterator[Any], int]] = [("products", products, sizes[0])]
        if levels is not None:
            streams.append(("levels", levels, sizes[1]))
        for kind, stream, size in streams:
            batch: list[Any] = []
            async for item in stream:
                batch.append(item)
                if len(batch) >= size:
                    await queue.put((kind, batch))
                    batch = []
            if batch:
                await queue.put((kind, batch))
    finally:
        await queue.put(None)


async def import_catalog(
    db: Database,
    shop_id: int,
    products: AsyncIterator[Product],
    *,
    levels: AsyncIterator[StockLevel] | None = None,
    batch_products: int = DEFAULT_BATCH_PRODUCTS,
    batch_levels: int = DEFAULT_BATCH_LEVELS,
    on_progress: ProgressCallback | None = None,
    prune: bool = True,
    sink: BulkSink | None = None,
    with_collections: bool = True,
) -> ImportProgress:
    """Upsert every product of `products` (with their variants' levels, if any) and then every
    level of `levels` for `shop_id`, through `sink` (default: the engine). Called by
    `import_shop_catalog`, the one-product refresh and tests.

    Commits once per batch, so a crash keeps what was written; re-running is idempotent.
    With `prune`, a complete run also retires what Shopify no longer has. Without
    `with_collections` (the export did not read them) stored memberships are kept.
    """
    writer = _Writer(db, shop_id, sink or ConnectionSink(db), with_collections)
    started = utcnow()
    clock = time.perf_counter()
    queue: asyncio.Queue[Batch | None] = asyncio.Queue(maxsize=QUEUE_DEPTH)
    producer = asyncio.create_task(
        _batches(products, levels, (batch_products, batch_levels), queue))
    done = ImportProgress(0, 0, 0, 0, 0.0)
    try:
        while (item := await queue.get()) is not None:
            kind, batch = item
            if kind == "products":
                n_products, (n_variants, n_levels) = len(batch), await writer.write(batch)
            else:
                n_products, n_variants, n_levels = 0, 0, await writer.write_levels(batch)
            done = ImportProgress(done.products + n_products, done.variants + n_variants,
                                  done.inventory_levels + n_levels, done.batches + 1,
                                  time.perf_counter() - clock)
            if on_progress is not None:
                on_progress(done)
        await producer  # re-raises a failed export
        await writer.sink.flush()
    finally:
        if not producer.done():
            producer.cancel()
    if prune:
        await writer.prune(started)
    return ImportProgress(done.products, done.variants, done.inventory_levels, done.batches,
                          time.perf_counter() - clock)


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Collect the young generation less often while importing: an export allocates ~10
    short-lived objects per JSONL line and default thresholds spend ~15 % of the CPU in the
    collector. Restores the previous thresholds afterwards."""
    previous = gc.get_threshold()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


async def import_shop_catalog(
    db: Database, shop_id: int, client: ShopifyClient, *, with_collections: bool = True,
    on_progress: ProgressCallback | None = None, batch_products: int = DEFAULT_BATCH_PRODUCTS,
) -> ImportProgress:
    """The initial catalog fetch of a shop: start the bulk export (products, levels,
    collections at once) and import it. Called by the install job and the benchmark."""
    export = await start_catalog_export(client, with_collections=with_collections)
    return await import_export(db, shop_id, export, with_collections=with_collections,
                               on_progress=on_progress, batch_products=batch_products)


async def import_export(
    db: Database, shop_id: int, export: CatalogExport, *, with_collections: bool = True,
    on_progress: ProgressCallback | None = None, batch_products: int = DEFAULT_BATCH_PRODUCTS,
) -> ImportProgress:
    """Import a started catalog export (waits for its JSONL files, then streams them through
    the bulk writer). Called by `import_shop_catalog` and the benchmark."""
    with relaxed_gc():
        async with bulk_sink(db, separate_process=True) as sink:
            return await import_catalog(db, shop_id, export.products(),
                                        levels=export.inventory_levels(), sink=sink,
                                        on_progress=on_progress, batch_products=batch_products,
                                        with_collections=with_collections)
