"""Automatic updates: the cheapest call that carries each change, none for a no-op, one push
for a webhook storm, a second push for a change made during a push, deactivation."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from .world import Worker, World

PRICE_API = "POST /product/202309/products/{product_id}/prices/update"
INVENTORY_API = "POST /product/202309/products/{product_id}/inventory/update"
EDIT_API = "PUT /product/202509/products/{product_id}"
DEACTIVATE_API = "POST /product/202309/products/deactivate"


async def _listed(world: World) -> None:
    await world.setup(products=8)
    await world.default_template()
    counts = await world.settle()
    assert counts.get("synced"), (counts, await world.errors())
    await world.clear_tiktok_log()


async def test_price_only_change_uses_the_price_endpoint(world: World) -> None:
    await _listed(world)
    _, link, variant = await world.listed()
    new_price = Decimal(variant.price) + Decimal("1.25")
    await world.edit_variant(variant.shopify_id, price=str(new_price))
    await world.settle()
    assert await world.tiktok_calls() == {PRICE_API: 1}
    listing = await world.tiktok_product(link.tiktok_product_id)
    assert Decimal(listing["prices"][link.tiktok_sku_id]) == new_price


async def test_inventory_only_change_uses_the_inventory_endpoint(world: World) -> None:
    await _listed(world)
    _, link, variant = await world.listed()
    assert variant.inventory_item_id
    location = await world.location()
    before = {lv.location_id: lv.available for lv in await world.levels(variant.inventory_item_id)}
    await world.set_stock(variant.inventory_item_id, location, before.get(location, 0) + 7)
    await world.settle()
    assert await world.tiktok_calls() == {INVENTORY_API: 1}
    listing = await world.tiktok_product(link.tiktok_product_id)
    total = sum(lv.available for lv in await world.levels(variant.inventory_item_id)
                if lv.available > 0)
    assert sum(listing["inventory"][link.tiktok_sku_id].values()) == total


async def test_a_change_tiktok_does_not_see_makes_no_call(world: World) -> None:
    await _listed(world)
    product, _, variant = await world.listed()
    assert variant.inventory_item_id
    location = await world.location()
    await world.set_stock(variant.inventory_item_id, location, 5)
    await world.settle()
    await world.clear_tiktok_log()
    await world.edit_product(product, tags=["only", "tags", "changed"])
    await world.set_stock(variant.inventory_item_id, location, 5)
    await world.settle()
    assert await world.tiktok_calls() == {}


async def test_a_webhook_storm_for_one_product_coalesces_into_one_push(
        manual: tuple[World, Worker]) -> None:
    world, worker = manual
    await _listed(world)
    product, link, _ = await world.listed()
    await worker.stop()  # hold jobs back while the storm lands
    for i in range(15):
        await world.edit_product(product, title=f"Storm title number {i}")
    await world.http.post(f"{world.stack.shopify_url}/_sandbox/webhooks/flush")
    row = await world.state(product)
    assert row is not None and row.desired_version - row.synced_version >= 1
    worker.start()
    await world.settle()
    assert await world.tiktok_calls() == {EDIT_API: 1}
    listing = await world.tiktok_product(link.tiktok_product_id)
    assert listing["title"] == "Storm title number 14"


async def test_a_change_during_a_push_ends_in_a_second_push(world: World) -> None:
    await _listed(world)
    product, link, _ = await world.listed()
    faults = f"{world.stack.tiktok_url}/_sandbox/faults"
    slow = f"/product/202509/products/{link.tiktok_product_id}"
    await world.http.put(faults, json={"latency_ms": 700, "latency_rate": 1.0, "paths": [slow]})
    await world.edit_product(product, title="First new title")
    async with asyncio.timeout(10):
        while (row := await world.state(product)) is None or row.status != "running":
            await asyncio.sleep(0.02)
    await world.edit_product(product, title="Second new title")
    await world.settle()
    await world.http.delete(faults)
    assert await world.tiktok_calls() == {EDIT_API: 2}
    assert (await world.tiktok_product(link.tiktok_product_id))["title"] == "Second new title"
    row = await world.state(product)
    assert row is not None and row.status == "synced" and row.synced_version == row.desired_version


async def test_archived_in_shopify_is_deactivated_on_tiktok(world: World) -> None:
    await _listed(world)
    product, link, _ = await world.listed()
    await world.edit_product(product, status="archived")
    await world.settle()
    assert await world.tiktok_calls() == {DEACTIVATE_API: 1}
    listing = await world.tiktok_product(link.tiktok_product_id)
    assert listing["status"] == "SELLER_DEACTIVATED"
    await world.edit_product(product, tags=["still", "archived"])
    await world.settle()
    assert await world.tiktok_calls() == {DEACTIVATE_API: 1}


async def test_variant_added_and_removed_follow_on_tiktok(world: World) -> None:
    await _listed(world)
    product, link, _ = await world.listed()
    before = await world.links(product)
    got = await world.http.post(world._shop(f"products/{product.rsplit('/', 1)[-1]}/variants"),
                                json={"sku": "NEW-VARIANT-SKU-1", "price": "21.00",
                                      "options": ["Brand new value"]})
    got.raise_for_status()
    await world.settle()
    assert await world.tiktok_calls() == {EDIT_API: 1}
    after = await world.links(product)
    assert len(after) == len(before) + 1
    listing = await world.tiktok_product(link.tiktok_product_id)
    assert "NEW-VARIANT-SKU-1" in listing["seller_skus"].values()
    added = next(lk for lk in after if lk.tiktok_sku_id not in {b.tiktok_sku_id for b in before})
    await world.http.delete(world._shop(f"variants/{added.shopify_variant_id.rsplit('/', 1)[-1]}"))
    await world.settle()
    assert len(await world.links(product)) == len(before)
    listing = await world.tiktok_product(link.tiktok_product_id)
    assert "NEW-VARIANT-SKU-1" not in listing["seller_skus"].values()


async def test_listing_and_cheap_updates_on_postgres(world_pg: World) -> None:
    world = world_pg
    await _listed(world)
    _, link, variant = await world.listed()
    assert variant.inventory_item_id
    await world.set_stock(variant.inventory_item_id, await world.location(), 77)
    await world.settle()
    assert await world.tiktok_calls() == {INVENTORY_API: 1}
    listing = await world.tiktok_product(link.tiktok_product_id)
    assert sum(listing["inventory"][link.tiktok_sku_id].values()) >= 77
    await world.clear_tiktok_log()
    await world.edit_variant(variant.shopify_id, price=str(Decimal(variant.price) + 2))
    await world.settle()
    assert await world.tiktok_calls() == {PRICE_API: 1}
