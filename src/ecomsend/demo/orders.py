"""The demo's order and fulfillment part: place TikTok orders for listed (linked) products on the
sandbox, let the app sync them into Shopify, then fulfil them both ways — seller shipping
(Shopify fulfillment → TikTok package shipped) and TikTok shipping (TikTok ships → Shopify
fulfillment) — and report what synced. When nothing got listed, the demo links sandbox TikTok
products to Shopify variants itself so the order flow can still be shown."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.console import Console
from sqlalchemy import exists, func, select

from ecomsend.db.models import (
    InventoryLevel,
    OrderLink,
    ProductLink,
    ShopifyProduct,
    ShopifyVariant,
    TikTokShop,
)
from ecomsend.db.session import Database
from ecomsend.demo.regions import DemoRegion, demo_region
from ecomsend.demo.stack import Merchant
from ecomsend.sync.orders import overview

SELLER_ORDERS, TIKTOK_ORDERS = 4, 2
WAIT_S = 120.0


async def _in_stock_links(db: Database, tts_pk: int, shop_id: int,
                          limit: int) -> list[ProductLink]:
    """Linked SKUs whose Shopify variant has stock (so orderCreate can claim inventory)."""
    stocked = (select(ShopifyVariant.shopify_id).join(
        InventoryLevel, (InventoryLevel.inventory_item_id == ShopifyVariant.inventory_item_id)
        & (InventoryLevel.shop_id == ShopifyVariant.shop_id))
        .where(ShopifyVariant.shop_id == shop_id).group_by(ShopifyVariant.shopify_id)
        .having(func.sum(InventoryLevel.available) >= 10))
    async with db.sessionmaker() as session:
        ids = set((await session.execute(stocked)).scalars())
        links = list((await session.execute(select(ProductLink).where(
            ProductLink.tiktok_shop_id == tts_pk).order_by(ProductLink.id))).scalars())
    return [lk for lk in links if lk.shopify_variant_id in ids
            or lk.shopify_variant_id.rsplit("/", 1)[-1] in ids][:limit]


async def _link_samples(db: Database, merchant: Merchant, tts: TikTokShop, count: int) -> None:
    """Fallback: list sample products on the TikTok sandbox and link them to stocked variants."""
    base = f"{merchant.stack.tiktok_url}/_sandbox/shops/{tts.tiktok_shop_id}"
    async with db.sessionmaker() as session:
        rows = (await session.execute(
            select(ShopifyVariant.shopify_id, ShopifyProduct.shopify_id)
            .join(ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id)
            .where(ShopifyVariant.shop_id == tts.shop_id,
                   # EXISTS, not a join: a variant stocked at two locations is one candidate
                   exists().where(InventoryLevel.inventory_item_id
                                  == ShopifyVariant.inventory_item_id,
                                  InventoryLevel.available >= 10))
            .limit(count))).all()
    for variant_id, product_id in rows:
        sample = (await merchant.browser.get(f"{base}/sample_product")).json()
        product = (await merchant.browser.post(f"{base}/products", json=sample)).json()
        async with db.unit_of_work() as session:
            session.add(ProductLink(tiktok_shop_id=tts.id, shopify_product_id=product_id,
                                    shopify_variant_id=variant_id, origin="linked",
                                    tiktok_product_id=product["id"],
                                    tiktok_sku_id=product["skus"][0]["id"]))


async def _until(probe: Any, what: str) -> None:
    """Poll `probe` (a coroutine function) until true; TimeoutError names `what`."""
    try:
        async with asyncio.timeout(WAIT_S):
            while True:
                if await probe():
                    return
                await asyncio.sleep(0.25)
    except TimeoutError:
        raise TimeoutError(f"timed out waiting for {what}") from None


async def _put_settings(merchant: Merchant, path: str, changes: dict[str, Any]) -> None:
    url = f"{merchant.stack.app_url}{path}"
    current = (await merchant.browser.get(url)).json()
    (await merchant.browser.put(url, json={**current, **changes})).raise_for_status()


async def _place(merchant: Merchant, tts: TikTokShop, links: list[ProductLink],
                 setup: DemoRegion) -> list[str]:
    base = f"{merchant.stack.tiktok_url}/_sandbox/shops/{tts.tiktok_shop_id}/orders"
    ids = []
    for i in range(SELLER_ORDERS + TIKTOK_ORDERS):
        lines = [{"sku_id": links[i % len(links)].tiktok_sku_id, "quantity": 1 + i % 2}]
        body = {"line_items": lines, "shipping_fee": setup.shipping_fee, "tax": setup.tax,
                "shipping_type": "SELLER" if i < SELLER_ORDERS else "TIKTOK"}
        placed = await merchant.browser.post(base, json=body)
        placed.raise_for_status()
        ids.append(str(placed.json()["id"]))
    return ids


async def _fulfil_both_ways(db: Database, merchant: Merchant, tts: TikTokShop,
                            order_ids: list[str], domain: str, setup: DemoRegion) -> None:
    async with db.sessionmaker() as session:
        rows = (await session.execute(select(
            OrderLink.tiktok_order_id, OrderLink.shopify_order_id).where(
            OrderLink.tiktok_shop_id == tts.id))).all()
    links = {str(r[0]): str(r[1]) for r in rows}
    shopify = f"{merchant.stack.shopify_url}/_sandbox/shops/{domain}/orders"
    tiktok = f"{merchant.stack.tiktok_url}/_sandbox/shops/{tts.tiktok_shop_id}/orders"
    for i, oid in enumerate(order_ids):
        if oid not in links:
            continue
        if i < SELLER_ORDERS:
            company, number = setup.carriers[i % len(setup.carriers)]
            await merchant.browser.post(f"{shopify}/{links[oid]}/fulfill", json={
                "tracking": {"company": company, "number": f"{number}{i}"}})
        else:
            await merchant.browser.post(f"{tiktok}/{oid}/ship", json={})


async def _counts(db: Database, tts_pk: int) -> dict[str, dict[str, int]]:
    async with db.sessionmaker() as session:
        return await overview.summary(session, tts_pk)


async def run_order_demo(console: Console, db: Database, merchant: Merchant,
                         tiktok_shop_id: str, domain: str,
                         setup: DemoRegion | None = None) -> dict[str, Any]:
    """Place, sync and fulfil orders both ways; returns {"orders": …, "fulfillments": …}."""
    async with db.sessionmaker() as session:
        tts = (await session.execute(select(TikTokShop).where(
            TikTokShop.tiktok_shop_id == tiktok_shop_id))).scalar_one()
    links = await _in_stock_links(db, tts.id, tts.shop_id, 4)
    if not links:
        console.print("No listed product to order: linking sandbox TikTok products instead")
        await _link_samples(db, merchant, tts, 3)
        links = await _in_stock_links(db, tts.id, tts.shop_id, 4)
    if not links:
        console.print("[red]No product with stock to order[/]")
        return await _counts(db, tts.id)
    await _put_settings(merchant, "/api/settings/orders", {"auto_sync": True})
    await _put_settings(merchant, "/api/settings/fulfillment", {"auto_sync": True})
    setup = setup or demo_region("US")
    order_ids = await _place(merchant, tts, links, setup)
    console.print(f"Placed {len(order_ids)} TikTok orders ({SELLER_ORDERS} seller shipping, "
                  f"{TIKTOK_ORDERS} TikTok shipping)")

    async def orders_settled() -> bool:
        c = (await _counts(db, tts.id))["orders"]
        return bool(c["synced"] + c["failed"] >= len(order_ids))
    await _until(orders_settled, "orders synced")
    await _fulfil_both_ways(db, merchant, tts, order_ids, domain, setup)

    async def fulfilments_settled() -> bool:
        c = (await _counts(db, tts.id))
        done = c["fulfillments"]["to_tiktok"] + c["fulfillments"]["to_shopify"]
        return bool(done + c["fulfillments"]["failed"] >= c["orders"]["synced"])
    try:
        await _until(fulfilments_settled, "fulfillments synced")
    except TimeoutError:
        console.print("[yellow]Some fulfillments did not settle in time[/]")
    counts = await _counts(db, tts.id)
    console.print(f"Orders {counts['orders']}; fulfillments {counts['fulfillments']}")
    return counts
