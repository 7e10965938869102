"""TikTok's review result, the new-shop upload limit, shop readiness, recommended category."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update

from ecomsend.db.models import ShopifyProduct, SyncState, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.jobs.registry import TaskContext
from ecomsend.services import Services
from ecomsend.sync.listing import commands
from ecomsend.sync.listing.bootstrap import default_template
from ecomsend.sync.listing.pause import resume_listing
from ecomsend.sync.products.converters import template_spec

from .world import World

CREATE = "POST /product/202309/products"


async def test_review_failure_from_the_audit_webhook_and_retry(world: World) -> None:
    await world.setup(products=8, audit_result="FAILED")
    await world.http.patch(f"{world.stack.tiktok_url}/_sandbox/shops/{world.tiktok_shop_id}",
                           json={"audit_fail_reasons": ["The main image has a watermark."]})
    await world.default_template()
    counts = await world.settle()
    assert counts.get("review_failed", 0) >= 1 and "synced" not in counts, counts
    async with world.db.sessionmaker() as session:
        row = (await session.execute(select(SyncState).where(
            SyncState.status == "review_failed").limit(1))).scalar_one()
    assert row.last_error is not None and "watermark" in row.last_error["message"]
    # The merchant fixes it and retries: the listing is re-submitted and passes review.
    await world.http.patch(f"{world.stack.tiktok_url}/_sandbox/shops/{world.tiktok_shop_id}",
                           json={"audit_result": "ACTIVATE"})
    await world.clear_tiktok_log()
    async with world.db.unit_of_work() as session:
        await commands.retry(session, world.queue, row.id)
    await world.settle()
    assert (await world.state(row.entity_id)).status == "synced"  # type: ignore[union-attr]
    assert sum(n for api, n in (await world.tiktok_calls()).items()
               if api.startswith("PUT /product/")) == 1


async def test_upload_limit_pauses_listing_then_resumes(world: World) -> None:
    await world.setup(products=12, upload_limit=2)
    await world.default_template()
    async with asyncio.timeout(20):
        while True:
            async with world.db.sessionmaker() as session:
                tts = (await session.execute(select(TikTokShop))).scalar_one()
            if tts.listing_paused_reason:
                break
            await asyncio.sleep(0.05)
    assert "upload limit" in tts.listing_paused_reason and tts.listing_paused_until
    await asyncio.sleep(0.5)
    assert (await world.tiktok_calls())[CREATE] >= 3  # two created, the next refused
    assert (await world.status_counts()).get("synced") == 2
    backoff = await world.count(SyncState, SyncState.status == "backoff")
    assert backoff >= 1
    # TikTok lifts the limit; the periodic job resumes when the pause is over.
    await world.http.patch(f"{world.stack.tiktok_url}/_sandbox/shops/{world.tiktok_shop_id}",
                           json={"upload_limit": None})
    async with world.db.unit_of_work() as session:
        await session.execute(update(TikTokShop).values(
            listing_paused_until=utcnow() - timedelta(seconds=1)))
    await resume_listing(TaskContext(world.db, world.queue, "test", "resume"))
    counts = await world.settle()
    assert "backoff" not in counts and counts.get("synced", 0) >= 3, counts
    async with world.db.sessionmaker() as session:
        tts = (await session.execute(select(TikTokShop))).scalar_one()
    assert tts.listing_paused_until is None and tts.listing_paused_reason is None


async def test_shop_readiness_and_recommended_category(world: World) -> None:
    await world.setup(products=2, prerequisites_ok=False)
    services = Services.build(world.stack.settings, world.db)
    try:
        product_id = await _any_product(world)
        async with world.db.sessionmaker() as session:
            tts = (await session.execute(select(TikTokShop))).scalar_one()
            snapshot = await commands.product_snapshot(session, tts.shop_id, product_id)
        readiness = await commands.shop_readiness(services, tts)
        assert not readiness.ready
        todo = " ".join(readiness.to_do)
        assert "return warehouse" in todo and "shipping template" in todo
        candidates = await commands.recommended_category(services, tts, snapshot)
        assert candidates and all(c.category_id for c in candidates)
        # The manual-sync form: field-level problems of a product under a template, no push.
        body = await world.sample_body()
        spec = template_spec(default_template(tts.id, "US", body))
        imageless = replace(snapshot, images=())
        problems = await commands.preflight_product(services, tts, imageless, spec)
        assert "main_images" in [p.field for p in problems]
        assert all(p.message for p in problems)
    finally:
        await services.close()


async def _any_product(world: World) -> str:
    async with world.db.sessionmaker() as session:
        return str((await session.execute(select(ShopifyProduct.shopify_id).limit(1))
                    ).scalar_one())


async def test_reconciliation_marks_stock_drift_pending(world: World) -> None:
    from ecomsend.db.models import InventoryLevel
    from ecomsend.sync.listing.reconcile import reconcile_inventory

    await world.setup(products=8)
    await world.default_template()
    await world.settle()
    _, link, variant = await world.listed()
    assert variant.inventory_item_id
    # A stock change whose webhook was lost: the mirror (refreshed by the catalog pass) has
    # it, TikTok does not.
    async with world.db.unit_of_work() as session:
        session.add(InventoryLevel(shop_id=variant.shop_id,
                                   inventory_item_id=variant.inventory_item_id,
                                   location_id="gid://shopify/Location/999999", available=42))
    await world.clear_tiktok_log()
    await reconcile_inventory(TaskContext(world.db, world.queue, "test", "reconcile"))
    await world.settle()
    assert await world.tiktok_calls() == {
        "POST /product/202309/products/{product_id}/inventory/update": 1}
    listing = await world.tiktok_product(link.tiktok_product_id)
    assert sum(listing["inventory"][link.tiktok_sku_id].values()) >= 42
    # Nothing drifted any more: a second pass marks nothing.
    await world.clear_tiktok_log()
    await reconcile_inventory(TaskContext(world.db, world.queue, "test", "reconcile"))
    await world.settle()
    assert await world.tiktok_calls() == {}
