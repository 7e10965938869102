"""Initial catalog import: bulk-export a shop's catalog and upsert it into the mirrors.

`import_shop_catalog(db, shop_id, client)` is called by the install flow / the "re-import
catalog" job: it starts the bulk export and imports its assembled products (`import_export`);
`import_catalog` takes typed `Product`s instead (the one-product refresh, tests). Rows are
mapped by the pure functions of `sync.catalog_rows`, then written in batches: one transaction
per batch, driver-level executemany of `INSERT … ON CONFLICT DO UPDATE` (the same SQL on SQLite
and PostgreSQL). Parsing (producer) and mapping (consumer) overlap through a small queue; the
bulk import writes through a `db.bulk_writer` process on SQLite, so the database works on the
other core while this one parses.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, select, update

from ecomsend.db.bulk_writer import BulkSink, ConnectionSink, bulk_sink
from ecomsend.db.models import InventoryLevel, ShopifyProduct, ShopifyVariant
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.integrations.shopify.bulk import CatalogExport, start_catalog_export
from ecomsend.integrations.shopify.bulk_assembler import AssembledProduct
from ecomsend.integrations.shopify.client import ShopifyClient
from ecomsend.integrations.shopify.models import InventoryLevel as StockLevel
from ecomsend.integrations.shopify.models import Product
from ecomsend.sync.catalog_rows import (
    COLLECTION_COLUMNS,
    LEVEL_COLUMNS,
    PRODUCT_COLUMNS,
    VARIANT_COLUMNS,
    Codec,
    Row,
    assembled_rows,
    collection_values,
    level_values,
    product_values,
    variant_values,
)

#: Products per transaction: big enough to amortise commits, small enough for bounded memory.
DEFAULT_BATCH_PRODUCTS = 1000
#: Inventory levels per transaction (small rows).
DEFAULT_BATCH_LEVELS = 5000
#: Young-generation GC threshold during an import (default 700 allocations); see relaxed_gc.
IMPORT_GC_THRESHOLD = 50_000
#: Batches mapped ahead of the writer; bounds memory while parsing overlaps DB writes.
QUEUE_DEPTH = 2


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """Counts written so far; passed to the progress callback after every batch."""

    products: int
    variants: int
    inventory_levels: int
    batches: int
    seconds: float


ProgressCallback = Callable[[ImportProgress], None]


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


@dataclass(slots=True)
class _Batch:
    """One transaction's rows, filled product by product by the producer: each product's
    objects are dropped once mapped, so queued batches hold compact rows (tuples of scalars,
    which the garbage collector stops tracking) rather than ~60 JSON containers a product."""

    now: Any
    products: int = 0
    product_rows: list[Row] = field(default_factory=list)
    variant_rows: list[Row] = field(default_factory=list)
    level_rows: list[Row] = field(default_factory=list)
    collections: dict[str, Row] = field(default_factory=dict)


class _Writer:
    """Maps products and levels of one shop to rows, and batches of rows to statements for a
    `BulkSink` (called by import_catalog's producer and consumer)."""

    def __init__(self, db: Database, shop_id: int, sink: BulkSink,
                 with_collections: bool = True,
                 level_aliases: Sequence[tuple[str, str]] = ()) -> None:
        self.db = db
        self.shop_id = shop_id
        self.sink = sink
        self.codec = Codec(sqlite=db.dialect == "sqlite")
        #: alias → location GID of the levels inline on assembled variants' items.
        self.level_aliases = tuple(level_aliases)
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

    def batch(self) -> _Batch:
        """An empty batch stamped now (its rows' created_at / updated_at)."""
        return _Batch(self.codec.dt(utcnow()))

    def add(self, batch: _Batch, product: Product | AssembledProduct) -> None:
        """Map one product (typed, or assembled from the bulk file) with its variants and
        their levels into `batch`."""
        shop, codec, now = self.shop_id, self.codec, batch.now
        if isinstance(product, AssembledProduct):
            rows, variants, levels = assembled_rows(shop, (product,), self.level_aliases, now,
                                                    codec)
            batch.product_rows.extend(rows)
            batch.variant_rows.extend(variants)
            batch.level_rows.extend(levels)
        else:
            batch.product_rows.append(product_values(shop, product, now, codec))
            image = product.images[0].url if product.images else None
            for v in product.variants:
                batch.variant_rows.append(variant_values(shop, product.id, v, image, now, codec))
                batch.level_rows.extend(level_values(shop, v, codec))
        batch.products += 1
        for row in collection_values(shop, (product,), now):
            batch.collections.setdefault(row[1], row)

    def add_level(self, batch: _Batch, level: StockLevel) -> None:
        """Map one inventory level (from BulkInventoryLevels) into `batch`."""
        batch.level_rows.append((self.shop_id, level.inventory_item_id, level.location_id,
                                 level.available or 0, self.codec.dt(level.updated_at)))

    async def write(self, batch: _Batch) -> None:
        """Upsert one batch: products, then variants (which find their product's row), levels
        and collections, in one transaction."""
        await self.sink.write([(self.products_sql, batch.product_rows),
                               (self.variants_sql, batch.variant_rows),
                               (self.levels_sql, batch.level_rows),
                               (self.collections_sql, list(batch.collections.values()))])

    async def mirror_empty(self) -> bool:
        """Whether the shop has no product, variant or level row yet (a first import, which
        then has nothing to prune: every row it finds was written after it started)."""
        shop = self.shop_id
        async with self.db.sessionmaker() as session:
            for table in (ShopifyProduct, ShopifyVariant, InventoryLevel):
                row = select(table.id).where(table.shop_id == shop).limit(1)
                if await session.scalar(row) is not None:
                    return False
        return True

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


async def _batches(writer: _Writer,
                   products: AsyncIterator[Product] | AsyncIterator[AssembledProduct],
                   levels: AsyncIterator[StockLevel] | None, sizes: tuple[int, int],
                   queue: asyncio.Queue[_Batch | None]) -> None:
    """Producer: map the product stream, then the level stream, into batches of rows
    (`sizes`: products, levels per batch) and queue them for import_catalog's consumer."""
    try:
        batch = writer.batch()
        async for product in products:
            writer.add(batch, product)
            if batch.products >= sizes[0]:
                await queue.put(batch)
                batch = writer.batch()
        if batch.products:
            await queue.put(batch)
            batch = writer.batch()
        if levels is not None:
            async for level in levels:
                writer.add_level(batch, level)
                if len(batch.level_rows) >= sizes[1]:
                    await queue.put(batch)
                    batch = writer.batch()
            if batch.level_rows:
                await queue.put(batch)
    finally:
        await queue.put(None)


async def import_catalog(
    db: Database,
    shop_id: int,
    products: AsyncIterator[Product] | AsyncIterator[AssembledProduct],
    *,
    levels: AsyncIterator[StockLevel] | None = None,
    level_aliases: Sequence[tuple[str, str]] = (),
    batch_products: int = DEFAULT_BATCH_PRODUCTS,
    batch_levels: int = DEFAULT_BATCH_LEVELS,
    on_progress: ProgressCallback | None = None,
    prune: bool = True,
    sink: BulkSink | None = None,
    with_collections: bool = True,
) -> ImportProgress:
    """Upsert every product of `products` (with their variants' levels, if any) and then every
    level of `levels` for `shop_id`, through `sink` (default: the engine). Products are typed
    models or a bulk export's assembled products (whose inline levels `level_aliases` name).
    Called by `import_export`, the one-product refresh and tests.

    Commits once per batch, so a crash keeps what was written; re-running is idempotent.
    With `prune`, a complete run also retires what Shopify no longer has (unless the shop's
    mirror was empty when it started: nothing to retire). Without
    `with_collections` (the export did not read them) stored memberships are kept.
    """
    writer = _Writer(db, shop_id, sink or ConnectionSink(db), with_collections, level_aliases)
    started = utcnow()
    # Pruning scans the shop's whole mirror (0.1 s per 20,000 products); a first import skips it.
    prune = prune and not await writer.mirror_empty()
    clock = time.perf_counter()
    queue: asyncio.Queue[_Batch | None] = asyncio.Queue(maxsize=QUEUE_DEPTH)
    producer = asyncio.create_task(
        _batches(writer, products, levels, (batch_products, batch_levels), queue))
    done = ImportProgress(0, 0, 0, 0, 0.0)
    try:
        while (batch := await queue.get()) is not None:
            await writer.write(batch)
            done = ImportProgress(done.products + batch.products,
                                  done.variants + len(batch.variant_rows),
                                  done.inventory_levels + len(batch.level_rows),
                                  done.batches + 1, time.perf_counter() - clock)
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
            return await import_catalog(db, shop_id, export.assembled(),
                                        levels=export.inventory_levels(), sink=sink,
                                        level_aliases=tuple(export.level_aliases.items()),
                                        on_progress=on_progress, batch_products=batch_products,
                                        with_collections=with_collections)
