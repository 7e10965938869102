"""Listing a Shopify catalog on TikTok Shop through the default category template; products
failing preflight end `failed` with field-level reasons and nothing is sent for them."""

from __future__ import annotations

from sqlalchemy import select

from ecomsend.db.models import SyncState

from .world import World

CREATE = "POST /product/202309/products"


async def test_default_template_lists_the_catalog(world: World) -> None:
    await world.setup(products=12)
    await world.default_template()
    counts = await world.settle()
    synced = await world.synced_products()
    assert counts.get("synced", 0) == len(synced) >= 3, counts
    for product in synced:
        links = await world.links(product)
        assert len(links) == len(await world.variants(product))
        listing = await world.tiktok_product(links[0].tiktok_product_id)
        assert listing["status"] == "ACTIVATE"
        assert set(listing["seller_skus"].values()) == {v.sku for v in await world.variants(
            product)}
    calls = await world.tiktok_calls()
    # One create per listed product, none for the products that failed preflight.
    assert calls[CREATE] == len(synced)
    # Reference data is cached: attributes, rules and warehouses once for the whole catalog.
    assert all(n == 1 for api, n in calls.items() if "/categories/" in api or "warehouses" in api)


async def test_preflight_failures_carry_field_reasons_and_send_nothing(world: World) -> None:
    await world.setup(products=12)
    await world.default_template()
    await world.settle()
    async with world.db.sessionmaker() as session:
        failed = list((await session.execute(select(SyncState).where(
            SyncState.status == "failed"))).scalars())
    assert failed
    for row in failed:
        assert row.last_error and row.last_error["field_errors"], row.last_error
        for err in row.last_error["field_errors"]:
            assert err["field"] and err["message"]
        assert await world.links(row.entity_id) == []
    # A new product (no image, created in Shopify) is taken by the active template at once,
    # and refused by preflight without any TikTok call.
    await world.clear_tiktok_log()
    got = await world.http.post(world._shop("products"), json={
        "title": "Brand new mug", "variants": [{"sku": "MUG-NEW-1", "price": "12.00"}]})
    product_gid = f"gid://shopify/Product/{got.json()['product']['id']}"
    await world.settle()
    row = await world.state(product_gid)
    assert row is not None and row.status == "failed"
    assert row.last_error is not None
    assert [e["field"] for e in row.last_error["field_errors"]] == ["main_images"]
    assert CREATE not in await world.tiktok_calls()
