"""The catalog import's rows: how the mirrors store a Shopify product (pure, no I/O).

Two inputs, one storage. `product_values`, `variant_values`, `level_values` and
`collection_values` map the typed models (the one-product refresh, `import_catalog`'s callers);
`assembled_rows` maps a bulk export's assembled JSON objects straight to the same rows, with
the same conversions (`parse_*` and `Codec`) but without building ~10 model objects per product
on the way (the bulk import's parse-and-map CPU: 0.86 s → 0.40 s for 20,000 products × 3
variants). tests/shopify_client/test_catalog_rows.py holds the two equal, field by field.
Called by `sync.catalog_import._Writer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

import orjson

from ecomsend.integrations.shopify.bulk_assembler import AssembledProduct
from ecomsend.integrations.shopify.errors import Permanent
from ecomsend.integrations.shopify.models import Product, Variant
from ecomsend.integrations.shopify.parsing import parse_datetime, parse_money

#: Bounded caches for values that repeat across rows (timestamps, option combinations).
CACHE_SIZE = 8192

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
_POSITION = itemgetter(0)


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

    def stamp(self, raw: Any) -> Any:
        """A JSON DateTime scalar as the driver wants it: `dt(parse_datetime(raw))`, cached by
        its text on SQLite (a product's variants and levels share one timestamp)."""
        if not isinstance(raw, str) or not raw:
            return None
        return _sqlite_stamp(raw) if self.sqlite else parse_datetime(raw)

    def money(self, raw: Any) -> Any:
        """A JSON Money (or Float) scalar as the driver wants it: `num(parse_money(raw))`. On
        SQLite a decimal string goes to float directly: the same value, as CPython turns a
        Decimal into a float through its string (what float() refuses takes the Decimal
        path); a JSON float is already what `float(Decimal(str(raw)))` gives back."""
        if raw is None:
            return None
        if self.sqlite:
            kind = type(raw)
            if kind is str:
                try:
                    return float(raw)
                except ValueError:
                    pass
            elif kind is float:
                return raw
        return self.num(parse_money(raw))

    def price(self, raw: Any) -> Any:
        """`money(raw)`, with 0 for a missing or zero price (as `parse_variant` does)."""
        value = self.money(raw)
        return value if value else self.num(Decimal(0))


@lru_cache(maxsize=CACHE_SIZE)
def _sqlite_datetime(value: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME text of the UTC time, `2026-09-28 13:27:56.000000`: rows
    we write must compare and read back exactly like rows the ORM writes (isoformat: what
    strftime("%Y-%m-%d %H:%M:%S.%f") gives from year 1000 on, in half the time)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


@lru_cache(maxsize=CACHE_SIZE)
def _sqlite_stamp(raw: str) -> str:
    """`_sqlite_datetime(parse_datetime(raw))`. Shopify writes UTC as `2026-09-28T13:27:56Z`,
    whose text is then a slice (once parsed: a bad date still raises as it did)."""
    parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))  # = parsing._parse_iso
    if len(raw) == 20 and raw[19] == "Z" and raw[10] == "T" and raw[4] == raw[7] == "-" \
            and raw[13] == raw[16] == ":":
        return f"{raw[:10]} {raw[11:19]}.000000"
    return _sqlite_datetime(parsed)


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


def collection_values(shop_id: int, products: Sequence[Product | AssembledProduct],
                      now: Any) -> list[Row]:
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


def assembled_rows(shop_id: int, products: Sequence[AssembledProduct],
                   aliases: Sequence[tuple[str, str]], now: Any, codec: Codec
                   ) -> tuple[list[Row], list[Row], list[Row]]:
    """(product rows, variant upsert parameters, level rows) of a batch of assembled products:
    what `product_values`, `variant_values` and `level_values` give for their models (pure).
    A product whose objects do not have the shape the query asked for raises `Permanent`
    naming it (retrying reads the same file)."""
    product_rows: list[Row] = []
    variant_rows: list[Row] = []
    level_rows: list[Row] = []
    for product in products:
        try:
            row, image_url = _assembled_product(shop_id, product, now, codec)
            _assembled_variants(shop_id, product, image_url, aliases, now, codec,
                                variant_rows, level_rows)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Permanent(f"bulk export: product {product.id} unreadable: {exc!r}") from exc
        product_rows.append(row)
    return product_rows, variant_rows, level_rows


def _assembled_product(shop_id: int, product: AssembledProduct, now: Any, codec: Codec
                       ) -> tuple[Row, str | None]:
    """The product's row and its first image's URL (`parse_product`, `parse_option`,
    `parse_image`, then `product_values`)."""
    data = product.data
    images = []
    for media in product.media:
        image = media.get("image")
        if isinstance(image, dict) and image.get("url"):
            images.append({"id": media.get("id", ""), "url": image["url"],
                           "alt": media.get("alt")})
    options = [{"name": o["name"], "position": int(o.get("position") or 0),
                "values": [str(v["name"]) for v in o.get("optionValues") or ()]}
               for o in data.get("options") or ()]
    row = (shop_id, product.id, (data.get("title") or "")[:512], data.get("handle"),
           data.get("descriptionHtml"), data.get("vendor"), data.get("productType"),
           (data.get("category") or {}).get("fullName"), data.get("status") or "ACTIVE",
           _json(list(data.get("tags") or ())), _json(options), _json(images),
           _json([c.id for c in product.collections]), codec.stamp(data.get("updatedAt")),
           None, None, now, now)
    return row, images[0]["url"] if images else None


def _assembled_variants(shop_id: int, product: AssembledProduct, image_url: str | None,
                        aliases: Sequence[tuple[str, str]], now: Any, codec: Codec,
                        variant_rows: list[Row], level_rows: list[Row]) -> None:
    """Append the product's variant parameters and level rows, variants by position
    (`parse_variant`, `parse_level`, the inline levels of `build_product`, then
    `variant_values` and `level_values`)."""
    built: list[tuple[int, Row, list[Row]]] = []
    stamp = codec.stamp
    for variant in product.variants:
        data = variant.data
        item = data.get("inventoryItem") or {}
        weight = (item.get("measurement") or {}).get("weight") or {}
        position = int(data.get("position") or 1)
        options = _options_json(tuple([(o["name"], o["value"])
                                       for o in data.get("selectedOptions") or ()]))
        row = (data["id"], data.get("title"), data.get("sku") or None,
               data.get("barcode") or None, codec.price(data.get("price")),
               codec.money(data.get("compareAtPrice")), item.get("id"),
               codec.money(weight.get("value")), weight.get("unit"), position, options,
               image_url, stamp(data.get("updatedAt")), now, now, shop_id, product.id)
        levels: list[Row] = []
        item_id = item.get("id") or ""
        if item_id:
            for line in variant.levels:
                levels.extend(_level_line_rows(shop_id, item_id, line, codec))
            for alias, location in aliases:  # inline_levels(), unrolled: once per variant
                inline = item.get(alias)
                for q in inline.get("quantities") or () if inline else ():
                    if q.get("name") == "available" and location:
                        levels.append((shop_id, item_id, location, q.get("quantity") or 0,
                                       stamp(q.get("updatedAt"))))
        built.append((position, row, levels))
    if len(built) > 1:
        built.sort(key=_POSITION)
    for _, row, levels in built:
        variant_rows.append(row)
        level_rows.extend(levels)


def _level_line_rows(shop_id: int, item_id: str, line: dict[str, Any], codec: Codec
                     ) -> list[Row]:
    """The row of an InventoryLevel line (`parse_level`: the last `available` quantity),
    none without a location."""
    available, updated = None, None
    for q in line.get("quantities") or ():
        if q.get("name") == "available":
            available, updated = q.get("quantity"), q.get("updatedAt")
    location = line.get("location")
    location_id = location.get("id", "") if location else ""
    if not location_id:
        return []
    return [(shop_id, item_id, location_id, available or 0, codec.stamp(updated))]
