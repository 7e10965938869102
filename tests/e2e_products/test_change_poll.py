"""The safety nets behind Shopify webhooks: the change poll repairs products and stock whose
webhooks were dropped (through the webhook handlers, newer-only, no TikTok call when nothing
changed), and the subscription check re-creates subscriptions Shopify deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from ecomsend.db.models import Shop
from ecomsend.db.session import Database
from ecomsend.jobs.registry import TaskContext
from ecomsend.sync.install import SHOPIFY_WEBHOOK_TOPICS, check_webhooks
from ecomsend.sync.listing.change_poll import CHANGES_TASK, poll_shopify_changes

from .world import DOMAIN, Worker, World, _stack

PRICE_API = "POST /product/202309/products/{product_id}/prices/update"
INVENTORY_API = "POST /product/202309/products/{product_id}/inventory/update"
EDIT_API = "PUT /product/202509/products/{product_id}"


@pytest.fixture
async def held(sqlite_db: Database, tmp_path: Path) -> AsyncIterator[tuple[World, Worker]]:
    """A world whose jobs run in the test's worker, with the periodic change poll held back
    (the test runs it when it wants)."""
    with _stack(sqlite_db, tmp_path, run_worker=False) as stack:
        w, worker = World(stack, sqlite_db), Worker(stack, sqlite_db)
        registry = worker.queue.registry
        registry.periodic[:] = [p for p in registry.periodic if p.task != CHANGES_TASK]
        worker.start()
        try:
            yield w, worker
        finally:
            await worker.stop()
            await worker.services.close()
            await w.close()


async def _shopify_faults(world: World, **faults: float) -> None:
    url = f"{world.stack.shopify_url}/_sandbox/shops/{DOMAIN}/faults"
    got = await (world.http.put(url, json=faults) if faults else world.http.delete(url))
    got.raise_for_status()


async def test_dropped_product_and_stock_webhooks_are_repaired_by_the_poll(
        held: tuple[World, Worker]) -> None:
    world, worker = held
    await world.setup(products=8)
    await world.default_template()
    assert (await world.settle()).get("synced"), await world.errors()
    product, link, variant = await world.listed()
    assert variant.inventory_item_id
    location = await world.location()
    await _shopify_faults(world, webhook_drop_rate=1.0)
    new_price = Decimal(variant.price) + Decimal("1.25")
    await world.edit_variant(variant.shopify_id, price=str(new_price))
    await world.set_stock(variant.inventory_item_id, location, 77)
    await world.edit_product(product, title="Renamed while webhooks were dropped")
    await world.clear_tiktok_log()
    await world.settle()
    assert await world.tiktok_calls() == {}  # every webhook dropped: nothing reached TikTok
    await _shopify_faults(world)

    ctx = TaskContext(world.db, world.queue, "test", "poll", services=worker.services)
    await poll_shopify_changes(ctx)
    await world.settle()
    calls = await world.tiktok_calls()
    # The edit carries the new stock and price; the stock push waits for it and then finds
    # TikTok up to date (at most one Update Inventory, when it ran first).
    assert calls.get(EDIT_API, 0) >= 1 and calls.get(INVENTORY_API, 0) <= 1, calls
    listing = await world.tiktok_product(link.tiktok_product_id)
    assert listing["title"] == "Renamed while webhooks were dropped"
    assert Decimal(listing["prices"][link.tiktok_sku_id]) == new_price
    stock = sum(lv.available for lv in await world.levels(variant.inventory_item_id)
                if lv.available > 0)
    assert stock >= 77 and sum(listing["inventory"][link.tiktok_sku_id].values()) == stock

    # Nothing changed since: another poll (the same seconds re-read) makes no TikTok call.
    await world.clear_tiktok_log()
    await poll_shopify_changes(ctx)
    await world.settle()
    assert await world.tiktok_calls() == {}


async def test_deleted_subscriptions_are_recreated(held: tuple[World, Worker]) -> None:
    world, worker = held
    await world.setup(products=2)
    async with world.db.sessionmaker() as session:
        shop = (await session.execute(select(Shop).where(Shop.domain == DOMAIN))).scalar_one()
    ctx = TaskContext(world.db, world.queue, "test", "check", services=worker.services)
    async with worker.services.shopify(shop) as client:
        subs = await client.webhook_subscriptions()
        assert sorted(s.topic for s in subs) == sorted(SHOPIFY_WEBHOOK_TOPICS)
        for sub in subs[:3]:  # as Shopify does after a delivery's failed retry series
            await client.delete_webhook_subscription(sub.id)
        assert len(await client.webhook_subscriptions()) == len(SHOPIFY_WEBHOOK_TOPICS) - 3
        await check_webhooks(ctx)
        again = await client.webhook_subscriptions()
        assert sorted(s.topic for s in again) == sorted(SHOPIFY_WEBHOOK_TOPICS)
        assert {s.uri for s in again} == {f"{world.stack.app_url}/webhooks/shopify"}
        await check_webhooks(ctx)  # nothing missing: nothing created
        assert len(await client.webhook_subscriptions()) == len(SHOPIFY_WEBHOOK_TOPICS)
