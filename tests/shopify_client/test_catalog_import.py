"""Catalog import into the mirrors on SQLite and PostgreSQL (synthetic product stream)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from ecomsend.db.models import InventoryLevel, Shop, ShopifyProduct, ShopifyVariant
from ecomsend.db.session import Database
from ecomsend.integrations.shopify.models import (
    CollectionRef,
    Product,
    ProductImage,
    ProductOption,
    Variant,
)
from ecomsend.integrations.shopify.models import (
    InventoryLevel as Level,
)
from ecomsend.sync.catalog_import import ImportProgress, import_catalog
from ecomsend.sync.listing.mirror import REFRESH


def make_product(i: int, price: str = "10.00", variants: int = 3, title: str | None = None
                 ) -> Product:
    pid = f"gid://shopify/Product/{i}"
    vs = tuple(
        Variant(id=f"gid://shopify/ProductVariant/{i}{v}", product_id=pid, title=f"V{v}",
                sku=f"SKU-{i}-{v}", barcode=None, price=Decimal(price), compare_at_price=None,
                position=v + 1, inventory_policy="DENY", inventory_quantity=None, updated_at=None,
                selected_options=(("Size", str(v)),), inventory_item_id=f"gid://shopify/InventoryItem/{i}{v}",
                weight=Decimal("0.25"), weight_unit="KILOGRAMS",
                inventory_levels=(Level(f"gid://shopify/InventoryItem/{i}{v}",
                                        "gid://shopify/Location/1", 5 + v),))
        for v in range(variants))
    return Product(id=pid, title=title or f"Product {i} ✓", handle=f"p-{i}",
                   description_html="<p>x</p>", vendor="Acme", product_type="Shirt",
                   status="ACTIVE", tags=("a", "b"), updated_at=None, category=None,
                   options=(ProductOption("Size", 1, ("0", "1", "2")),),
                   images=(ProductImage(f"gid://shopify/MediaImage/{i}", f"https://cdn/{i}.jpg"),),
                   variants=vs, collections=(CollectionRef("gid://shopify/Collection/1"),))


async def stream(products: list[Product]) -> AsyncIterator[Product]:
    for p in products:
        yield p


async def _shop(db: Database) -> int:
    async with db.unit_of_work() as session:
        shop = Shop(domain="import.myshopify.com", scopes="")
        session.add(shop)
        await session.flush()
        return shop.id


async def _counts(db: Database, shop_id: int) -> tuple[int, int, int, int]:
    async with db.sessionmaker() as s:
        p = await s.scalar(select(func.count()).select_from(ShopifyProduct).where(
            ShopifyProduct.shop_id == shop_id, ShopifyProduct.deleted_at.is_(None)))
        v = await s.scalar(select(func.count()).select_from(ShopifyVariant))
        lv = await s.scalar(select(func.count()).select_from(InventoryLevel))
        d = await s.scalar(select(func.count()).select_from(ShopifyProduct).where(
            ShopifyProduct.deleted_at.is_not(None)))
        return p or 0, v or 0, lv or 0, d or 0


async def _import_twice_and_prune(db: Database) -> None:
    shop_id = await _shop(db)
    progress: list[ImportProgress] = []
    first = [make_product(i) for i in range(25)]
    result = await import_catalog(db, shop_id, stream(first), batch_products=10,
                                  on_progress=progress.append)
    assert (result.products, result.variants, result.inventory_levels) == (25, 75, 75)
    assert [p.products for p in progress] == [10, 20, 25] and result.batches == 3
    assert await _counts(db, shop_id) == (25, 75, 75, 0)
    async with db.sessionmaker() as s:
        row = (await s.execute(select(ShopifyVariant).where(
            ShopifyVariant.shopify_id == "gid://shopify/ProductVariant/30"))).scalar_one()
        assert row.price == Decimal("10.00") and row.image_url == "https://cdn/3.jpg"
        product = (await s.execute(select(ShopifyProduct).where(
            ShopifyProduct.shopify_id == "gid://shopify/Product/3"))).scalar_one()
        assert product.tags == ["a", "b"] and product.collections == ["gid://shopify/Collection/1"]
        assert product.title == "Product 3 ✓" and product.content_hash is None
        product.content_hash = REFRESH  # as a same-second webhook leaves it
        await s.commit()
    # second run: product 3 changed price and lost a variant, products 20+ are gone
    second = [make_product(i, price="12.50" if i == 3 else "10.00",
                           variants=2 if i == 3 else 3) for i in range(20)]
    await import_catalog(db, shop_id, stream(second), batch_products=7)
    assert await _counts(db, shop_id) == (20, 59, 59, 5)
    async with db.sessionmaker() as s:
        row = (await s.execute(select(ShopifyVariant).where(
            ShopifyVariant.shopify_id == "gid://shopify/ProductVariant/30"))).scalar_one()
        assert row.price == Decimal("12.50")
        product = (await s.execute(select(ShopifyProduct).where(
            ShopifyProduct.shopify_id == "gid://shopify/Product/3"))).scalar_one()
        assert product.content_hash is None  # a fresh read from Shopify clears the marker


async def test_import_on_sqlite(sqlite_db: Database) -> None:
    await _import_twice_and_prune(sqlite_db)


@pytest.mark.postgres
async def test_import_on_postgres(pg_db: Database) -> None:
    await _import_twice_and_prune(pg_db)


async def test_failed_export_keeps_committed_batches(sqlite_db: Database) -> None:
    shop_id = await _shop(sqlite_db)

    async def broken() -> AsyncIterator[Product]:
        for i in range(15):
            yield make_product(i)
        raise RuntimeError("export died")

    with pytest.raises(RuntimeError, match="export died"):
        await import_catalog(sqlite_db, shop_id, broken(), batch_products=10)
    assert (await _counts(sqlite_db, shop_id))[0] == 10


async def test_first_import_skips_the_prune_and_a_reimport_prunes(sqlite_db: Database) -> None:
    """A shop with an empty mirror has nothing to retire: no UPDATE / DELETE scans; once it
    has rows, a re-import prunes (and another shop's rows never make a first import prune)."""
    other = await _shop(sqlite_db)
    await import_catalog(sqlite_db, other, stream([make_product(i) for i in range(3)]))
    async with sqlite_db.unit_of_work() as session:
        shop = Shop(domain="second.myshopify.com", scopes="")
        session.add(shop)
        await session.flush()
        shop_id = shop.id
    statements: list[str] = []
    event.listen(sqlite_db.engine.sync_engine, "before_cursor_execute",
                 lambda conn, cursor, sql, *args: statements.append(sql.split()[0]))
    await import_catalog(sqlite_db, shop_id, stream([make_product(i) for i in range(5, 9)]))
    assert "INSERT" in statements and "UPDATE" not in statements and "DELETE" not in statements
    statements.clear()
    await import_catalog(sqlite_db, shop_id, stream([make_product(i) for i in range(5, 8)]))
    assert "UPDATE" in statements and "DELETE" in statements
    async with sqlite_db.sessionmaker() as s:
        gone = await s.scalar(select(ShopifyProduct.deleted_at).where(
            ShopifyProduct.shop_id == shop_id, ShopifyProduct.shopify_id == "gid://shopify/Product/8"))
        assert gone is not None
