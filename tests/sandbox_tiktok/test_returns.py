"""Returns, refunds and cancellation requests: life cycle, webhooks, errors, scopes, faults."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx

from .conftest import Inbox, connect, delivered
from .helpers import Api, Control
from .test_orders import listed, place

R = "/return_refund/202309"


async def shipped_order(api: Api, control: Control, sid: str, qty: int = 2) -> dict[str, Any]:
    sku = (await listed(api, control, sid, skus=1))["skus"][0]["id"]
    order = await place(control, sid, [{"sku_id": sku, "quantity": qty}], shipping_fee="5.00")
    await control("POST", f"/shops/{sid}/orders/{order['id']}/ship", {})
    return order


async def search(api: Api, **body: Any) -> list[dict[str, Any]]:
    return list((await api.ok("POST", f"{R}/returns/search", body))["return_orders"])


async def statuses(inbox: Inbox, sid: str, return_id: str) -> list[str]:
    for _ in range(50):
        seen = [b["data"]["return_status"] for _, _, b in delivered(inbox, sid, 12)
                if b["data"]["return_id"] == return_id]
        if seen:
            await asyncio.sleep(0.1)
            return [b["data"]["return_status"] for _, _, b in delivered(inbox, sid, 12)
                    if b["data"]["return_id"] == return_id]
        await asyncio.sleep(0.05)
    return []


async def test_refund_only_life_cycle_and_webhooks(us: tuple[Api, dict[str, Any]],
                                                   control: Control, hooks: Inbox) -> None:
    api, view = us
    sid = view["shop_id"]
    order = await shipped_order(api, control, sid)
    # Before shipment a buyer cancels instead: a return request is refused.
    unshipped = await place(control, sid, [{"sku_id": order["line_items"][0]["sku_id"],
                                            "quantity": 1}])
    resp = await control.http.post(f"/_sandbox/shops/{sid}/orders/{unshipped['id']}/returns",
                                   json={"return_type": "REFUND"})
    assert resp.status_code == 400 and "cancellation" in resp.json()["error"]
    one = order["line_items"][0]["id"]
    made = await control("POST", f"/shops/{sid}/orders/{order['id']}/returns",
                         {"return_type": "REFUND", "line_item_ids": [one]})
    assert made["return_status"] == "RETURN_OR_REFUND_REQUEST_PENDING"
    assert made["seller_next_action_response"][0]["action"] == "SELLER_RESPOND_REFUND"
    assert made["refund_amount"]["refund_total"] == order["line_items"][0]["sale_price"]
    # The same line item cannot be asked for twice while open.
    again = await control.http.post(f"/_sandbox/shops/{sid}/orders/{order['id']}/returns",
                                    json={"return_type": "REFUND", "line_item_ids": [one]})
    assert again.status_code == 400
    rid = made["return_id"]
    # A decision for the other type is refused with the documented code.
    code, _ = await api.err("POST", f"{R}/returns/{rid}/approve", {"decision": "APPROVE_RETURN"})
    assert code == 25020004
    await api.ok("POST", f"{R}/returns/{rid}/approve", {"decision": "APPROVE_REFUND"},
                 query={"idempotency_key": "k-1"})
    # Replaying the same key is a success without a second transition.
    await api.ok("POST", f"{R}/returns/{rid}/approve", {"decision": "APPROVE_REFUND"},
                 query={"idempotency_key": "k-1"})
    code, _ = await api.err("POST", f"{R}/returns/{rid}/approve", {"decision": "APPROVE_REFUND"})
    assert code == 25011012
    await control("POST", f"/shops/{sid}/returns/{rid}/complete")
    found = await search(api, return_ids=[rid])
    assert found[0]["return_status"] == "RETURN_OR_REFUND_REQUEST_COMPLETE"
    assert await statuses(hooks, sid, rid) == [
        "RETURN_OR_REFUND_REQUEST_PENDING", "RETURN_OR_REFUND_REQUEST_SUCCESS",
        "RETURN_OR_REFUND_REQUEST_COMPLETE"]
    hook = next(b for _, _, b in delivered(hooks, sid, 12) if b["data"]["return_id"] == rid)
    assert set(hook["data"]) == {"order_id", "return_role", "return_type", "return_status",
                                 "return_id", "create_time", "update_time"}
    records = (await api.ok("GET", f"{R}/returns/{rid}/records"))["records"]
    assert [r["role"] for r in records] == ["BUYER", "SELLER", "SYSTEM"]
    code, _ = await api.err("POST", f"{R}/returns/{rid}/reject",
                            {"decision": "REJECT_REFUND", "reject_reason": "x"})
    assert code == 25020010


async def test_return_and_refund_with_package_and_reject(us: tuple[Api, dict[str, Any]],
                                                         control: Control) -> None:
    api, view = us
    sid = view["shop_id"]
    order = await shipped_order(api, control, sid)
    made = await control("POST", f"/shops/{sid}/orders/{order['id']}/returns",
                         {"return_type": "RETURN_AND_REFUND"})
    rid = made["return_id"]
    pay = order["payment"]
    assert Decimal(made["refund_amount"]["refund_total"]) == Decimal(pay["total_amount"])
    await api.ok("POST", f"{R}/returns/{rid}/approve", {"decision": "APPROVE_RETURN"})
    assert (await search(api, return_ids=[rid]))[0]["return_status"] == "AWAITING_BUYER_SHIP"
    code, _ = await api.err("POST", f"{R}/returns/{rid}/approve",
                            {"decision": "APPROVE_RECEIVED_PACKAGE"})
    assert code == 25011013
    await control("POST", f"/shops/{sid}/returns/{rid}/ship", {"tracking_number": "RT1"})
    reasons = (await api.ok("GET", f"{R}/reject_reasons",
                            query={"return_or_cancel_id": rid}))["reasons"]
    assert reasons and all(r["name"].startswith("seller_reject_receive") for r in reasons)
    code, _ = await api.err("POST", f"{R}/returns/{rid}/reject",
                            {"decision": "REJECT_RECEIVED_PACKAGE", "reject_reason": "made_up"})
    assert code == 25001014
    code, _ = await api.err("POST", f"{R}/returns/{rid}/reject",
                            {"decision": "REJECT_RECEIVED_PACKAGE"})
    assert code == 25001001
    await api.ok("POST", f"{R}/returns/{rid}/reject", {
        "decision": "REJECT_RECEIVED_PACKAGE", "reject_reason": reasons[0]["name"]})
    found = (await search(api, order_ids=[order["id"]]))[0]
    assert found["return_status"] == "REJECT_RECEIVE_PACKAGE"
    assert found["return_tracking_number"] == "RT1"


async def test_search_paging_filters_and_calculate(us: tuple[Api, dict[str, Any]],
                                                   control: Control) -> None:
    api, view = us
    sid = view["shop_id"]
    order = await shipped_order(api, control, sid, qty=3)
    ids = []
    for item in order["line_items"]:
        made = await control("POST", f"/shops/{sid}/orders/{order['id']}/returns",
                             {"return_type": "REFUND", "line_item_ids": [item["id"]]})
        ids.append(made["return_id"])
    await control("POST", f"/shops/{sid}/returns/{ids[0]}/cancel")
    code, _ = await api.err("POST", f"{R}/returns/search", {}, query={"page_size": "5"})
    assert code == 25001001  # "Valid range: [10-50]"
    everything = await search(api, order_ids=[order["id"]])
    assert [r["return_id"] for r in everything] == ids
    pending = await search(api, order_ids=[order["id"]],
                           return_status=["RETURN_OR_REFUND_REQUEST_PENDING"])
    assert [r["return_id"] for r in pending] == ids[1:]
    calc = await api.ok("POST", f"{R}/refunds/calculate", {
        "order_id": order["id"], "request_type": "CANCEL", "reason_name": "x"})
    assert calc["order_refund_amount"]["refund_total"] == order["payment"]["total_amount"]
    code, _ = await api.err("POST", f"{R}/refunds/calculate", {"order_id": order["id"]})
    assert code == 25001001


async def test_cancellation_reject_needs_a_listed_reason(us: tuple[Api, dict[str, Any]],
                                                         control: Control) -> None:
    api, view = us
    sid = view["shop_id"]
    sku = (await listed(api, control, sid, skus=1))["skus"][0]["id"]
    order = await place(control, sid, [{"sku_id": sku, "quantity": 1}])
    req = await control("POST", f"/shops/{sid}/orders/{order['id']}/cancel",
                        {"request_only": True})
    cid = req["cancel_id"]
    code, _ = await api.err("POST", f"{R}/cancellations/{cid}/reject", {})
    assert code == 25001001
    reasons = (await api.ok("GET", f"{R}/reject_reasons",
                            query={"return_or_cancel_id": cid}))["reasons"]
    await api.ok("POST", f"{R}/cancellations/{cid}/reject",
                 {"reject_reason": reasons[0]["name"]})
    found = await api.ok("POST", f"{R}/cancellations/search", {"cancel_ids": [cid]})
    assert found["cancellations"][0]["cancel_status"] == "CANCELLATION_REQUEST_CANCELLED"


async def test_returns_need_the_scope_and_take_faults(http: httpx.AsyncClient,
                                                      control: Control) -> None:
    api, view = await connect(http, control, "US", scopes=["seller.order.info"])
    code, _ = await api.err("POST", f"{R}/returns/search", {})
    assert code == 105005
    api, view = await connect(http, control, "GB")
    await control("PUT", f"/shops/{view['shop_id']}/faults",
                  {"error_rate": 1.0, "error_status": 503})
    resp = await api.call("POST", f"{R}/returns/search", {})
    assert resp.status_code == 503
    await control("DELETE", f"/shops/{view['shop_id']}/faults")
    assert await search(api) == []
