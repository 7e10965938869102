"""Returns, refunds and cancellation requests end to end: TikTok sandbox → app → Shopify
sandbox, over real HTTP, with the merchant answering from the app's API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from ecomsend.db.models import AfterSale

from .harness import Env, order_status, until

REFUNDS = """query($id: ID!) { order(id: $id) { displayFinancialStatus
  refunds(first: 10) { id note totalRefundedSet { shopMoney { amount } } } } }"""
REFUND = """mutation($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) { refund { id } userErrors { message } } }"""


async def _stock(env: Env, variant_gid: str) -> int:
    products = (await env.shopify("GET", "/products"))["products"]
    [variant] = [v for p in products for v in p["variants"]
                 if v["admin_graphql_api_id"] == variant_gid]
    return int(variant["inventory_quantity"])


async def _returns(env: Env, order_id: str) -> list[dict[str, Any]]:
    page = await env.api("GET", "/api/returns", params={"order_id": order_id})
    rows: list[dict[str, Any]] = page["returns"]
    return rows


async def _wait_return(env: Env, order_id: str, status: str, kind: str = "return",
                       refund_sync: str | None = None) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        for row in await _returns(env, order_id):
            if row["kind"] == kind and row["status"] == status and (
                    refund_sync is None or row["refund_sync"] == refund_sync):
                return row
        return None
    return await until(probe, 25, f"{kind} of {order_id} {status} / {refund_sync}")


async def _shipped_synced_order(env: Env, qty: int = 2) -> tuple[dict[str, Any], str]:
    await env.settings(orders={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], qty)], shipping_fee="5.00", tax="1.20")
    synced = await order_status(env, placed["id"], {"synced"})
    await env.tiktok("POST", f"/orders/{placed['id']}/ship", json={})
    return placed, str(synced["shopify_order_id"])


async def _shopify_refunds(env: Env, shopify_order_id: str) -> dict[str, Any]:
    gid = (shopify_order_id if shopify_order_id.startswith("gid://")
           else f"gid://shopify/Order/{shopify_order_id}")
    order: dict[str, Any] = (await env.graphql(REFUNDS, {"id": gid}))["order"]
    return order


async def test_return_approved_in_the_app_becomes_one_shopify_refund(env: Env) -> None:
    placed, shopify_id = await _shipped_synced_order(env)
    item = env.linked[0]
    await env.tiktok("POST", f"/orders/{placed['id']}/returns",
                     json={"return_type": "RETURN_AND_REFUND"})
    pending = await _wait_return(env, placed["id"], "RETURN_OR_REFUND_REQUEST_PENDING")
    assert pending["actions"] == ["approve", "reject"]
    assert pending["refund_total"] == placed["payment"]["total_amount"]
    approved = await env.api("POST", f"/api/returns/{pending['id']}/approve")
    assert approved["status"] == "AWAITING_BUYER_SHIP" and approved["actions"] == []
    # Approving again is not possible once TikTok moved on: a 409, nothing sent.
    again = await env.http.post(f"{env.stack.app_url}/api/returns/{pending['id']}/approve")
    assert again.status_code == 409
    await env.tiktok("POST", f"/returns/{pending['external_id']}/ship", json={})
    shipped = await _wait_return(env, placed["id"], "BUYER_SHIPPED_ITEM")
    before = await _stock(env, item.variant_gid)
    await env.api("POST", f"/api/returns/{shipped['id']}/approve")
    done = await _wait_return(env, placed["id"], "RETURN_OR_REFUND_REQUEST_SUCCESS",
                              refund_sync="synced")
    order = await _shopify_refunds(env, shopify_id)
    assert [r["id"] for r in order["refunds"]] == [done["shopify_refund_id"]]
    assert order["refunds"][0]["totalRefundedSet"]["shopMoney"]["amount"] == \
        placed["payment"]["total_amount"]
    assert order["displayFinancialStatus"] == "REFUNDED"
    await until(lambda: _stock_is(env, item.variant_gid, before + 2), 10, "restock")
    # Duplicate and late deliveries: the refund completes on TikTok (webhook 12 again), and
    # the refund sync is marked again by hand — still one Shopify refund.
    await env.tiktok("POST", f"/returns/{pending['external_id']}/complete")
    await _wait_return(env, placed["id"], "RETURN_OR_REFUND_REQUEST_COMPLETE",
                       refund_sync="synced")
    await env.api("POST", "/api/orders/fetch")
    assert len((await _shopify_refunds(env, shopify_id))["refunds"]) == 1
    # Our own refund's refunds/create webhook is not shown as a Shopify-side refund.
    assert [r["kind"] for r in await _returns(env, placed["id"])] == ["return"]


async def _stock_is(env: Env, variant_gid: str, expected: int) -> bool:
    return await _stock(env, variant_gid) == expected


async def test_crash_after_refund_create_makes_no_second_refund(env: Env) -> None:
    placed, shopify_id = await _shipped_synced_order(env, qty=1)
    await env.tiktok("POST", f"/orders/{placed['id']}/returns", json={"return_type": "REFUND"})
    row = await _wait_return(env, placed["id"], "RETURN_OR_REFUND_REQUEST_PENDING")
    await env.api("POST", f"/api/returns/{row['id']}/approve")
    done = await _wait_return(env, placed["id"], "RETURN_OR_REFUND_REQUEST_SUCCESS",
                              refund_sync="synced")
    # A worker that died after refundCreate but before committing the refund id leaves the
    # row without it; the retry must find the refund Shopify already made, not make another.
    async with env.db.unit_of_work() as session:
        await session.execute(update(AfterSale).where(AfterSale.id == row["id"])
                              .values(shopify_refund_id=None))
    creates = await _count(env, "RefundCreate")
    await env.api("POST", f"/api/returns/{row['id']}/retry")

    async def refound() -> str | None:
        async with env.db.sessionmaker() as session:
            return (await session.execute(select(AfterSale.shopify_refund_id).where(
                AfterSale.id == row["id"]))).scalar_one()
    assert await until(refound, 20, "refund id recorded again") == done["shopify_refund_id"]
    order = await _shopify_refunds(env, shopify_id)
    assert len(order["refunds"]) == 1
    assert await _count(env, "RefundCreate") == creates  # found by its note, not sent again
    # Refund only: the buyer keeps the item, nothing is restocked.
    assert order["displayFinancialStatus"] == "REFUNDED"


async def _count(env: Env, operation: str) -> int:
    log = (await env.shopify("GET", "/requests"))["requests"]
    return sum(1 for r in log if r["operation_name"] == operation)


async def test_reject_with_a_listed_reason_and_bad_input(env: Env) -> None:
    placed, _ = await _shipped_synced_order(env, qty=1)
    await env.tiktok("POST", f"/orders/{placed['id']}/returns", json={"return_type": "REFUND"})
    row = await _wait_return(env, placed["id"], "RETURN_OR_REFUND_REQUEST_PENDING")
    url = f"{env.stack.app_url}/api/returns/{row['id']}"
    reasons = (await env.api("GET", f"/api/returns/{row['id']}/reject-reasons"))["reasons"]
    assert reasons and all(r["name"] and r["text"] for r in reasons)
    for bad in ({}, {"reason": ""}, {"reason": "Robert'); DROP"}, {"reason": "x" * 300},
                {"reason": reasons[0]["name"], "comment": "c" * 501}):
        assert (await env.http.post(f"{url}/reject", json=bad)).status_code == 422, bad
    refused = await env.http.post(f"{url}/reject", json={"reason": "not_a_listed_reason"})
    assert refused.status_code == 400 and "TikTok" in refused.json()["detail"]
    assert (await env.http.post(f"{env.stack.app_url}/api/returns/999999/approve")
            ).status_code == 404
    assert (await env.http.post(f"{env.stack.app_url}/api/returns/0/approve")
            ).status_code == 422
    rejected = await env.api("POST", f"/api/returns/{row['id']}/reject",
                             json={"reason": reasons[0]["name"], "comment": "Delivered fine"})
    assert rejected["status"] == "REFUND_OR_RETURN_REQUEST_REJECT"
    assert rejected["actions"] == [] and rejected["refund_sync"] is None
    assert (await env.http.post(f"{url}/retry")).status_code == 409


async def test_cancellation_request_answered_from_the_app(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], 1)])
    await order_status(env, placed["id"], {"synced"})
    await env.tiktok("POST", f"/orders/{placed['id']}/cancel", json={"request_only": True})
    row = await _wait_return(env, placed["id"], "CANCELLATION_REQUEST_PENDING",
                             kind="cancellation")
    open_rows = (await env.api("GET", "/api/returns", params={"open_only": "true"}))["returns"]
    assert row["id"] in {r["id"] for r in open_rows}
    reasons = (await env.api("GET", f"/api/returns/{row['id']}/reject-reasons"))["reasons"]
    rejected = await env.api("POST", f"/api/returns/{row['id']}/reject",
                             json={"reason": reasons[0]["name"]})
    assert rejected["status"] == "CANCELLATION_REQUEST_CANCELLED"
    assert (await env.tiktok_order(placed["id"]))["status"] == "AWAITING_SHIPMENT"


async def test_refund_made_in_shopify_is_shown_with_guidance(env: Env) -> None:
    placed, shopify_id = await _shipped_synced_order(env, qty=1)
    gid = shopify_id if shopify_id.startswith("gid://") else f"gid://shopify/Order/{shopify_id}"
    made = await env.graphql(REFUND, {"key": "merchant-refund-1", "input": {
        "orderId": gid, "note": "Goodwill", "transactions": [
            {"orderId": gid, "kind": "REFUND", "gateway": "TikTok Shop", "amount": "3.00"}]}})
    assert made["refundCreate"]["userErrors"] == []
    row = await _wait_return(env, placed["id"], "REFUNDED_IN_SHOPIFY", kind="shopify_refund")
    assert row["refund_total"] == "3.00" and row["actions"] == []
    assert "Seller Center" in row["guidance"]
