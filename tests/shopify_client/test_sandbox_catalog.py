"""Catalog, inventory and bulk operations against the Shopify sandbox over real HTTP."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from ecomsend.db.models import InventoryLevel as LevelRow
from ecomsend.db.models import Shop, ShopifyProduct, ShopifyVariant
from ecomsend.db.session import Database
from ecomsend.integrations.shopify import UserErrors, bulk, export_catalog, start_catalog_export
from ecomsend.integrations.shopify.models import InventoryQuantity, Product
from ecomsend.sync.catalog_import import import_shop_catalog

from .conftest import SandboxShop


async def _all_products(shop: SandboxShop, query: str | None = None) -> list[Product]:
    found: list[Product] = []
    after = None
    async with shop.client() as client:
        while True:
            page = await client.products_page(query, after=after, first=7)
            found += page.items
            if not page.has_next_page:
                return found
            after = page.end_cursor


async def test_shop_info_locations_and_paged_products(sandbox_shop: SandboxShop) -> None:
    async with sandbox_shop.client() as client:
        info = await client.shop_info()
        assert info.myshopify_domain == sandbox_shop.domain and info.currency_code == "USD"
        locations = await client.locations()
        assert {loc.id for loc in locations} == set(sandbox_shop.location_ids)
    products = await _all_products(sandbox_shop)
    counts = (await sandbox_shop.get(""))["counts"]
    assert len(products) == len({p.id for p in products}) == counts["products"]
    assert all(p.variants and p.title for p in products)
    drafts = await _all_products(sandbox_shop, "status:draft")
    assert drafts and all(p.status == "DRAFT" for p in drafts)
    assert len(drafts) < len(products)


async def test_product_by_id_with_collections(sandbox_shop: SandboxShop) -> None:
    listed = await _all_products(sandbox_shop)
    async with sandbox_shop.client() as client:
        exported = {p.id: p async for p in export_catalog(client)}
        for summary in listed[:10]:
            product = await client.product(summary.id)
            assert product is not None and product.id == summary.id
            assert [v.id for v in product.variants][:25] == [v.id for v in summary.variants]
            assert len(product.variants) == product.variants_count
            assert {c.id for c in product.collections} == \
                {c.id for c in exported[product.id].collections}
        assert any(p.collections for p in exported.values())
        assert await client.product("gid://shopify/Product/999999999") is None


async def test_variants_inventory_and_set_quantities(sandbox_shop: SandboxShop) -> None:
    product = next(p for p in await _all_products(sandbox_shop) if len(p.variants) > 1)
    ids = [v.id for v in product.variants]
    async with sandbox_shop.client() as client:
        variants = await client.variants([*ids, "gid://shopify/ProductVariant/999999999"])
        assert [v.id for v in variants] == ids
        assert all(v.product_id == product.id for v in variants)
        item_id = variants[0].inventory_item_id
        assert item_id is not None
        item = await client.inventory_item(item_id)
        assert item is not None and item.levels
        level = item.levels[0]
        assert level.available is not None
        change = [InventoryQuantity(item_id, level.location_id, level.available + 5,
                                    level.available)]
        key = str(uuid.uuid4())
        group = await client.set_inventory(change, idempotency_key=key,
                                           reference_document_uri="gid://ecomsend/Test/1")
        assert [c.delta for c in group.changes if c.name == "available"] == [5]
        replay = await client.set_inventory(change, idempotency_key=key,
                                            reference_document_uri="gid://ecomsend/Test/1")
        assert replay.id == group.id
        after = await client.inventory_item(item_id)
        assert after is not None
        now = {lv.location_id: lv.available for lv in after.levels}
        assert now[level.location_id] == level.available + 5
        with pytest.raises(UserErrors) as stale:
            await client.set_inventory(change, idempotency_key=str(uuid.uuid4()))
        assert stale.value.codes == ("CHANGE_FROM_QUANTITY_STALE",)
        assert stale.value.field_errors[0].field[:2] == ("input", "quantities")
        with pytest.raises(UserErrors) as mismatch:
            await client.set_inventory(
                [InventoryQuantity(item_id, level.location_id, 1, None)], idempotency_key=key)
        assert "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" in mismatch.value.codes


@pytest.mark.parametrize("inline_levels", [True, False])
async def test_bulk_export_matches_the_shop(sandbox_shop: SandboxShop, inline_levels: bool,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if not inline_levels:  # as for a shop with many locations: levels by their own bulk query
        monkeypatch.setattr(bulk, "MAX_INLINE_LOCATIONS", 1)
    shop = await sandbox_shop.get("")
    listed = {p.id: p for p in await _all_products(sandbox_shop)}
    async with sandbox_shop.client() as client:
        export = await start_catalog_export(client)
        products = [p async for p in export.products()]
        levels = [lv async for lv in export.inventory_levels()]
        assert (export.levels_op is None) == inline_levels
        assert bool(levels) != inline_levels
        levels += [lv for p in products for v in p.variants for lv in v.inventory_levels]
        assert export.stats is not None and export.stats.orphans == 0
        only_products = [p.id async for p in export_catalog(client, with_collections=False)]
    assert any(p.collections for p in products)
    assert len(products) == shop["counts"]["products"] == len(only_products)
    assert sum(len(p.variants) for p in products) == shop["counts"]["variants"]
    assert {p.id for p in products} == set(listed)
    for product in products:  # ProductsPage carries the first 25 variants only
        page = listed[product.id].variants
        assert [(v.id, v.price, v.sku) for v in product.variants[:len(page)]] == \
            [(v.id, v.price, v.sku) for v in page]
        assert len(product.variants) == product.variants_count == listed[product.id].variants_count
    items = {v.inventory_item_id for p in products for v in p.variants}
    assert {lv.inventory_item_id for lv in levels} <= items
    assert {lv.location_id for lv in levels} <= set(sandbox_shop.location_ids)
    rest = await sandbox_shop.get("/inventory")
    assert len(levels) == len(rest["inventory_levels"])


async def _import_and_check(db: Database, shop: SandboxShop) -> None:
    async with db.unit_of_work() as session:
        row = Shop(domain=shop.domain, scopes="")
        session.add(row)
        await session.flush()
        shop_id = row.id
    counts = (await shop.get(""))["counts"]
    async with shop.client() as client:
        result = await import_shop_catalog(db, shop_id, client)
    assert (result.products, result.variants) == (counts["products"], counts["variants"])
    async with db.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(ShopifyProduct)) == \
            counts["products"]
        assert await s.scalar(select(func.count()).select_from(ShopifyVariant)) == \
            counts["variants"]
        assert await s.scalar(select(func.count()).select_from(LevelRow)) == \
            result.inventory_levels > 0
        collections = (await s.execute(select(ShopifyProduct.collections))).scalars().all()
        assert any(c for c in collections)


async def test_catalog_import_from_sandbox_sqlite(sandbox_shop: SandboxShop,
                                                  sqlite_db: Database) -> None:
    await _import_and_check(sqlite_db, sandbox_shop)


@pytest.mark.postgres
async def test_catalog_import_from_sandbox_postgres(sandbox_shop: SandboxShop,
                                                    pg_db: Database) -> None:
    await _import_and_check(pg_db, sandbox_shop)


async def test_reimport_after_merchant_edits(sandbox_shop: SandboxShop,
                                             sqlite_db: Database) -> None:
    """Re-running the import is idempotent and follows the shop: a price edit is updated,
    a deleted product is marked deleted and its variants and stock rows go away."""
    async with sqlite_db.unit_of_work() as session:
        row = Shop(domain=sandbox_shop.domain, scopes="")
        session.add(row)
        await session.flush()
        shop_id = row.id
    async with sandbox_shop.client() as client:
        first = await import_shop_catalog(sqlite_db, shop_id, client)
        products = (await client.products_page("status:active", first=2)).items
        gone, edited = products[0], products[1].variants[0]
        await sandbox_shop.post(f"/products/{gone.id}", None, "DELETE")
        await sandbox_shop.post(f"/variants/{edited.id}", {"price": "1234.50"}, "PATCH")
        second = await import_shop_catalog(sqlite_db, shop_id, client)
    assert second.products == first.products - 1
    assert second.variants == first.variants - len(gone.variants)
    async with sqlite_db.sessionmaker() as s:
        deleted = (await s.execute(select(ShopifyProduct.deleted_at).where(
            ShopifyProduct.shopify_id == gone.id))).scalar_one()
        assert deleted is not None
        assert await s.scalar(select(func.count()).select_from(ShopifyVariant).where(
            ShopifyVariant.shopify_id.in_([v.id for v in gone.variants]))) == 0
        price = (await s.execute(select(ShopifyVariant.price).where(
            ShopifyVariant.shopify_id == edited.id))).scalar_one()
        assert str(price) in ("1234.50", "1234.5000")
        items = [v.inventory_item_id for v in gone.variants]
        assert await s.scalar(select(func.count()).select_from(LevelRow).where(
            LevelRow.inventory_item_id.in_(items))) == 0
