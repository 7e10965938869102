"""Other regions where the API is the same, and the Orders/Settings JSON API contract."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack

from .harness import Env, make_env, order_status, until


@pytest.fixture
async def gb_env(stack: LocalStack, app_db: Database) -> AsyncIterator[Env]:
    made = await make_env(stack, app_db, region="GB")
    yield made
    await made.merchant.close()


async def test_gb_order_and_seller_shipping(gb_env: Env) -> None:
    env = gb_env
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], 2)], tax="3.00")
    synced = await order_status(env, placed["id"], {"synced"})
    [shopify] = await env.shopify_orders_for(placed["id"])
    assert shopify["currency"] == "GBP"
    assert shopify["shipping_address"]["country_code"] == "GB"
    await env.shopify("POST", f"/orders/{synced['shopify_order_id']}/fulfill",
                      json={"tracking": {"number": "RM123456785GB", "company": "Royal Mail"}})

    async def shipped() -> bool:
        packages = (await env.tiktok("GET", "/packages"))["packages"]
        return any(p["order_id"] == placed["id"] and p["shipping_provider_name"] == "Royal Mail"
                   for p in packages)
    await until(shipped, 20, "GB package shipped with Royal Mail")


async def test_settings_api_validates_and_documents(env: Env) -> None:
    defaults = await env.api("GET", "/api/settings/orders")
    assert defaults["auto_sync"] is False and defaults["backfill_days"] == 7
    assert (await env.api("GET", "/api/settings/fulfillment"))["auto_sync"] is False
    bad = await env.http.put(f"{env.stack.app_url}/api/settings/orders",
                             json={**defaults, "backfill_days": 365})
    assert bad.status_code == 422
    await env.place_order([(env.linked[0], 1)])
    options = await until(lambda: _carriers(env), 20, "carrier options")
    assert {"shopify_company": "UPS", "tiktok_provider": "UPS"} in options["default_rules"]
    assert "Canada Post" in options["shopify_companies"]
    schema = (await env.http.get(f"{env.stack.app_url}/openapi.json")).json()
    for path in ("/api/orders", "/api/orders/{order_id}", "/api/orders/sync",
                 "/api/orders/{order_id}/retry", "/api/orders/fetch", "/api/orders/summary",
                 "/api/settings/orders", "/api/settings/fulfillment",
                 "/api/settings/fulfillment/carriers"):
        assert path in schema["paths"], path
    async with httpx.AsyncClient() as stranger:
        anonymous = await stranger.get(f"{env.stack.app_url}/api/orders")
    assert anonymous.status_code == 401


async def _carriers(env: Env) -> dict[str, object] | None:
    options: dict[str, object] = await env.api("GET", "/api/settings/fulfillment/carriers")
    return options if options["tiktok_providers"] else None
