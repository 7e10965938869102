"""Reassemble products from bulk-operation JSONL objects in any line order (pure, no I/O).

Reference §6: without `groupObjects` (false from 2026-01) nested connection items come as
separate lines with `__parentId`, and *no ordering may be assumed*. `CatalogAssembler.feed` takes
one parsed line and returns the products it completed, as `AssembledProduct`s: the product's
own JSON object with its variant, level and media objects, untouched. A product is complete
when its own line, `variantsCount` variants, `mediaCount` media and (if the query nests them)
per variant `locationsCount` levels have all arrived, so memory holds only unfinished products
(a handful when parents come first) plus orphans waiting for their parent. `finish()` flushes
whatever counts could not settle. Used by `bulk.CatalogExport` for every line of the file.

Two readers of an assembled product: `build_product` makes the typed `Product` (export_catalog,
reconciliation, tests) and the catalog import maps it straight to database rows
(`ecomsend.sync.catalog_rows`), which skips ~1M model objects on a 100k-product export.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ecomsend.integrations.shopify.models import CollectionRef, InventoryLevel, Product
from ecomsend.integrations.shopify.parsing import (
    parse_datetime,
    parse_image,
    parse_level,
    parse_product,
    parse_variant,
)

#: Length of "gid://shopify/", the prefix of every GID (the type name follows it).
_GID_PREFIX_LEN = len("gid://shopify/")
#: GID types that are media lines hanging off a product (reference §7: media, not images).
_MEDIA_TYPES = frozenset({"MediaImage", "Video", "ExternalVideo", "Model3d"})


def gid_type(gid: str) -> str:
    """`ProductVariant` for `gid://shopify/ProductVariant/1` (also with a `?query`)."""
    end = gid.find("/", _GID_PREFIX_LEN)
    return gid[_GID_PREFIX_LEN:end] if end > 0 else ""


def _count(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    return value.get("count") if isinstance(value, dict) else None


@dataclass(slots=True)
class AssembledVariant:
    """A variant's JSON object and the InventoryLevel objects that arrived as lines of their
    own (a query nesting levels; BulkCatalogProducts puts them inline on the item instead)."""

    data: dict[str, Any]
    levels: list[dict[str, Any]]


@dataclass(slots=True)
class AssembledProduct:
    """All lines of one product, as JSON objects; `variants` in arrival order."""

    id: str
    data: dict[str, Any]
    variants: list[AssembledVariant]
    media: list[dict[str, Any]]
    collections: Sequence[CollectionRef]


@dataclass(slots=True)
class _ProductAcc:
    data: dict[str, Any]
    variants: dict[str, AssembledVariant]
    media: list[dict[str, Any]]
    #: Children still expected; a product without variantsCount/mediaCount is `unknown` and
    #: waits for the end of the file.
    missing: int = 0
    unknown: bool = False


@dataclass(slots=True)
class AssemblyStats:
    """What the assembler saw; `orphans` are children whose parent never appeared."""

    lines: int = 0
    products: int = 0
    variants: int = 0
    #: Level lines attached plus inline level fields (non-null aliases) of the variants.
    inventory_levels: int = 0
    orphans: int = 0
    flushed_incomplete: int = 0
    #: Most products held at once (incomplete): the assembler's memory high-water mark.
    peak_pending: int = 0


class CatalogAssembler:
    """Collects JSONL objects of `BulkCatalogProducts` into `AssembledProduct`s."""

    def __init__(self, collections: Mapping[str, Sequence[CollectionRef]] | None = None,
                 level_aliases: Mapping[str, str] | None = None) -> None:
        self._collections = collections or {}
        #: alias → location GID of `inventoryLevel(locationId:)` fields inline on the item.
        self.level_aliases = tuple((level_aliases or {}).items())
        self._products: dict[str, _ProductAcc] = {}
        self._variant_owner: dict[str, str] = {}
        self._item_owner: dict[str, str] = {}
        self._orphans: dict[str, list[dict[str, Any]]] = {}
        self.stats = AssemblyStats()

    @property
    def pending(self) -> int:
        """Products held in memory now (incomplete)."""
        return len(self._products)

    def feed(self, obj: dict[str, Any]) -> list[AssembledProduct]:
        """Take one JSONL object; return the products it completed (usually zero or one)."""
        self.stats.lines += 1
        kind = gid_type(obj.get("id", ""))
        parent = obj.get("__parentId")
        if parent is None:
            return self._on_product(obj) if kind == "Product" else []
        if kind == "InventoryLevel":
            return self._on_level(obj, parent)
        if kind != "ProductVariant" and kind not in _MEDIA_TYPES \
                and gid_type(parent) != "Product":
            return []  # a line of some other connection: not ours
        acc = self._products.get(parent)
        if acc is None:
            self._orphans.setdefault(parent, []).append(obj)
            return []
        self._attach_product_child(parent, acc, obj, kind == "ProductVariant")
        return self._emit_if_complete(parent, acc)

    def finish(self) -> list[AssembledProduct]:
        """End of file: emit every product still open (counts that never settled) and count
        the orphans left behind."""
        self.stats.orphans += sum(len(v) for v in self._orphans.values())
        self._orphans.clear()
        done = [self._emit(pid, acc) for pid, acc in list(self._products.items())]
        self.stats.flushed_incomplete += len(done)
        self._products.clear()
        self._variant_owner.clear()
        self._item_owner.clear()
        return done

    def _on_product(self, obj: dict[str, Any]) -> list[AssembledProduct]:
        pid = obj["id"]
        acc = _ProductAcc(obj, {}, [])
        variants, media = _count(obj, "variantsCount"), _count(obj, "mediaCount")
        acc.unknown = variants is None or media is None
        acc.missing = (variants or 0) + (media or 0)
        self._products[pid] = acc
        if len(self._products) > self.stats.peak_pending:
            self.stats.peak_pending = len(self._products)
        for child in self._orphans.pop(pid, ()) if self._orphans else ():
            is_variant = gid_type(child.get("id", "")) == "ProductVariant"
            self._attach_product_child(pid, acc, child, is_variant)
        return self._emit_if_complete(pid, acc)

    def _on_level(self, obj: dict[str, Any], parent: str) -> list[AssembledProduct]:
        # __parentId is the nearest ancestor emitted as its own line: the variant (the
        # InventoryItem is inline). Accept the item id too, in case a server names it.
        vid = parent if parent in self._variant_owner else self._item_owner.get(parent)
        if vid is None:
            self._orphans.setdefault(parent, []).append(obj)
            return []
        pid = self._variant_owner[vid]
        acc = self._products[pid]
        acc.variants[vid].levels.append(obj)
        acc.missing -= 1
        return self._emit_if_complete(pid, acc)

    def _attach_product_child(self, pid: str, acc: _ProductAcc, obj: dict[str, Any],
                              is_variant: bool) -> None:
        if not is_variant:
            acc.media.append(obj)
            acc.missing -= 1
            return
        vid = obj["id"]
        variant = AssembledVariant(obj, [])
        acc.variants[vid] = variant
        self._variant_owner[vid] = pid
        item = obj.get("inventoryItem") or {}
        item_id = item.get("id")
        if item_id:
            self._item_owner[item_id] = vid
        # Levels are awaited only when the query asked for them (with `locationsCount`);
        # BulkCatalogProducts does not: they ride inline on the item instead.
        acc.missing += (_count(item, "locationsCount") or 0) - 1
        if self._orphans:
            for key in (vid, item_id):
                for level in self._orphans.pop(key, ()) if key else ():
                    variant.levels.append(level)
                    acc.missing -= 1

    def _emit_if_complete(self, pid: str, acc: _ProductAcc) -> list[AssembledProduct]:
        if acc.unknown or acc.missing > 0:
            return []
        del self._products[pid]
        return [self._emit(pid, acc)]

    def _emit(self, pid: str, acc: _ProductAcc) -> AssembledProduct:
        owners, items = self._variant_owner, self._item_owner
        levels = 0
        for vid, variant in acc.variants.items():
            owners.pop(vid, None)
            item = variant.data.get("inventoryItem") or {}
            items.pop(item.get("id") or "", None)
            levels += len(variant.levels)
            for alias, _ in self.level_aliases:
                if item.get(alias):
                    levels += 1
        self.stats.products += 1
        self.stats.variants += len(acc.variants)
        self.stats.inventory_levels += levels
        return AssembledProduct(pid, acc.data, list(acc.variants.values()), acc.media,
                                self._collections.get(pid, ()))


def inline_levels(item: Mapping[str, Any], aliases: Sequence[tuple[str, str]]
                  ) -> Iterator[tuple[str, Any, Any]]:
    """(location GID, quantity, updatedAt) of each `available` quantity of the item's inline
    `levelN: inventoryLevel(locationId:)` fields (null where the item is not stocked there).
    Shared by `build_product` and the catalog import's row mapping."""
    for alias, location in aliases:
        inline = item.get(alias)
        for q in inline.get("quantities") or () if inline else ():
            if q.get("name") == "available":
                yield location, q.get("quantity"), q.get("updatedAt")


def build_product(assembled: AssembledProduct, aliases: Sequence[tuple[str, str]] = ()
                  ) -> Product:
    """The typed `Product` of an assembled product (pure): variants sorted by position, with
    their level lines and then their inline levels; MediaImages as images."""
    pid = assembled.id
    variants = []
    for variant in assembled.variants:
        item = variant.data.get("inventoryItem") or {}
        item_id = item.get("id") or ""
        levels = [parse_level(lv, item_id) for lv in variant.levels]
        levels.extend(InventoryLevel(item_id, location, quantity, parse_datetime(updated))
                      for location, quantity, updated in inline_levels(item, aliases))
        variants.append(parse_variant(variant.data, pid, levels))
    variants.sort(key=lambda v: v.position)
    images = [i for i in (parse_image(m) for m in assembled.media) if i is not None]
    return parse_product(assembled.data, variants=variants, images=images,
                         collections=assembled.collections)
