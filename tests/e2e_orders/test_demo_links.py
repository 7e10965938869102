"""The demo's fallback that lists sample products and links them to stocked variants takes each
variant once, even when it is stocked at several locations (it used to join the levels and
insert the same variant twice: a UNIQUE violation that crashed the demo's order step)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from ecomsend.db.models import InventoryLevel, ProductLink, ShopifyVariant, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.orders import _link_samples
from ecomsend.demo.stack import LocalStack, Merchant

DOMAIN = "demo-links.myshopify.com"


async def test_variants_stocked_at_two_locations_are_linked_once(stack: LocalStack,
                                                                 app_db: Database) -> None:
    merchant = Merchant(stack)
    try:
        control = f"{stack.shopify_url}/_sandbox/shops"
        shop = (await merchant.browser.post(control, json={"domain": DOMAIN,
                                                           "locations": 2})).json()
        first, second = shop["location_ids"]
        for i in range(3):
            (await merchant.browser.post(f"{control}/{DOMAIN}/products", json={
                "title": f"Two-location product {i}", "variants": [
                    {"sku": f"TWO-LOC-{i}", "price": "20.00",
                     "inventory": {first: 50, second: 40}}]})).raise_for_status()
        await merchant.install(DOMAIN)
        tts_info = await merchant.create_tiktok_shop("US")
        await merchant.connect_tiktok(tts_info["shop_id"])
        async with asyncio.timeout(30):
            while await _levels(app_db) < 6:  # 3 variants × 2 locations imported
                await asyncio.sleep(0.2)
        async with app_db.sessionmaker() as session:
            tts = (await session.execute(select(TikTokShop).where(
                TikTokShop.tiktok_shop_id == tts_info["shop_id"]))).scalar_one()
        await _link_samples(app_db, merchant, tts, 3)
        async with app_db.sessionmaker() as session:
            linked = (await session.execute(select(ProductLink.shopify_variant_id).where(
                ProductLink.tiktok_shop_id == tts.id))).scalars().all()
        assert len(linked) == 3 and len(set(linked)) == 3
    finally:
        await merchant.close()


async def _levels(db: Database) -> int:
    async with db.sessionmaker() as session:
        return int((await session.execute(
            select(func.count()).select_from(InventoryLevel)
            .join(ShopifyVariant, ShopifyVariant.inventory_item_id
                  == InventoryLevel.inventory_item_id)
            .where(ShopifyVariant.sku.like("TWO-LOC-%")))).scalar_one())
