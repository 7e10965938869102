"""The seed generator: deterministic, realistic, fast; a big bulk export streams."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import httpx

from ecomsend.sandbox.shopify.generator import seed_shop
from ecomsend.sandbox.shopify.store import Sandbox

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import ShopClient


def _catalog(seed: int, products: int, **kw: Any) -> Any:
    sandbox = Sandbox("k", "s")
    shop = sandbox.add_shop("gen.myshopify.com")
    counts = seed_shop(sandbox, shop, products=products, seed=seed, **kw)
    return counts, shop


def test_deterministic_for_a_seed() -> None:
    (c1, s1), (c2, s2) = _catalog(5, 300), _catalog(5, 300)
    assert c1 == c2
    snap = [(p.title, p.status, [(v.sku, v.price, v.inventory_quantity) for v in p.variants])
            for p in s1.products.values()]
    assert snap == [(p.title, p.status, [(v.sku, v.price, v.inventory_quantity)
                                         for v in p.variants]) for p in s2.products.values()]
    _, other = _catalog(6, 300)
    assert [p.title for p in other.products.values()] != [p.title for p in
                                                         s1.products.values()]


def test_realistic_mix() -> None:
    counts, shop = _catalog(1, 2000)
    variants = list(shop.variants.values())
    per_product = [len(p.variants) for p in shop.products.values()]
    assert min(per_product) == 1 and 21 <= max(per_product) <= 100
    assert all(len(p.options) <= 3 for p in shop.products.values())
    assert {p.status for p in shop.products.values()} == {"ACTIVE", "DRAFT", "ARCHIVED",
                                                          "UNLISTED"}
    skus = [v.sku for v in variants]
    assert None in skus and len({s for s in skus if s}) < len([s for s in skus if s])
    levels = [lvl.available for v in variants for lvl in v.item.levels.values()]
    assert 0 in levels and min(levels) < 0
    assert any(not t.isascii() for t in (p.title for p in shop.products.values()))
    assert all(p.body_html.startswith("<p>") for p in shop.products.values())
    assert sum(bool(p.images) for p in shop.products.values()) > 1000
    assert len(shop.locations) == 3 and counts["inventory_levels"] == len(levels)


def test_fixed_variants_and_speed() -> None:
    started = time.monotonic()
    counts, _ = _catalog(2, 20_000, variants_per_product=3)
    assert counts["variants"] == 60_000
    assert time.monotonic() - started < 5.0  # 100k x 3 takes a few seconds


def test_large_bulk_export_streams(shop: ShopClient) -> None:
    shop.control("POST", "/seed", json={"products": 10_000, "seed": 3,
                                        "variants_per_product": 3, "orders": 5})
    query = ("{ products { edges { node { id handle variants { edges { node { id sku price "
             "inventoryItem { id } } } } } } } }")
    run = shop.gql("mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: "
                   "false) { bulkOperation { id } userErrors { message } } }", {"q": query})
    op_id = run["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
    while True:
        op = shop.gql("query($id: ID!) { bulkOperation(id: $id) { status url objectCount "
                      "fileSize } }", {"id": op_id})["data"]["bulkOperation"]
        if op["status"] == "COMPLETED":
            break
        time.sleep(0.02)
    assert op["objectCount"] == "40000"
    variants = 0
    # The file is written before COMPLETED, like Shopify's: its size is known, and it is
    # served from disk, never held whole in the sandbox's memory.
    with httpx.Client(timeout=60) as client, client.stream("GET", op["url"]) as response:
        assert response.headers["content-type"].startswith("application/jsonl")
        assert response.headers["content-length"] == op["fileSize"]
        for line in response.iter_lines():
            variants += "__parentId" in json.loads(line)
    assert variants == 30_000
    assert len(shop.control("GET", "/orders")["orders"]) == 5
