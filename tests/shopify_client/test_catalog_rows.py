"""The bulk import maps assembled JSON objects straight to rows (`assembled_rows`); every row must
equal what the typed path gives (`build_product`, then `product_values` / `variant_values` /
`level_values`), on SQLite's and PostgreSQL's driver values, for odd inputs and for a whole
sandbox export. Lines the import cannot read raise `Permanent`."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ecomsend.integrations.shopify import start_catalog_export
from ecomsend.integrations.shopify.bulk import _parse_line
from ecomsend.integrations.shopify.bulk_assembler import (
    AssembledProduct,
    CatalogAssembler,
    build_product,
)
from ecomsend.integrations.shopify.errors import Permanent
from ecomsend.integrations.shopify.models import CollectionRef
from ecomsend.sync.catalog_rows import (
    Codec,
    Row,
    assembled_rows,
    collection_values,
    level_values,
    product_values,
    variant_values,
)

from .conftest import SandboxShop

ALIASES = (("level0", "gid://shopify/Location/A"), ("level1", "gid://shopify/Location/B"))
NOW = "2026-12-04 07:00:00.000000"
PID = "gid://shopify/Product/1"


def _variant(n: int, **fields: Any) -> dict[str, Any]:
    item = {"id": f"gid://shopify/InventoryItem/{n}", "tracked": True,
            "measurement": {"weight": {"unit": "GRAMS", "value": 872.0}},
            "level0": {"quantities": [{"name": "available", "quantity": 3,
                                       "updatedAt": "2026-09-28T13:27:56Z"}]},
            "level1": None}
    return {"id": f"gid://shopify/ProductVariant/{n}", "title": f"V{n}", "sku": f"S{n}",
            "barcode": None, "price": "70.99", "compareAtPrice": None, "position": n,
            "inventoryPolicy": "DENY", "updatedAt": "2026-09-28T13:27:56Z",
            "selectedOptions": [{"name": "Size", "value": "XS"}], "inventoryItem": item,
            "__parentId": PID, **fields}


def _odd_variants() -> list[dict[str, Any]]:
    """Variants with every value the conversions treat specially (reference §7 scalars)."""
    variants = [
        _variant(1, price="0.00", compareAtPrice="88.74", sku="", barcode=""),
        _variant(2, price=None, compareAtPrice="", position=None, updatedAt=None),
        _variant(3, price="not money", compareAtPrice=" 7.25 ", selectedOptions=[]),
        _variant(4, price="1_000.5", compareAtPrice="1e3", updatedAt="2026-09-28T15:27:56+02:00"),
        _variant(5, price="-0", position=0, updatedAt="2026-09-28T13:27:56.123456Z"),
        _variant(6, price=19, compareAtPrice=12.5),
    ]
    variants[0]["inventoryItem"]["measurement"] = {"weight": {"unit": "KILOGRAMS", "value": 5}}
    variants[1]["inventoryItem"]["measurement"] = None
    variants[2]["inventoryItem"]["measurement"] = {"weight": {"unit": "POUNDS", "value": "0.5"}}
    variants[3]["inventoryItem"]["level0"] = {"quantities": [
        {"name": "committed", "quantity": 9}, {"name": "available", "quantity": None}]}
    variants[3]["inventoryItem"]["level1"] = {"quantities": [
        {"name": "available", "quantity": -2}]}  # no updatedAt
    variants[4].pop("inventoryItem")  # no item: no levels
    variants[5]["inventoryItem"]["id"] = None
    variants.reverse()  # positions out of line order: rows come sorted by position
    return variants


def _odd_product() -> list[dict[str, Any]]:
    """The lines of one product with odd values, levels inline and as lines of their own."""
    product: dict[str, Any] = {
        "id": PID, "title": "T" * 600, "handle": None, "descriptionHtml": "<p>é</p>",
        "vendor": "Initech", "productType": "Shirt", "tags": ["a", "b"],
        "updatedAt": "2026-09-28T13:27:56Z", "category": None,
        "options": [{"name": "Size", "position": None,
                     "optionValues": [{"name": "XS"}, {"name": 5}]},
                    {"name": "Color", "optionValues": None}]}
    media: list[dict[str, Any]] = [
        {"id": "gid://shopify/MediaImage/7", "alt": "front", "__parentId": PID,
         "image": {"url": "https://cdn/7.jpg"}},
        {"id": "gid://shopify/Video/8", "__parentId": PID},
        {"id": "gid://shopify/MediaImage/9", "alt": None, "__parentId": PID,
         "image": {"url": ""}}]
    levels: list[dict[str, Any]] = [
        {"id": "gid://shopify/InventoryLevel/1?inventory_item_id=1",
         "location": {"id": "gid://shopify/Location/C"},
         "quantities": [{"name": "available", "quantity": 4,
                         "updatedAt": "2026-09-28T13:00:00Z"}],
         "__parentId": "gid://shopify/ProductVariant/1"},
        {"id": "gid://shopify/InventoryLevel/2?inventory_item_id=1",
         "location": {"id": "gid://shopify/Location/D"}, "quantities": None,
         "__parentId": "gid://shopify/InventoryItem/1"},
        {"id": "gid://shopify/InventoryLevel/3?inventory_item_id=1", "location": None,
         "quantities": [], "__parentId": "gid://shopify/ProductVariant/1"}]
    return [product, *media, *_odd_variants(), *levels]


def _assemble(lines: list[dict[str, Any]], aliases: tuple[tuple[str, str], ...] = ALIASES,
              collections: dict[str, list[CollectionRef]] | None = None
              ) -> list[AssembledProduct]:
    asm = CatalogAssembler(collections, dict(aliases))
    out: list[AssembledProduct] = [a for line in lines for a in asm.feed(line)]
    return [*out, *asm.finish()]


def _both_ways(assembled: list[AssembledProduct], aliases: tuple[tuple[str, str], ...],
               codec: Codec) -> tuple[tuple[list[Row], ...], tuple[list[Row], ...]]:
    """(rows of the typed path, rows of assembled_rows), collections included."""
    products = [build_product(a, aliases) for a in copy.deepcopy(assembled)]
    typed: tuple[list[Row], ...] = ([], [], [], collection_values(1, products, NOW))
    for p in products:
        typed[0].append(product_values(1, p, NOW, codec))
        image = p.images[0].url if p.images else None
        for v in p.variants:
            typed[1].append(variant_values(1, p.id, v, image, NOW, codec))
            typed[2].extend(level_values(1, v, codec))
    direct = (*assembled_rows(1, assembled, aliases, NOW, codec),
              collection_values(1, assembled, NOW))
    return typed, direct


@pytest.mark.parametrize("sqlite", [True, False])
def test_odd_values_give_the_same_rows_both_ways(sqlite: bool) -> None:
    refs = {PID: [CollectionRef("gid://shopify/Collection/1", "sale", "Sale"),
                  CollectionRef("gid://shopify/Collection/2")]}
    assembled = _assemble(_odd_product(), collections=refs)
    typed, direct = _both_ways(assembled, ALIASES, Codec(sqlite=sqlite))
    assert direct == typed
    products, variants, levels, named = direct
    assert len(products) == 1 and len(variants) == 6 and len(named) == 1
    # by position (None and 0 → 1; equal positions keep line order: reversed here)
    assert [(v[0][-1], v[9]) for v in variants] == [
        ("5", 1), ("2", 1), ("1", 1), ("3", 3), ("4", 4), ("6", 6)]
    assert {lv[2] for lv in levels} == {f"gid://shopify/Location/{c}" for c in "ABCD"}
    if sqlite:
        assert [v[4] for v in variants] == [0.0, 0.0, 0.0, 0.0, 1000.5, 19.0]
        assert variants[4][12] == "2026-09-28 13:27:56.000000"  # +02:00 → UTC
        assert variants[0][12] == "2026-09-28 13:27:56.123456"


async def test_a_sandbox_export_gives_the_same_rows_both_ways(sandbox_shop: SandboxShop) -> None:
    async with sandbox_shop.client() as client:
        export = await start_catalog_export(client)
        assembled = [a async for a in export.assembled()]
    aliases = tuple(export.level_aliases.items())
    assert assembled and aliases
    for sqlite in (True, False):
        typed, direct = _both_ways(assembled, aliases, Codec(sqlite=sqlite))
        assert direct == typed and len(direct[2]) > len(direct[1])


def test_unreadable_lines_and_products_raise_permanent() -> None:
    with pytest.raises(Permanent, match="line 7 is not JSON"):
        _parse_line(b'{"id": "gid://shopify/Product/1", ', 7)
    with pytest.raises(Permanent, match="line 8 is not a JSON object"):
        _parse_line(b'["gid://shopify/Product/1"]', 8)
    lines = _odd_product()
    lines[0]["options"] = [{"position": 1}]  # an option without its name
    with pytest.raises(Permanent, match="product gid://shopify/Product/1 unreadable"):
        assembled_rows(1, _assemble(lines), ALIASES, NOW, Codec(sqlite=True))
