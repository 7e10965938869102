"""Cancellations both ways, end to end."""

from __future__ import annotations

import asyncio
from typing import Any

from .harness import Env, order_status, until


async def _stock(env: Env, variant_gid: str) -> int:
    product = (await env.shopify("GET", "/products"))["products"]
    [variant] = [v for p in product for v in p["variants"]
                 if v["admin_graphql_api_id"] == variant_gid]
    return int(variant["inventory_quantity"])


async def test_tiktok_cancellation_cancels_and_restocks_the_shopify_order(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    item = env.linked[0]
    before = await _stock(env, item.variant_gid)
    placed = await env.place_order([(item, 2)])
    await order_status(env, placed["id"], {"synced"})
    assert await _stock(env, item.variant_gid) == before - 2   # inventory deducted
    await env.tiktok("POST", f"/orders/{placed['id']}/cancel",
                     json={"initiator": "BUYER", "reason": "changed my mind"})

    async def cancelled() -> dict[str, Any] | None:
        [shopify] = await env.shopify_orders_for(placed["id"])
        return shopify if shopify["cancelled_at"] else None
    shopify = await until(cancelled, 20, "Shopify order cancelled")
    assert shopify["cancel_reason"] in ("customer", "CUSTOMER")
    await until(lambda: _restocked(env, item.variant_gid, before), 10, "restock")
    view = await order_status(env, placed["id"], {"synced"})
    assert view["status"] == "CANCELLED"


async def _restocked(env: Env, variant_gid: str, expected: int) -> bool:
    return await _stock(env, variant_gid) == expected


async def test_cancelled_before_sync_is_never_created(env: Env) -> None:
    placed = await env.place_order([(env.linked[0], 1)])
    await order_status(env, placed["id"], {"not_synced"})
    await env.tiktok("POST", f"/orders/{placed['id']}/cancel", json={"initiator": "SYSTEM"})
    await order_status(env, placed["id"], {"cancelled"})
    await env.settings(orders={"auto_sync": True})
    await env.api("POST", "/api/orders/sync", json={"order_ids": [placed["id"]]})
    await asyncio.sleep(0.5)
    await order_status(env, placed["id"], {"cancelled"})  # nothing to create
    assert await env.shopify_orders_for(placed["id"]) == []


async def test_shopify_cancellation_cancels_the_tiktok_order(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    placed = await env.place_order([(env.linked[1], 1)])
    synced = await order_status(env, placed["id"], {"synced"})
    await env.shopify("POST", f"/orders/{synced['shopify_order_id']}/cancel",
                      json={"restock": True, "reason": "customer"})
    done = await order_status(env, placed["id"], {"synced"}, key="cancel_sync")
    assert done["cancel_sync"]["status"] == "synced"
    tiktok = await env.tiktok_order(placed["id"])
    assert tiktok["status"] == "CANCELLED"
    assert tiktok.get("cancellation_initiator") == "SELLER"


async def test_shopify_cancellation_of_a_shipped_order_says_what_to_do(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], 1)])
    synced = await order_status(env, placed["id"], {"synced"})
    await env.tiktok("POST", f"/orders/{placed['id']}/status", json={"status": "IN_TRANSIT"})
    await env.shopify("POST", f"/orders/{synced['shopify_order_id']}/cancel",
                      json={"restock": False})
    failed = await order_status(env, placed["id"], {"failed"}, key="cancel_sync")
    message = failed["cancel_sync"]["error"]["message"]
    assert "IN_TRANSIT" in message and "Seller Center" in message
    assert (await env.tiktok_order(placed["id"]))["status"] == "IN_TRANSIT"


async def test_restock_off_cancels_the_shopify_order_without_restocking(env: Env) -> None:
    await env.settings(orders={"auto_sync": True, "restock_on_cancel": False})
    item = env.linked[1]
    before = await _stock(env, item.variant_gid)
    placed = await env.place_order([(item, 1)])
    await order_status(env, placed["id"], {"synced"})
    await env.tiktok("POST", f"/orders/{placed['id']}/cancel", json={"initiator": "BUYER"})

    async def cancelled() -> dict[str, Any] | None:
        [shopify] = await env.shopify_orders_for(placed["id"])
        return shopify if shopify["cancelled_at"] else None
    await until(cancelled, 20, "Shopify order cancelled")
    await asyncio.sleep(0.5)
    assert await _stock(env, item.variant_gid) == before - 1  # sold unit not put back


async def test_cancel_on_tiktok_off_leaves_the_tiktok_order_alone(env: Env) -> None:
    await env.settings(orders={"auto_sync": True, "cancel_on_tiktok": False})
    placed = await env.place_order([(env.linked[0], 1)])
    synced = await order_status(env, placed["id"], {"synced"})
    await env.shopify("POST", f"/orders/{synced['shopify_order_id']}/cancel",
                      json={"restock": True, "reason": "customer"})
    failed = await order_status(env, placed["id"], {"failed"}, key="cancel_sync")
    message = failed["cancel_sync"]["error"]["message"]
    assert "Seller Center" in message and "Cancel on TikTok" in message
    assert (await env.tiktok_order(placed["id"]))["status"] == "AWAITING_SHIPMENT"
