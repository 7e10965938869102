"""Buyers on imported orders: `customer.toUpsert` creates the Shopify customer once and the
same buyer's next order is attached to that customer (Shopify matches on email)."""

from __future__ import annotations

from typing import Any

from .harness import Env, order_status


async def _customer(env: Env, tiktok_order_id: str) -> dict[str, Any]:
    [shopify] = await env.shopify_orders_for(tiktok_order_id)
    customer: dict[str, Any] = shopify["customer"]
    return customer


async def test_a_repeat_buyer_is_one_shopify_customer(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    first = await env.place_order([(env.linked[0], 1)], user_id="7001")
    second = await env.place_order([(env.linked[1], 1)], user_id="7001")
    other = await env.place_order([(env.linked[0], 1)], user_id="7002")
    for placed in (first, second, other):
        await order_status(env, placed["id"], {"synced"})
    a, b, c = [await _customer(env, o["id"]) for o in (first, second, other)]
    email = (await env.tiktok_order(first["id"]))["buyer_email"]
    assert a["email"] == email and a["first_name"]
    assert a["id"] == b["id"]            # reused on the next order
    assert c["id"] != a["id"] and c["email"] != email
