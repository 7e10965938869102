"""TikTok → Shopify orders, end to end on both sandboxes: webhooks, manual and automatic sync,
mapping (grouping, money, address, tags, order number), unlinked items and Retry."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

from ecomsend.sync import bulk_mark, state

from .harness import Env, order_status, until


async def test_manual_by_default_then_synced_with_full_mapping(env: Env) -> None:
    a, b = env.linked[0], env.linked[1]
    await env.settings(orders={"tags": ["from-tiktok", "vip"],
                               "order_number": {"mode": "tiktok", "prefix": "TT-",
                                                "suffix": ""}})
    placed = await env.place_order([(a, 2), (b, 1)], shipping_fee="5.99",
                                   seller_discount="3.00", platform_discount="1.50", tax="2.10",
                                   buyer_message="leave at door")
    oid = placed["id"]
    # The webhook brings it in, but auto sync is off by default: Not synced, nothing created.
    listed = await order_status(env, oid, {"not_synced"})
    assert {(i["sku_id"], i["quantity"], i["linked"]) for i in listed["items"]} == {
        (a.sku_id, 2, True), (b.sku_id, 1, True)}
    assert await env.shopify_orders_for(oid) == []

    await env.api("POST", "/api/orders/sync", json={"order_ids": [oid]})
    synced = await order_status(env, oid, {"synced"})
    [shopify] = await env.shopify_orders_for(oid)
    assert synced["shopify_order_id"] == shopify["admin_graphql_api_id"]

    # Grouped by SKU, on the linked variants, at the original unit price.
    lines = {li["variant_id"]: li for li in shopify["line_items"]}
    qty_by_variant = {v: li["quantity"] for v, li in lines.items()}
    assert sorted(qty_by_variant.values()) == [1, 2]
    unit = Decimal(placed["line_items"][0]["original_price"])
    assert {Decimal(li["price"]) for li in shopify["line_items"]} >= {unit}
    tags = shopify["tags"] if isinstance(shopify["tags"], list) else shopify["tags"].split(", ")
    assert {"TikTok Shop", f"TikTok-{oid}", "from-tiktok", "vip"} <= set(tags)
    assert shopify["source_name"] == "tiktok" and shopify["source_identifier"] == oid
    attrs = {a["name"]: a["value"] for a in shopify["note_attributes"]}
    assert attrs["TikTok order id"] == oid
    assert shopify["shipping_address"]["zip"] == placed["recipient_address"]["postal_code"]
    assert shopify["financial_status"].upper() == "PAID"
    assert [Decimal(s["price"]) for s in shopify["shipping_lines"]] == [Decimal("5.99")]


async def test_auto_sync_creates_every_not_synced_order_once(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """Turning auto sync on queues the Not-synced backlog, bulk_mark.MARK_BATCH
    orders per write transaction (SQLite's write lock released between them), with running
    backlog positions; each becomes one Shopify order, and new orders follow."""
    item = env.linked[0]
    backlog = [(await env.place_order([(item, 1)]))["id"] for _ in range(5)]
    for oid in backlog:
        await order_status(env, oid, {"not_synced"})
    marks: list[tuple[int, int | None, str]] = []
    real_mark = state.mark_changed

    async def spy(session: Any, queue: Any, key: state.EntityKey, *,
                  backlog: int | None = None) -> int:
        marks.append((id(session), backlog, key.entity_id))
        return await real_mark(session, queue, key, backlog=backlog)

    monkeypatch.setattr(bulk_mark, "MARK_BATCH", 2)
    monkeypatch.setattr(state, "mark_changed", spy)
    current = await env.api("GET", "/api/settings/orders")
    saved = await env.api("PUT", "/api/settings/orders", json={**current, "auto_sync": True})
    assert saved["queued"] == 5 and saved["auto_sync"] is True
    assert [b for _, b, _ in marks] == list(range(5))
    assert sorted(oid for _, _, oid in marks) == sorted(backlog)
    runs = [len(list(group)) for _, group in itertools.groupby(s for s, _, _ in marks)]
    assert runs == [2, 2, 1], runs
    after = await env.place_order([(item, 3)])        # and new ones
    for oid in [*backlog, after["id"]]:
        await order_status(env, oid, {"synced"})
        assert len(await env.shopify_orders_for(oid)) == 1
    again = await env.api("PUT", "/api/settings/orders", json={**current, "auto_sync": True})
    assert again["queued"] == 0


async def test_unpaid_then_awaiting_shipment(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], 1)], status="UNPAID")
    await order_status(env, placed["id"], {"waiting"})
    await env.tiktok("POST", f"/orders/{placed['id']}/status", json={"status": "ON_HOLD"})
    await env.tiktok("POST", f"/orders/{placed['id']}/status",
                     json={"status": "AWAITING_SHIPMENT"})
    await order_status(env, placed["id"], {"synced"})
    assert len(await env.shopify_orders_for(placed["id"])) == 1


async def test_unlinked_item_fails_naming_it_and_retry_after_linking(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    missing = env.unlinked[0]
    placed = await env.place_order([(env.linked[0], 1), (missing, 2)])
    failed = await order_status(env, placed["id"], {"failed"})
    error = failed["order_sync"]["error"]
    assert missing.sku_id in error["message"] and "Link products" in error["message"]
    [field] = error["field_errors"]
    assert field["field"] == f"line_items.{missing.sku_id}" and "link" in field["fix"].lower()
    assert [i["linked"] for i in failed["items"] if i["sku_id"] == missing.sku_id] == [False]
    assert await env.shopify_orders_for(placed["id"]) == []

    await env.link(missing)
    retried = await env.api("POST", f"/api/orders/{placed['id']}/retry")
    assert retried["retried"] == ["order"]
    await order_status(env, placed["id"], {"synced"})
    [shopify] = await env.shopify_orders_for(placed["id"])
    assert sorted(li["quantity"] for li in shopify["line_items"]) == [1, 2]


async def test_fulfilled_by_tiktok_orders_are_not_imported(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    fbt = await env.place_order([(env.linked[0], 1)], fulfillment_type="FULFILLMENT_BY_TIKTOK")
    normal = await env.place_order([(env.linked[0], 1)])
    await order_status(env, normal["id"], {"synced"})
    response = await env.http.get(f"{env.stack.app_url}/api/orders/{fbt['id']}")
    assert response.status_code == 404
    page = await env.api("GET", "/api/orders")
    assert normal["id"] in {o["order_id"] for o in page["orders"]}
    await until(lambda: _summary_total(env), 5, "summary")


async def _summary_total(env: Env) -> bool:
    summary = await env.api("GET", "/api/orders/summary")
    return bool(summary["orders"]["synced"] >= 1)
