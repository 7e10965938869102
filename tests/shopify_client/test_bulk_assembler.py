"""Bulk JSONL reassembly in any line order (reference §6) and resumable streaming download."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from ecomsend.integrations.shopify.bulk import iter_jsonl
from ecomsend.integrations.shopify.bulk_assembler import CatalogAssembler, build_product, gid_type
from ecomsend.integrations.shopify.errors import Permanent
from ecomsend.integrations.shopify.models import CollectionRef


def catalog_lines(products: int, variants: int = 3, levels: int = 2,
                  level_parent: str = "variant") -> list[dict[str, Any]]:
    """Parent-first JSONL objects like Shopify's ungrouped output."""
    lines: list[dict[str, Any]] = []
    for p in range(products):
        pid = f"gid://shopify/Product/{p}"
        lines.append({"id": pid, "title": f"P{p}", "status": "ACTIVE", "tags": ["a"],
                      "variantsCount": {"count": variants}, "mediaCount": {"count": 1},
                      "options": [{"name": "Size", "position": 1,
                                   "optionValues": [{"name": "S"}]}]})
        lines.append({"id": f"gid://shopify/MediaImage/{p}", "alt": None, "__parentId": pid,
                      "image": {"url": f"https://cdn/{p}.jpg", "width": 1, "height": 1}})
        for v in range(variants):
            vid = f"gid://shopify/ProductVariant/{p}_{v}"
            item = f"gid://shopify/InventoryItem/{p}_{v}"
            lines.append({"id": vid, "sku": f"S{p}-{v}", "price": "9.50", "position": v + 1,
                          "selectedOptions": [{"name": "Size", "value": "S"}],
                          "inventoryItem": {"id": item, "tracked": True,
                                            "measurement": {"weight": {"unit": "KILOGRAMS",
                                                                       "value": 0.5}},
                                            "locationsCount": {"count": levels}},
                          "__parentId": pid})
            for loc in range(levels):
                lines.append({"id": f"gid://shopify/InventoryLevel/{loc}?inventory_item_id={p}",
                              "location": {"id": f"gid://shopify/Location/{loc}"},
                              "quantities": [{"name": "available", "quantity": loc + 1}],
                              "__parentId": vid if level_parent == "variant" else item})
    return lines


def assemble(lines: list[dict[str, Any]], **kw: Any) -> tuple[list[Any], CatalogAssembler, int]:
    """Feed every line; the typed products built from what the assembler emitted."""
    asm = CatalogAssembler(**kw)
    out, peak = [], 0
    for obj in lines:
        out.extend(build_product(a, asm.level_aliases) for a in asm.feed(obj))
        peak = max(peak, asm.pending)
    out.extend(build_product(a, asm.level_aliases) for a in asm.finish())
    return out, asm, peak


def check(products: list[Any], n: int, variants: int = 3, levels: int = 2) -> None:
    assert sorted(p.id for p in products) == sorted(f"gid://shopify/Product/{i}" for i in range(n))
    for p in products:
        assert len(p.variants) == variants and [v.position for v in p.variants] == [1, 2, 3]
        assert len(p.images) == 1 and p.images[0].url.endswith(".jpg")
        for v in p.variants:
            assert v.product_id == p.id and v.price == Decimal("9.50")
            assert v.weight == Decimal("0.5") and v.weight_unit == "KILOGRAMS"
            assert sorted(lv.available for lv in v.inventory_levels) == list(range(1, levels + 1))
            assert all(lv.inventory_item_id == v.inventory_item_id for lv in v.inventory_levels)


def test_gid_type() -> None:
    assert gid_type("gid://shopify/ProductVariant/1") == "ProductVariant"
    assert gid_type("gid://shopify/InventoryLevel/1?inventory_item_id=2") == "InventoryLevel"
    assert gid_type("nonsense") == ""


def test_parent_first_emits_each_product_as_soon_as_complete() -> None:
    products, asm, peak = assemble(catalog_lines(200))
    check(products, 200)
    assert peak <= 1 and asm.stats.flushed_incomplete == 0 and asm.stats.orphans == 0
    assert asm.stats.variants == 600 and asm.stats.inventory_levels == 1200


@pytest.mark.parametrize("order", ["shuffled", "reversed", "children_first", "levels_by_item"])
def test_any_line_order_gives_the_same_products(order: str) -> None:
    lines = catalog_lines(50, level_parent="item" if order == "levels_by_item" else "variant")
    if order == "shuffled":
        random.Random(7).shuffle(lines)
    elif order == "reversed":
        lines.reverse()
    elif order == "children_first":
        lines.sort(key=lambda o: "__parentId" not in o)
    products, asm, _ = assemble(lines)
    check(products, 50)
    assert asm.stats.flushed_incomplete == 0 and asm.stats.orphans == 0


def test_collections_are_joined_and_unknown_counts_flush_at_end() -> None:
    lines = catalog_lines(3)
    for obj in lines:
        obj.pop("variantsCount", None)
    refs = {"gid://shopify/Product/1": [CollectionRef("gid://shopify/Collection/9", "sale")]}
    products, asm, peak = assemble(lines, collections=refs)
    check(products, 3)
    assert peak == 3 and asm.stats.flushed_incomplete == 3
    by_id = {p.id: p for p in products}
    assert by_id["gid://shopify/Product/1"].collections[0].handle == "sale"
    assert by_id["gid://shopify/Product/0"].collections == ()


def test_inline_levels_by_alias() -> None:
    lines = catalog_lines(5, levels=0)
    for obj in lines:
        item = obj.get("inventoryItem")
        if item:
            item["level0"] = {"quantities": [{"name": "available", "quantity": 1}]}
            item["level1"] = None  # not stocked there
            item["level2"] = {"quantities": [{"name": "available", "quantity": 2,
                                              "updatedAt": "2026-11-27T10:00:00Z"}]}
    aliases = {"level0": "gid://shopify/Location/A", "level1": "gid://shopify/Location/B",
               "level2": "gid://shopify/Location/C"}
    products, _, peak = assemble(lines, level_aliases=aliases)
    check(products, 5)
    assert peak <= 1
    levels = products[0].variants[0].inventory_levels
    assert [(lv.location_id, lv.available) for lv in levels] == [
        ("gid://shopify/Location/A", 1), ("gid://shopify/Location/C", 2)]
    assert levels[1].updated_at is not None


def test_orphans_without_parent_are_counted_not_emitted() -> None:
    lines = catalog_lines(2)
    lines.append({"id": "gid://shopify/ProductVariant/x", "price": "1",
                  "__parentId": "gid://shopify/Product/404"})
    products, asm, _ = assemble(lines)
    assert len(products) == 2 and asm.stats.orphans == 1


class _Flaky(httpx.AsyncByteStream):
    def __init__(self, payload: bytes, break_after: int | None) -> None:
        self.payload, self.break_after = payload, break_after

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i in range(0, len(self.payload), 50):
            if self.break_after is not None and i >= self.break_after:
                raise httpx.RemoteProtocolError("peer closed connection")
            yield self.payload[i:i + 50]


async def test_download_streams_and_resumes_after_a_reset() -> None:
    objs = [{"id": f"gid://shopify/Product/{i}", "n": i} for i in range(40)]
    payload = "\n".join(json.dumps(o) for o in objs).encode() + b"\n"
    breaks = [300, 900, None]
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, stream=_Flaky(payload, breaks.pop(0)))

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        got = [o async for o in iter_jsonl(http, "https://files/x.jsonl", rng=random.Random(1))]
    assert got == objs and len(calls) == 3
    assert "x-shopify-access-token" not in calls[0].headers


async def test_download_of_expired_url_is_permanent() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(
            lambda r: httpx.Response(403, text="expired"))) as http:
        with pytest.raises(Permanent, match="403"):
            [o async for o in iter_jsonl(http, "https://files/x.jsonl")]
