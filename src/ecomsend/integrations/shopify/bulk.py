"""Catalog export by bulk operation: start, poll, stream the JSONL, assemble products.

`start_catalog_export(client)` starts the product, inventory-level and collection bulk queries
together; its `products()` / `inventory_levels()` are async iterators for the catalog import
(`ecomsend.sync.catalog_import`) and reconciliation. `export_catalog(client)` is the products-only
shortcut. Files are streamed and split into lines here (never whole in memory) and fed to
`CatalogAssembler`, which copes with any line order (reference §6); `CatalogExport.assembled()`
gives its grouped JSON objects, `products()` the typed models built from them.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from ecomsend.integrations.shopify.bulk_assembler import (
    AssembledProduct,
    AssemblyStats,
    CatalogAssembler,
    build_product,
    gid_type,
)
from ecomsend.integrations.shopify.client import ShopifyClient
from ecomsend.integrations.shopify.errors import Permanent, Transient
from ecomsend.integrations.shopify.models import (
    BulkOperation,
    CollectionRef,
    InventoryLevel,
    Product,
)
from ecomsend.integrations.shopify.parsing import parse_collection, parse_level
from ecomsend.integrations.shopify.queries import load_query

#: First poll delay; the sandbox finishes in ~50 ms, Shopify takes seconds to minutes.
POLL_START_S = 0.05
#: Polls back off by this factor up to POLL_MAX_S: a poll costs 1 point, so even a 10-minute
#: export polled every second stays far below the restore rate, and little time is wasted.
POLL_GROWTH = 1.5
POLL_MAX_S = 1.0
#: Give up waiting on an operation after this long (Shopify allows 10 days; a sync job won't).
POLL_TIMEOUT_S = 6 * 3600.0
#: Attempts to download a bulk file (resuming after the lines already read).
DOWNLOAD_ATTEMPTS = 6
#: Backoff between download attempts: exponential from the base, capped, with jitter.
DOWNLOAD_BACKOFF_BASE_S = 0.2
DOWNLOAD_BACKOFF_MAX_S = 5.0
#: Read timeout for the file download: generous, the server may pause while generating.
DOWNLOAD_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
#: Up to this many locations, levels ride inline on variant lines (one alias per location);
#: beyond it the per-variant line grows too much and BulkInventoryLevels is used instead.
MAX_INLINE_LOCATIONS = 20
#: The `level0` template field of BulkCatalogProducts.graphql (one line in the file).
_LEVEL_TEMPLATE = re.compile(r'level0: inventoryLevel\(locationId: "[^"]*"\)(?P<body>[^\n]*)\n')
#: errorCode values that retrying will not fix (reference §6).
_PERMANENT_BULK_ERRORS = frozenset({"ACCESS_DENIED"})


async def wait_for_bulk(
    client: ShopifyClient, operation_id: str, *, timeout_s: float = POLL_TIMEOUT_S
) -> BulkOperation:
    """Poll `bulkOperation(id:)` until it finishes; raise unless COMPLETED."""
    delay = POLL_START_S
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        op = await client.bulk_operation(operation_id)
        if op.finished:
            break
        if loop.time() > deadline:
            raise Transient(f"bulk operation {operation_id} still {op.status} after {timeout_s}s")
        await asyncio.sleep(delay)
        delay = min(POLL_MAX_S, delay * POLL_GROWTH)
    if op.status == "COMPLETED":
        return op
    message = f"bulk operation {op.id} ended {op.status} ({op.error_code})"
    if op.error_code in _PERMANENT_BULK_ERRORS:
        raise Permanent(message)
    raise Transient(message)


async def run_bulk(client: ShopifyClient, document_name: str) -> BulkOperation:
    """Start the bulk query in `queries/{document_name}.graphql` and wait for it."""
    started = await client.run_bulk_query(load_query(document_name))
    return await wait_for_bulk(client, started.id)


async def iter_jsonl(
    http: httpx.AsyncClient, url: str, *, rng: random.Random | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Objects of a bulk JSONL file, streamed. A broken download is retried with backoff and
    resumed after the lines already yielded. The signed URL carries its own auth: no token."""
    done = 0
    rng = rng or random.Random()
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        seen = 0
        try:
            async with http.stream("GET", url, timeout=DOWNLOAD_TIMEOUT) as response:
                if response.status_code != 200:
                    await response.aread()
                    _raise_download_status(response.status_code)
                async for line in _raw_lines(response):
                    seen += 1
                    if seen > done:
                        done = seen
                        yield _parse_line(line, seen)
            return
        except (httpx.TransportError, Transient):
            if attempt == DOWNLOAD_ATTEMPTS:
                raise Transient(f"bulk file download failed {attempt} times") from None
        delay = min(DOWNLOAD_BACKOFF_MAX_S, DOWNLOAD_BACKOFF_BASE_S * 2**attempt)
        await asyncio.sleep(delay * rng.uniform(0.5, 1.0))


async def _raw_lines(response: httpx.Response) -> AsyncIterator[bytes]:
    """Non-empty lines of a streamed body as bytes (no text decoding: the parser takes bytes).
    Called by `iter_jsonl`; JSONL from Shopify is UTF-8 with `\n` separators."""
    pending = b""
    async for chunk in response.aiter_bytes():
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                yield line
    if pending.strip():
        yield pending


def _parse_line(line: bytes, number: int = 0) -> dict[str, Any]:
    """One JSONL object, by orjson (~3x faster than json; the bulk file is the hot path).
    orjson reads integers beyond 64 bits as floats, but none can occur here: GraphQL `Int` is
    32-bit by the spec, and Shopify sends wider numbers (`ID`, `UnsignedInt64`) as strings.
    A line that is not a JSON object raises `Permanent` with its number (the same file would
    fail the same way again)."""
    try:
        parsed = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise Permanent(f"bulk file line {number} is not JSON: {exc}") from None
    if type(parsed) is not dict:
        raise Permanent(f"bulk file line {number} is not a JSON object")
    return parsed


def _raise_download_status(status: int) -> None:
    if status >= 500 or status == 429:
        raise Transient(f"bulk file download: HTTP {status}")
    raise Permanent(f"bulk file download: HTTP {status} (URLs expire after 7 days)")


def render_catalog_query(location_ids: Sequence[str]) -> tuple[str, dict[str, str]]:
    """BulkCatalogProducts with its `level0` template repeated per location (pure).

    Returns the query and alias → location GID. Bulk queries take no variables, so location
    ids are written into the text as JSON string literals (quoted and escaped).
    """
    template = load_query("BulkCatalogProducts")
    match = _LEVEL_TEMPLATE.search(template)
    if match is None:
        raise RuntimeError("BulkCatalogProducts.graphql lost its level0 template")
    aliases = {f"level{i}": loc for i, loc in enumerate(location_ids)}
    fields = "".join(f"level{i}: inventoryLevel(locationId: {json.dumps(loc)}){match['body']}\n"
                     for i, loc in enumerate(location_ids))
    return template[:match.start()] + fields + template[match.end():], aliases


def parse_level_line(obj: dict[str, Any]) -> InventoryLevel | None:
    """One BulkInventoryLevels line (location = its `__parentId`); None for location lines."""
    parent = obj.get("__parentId")
    item = obj.get("item")
    if parent is None or not isinstance(item, dict):
        return None
    return parse_level({"quantities": obj.get("quantities"), "location": {"id": parent}},
                       item["id"])


async def _collection_memberships(
    client: ShopifyClient, op: BulkOperation
) -> dict[str, list[CollectionRef]]:
    """Product GID → its collections, from a finished BulkCatalogCollections export."""
    collections: dict[str, CollectionRef] = {}
    pending: list[tuple[str, str]] = []  # (product, collection), any line order
    if op.url:
        async for obj in iter_jsonl(client.http, op.url):
            parent = obj.get("__parentId")
            if parent is None and gid_type(obj.get("id", "")) == "Collection":
                collections[obj["id"]] = parse_collection(obj)
            elif parent is not None:
                pending.append((obj["id"], parent))
    members: dict[str, list[CollectionRef]] = {}
    for product_id, collection_id in pending:
        ref = collections.get(collection_id) or CollectionRef(collection_id)
        members.setdefault(product_id, []).append(ref)
    return members


@dataclass
class CatalogExport:
    """The bulk operations of one catalog export, started together (up to 5 bulk queries may
    run at once from 2026-01, reference §6). Read `products()` then `inventory_levels()`."""

    client: ShopifyClient
    products_op: str
    levels_op: str | None
    collections_op: str | None
    #: alias → location GID of levels carried inline on variant lines (none: see levels_op).
    level_aliases: dict[str, str]
    stats: AssemblyStats | None = None

    async def wait_ready(self) -> None:
        """Wait until every bulk operation of the export has finished (its JSONL is ready);
        raise as `wait_for_bulk` does. The benchmark times the export apart from the import."""
        for op in (self.collections_op, self.products_op, self.levels_op):
            if op is not None:
                await wait_for_bulk(self.client, op)

    async def products(self) -> AsyncIterator[Product]:
        """Every product with variants, images and collections, each yielded as soon as all
        its lines have arrived; variants carry their `inventory_levels` when the shop has few
        enough locations (otherwise they come from inventory_levels())."""
        aliases = tuple(self.level_aliases.items())
        async for assembled in self.assembled():
            yield build_product(assembled, aliases)

    async def assembled(self) -> AsyncIterator[AssembledProduct]:
        """`products()` before the typed models: each product's JSON objects, grouped (the
        catalog import maps them to rows directly; `build_product` makes the model)."""
        members: dict[str, list[CollectionRef]] = {}
        if self.collections_op:
            done = await wait_for_bulk(self.client, self.collections_op)
            members = await _collection_memberships(self.client, done)
        op = await wait_for_bulk(self.client, self.products_op)
        assembler = CatalogAssembler(members, self.level_aliases)
        if op.url:  # null when the shop has no data (reference §6)
            async for obj in iter_jsonl(self.client.http, op.url):
                for product in assembler.feed(obj):
                    yield product
        for product in assembler.finish():
            yield product
        self.stats = assembler.stats

    async def inventory_levels(self) -> AsyncIterator[InventoryLevel]:
        """`available` of every inventory item at every location (streamed, O(1) memory)."""
        if self.levels_op is None:
            return
        op = await wait_for_bulk(self.client, self.levels_op)
        if op.url:
            async for obj in iter_jsonl(self.client.http, op.url):
                level = parse_level_line(obj)
                if level is not None:
                    yield level


async def start_catalog_export(
    client: ShopifyClient, *, with_levels: bool = True, with_collections: bool = True,
    separate_levels: bool = True,
) -> CatalogExport:
    """Start the bulk queries of a catalog export at once; the caller then reads them.
    Levels ride inline for shops with few locations; otherwise (if `separate_levels`) a
    BulkInventoryLevels query is started too. Called by the catalog import and reconciliation."""
    locations = [loc.id for loc in await client.locations()] if with_levels else []
    inline = len(locations) <= MAX_INLINE_LOCATIONS
    query, aliases = render_catalog_query(locations if inline else [])
    products = await client.run_bulk_query(query)
    levels = None
    if with_levels and not inline and separate_levels:
        levels = await client.run_bulk_query(load_query("BulkInventoryLevels"))
    collections = await client.run_bulk_query(load_query("BulkCatalogCollections")) \
        if with_collections else None
    return CatalogExport(client, products.id, levels.id if levels else None,
                         collections.id if collections else None, aliases)


async def export_catalog(
    client: ShopifyClient, *, with_collections: bool = True, with_levels: bool = True
) -> AsyncIterator[Product]:
    """Every product of the shop (variants with their levels when the shop has at most
    MAX_INLINE_LOCATIONS locations, images, collections) by bulk operation. For every level of
    a shop with more locations, use start_catalog_export(...).inventory_levels()."""
    export = await start_catalog_export(client, with_levels=with_levels,
                                        with_collections=with_collections,
                                        separate_levels=False)
    async for product in export.products():
        yield product
