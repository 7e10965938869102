"""Partial shipments in Mexico (issue 13 §1): no Mark Package As Shipped there, so the app splits
the order (Split Orders, "all-units split" for MX local sellers) and ships the new package; a
shipment that leaves units of a SKU behind is refused with the reason; carriers need no
mapping (Estafeta typed as a custom company, DHL Express → TikTok's DHL Mexico)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack

from .harness import Env, make_env, order_status, until
from .test_fulfillment import _fulfill_partially, _packages


@pytest.fixture
async def mx_env(stack: LocalStack, app_db: Database) -> AsyncIterator[Env]:
    made = await make_env(stack, app_db, region="MX")
    yield made
    await made.merchant.close()


async def test_mx_splits_a_whole_sku_off_then_ships_the_rest(mx_env: Env) -> None:
    env = mx_env
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    a, b = env.linked[0], env.linked[1]
    placed = await env.place_order([(a, 2), (b, 1)])
    order = await order_status(env, placed["id"], {"synced"})
    oid = order["order_id"]
    await _fulfill_partially(env, order["shopify_order_id"], a.variant_gid, 2,
                             "8055123456789012", "Estafeta")

    async def shipped() -> list[dict[str, Any]] | None:
        return [p for p in await _packages(env, oid) if p["tracking_number"]] or None
    [first] = await until(shipped, 20, "MX split package shipped")
    assert first["shipping_provider_name"] == "Estafeta"
    assert len(first["order_line_item_ids"]) == 2  # both units of SKU a, split off
    assert (await env.tiktok_order(oid))["status"] == "PARTIALLY_SHIPPING"

    await env.shopify("POST", f"/orders/{order['shopify_order_id']}/fulfill",
                      json={"tracking": {"number": "1234567890", "company": "DHL Express"}})

    async def all_shipped() -> bool:
        return (await env.tiktok_order(oid))["status"] == "AWAITING_COLLECTION"
    await until(all_shipped, 20, "MX order fully shipped")
    names = {p["shipping_provider_name"] for p in await _packages(env, oid)}
    assert names == {"Estafeta", "DHL Mexico"}


async def test_mx_refuses_to_leave_units_of_a_sku_behind(mx_env: Env) -> None:
    env = mx_env
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    a, b = env.linked[0], env.linked[1]
    placed = await env.place_order([(a, 2), (b, 1)])
    order = await order_status(env, placed["id"], {"synced"})
    await _fulfill_partially(env, order["shopify_order_id"], a.variant_gid, 1,
                             "8055123456789013", "Estafeta")
    failed = await order_status(env, order["order_id"], {"failed"}, key="fulfillment_sync")
    message = failed["fulfillment_sync"]["error"]["message"]
    assert "all units" in message and "1 unit(s)" in message, message
    assert not [p for p in await _packages(env, order["order_id"]) if p["tracking_number"]]
