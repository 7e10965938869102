"""A crash after TikTok created a listing but before its id was stored (issue 11 §2): the retry
sends the create intent's idempotency key again — even though the product changed meanwhile (a
new sync version) — so TikTok answers with the listing it made, one listing in all, and a
follow-up edit carries the change."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from ecomsend.db.models import CreateIntent, SyncState
from ecomsend.sync.listing import push_product

from .world import World

NEW_TITLE = "Renamed while the first create's answer was lost"


async def test_crash_after_create_then_a_change_makes_one_listing(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    await world.setup(products=3)
    real = push_product._save_links
    crashed: list[str] = []

    async def crash_once(job: Any, result: Any) -> dict[str, str]:
        if crashed:
            return await real(job, result)
        crashed.append(job.lease.key.entity_id)
        # The merchant edits the product before the retry: its sync version moves on.
        await world.edit_product(job.lease.key.entity_id, title=NEW_TITLE)
        async with asyncio.timeout(15):
            while (row := await world.state(job.lease.key.entity_id)) is None or \
                    row.desired_version <= job.lease.version:
                await asyncio.sleep(0.05)
        raise RuntimeError("simulated crash after Create Product, before the links commit")

    monkeypatch.setattr(push_product, "_save_links", crash_once)
    await world.default_template()
    await world.settle(timeout=60)
    [product] = crashed
    links = await world.links(product)
    assert links, await world.errors()
    listed = {link.tiktok_product_id for link in links}
    assert len(listed) == 1
    # One TikTok listing for this product's SKUs, carrying the change made after the crash.
    skus = {v.sku for v in await world.variants(product)}
    url = f"{world.stack.tiktok_url}/_sandbox/shops/{world.tiktok_shop_id}/products"
    products = (await world.http.get(url)).json()["products"]
    mine = [p for p in products if set(p["seller_skus"].values()) & skus]
    assert [p["id"] for p in mine] == list(listed)
    assert mine[0]["title"] == NEW_TITLE
    async with world.db.sessionmaker() as session:
        assert (await session.execute(select(CreateIntent))).first() is None
        row = (await session.execute(select(SyncState).where(
            SyncState.entity_id == product, SyncState.kind == "product"))).scalar_one()
    assert row.status == "synced"
