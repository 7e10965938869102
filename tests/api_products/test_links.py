"""Link products page on listings seeded straight into the TikTok sandbox: proposals by SKU
(then confirm), suggestions by barcode and by title, manual link, conflicts, unlink; 404/422.

Runs on `bob`, whose shop fails the listing prerequisites, so no push of ours adds listings."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ecomsend.db.models import ShopifyProduct, ShopifyVariant, SyncState
from ecomsend.db.session import Database

from .conftest import Tenant


async def _variants(db: Database, tenant: Tenant) -> list[dict[str, Any]]:
    async with db.sessionmaker() as s:
        rows = (await s.execute(
            select(ShopifyVariant.shopify_id, ShopifyVariant.sku, ShopifyVariant.barcode,
                   ShopifyProduct.shopify_id, ShopifyProduct.title, ShopifyProduct.id,
                   ShopifyProduct.status)
            .join(ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id)
            .where(ShopifyVariant.shop_id == tenant.shop_id)
            .order_by(ShopifyVariant.id))).all()
    keys = ("id", "sku", "barcode", "product", "title", "product_db_id", "status")
    return [dict(zip(keys, r, strict=True)) for r in rows]


async def _listing(tenant: Tenant, *, seller_sku: str, title: str | None = None,
                   barcode: str | None = None) -> dict[str, Any]:
    control = f"{tenant.merchant.stack.tiktok_url}/_sandbox/shops/{tenant.tiktok_shop['shop_id']}"
    body = (await tenant.http.get(f"{control}/sample_product", params={"skus": 1})).json()
    body["skus"][0]["seller_sku"] = seller_sku
    if barcode:
        body["skus"][0]["identifier_code"] = {"code": barcode, "type": "UPC"}
    if title:
        body["title"] = title
    created = await tenant.http.post(f"{control}/products", json=body)
    assert created.status_code == 200, created.text
    product: dict[str, Any] = created.json()
    return product


async def _until_our_price_and_stock(tenant: Tenant, variant: dict[str, Any],
                                     listing: dict[str, Any]) -> None:
    """The linked listing's SKU ends up with the Shopify price and available stock."""
    detail = (await tenant.http.get(tenant.url(f"/products/{variant['product_db_id']}"))).json()
    ours = next(v for v in detail["variant_list"] if v["shopify_id"] == variant["id"])
    url = (f"{tenant.merchant.stack.tiktok_url}/_sandbox/shops/{tenant.tiktok_shop['shop_id']}"
           f"/products/{listing['id']}")
    sku_id = listing["skus"][0]["id"]
    async with asyncio.timeout(20):
        while True:
            state = (await tenant.http.get(url)).json()
            stock = sum(state["inventory"].get(sku_id, {}).values())
            price = Decimal(state["prices"].get(sku_id, "0"))
            if stock == ours["available"] and price == Decimal(ours["price"]):
                return
            await asyncio.sleep(0.2)


def _unique(variants: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    counts = Counter((v[key] or "").casefold() for v in variants)
    return [v for v in variants if v[key] and counts[v[key].casefold()] == 1]


async def test_propose_by_sku_confirm_conflict_and_unlink(bob: Tenant, alice: Tenant,
                                                          db: Database) -> None:
    variants = await _variants(db, bob)
    # An active product: only those are listed, so only those get price and stock pushes.
    target = next(v for v in _unique(variants, "sku") if v["status"] == "ACTIVE")
    listing = await _listing(bob, seller_sku=f"  {target['sku'].lower()} ")
    sku_id = listing["skus"][0]["id"]
    proposals = (await bob.http.get(bob.url("/links/proposals"))).json()
    pair = next(p for p in proposals["by_sku"] if p["tiktok_sku_id"] == sku_id)
    assert pair["shopify_variant_id"] == target["id"] and pair["reason"] == "identical SKU"
    confirm = {"pairs": [{k: pair[k] for k in ("shopify_variant_id", "tiktok_product_id",
                                                "tiktok_sku_id")}]}
    linked = await bob.http.post(bob.url("/links"), json=confirm)
    assert linked.status_code == 201, linked.text
    [link] = linked.json()["linked"]
    assert link["origin"] == "linked" and linked.json()["queued_products"] == 1
    async with db.sessionmaker() as s:
        kinds = set((await s.execute(select(SyncState.kind).where(
            SyncState.tiktok_shop_id == bob.connection_id,
            SyncState.entity_id == target["product"]))).scalars())
    assert kinds == {"price", "inventory"}  # never a full edit of someone else's listing
    await _until_our_price_and_stock(bob, target, listing)
    again = (await bob.http.post(bob.url("/links"), json=confirm)).json()
    assert again["linked"] == [] and len(again["conflicts"]) == 1
    after = (await bob.http.get(bob.url("/links/proposals"))).json()
    assert sku_id not in {p["tiktok_sku_id"] for p in after["by_sku"]}
    listings = (await bob.http.get(bob.url("/links/listings"), params={"page_size": 100})).json()
    shown = next(x for x in listings["listings"] if x["product_id"] == listing["id"])
    assert shown["skus"][0]["linked_variant_id"] == target["id"]
    assert (await alice.http.delete(alice.url(f"/links/{link['id']}"))).status_code == 404
    assert (await bob.http.delete(bob.url(f"/links/{link['id']}"))).status_code == 204
    assert (await bob.http.delete(bob.url(f"/links/{link['id']}"))).status_code == 404
    assert link["id"] not in {x["id"] for x in (await bob.http.get(bob.url("/links"))).json()}


async def test_barcode_and_title_suggestions_then_manual_link(bob: Tenant, alice: Tenant,
                                                              db: Database) -> None:
    variants = await _variants(db, bob)
    coded = [v for v in _unique(variants, "barcode") if v["sku"]][-1]
    by_code = await _listing(bob, seller_sku="TT-BARCODE-1", barcode=coded["barcode"])
    singles = Counter(v["product"] for v in variants)
    titled = next(v for v in reversed(variants) if singles[v["product"]] == 1
                  and v["id"] != coded["id"])
    by_title = await _listing(bob, seller_sku="TT-TITLE-1", title=titled["title"])
    proposals = (await bob.http.get(bob.url("/links/proposals"))).json()
    assert proposals["barcode_lookups"] >= 1
    code_pair = next(p for p in proposals["by_barcode"]
                     if p["tiktok_product_id"] == by_code["id"])
    assert code_pair["shopify_variant_id"] == coded["id"]
    title_hit = next(t for t in proposals["by_title"] if t["tiktok_product_id"] == by_title["id"])
    assert title_hit["shopify_product_id"] == titled["product"] and title_hit["score"] >= 0.9
    assert title_hit["pair"]["shopify_variant_id"] == titled["id"]
    wrong_sku = {"shopify_variant_id": titled["id"], "tiktok_product_id": by_title["id"],
                 "tiktok_sku_id": "123"}
    refused = await bob.http.post(bob.url("/links"), json={"pairs": [wrong_sku]})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "tiktok_sku_id"
    alices = (await _variants(db, alice))[0]["id"]
    foreign = await bob.http.post(bob.url("/links"), json={"pairs": [
        {**wrong_sku, "shopify_variant_id": alices,
         "tiktok_sku_id": by_title["skus"][0]["id"]}]})
    assert foreign.status_code == 404
    manual = await bob.http.post(bob.url("/links"), json={"pairs": [
        {**wrong_sku, "tiktok_sku_id": by_title["skus"][0]["id"]}]})
    assert manual.status_code == 201 and len(manual.json()["linked"]) == 1
    empty = await bob.http.post(bob.url("/links"), json={"pairs": []})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"][-1] == "pairs"
