"""Fulfillments exactly once across a crash between the platform's create and our commit of the
`fulfillment_link` (issue 11 §2). Neither Shopify's `fulfillmentCreate` nor TikTok's Ship
Package takes an idempotency key; what prevents the duplicate is the re-read of the order by id
on the platform (not search, so Shopify's search lag does not apply): the retry finds the
shipment the dead attempt made by its tracking number and only records the link."""

from __future__ import annotations

from typing import Any

import pytest

from ecomsend.sync.fulfillments import to_shopify, to_tiktok

from .harness import Env, order_status

SHIP_API = "POST /fulfillment/202309/packages/{package_id}/ship"


def _crash_once(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[str]:
    """Make `module.save_link` fail once, as if the worker died after the create."""
    real = module.save_link
    crashed: list[str] = []

    async def crash(*args: Any, **kw: Any) -> None:
        if not crashed:
            crashed.append(kw["fulfillment_id"])
            raise RuntimeError("simulated crash after the create, before the link commit")
        await real(*args, **kw)

    monkeypatch.setattr(module, "save_link", crash)
    return crashed


async def _tiktok_api_count(env: Env, api: str) -> int:
    got = (await env.http.get(f"{env.stack.tiktok_url}/_sandbox/requests",
                              params={"shop_id": env.tiktok_shop_id, "limit": 1})).json()
    return int(got["counts"].get(api, 0))


async def test_crash_after_fulfillment_create_links_the_one_fulfillment(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """TikTok shipping → Shopify: fulfillmentCreate answered, the link commit failed."""
    crashed = _crash_once(monkeypatch, to_shopify)
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], 2), (env.linked[1], 1)],
                                   shipping_type="TIKTOK")
    await order_status(env, placed["id"], {"synced"})
    await env.tiktok("POST", f"/orders/{placed['id']}/ship", json={})
    final = await order_status(env, placed["id"], {"synced"}, key="fulfillment_sync",
                               timeout=30)
    assert len(crashed) == 1
    [shopify] = await env.shopify_orders_for(placed["id"])
    assert [f["admin_graphql_api_id"] for f in shopify["fulfillments"]] == crashed
    log = (await env.shopify("GET", "/requests"))["requests"]
    assert sum(1 for r in log if r["operation_name"] == "FulfillmentCreate") == 1
    assert [s["direction"] for s in final["shipments"]] == ["to_shopify"]


async def test_crash_after_ship_package_links_the_one_shipment(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seller shipping → TikTok: Ship Package answered, the link commit failed."""
    crashed = _crash_once(monkeypatch, to_tiktok)
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], 1)])
    order = await order_status(env, placed["id"], {"synced"})
    await env.shopify("POST", f"/orders/{order['shopify_order_id']}/fulfill",
                      json={"tracking": {"number": "1Z999AA10123456700", "company": "UPS"}})
    final = await order_status(env, placed["id"], {"synced"}, key="fulfillment_sync",
                               timeout=30)
    assert len(crashed) == 1
    assert await _tiktok_api_count(env, SHIP_API) == 1
    assert [(s["tracking_number"], s["direction"]) for s in final["shipments"]] == [
        ("1Z999AA10123456700", "to_tiktok")]
    assert (await env.tiktok_order(placed["id"]))["status"] == "AWAITING_COLLECTION"
