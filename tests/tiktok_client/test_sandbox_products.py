"""Product lifecycle through the client against the sandbox over real HTTP."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from ecomsend.integrations.tiktok import Permanent, ShopContext, TikTokClient
from ecomsend.integrations.tiktok.models.products import (
    InventoryInput,
    PriceInput,
    Product,
    ProductSearchFilter,
    SkuInventoryUpdate,
    SkuPriceUpdate,
)

from .conftest import Control

Shop = tuple[ShopContext, dict[str, Any]]


async def sample_body(control: Control, shop_id: str, skus: int = 2) -> dict[str, Any]:
    body: dict[str, Any] = await control("GET", f"/shops/{shop_id}/sample_product", skus=skus)
    return body


async def wait_status(client: TikTokClient, shop: ShopContext, product_id: str,
                      wanted: set[str], timeout: float = 10.0) -> Product:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        product = await client.products.get_product(shop, product_id)
        if product.status in wanted:
            return product
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"product {product_id} stuck in {product.status}")
        await asyncio.sleep(0.1)


async def create_live(client: TikTokClient, control: Control, shop: ShopContext,
                      shop_id: str, skus: int = 2) -> tuple[str, Product, dict[str, Any]]:
    body = await sample_body(control, shop_id, skus)
    created = await client.products.create_product(shop, body)
    assert len(created.skus) == skus
    product = await wait_status(client, shop, created.product_id, {"ACTIVATE"})
    return created.product_id, product, body


async def test_create_audit_get_search(client: TikTokClient, control: Control,
                                       us_shop: Shop) -> None:
    shop, view = us_shop
    body = await sample_body(control, view["shop_id"])
    created = await client.products.create_product(shop, body)
    first = await client.products.get_product(shop, created.product_id)
    assert first.status in {"PENDING", "ACTIVATE"}
    live = await wait_status(client, shop, created.product_id, {"ACTIVATE"})
    assert {s.id for s in live.skus} == {s.id for s in created.skus}
    assert all(s.price and s.price.value for s in live.skus)  # read back as sale_price
    page = await client.products.search_products(
        shop, page_size=10, filters=ProductSearchFilter(status="ACTIVATE"))
    assert created.product_id in {p.id for p in page.products}
    by_sku = await client.products.search_products(shop, filters=ProductSearchFilter(
        seller_skus=[body["skus"][0]["seller_sku"]]))
    assert [p.id for p in by_sku.products] == [created.product_id]


async def test_audit_failure_reasons_are_readable(client: TikTokClient, control: Control,
                                                  us_shop: Shop) -> None:
    shop, view = us_shop
    created = await client.products.create_product(shop, await sample_body(control,
                                                                           view["shop_id"], 1))
    await control("POST", f"/shops/{view['shop_id']}/products/{created.product_id}/audit",
                  {"result": "FAILED", "reasons": ["Image shows a watermark"]})
    failed = await wait_status(client, shop, created.product_id, {"FAILED"})
    assert "watermark" in failed.audit_failure_text()


async def test_validation_errors_carry_field_messages(client: TikTokClient, control: Control,
                                                      us_shop: Shop) -> None:
    shop, view = us_shop
    good = await sample_body(control, view["shop_id"], 1)
    broken = copy.deepcopy(good)
    broken["skus"][0]["price"]["amount"] = "999999"  # US local range is 0.01–7,600
    with pytest.raises(Permanent) as info:
        await client.products.create_product(shop, broken)
    assert info.value.code and info.value.message
    assert info.value.field_errors and info.value.field_errors[0].field == "skus.price"
    no_title = copy.deepcopy(good)
    no_title["title"] = ""
    with pytest.raises(Permanent) as info2:
        await client.products.create_product(shop, no_title)
    assert "title" in info2.value.human().lower()


async def test_inventory_price_edit_partial_edit(client: TikTokClient, control: Control,
                                                 us_shop: Shop) -> None:
    shop, view = us_shop
    pid, product, body = await create_live(client, control, shop, view["shop_id"])
    sku = product.skus[0]
    wh = sku.inventory[0].warehouse_id
    await client.products.update_inventory(shop, pid, [SkuInventoryUpdate(
        id=sku.id, inventory=[InventoryInput(warehouse_id=wh, quantity=42)])])
    currency = body["skus"][0]["price"]["currency"]
    await client.products.update_price(shop, pid, [SkuPriceUpdate(
        id=sku.id, price=PriceInput(amount="12.34", currency=currency))])
    state = await control("GET", f"/shops/{view['shop_id']}/products/{pid}")
    assert state["inventory"][sku.id][wh] == 42
    assert state["prices"][sku.id] == "12.34"
    after = await client.products.get_product(shop, pid)
    got = next(s for s in after.skus if s.id == sku.id)
    assert got.price is not None and got.price.value == "12.34"
    # Partial edit: title only.
    await client.products.partial_edit_product(shop, pid, {"title": body["title"] + " v2"})
    # Full edit: keep the SKUs by id.
    full = copy.deepcopy(body)
    for sku_body, live_sku in zip(full["skus"], product.skus, strict=True):
        sku_body["id"] = live_sku.id
    full["title"] = body["title"] + " v3"
    edited = await client.products.edit_product(shop, pid, full)
    assert edited.product_id == pid
    final = await wait_status(client, shop, pid, {"ACTIVATE"})
    assert final.title == body["title"] + " v3"


async def test_inventory_partial_failure_is_raised(client: TikTokClient, control: Control,
                                                   us_shop: Shop) -> None:
    shop, view = us_shop
    pid, product, _ = await create_live(client, control, shop, view["shop_id"], 1)
    sku = product.skus[0]
    with pytest.raises(Permanent) as info:
        await client.products.update_inventory(shop, pid, [SkuInventoryUpdate(
            id=sku.id, inventory=[InventoryInput(warehouse_id="1234567890123456789",
                                                 quantity=3)])])
    assert "warehouse" in info.value.human().lower()


async def test_deactivate_activate_delete(client: TikTokClient, control: Control,
                                          us_shop: Shop) -> None:
    shop, view = us_shop
    pid, _, _ = await create_live(client, control, shop, view["shop_id"], 1)
    await client.products.deactivate_products(shop, [pid])
    assert (await client.products.get_product(shop, pid)).status == "SELLER_DEACTIVATED"
    await client.products.activate_products(shop, [pid])
    assert (await client.products.get_product(shop, pid)).status in {"ACTIVATE", "PENDING"}
    await client.products.delete_products(shop, [pid])
    after = await control("GET", f"/shops/{view['shop_id']}/products/{pid}")
    assert after["status"] == "DELETED"


async def test_create_is_idempotent_by_key(client: TikTokClient, control: Control,
                                           us_shop: Shop) -> None:
    shop, view = us_shop
    body = await sample_body(control, view["shop_id"], 1)
    body["idempotency_key"] = "push-42-v1"
    first = await client.products.create_product(shop, body)
    again = await client.products.create_product(shop, body)  # e.g. a retry after a lost answer
    assert again.product_id == first.product_id
    state = await control("GET", f"/shops/{view['shop_id']}/products")
    assert [p["id"] for p in state["products"]].count(first.product_id) == 1
