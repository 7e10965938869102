"""The Products and Product detail pages' API: filters (status incl. Not listable, collection,
template, vendor, type, text), sort, pagination bounds, bulk Retry / Exclude / Include (and
templates honouring exclusions), the preview of what TikTok receives, the sync history; bad
input is a 422 and another shop's products a 404.

Runs on its own merchant (`carol`) so exclusions and templates do not touch other tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ecomsend.db.models import ActivityLog, ShopifyProduct, SyncState
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.demo.stack import LocalStack
from ecomsend.integrations.shopify.models import CollectionRef, Product, ProductImage
from ecomsend.sync.catalog_import import import_catalog

from .conftest import PRODUCTS, Tenant, _tenant
from .helpers import fillable_category, product_ids, seed_state, template_body


@pytest.fixture(scope="module")
async def carol(stack: LocalStack, db: Database) -> AsyncIterator[Tenant]:
    tenant = await _tenant(stack, db, "carol-api.myshopify.com", seed=13)
    yield tenant
    await tenant.merchant.close()


async def _list(tenant: Tenant, **params: Any) -> dict[str, Any]:
    response = await tenant.http.get(tenant.url("/products"),
                                     params={"page_size": 250, **params})
    assert response.status_code == 200, response.text
    return response.json()


async def _products(db: Database, tenant: Tenant) -> list[ShopifyProduct]:
    async with db.sessionmaker() as s:
        return list((await s.execute(select(ShopifyProduct).where(
            ShopifyProduct.shop_id == tenant.shop_id).order_by(ShopifyProduct.id))).scalars())


async def test_filter_menus_and_not_listable(carol: Tenant, db: Database) -> None:
    filters = (await carol.http.get(carol.url("/products/filters"))).json()
    assert set(filters["statuses"]) == {"not_synced", "syncing", "synced", "failed",
                                        "review_failed", "not_listable"}
    assert sum(filters["statuses"].values()) == PRODUCTS
    drafts = [p for p in await _products(db, carol) if p.status != "ACTIVE"]
    assert filters["statuses"]["not_listable"] == len(drafts)
    listed = await _list(carol, status="not_listable")
    assert listed["total"] == len(drafts)
    assert all(i["status"]["badge"] == "not_listable" and i["status"]["label"] == "Not listable"
               and i["shopify_status"] != "ACTIVE" for i in listed["items"])
    active = await _list(carol, status="not_synced")
    assert active["total"] == PRODUCTS - len(drafts)
    assert filters["collections"] and all(c["label"] and c["value"].startswith(
        "gid://shopify/Collection/") for c in filters["collections"])


async def test_collection_filter_matches_the_mirror(carol: Tenant, db: Database) -> None:
    products = await _products(db, carol)
    filters = (await carol.http.get(carol.url("/products/filters"))).json()
    sizes = {c["value"]: sum(c["value"] in (p.collections or []) for p in products)
             for c in filters["collections"]}
    gid = max(sizes, key=lambda g: sizes[g])
    assert 0 < sizes[gid] < PRODUCTS
    found = await _list(carol, collection=gid)
    assert found["total"] == sizes[gid]
    members = {p.id for p in products if gid in (p.collections or [])}
    assert {i["id"] for i in found["items"]} == members
    detail = (await carol.http.get(carol.url(f"/products/{found['items'][0]['id']}"))).json()
    assert gid in {c["value"] for c in detail["collections"]}
    titles = {c["value"]: c["label"] for c in filters["collections"]}
    assert titles[gid] in {c["label"] for c in detail["collections"]}
    combined = await _list(carol, collection=gid, q="zzz-no-such-title")
    assert combined["total"] == 0 and combined["items"] == []


async def test_template_filter_and_column(carol: Tenant, db: Database) -> None:
    products = [p for p in await _products(db, carol)]
    vendor = max({p.vendor for p in products if p.vendor},
                 key=lambda v: sum(p.vendor == v for p in products))
    category = await fillable_category(carol)
    body = template_body(category, name="Vendor template",
                         selection_rules=[{"field": "vendor", "op": "equals", "value": vendor}])
    made = await carol.http.post(carol.url("/templates"), json=body)
    assert made.status_code == 201, made.text
    template_id = made.json()["id"]
    try:
        taken = await _list(carol, template=str(template_id))
        assert taken["total"] == sum(p.vendor == vendor for p in products)
        assert all(i["vendor"] == vendor and i["template_id"] == template_id
                   and i["template_name"] == "Vendor template" for i in taken["items"])
        rest = await _list(carol, template="none")
        assert rest["total"] == PRODUCTS - taken["total"]
        assert all(i["template_id"] is None for i in rest["items"])
    finally:
        await carol.http.delete(carol.url(f"/templates/{template_id}"))


async def test_sort_and_pagination(carol: Tenant) -> None:
    asc = [i["title"].lower() for i in (await _list(carol, sort="title"))["items"]]
    desc = [i["title"].lower() for i in (await _list(carol, sort="-title"))["items"]]
    assert asc == sorted(asc) and desc == sorted(desc, reverse=True)
    for key in ("status", "-status", "last_synced", "-last_synced", "updated", "-updated"):
        assert (await _list(carol, sort=key))["total"] == PRODUCTS
    pages = [await _list(carol, page=n, page_size=7) for n in (1, 2, 3, 4, 5)]
    seen = [i["id"] for p in pages for i in p["items"]]
    assert len(seen) == PRODUCTS == len(set(seen))
    beyond = await _list(carol, page=99, page_size=50)
    assert beyond["items"] == [] and beyond["total"] == PRODUCTS


async def test_bad_input_is_422(carol: Tenant) -> None:
    cases = [("page_size", "251"), ("page_size", "0"), ("page", "0"), ("page", "NaN"),
             ("page", "100001"), ("status", "lost"), ("sort", "price"), ("q", "a\x00b"),
             ("vendor", "x" * 256), ("collection", "Summer"), ("template", "abc"),
             ("template", "0"), ("excluded", "maybe")]
    for key, value in cases:
        response = await carol.http.get(carol.url("/products"), params={key: value})
        assert response.status_code == 422, (key, value, response.text)
        assert any(key in err["loc"] for err in response.json()["detail"]), response.text
    for path in ("/products/abc/preview", "/products/0/history",
                 f"/products/{2**60}/preview", "/products/1/history?page_size=101",
                 "/products/1/history?page=NaN"):
        assert (await carol.http.get(carol.url(path))).status_code == 422, path
    for body in ({"product_ids": []}, {"product_ids": ["x"]}, {"product_ids": [0]},
                 {"product_ids": list(range(1, 252))}, {}, {"product_ids": [2**60]}):
        for action in ("retry", "exclude", "include"):
            response = await carol.http.post(carol.url(f"/products/{action}"), json=body)
            assert response.status_code == 422, (action, body, response.text)


async def test_exclude_include_and_templates_skip_excluded(carol: Tenant, db: Database) -> None:
    ids = (await product_ids(db, carol))
    active = [p.id for p in await _products(db, carol) if p.status == "ACTIVE"]
    chosen = active[:2]
    out = await carol.http.post(carol.url("/products/exclude"),
                                json={"product_ids": [*chosen, chosen[0]]})
    assert out.status_code == 200, out.text
    assert out.json() == {"product_ids": chosen, "excluded": True, "changed": 2}
    again = (await carol.http.post(carol.url("/products/exclude"),
                                   json={"product_ids": chosen})).json()
    assert again["changed"] == 0
    excluded = await _list(carol, excluded="true")
    assert {i["id"] for i in excluded["items"]} == set(chosen)
    assert all(i["excluded"] for i in excluded["items"])
    assert (await _list(carol, excluded="false"))["total"] == len(ids) - 2
    assert (await carol.http.get(carol.url("/products/filters"))).json()["excluded"] == 2
    # Activating a default template (takes every product) never queues the excluded ones.
    category = await fillable_category(carol)
    made = (await carol.http.post(carol.url("/templates"), json=template_body(
        category, name="Catch-all", is_default=True))).json()
    try:
        activated = await carol.http.post(carol.url(f"/templates/{made['id']}/activate"))
        assert activated.status_code == 200, activated.text
        assert activated.json()["queued"] == len(active) - 2
        gids = {p.id: p.shopify_id for p in await _products(db, carol)}
        async with db.sessionmaker() as s:
            marked = set((await s.execute(select(SyncState.entity_id).where(
                SyncState.tiktok_shop_id == carol.connection_id,
                SyncState.kind == "product"))).scalars())
        assert not {gids[i] for i in chosen} & marked
        assert {gids[i] for i in active[2:]} <= marked
        await _webhooks_skip_excluded(carol, db, gids[chosen[0]])
    finally:
        await carol.http.post(carol.url(f"/templates/{made['id']}/deactivate"))
    back = (await carol.http.post(carol.url("/products/include"),
                                  json={"product_ids": chosen})).json()
    assert back["changed"] == 2 and not back["excluded"]
    assert (await _list(carol, excluded="true"))["total"] == 0


async def _sync_rows(db: Database, tenant: Tenant, gid: str) -> int:
    async with db.sessionmaker() as s:
        return len((await s.execute(select(SyncState.id).where(
            SyncState.tiktok_shop_id == tenant.connection_id,
            SyncState.entity_id == gid))).scalars().all())


async def _webhooks_skip_excluded(tenant: Tenant, db: Database, excluded_gid: str) -> None:
    """With a catch-all template active: a products/update webhook of the excluded product
    marks nothing, while a new product (products/create) is claimed as usual."""
    shopify = f"{tenant.merchant.stack.shopify_url}/_sandbox/shops/{tenant.domain}"
    async with httpx.AsyncClient(timeout=30) as client:
        edited = await client.patch(f"{shopify}/products/{excluded_gid.rsplit('/', 1)[-1]}",
                                    json={"title": "Excluded but edited"})
        assert edited.status_code == 200, edited.text
        made = await client.post(f"{shopify}/products", json={
            "title": "Brand new mug", "vendor": "Acme",
            "variants": [{"sku": "NEW-MUG-1", "price": "12.00"}]})
        assert made.status_code == 201, made.text
    new_gid = made.json()["product"]["admin_graphql_api_id"]
    async with asyncio.timeout(30):
        while not await _sync_rows(db, tenant, new_gid):
            await asyncio.sleep(0.1)
    async with db.sessionmaker() as s:
        title = (await s.execute(select(ShopifyProduct.title).where(
            ShopifyProduct.shop_id == tenant.shop_id,
            ShopifyProduct.shopify_id == excluded_gid))).scalar_one()
    assert title == "Excluded but edited"  # the webhook was applied to the mirror…
    assert await _sync_rows(db, tenant, excluded_gid) == 0  # …and marked nothing


async def test_bulk_retry(carol: Tenant, db: Database) -> None:
    ids = (await product_ids(db, carol))[-3:]
    await seed_state(db, carol, ids[0], "failed", {"message": "No weight"})
    await seed_state(db, carol, ids[1], "review_failed", {"message": "Blurry"})
    await seed_state(db, carol, ids[2], "synced")
    out = await carol.http.post(carol.url("/products/retry"), json={"product_ids": ids})
    assert out.status_code == 200, out.text
    assert out.json() == {"retried": ids[:2], "skipped": [ids[2]]}
    rows = {i["id"]: i for i in (await _list(carol))["items"]}
    assert rows[ids[0]]["status"]["badge"] in ("syncing", "synced", "failed")
    async with db.sessionmaker() as s:
        versions = (await s.execute(select(SyncState.desired_version).join(
            ShopifyProduct, ShopifyProduct.shopify_id == SyncState.entity_id).where(
            ShopifyProduct.id.in_(ids[:2]), SyncState.tiktok_shop_id == carol.connection_id,
            SyncState.kind == "product"))).scalars().all()
    assert versions and all(v >= 2 for v in versions)


async def test_preview_applies_the_price_and_inventory_rules(carol: Tenant,
                                                             db: Database) -> None:
    pid = next(p.id for p in await _products(db, carol) if p.status == "ACTIVE")
    before = (await carol.http.get(carol.url(f"/products/{pid}/preview"))).json()
    assert before["variants"] and before["title"]
    assert before["images"] and before["description_html"]
    settings = (await carol.http.get(carol.url("/settings/product"))).json()
    rules = {**settings, "price_rule": {**settings["price_rule"], "markup_kind": "percent",
                                        "markup": "10"},
             "inventory_rule": {**settings["inventory_rule"], "percent": "50"}}
    for key in ("store_currency", "tiktok_currency", "known_locations"):
        rules.pop(key)
    saved = await carol.http.put(carol.url("/settings/product"), json=rules)
    assert saved.status_code == 200, saved.text
    try:
        after = (await carol.http.get(carol.url(f"/products/{pid}/preview"))).json()
    finally:
        await carol.http.put(carol.url("/settings/product"), json={
            **rules, "price_rule": settings["price_rule"],
            "inventory_rule": settings["inventory_rule"]})
    for v in after["variants"]:
        assert Decimal(v["price"]) == (Decimal(v["shopify_price"]) * Decimal("1.1")).quantize(
            Decimal("0.01")), v
        assert v["stock"] <= max(v["shopify_stock"], 0) // 2 + len(v["warehouses"]), v
    assert after["currency"] == "USD" and after["audit"]["status"] == "not_listed"
    if after["source"] == "none":
        assert after["problems"][0]["field"] == "category_id" and after["problems"][0]["fix"]


async def test_history_newest_first_and_paginated(carol: Tenant, db: Database) -> None:
    product = (await _products(db, carol))[5]
    now = utcnow()
    async with db.unit_of_work() as s:
        for n, status in enumerate(("synced", "failed", "synced")):
            s.add(ActivityLog(shop_id=carol.shop_id, tiktok_shop_id=carol.connection_id,
                              kind="product", entity_id=product.shopify_id,
                              direction="to_tiktok", status=status, message=f"push {n}",
                              error={"field_errors": [{"field": "title", "message": "Too long",
                                                       "fix": "Shorten it"}]}
                              if status == "failed" else None,
                              created_at=now + timedelta(seconds=n)))
    page = (await carol.http.get(carol.url(f"/products/{product.id}/history"),
                                 params={"page_size": 2})).json()
    assert page["total"] == 3 and [i["message"] for i in page["items"]] == ["push 2", "push 1"]
    assert page["items"][1]["field_errors"][0]["fix"] == "Shorten it"
    rest = (await carol.http.get(carol.url(f"/products/{product.id}/history"),
                                 params={"page_size": 2, "page": 2})).json()
    assert [i["message"] for i in rest["items"]] == ["push 0"]


async def test_another_shops_products_are_404(carol: Tenant, alice: Tenant,
                                              db: Database) -> None:
    theirs = (await product_ids(db, alice))[0]
    mine = (await product_ids(db, carol))[0]
    for path in (f"/products/{theirs}/preview", f"/products/{theirs}/history"):
        assert (await carol.http.get(carol.url(path))).status_code == 404, path
    for action in ("retry", "exclude", "include"):
        response = await carol.http.post(carol.url(f"/products/{action}"),
                                         json={"product_ids": [mine, theirs]})
        assert response.status_code == 404 and str(theirs) in response.text, action
    assert (await _list(carol, excluded="true"))["total"] == 0
    other = await carol.http.get(f"{carol.merchant.stack.app_url}/api/connections/"
                                 f"{alice.connection_id}/products")
    assert other.status_code == 404


async def _import_one(db: Database, tenant: Tenant, product: Product,
                      with_collections: bool) -> list[str]:
    async def one() -> AsyncIterator[Product]:
        yield product

    await import_catalog(db, tenant.shop_id, one(), prune=False,
                         with_collections=with_collections)
    async with db.sessionmaker() as s:
        return list((await s.execute(select(ShopifyProduct.collections).where(
            ShopifyProduct.shop_id == tenant.shop_id,
            ShopifyProduct.shopify_id == product.id))).scalar_one())


async def test_an_export_without_collections_keeps_memberships(carol: Tenant,
                                                               db: Database) -> None:
    """Reconciliation's re-import must not wipe what the collection filter reads; an import
    that did read collections stores them, with their titles for the filter menu."""
    row = next(p for p in await _products(db, carol) if p.collections)
    product = Product(
        id=row.shopify_id, title=row.title, handle=row.handle, description_html=row.body_html,
        vendor=row.vendor, product_type=row.product_type, status=row.status,
        tags=tuple(row.tags or ()), updated_at=row.source_updated_at, category=row.category,
        options=(), variants=(),
        images=tuple(ProductImage(id=str(i.get("id")), url=str(i["url"]))
                     for i in row.images or []))
    assert await _import_one(db, carol, product, with_collections=False) == row.collections
    product.collections = (CollectionRef("gid://shopify/Collection/999001", "renamed",
                                         "Renamed collection"),)
    assert await _import_one(db, carol, product, with_collections=True) == [
        "gid://shopify/Collection/999001"]
    menu = (await carol.http.get(carol.url("/products/filters"))).json()["collections"]
    assert {"value": "gid://shopify/Collection/999001", "label": "Renamed collection"} in menu
    found = await _list(carol, collection="gid://shopify/Collection/999001")
    assert [i["id"] for i in found["items"]] == [row.id]
