"""Exactly once: duplicated and out-of-order webhooks, polling racing webhooks, polling as the
safety net for lost webhooks, and a crash between Shopify's create and our commit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from ecomsend.db.models import TikTokOrder, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant
from ecomsend.sync.orders import push

from .harness import Env, Linked, create_store, order_status


async def _one_shopify_order_each(env: Env, order_ids: list[str]) -> None:
    for oid in order_ids:
        await order_status(env, oid, {"synced"}, timeout=30)
    for oid in order_ids:
        assert len(await env.shopify_orders_for(oid)) == 1, oid


async def test_duplicated_and_out_of_order_webhooks(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    await env.tiktok("PUT", "/faults", json={"seed": 3, "webhook_duplicate_rate": 1.0,
                                             "webhook_reorder_rate": 0.5,
                                             "webhook_reorder_delay_s": 0.3})
    ids = []
    for i in range(4):
        placed = await env.place_order([(env.linked[i % 2], 1 + i)], status="UNPAID")
        await env.tiktok("POST", f"/orders/{placed['id']}/status",
                         json={"status": "AWAITING_SHIPMENT"})
        ids.append(placed["id"])
    await _one_shopify_order_each(env, ids)
    deliveries = (await env.http.get(f"{env.stack.tiktok_url}/_sandbox/webhooks",
                                     params={"shop_id": env.tiktok_shop_id, "type": 1})
                  ).json()["deliveries"]
    assert deliveries and all(d["copies"] >= 2 for d in deliveries)
    await env.tiktok("DELETE", "/faults")


async def test_polling_races_webhooks_for_the_same_orders(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    placed = await asyncio.gather(*(env.place_order([(env.linked[0], 1)]) for _ in range(5)))
    await asyncio.gather(*(env.api("POST", "/api/orders/fetch") for _ in range(3)))
    await asyncio.gather(*(env.api("POST", "/api/orders/sync",
                                   json={"order_ids": [p["id"] for p in placed]})
                           for _ in range(2)))
    await _one_shopify_order_each(env, [p["id"] for p in placed])


async def test_polling_catches_orders_whose_webhooks_were_lost(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    app_hook = f"{env.stack.app_url}/webhooks/tiktok"
    await env.http.put(f"{env.stack.tiktok_url}/_sandbox/webhook",
                       json={"url": "http://127.0.0.1:9/nowhere"})
    try:
        placed = await env.place_order([(env.linked[1], 2)])
        await env.api("POST", "/api/orders/fetch")
        await _one_shopify_order_each(env, [placed["id"]])
        deliveries = (await env.http.get(f"{env.stack.tiktok_url}/_sandbox/webhooks", params={
            "shop_id": env.tiktok_shop_id})).json()["deliveries"]
        mine = [d for d in deliveries if d["body"]["data"].get("order_id") == placed["id"]]
        assert mine and not any(a["status"] == 200 for d in mine for a in d["attempts"])
    finally:
        await env.http.put(f"{env.stack.tiktok_url}/_sandbox/webhook", json={"url": app_hook})


async def test_crash_between_shopify_create_and_our_commit(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """orderCreate succeeded, then saving the link failed (as if the worker died before its
    commit): the retry finds the order by its source identifier instead of creating another."""
    real = push.save_link
    crashes: list[str] = []

    async def crash_once(*args: Any, **kw: Any) -> None:
        if not crashes:
            crashes.append(args[2])
            raise RuntimeError("simulated crash after orderCreate, before commit")
        await real(*args, **kw)

    monkeypatch.setattr(push, "save_link", crash_once)
    await env.settings(orders={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], 1), (env.linked[1], 1)])
    await _one_shopify_order_each(env, [placed["id"]])
    assert crashes == [placed["id"]]
    log = (await env.shopify("GET", "/requests"))["requests"]
    assert sum(1 for r in log if r["operation_name"] == "OrderCreate") == 1


async def _orders_then_connect(stack: LocalStack, app_db: Database, merchant: Merchant,
                               domain: str, products: int, quantities: list[int]
                               ) -> tuple[Env, dict[str, Any], list[dict[str, Any]]]:
    """A store installed, a TikTok shop with one listed product and one order per quantity
    placed *before* the shop is connected, then connected: (env, product, orders)."""
    await create_store(merchant, domain, products)
    await merchant.install(domain)
    tts = await merchant.create_tiktok_shop("US")
    env = Env(stack, app_db, merchant, domain, tts["shop_id"], 0)
    sample = await env.tiktok("GET", "/sample_product", params={"skus": 1})
    product = await env.tiktok("POST", "/products", json=sample)
    sku = product["skus"][0]["id"]
    orders = [await env.tiktok("POST", "/orders", json={"line_items": [
        {"sku_id": sku, "quantity": quantity}]}) for quantity in quantities]
    await merchant.connect_tiktok(tts["shop_id"])
    return env, product, orders


async def test_backfill_on_connect_fetches_orders_placed_before(stack: LocalStack,
                                                                app_db: Database) -> None:
    """Orders placed on TikTok before the shop was connected (their webhooks found no
    connection) arrive through the backfill window once auto sync is turned on."""
    merchant = Merchant(stack)
    try:
        env, product, early = await _orders_then_connect(
            stack, app_db, merchant, "orders-e2e-backfill.myshopify.com", 2, [1, 2])
        sku = product["skus"][0]["id"]
        async with app_db.sessionmaker() as session:
            env.tts_pk = (await session.execute(select(TikTokShop.id).where(
                TikTokShop.tiktok_shop_id == env.tiktok_shop_id))).scalar_one()
        variant = (await env.shopify("GET", "/products"))["products"][0]
        await env.link(Linked(sku, "", variant["variants"][0]["admin_graphql_api_id"],
                              variant["admin_graphql_api_id"], product["id"]))
        await env.settings(orders={"auto_sync": True})
        await _one_shopify_order_each(env, [o["id"] for o in early])
    finally:
        await merchant.close()


async def test_connecting_backfills_orders_without_auto_sync(stack: LocalStack,
                                                            app_db: Database) -> None:
    """Connecting a TikTok shop fetches the orders of the backfill window at once (into the
    order list as Not synced), even with order auto sync off."""
    merchant = Merchant(stack)
    try:
        _, _, placed = await _orders_then_connect(
            stack, app_db, merchant, "orders-e2e-connect-backfill.myshopify.com", 1, [1, 1])
        async with asyncio.timeout(20):
            while True:
                async with app_db.sessionmaker() as session:
                    fetched = set((await session.execute(select(TikTokOrder.order_id).where(
                        TikTokOrder.status != ""))).scalars())
                if fetched >= {o["id"] for o in placed}:
                    break
                await asyncio.sleep(0.1)
    finally:
        await merchant.close()
