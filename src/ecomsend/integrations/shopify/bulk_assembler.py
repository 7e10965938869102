"""Reassemble products from bulk-operation JSONL objects in any line order (pure, no I/O).

Reference §6: without `groupObjects` (false from 2026-01) nested connection items come as
separate lines with `__parentId`, and *no ordering may be assumed*. `CatalogAssembler.feed` takes
one parsed line and returns the products it completed; a product is complete when its own line,
`variantsCount` variants, `mediaCount` media and (if the query nests them) per variant
`locationsCount` levels have all arrived, so memory holds only unfinished products (a handful
when parents come first) plus orphans waiting for their parent. `finish()` flushes whatever
counts could not settle. Used by `bulk.CatalogExport.products` for every line of the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
class _VariantAcc:
    data: dict[str, Any]
    levels: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class _ProductAcc:
    data: dict[str, Any]
    variants: dict[str, _VariantAcc] = field(default_factory=dict)
    media: list[dict[str, Any]] = field(default_factory=list)
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
    inventory_levels: int = 0
    orphans: int = 0
    flushed_incomplete: int = 0
    #: Most products held at once (incomplete): the assembler's memory high-water mark.
    peak_pending: int = 0


class CatalogAssembler:
    """Collects JSONL objects of `BulkCatalogProducts` into `Product`s."""

    def __init__(self, collections: Mapping[str, Sequence[CollectionRef]] | None = None,
                 level_aliases: Mapping[str, str] | None = None) -> None:
        self._collections = collections or {}
        #: alias → location GID of `inventoryLevel(locationId:)` fields inline on the item.
        self._level_aliases = tuple((level_aliases or {}).items())
        self._products: dict[str, _ProductAcc] = {}
        self._variant_owner: dict[str, str] = {}
        self._item_owner: dict[str, str] = {}
        self._orphans: dict[str, list[dict[str, Any]]] = {}
        self.stats = AssemblyStats()

    @property
    def pending(self) -> int:
        """Products held in memory now (incomplete)."""
        return len(self._products)

    def feed(self, obj: dict[str, Any]) -> list[Product]:
        """Take one JSONL object; return the products it completed (usually zero or one)."""
        self.stats.lines += 1
        kind = gid_type(obj.get("id", ""))
        parent = obj.get("__parentId")
        if kind == "Product" and parent is None:
            return self._on_product(obj)
        if parent is None:
            return []
        if kind == "ProductVariant":
            return self._on_variant(obj, parent)
        if kind == "InventoryLevel":
            return self._on_level(obj, parent)
        return self._on_media(obj, parent)

    def finish(self) -> list[Product]:
        """End of file: emit every product still open (counts that never settled) and count
        the orphans left behind."""
        self.stats.orphans += sum(len(v) for v in self._orphans.values())
        self._orphans.clear()
        done = [self._build(pid, acc) for pid, acc in list(self._products.items())]
        self.stats.flushed_incomplete += len(done)
        self._products.clear()
        self._variant_owner.clear()
        self._item_owner.clear()
        return done

    def _on_product(self, obj: dict[str, Any]) -> list[Product]:
        pid = obj["id"]
        acc = _ProductAcc(obj)
        variants, media = _count(obj, "variantsCount"), _count(obj, "mediaCount")
        acc.unknown = variants is None or media is None
        acc.missing = (variants or 0) + (media or 0)
        self._products[pid] = acc
        self.stats.peak_pending = max(self.stats.peak_pending, len(self._products))
        for child in self._orphans.pop(pid, ()):
            self._attach_product_child(pid, acc, child)
        return self._emit_if_complete(pid)

    def _on_variant(self, obj: dict[str, Any], pid: str) -> list[Product]:
        acc = self._products.get(pid)
        if acc is None:
            self._orphans.setdefault(pid, []).append(obj)
            return []
        self._attach_product_child(pid, acc, obj)
        return self._emit_if_complete(pid)

    def _on_media(self, obj: dict[str, Any], pid: str) -> list[Product]:
        if gid_type(obj.get("id", "")) not in _MEDIA_TYPES and gid_type(pid) != "Product":
            return []
        return self._on_variant(obj, pid)

    def _on_level(self, obj: dict[str, Any], parent: str) -> list[Product]:
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
        return self._emit_if_complete(pid)

    def _attach_product_child(self, pid: str, acc: _ProductAcc, obj: dict[str, Any]) -> None:
        if gid_type(obj.get("id", "")) != "ProductVariant":
            acc.media.append(obj)
            acc.missing -= 1
            return
        vid = obj["id"]
        vacc = _VariantAcc(obj)
        acc.variants[vid] = vacc
        self._variant_owner[vid] = pid
        item = obj.get("inventoryItem") or {}
        item_id = item.get("id")
        if item_id:
            self._item_owner[item_id] = vid
        # Levels are awaited only when the query asked for them (with `locationsCount`);
        # BulkCatalogProducts does not: they come from BulkInventoryLevels instead.
        acc.missing += (_count(item, "locationsCount") or 0) - 1
        for key in (vid, item_id):
            for level in self._orphans.pop(key, ()) if key else ():
                vacc.levels.append(level)
                acc.missing -= 1

    def _emit_if_complete(self, pid: str) -> list[Product]:
        acc = self._products[pid]
        if acc.unknown or acc.missing > 0:
            return []
        del self._products[pid]
        return [self._build(pid, acc)]

    def _build(self, pid: str, acc: _ProductAcc) -> Product:
        variants = []
        for vid, vacc in acc.variants.items():
            self._variant_owner.pop(vid, None)
            item = vacc.data.get("inventoryItem") or {}
            item_id = item.get("id") or ""
            self._item_owner.pop(item_id, None)
            levels = [parse_level(lv, item_id) for lv in vacc.levels]
            for alias, location in self._level_aliases:
                inline = item.get(alias)  # null where the item is not stocked there
                for q in inline.get("quantities") or () if inline else ():
                    if q.get("name") == "available":
                        levels.append(InventoryLevel(item_id, location, q.get("quantity"),
                                                     parse_datetime(q.get("updatedAt"))))
            variants.append(parse_variant(vacc.data, pid, levels))
        variants.sort(key=lambda v: v.position)
        images = [i for i in (parse_image(m) for m in acc.media) if i is not None]
        self.stats.products += 1
        self.stats.variants += len(variants)
        self.stats.inventory_levels += sum(len(v.inventory_levels) for v in variants)
        return parse_product(acc.data, variants=variants, images=images,
                             collections=self._collections.get(pid, ()))
