"""refundCreate: the required @idempotent key, validation, restock per restockType, financial
status, Order.refunds, and the refunds/create webhook."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from .test_orders import (
    FULFILL,
    FULFILLMENT_ORDERS,
    ORDER_CREATE,
    _available,
    _order_input,
    _stocked_variant,
)

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import Receiver, ShopClient

REFUND = """mutation Refund($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id note totalRefundedSet { shopMoney { amount } }
             refundLineItems(first: 10) { nodes { quantity restockType restocked
                                                  lineItem { id } } } }
    order { id displayFinancialStatus }
    userErrors { field message } } }"""
NO_KEY = """mutation Refund($input: RefundInput!) {
  refundCreate(input: $input) { refund { id } userErrors { field message } } }"""
REFUNDS = """query($id: ID!) { order(id: $id) { displayFinancialStatus
  totalRefundedSet { shopMoney { amount } } refunds(first: 5) { id note } } }"""


def _refund_input(order: dict[str, Any], qty: int, restock: str, amount: str,
                  loc: str | None = None) -> dict[str, Any]:
    line = {"lineItemId": order["lineItems"]["nodes"][0]["id"], "quantity": qty,
            "restockType": restock}
    if loc:
        line["locationId"] = loc
    return {"orderId": order["id"], "note": "TikTok Shop return 1", "refundLineItems": [line],
            "transactions": [{"orderId": order["id"], "kind": "REFUND", "gateway": "TikTok Shop",
                              "amount": amount}]}


def _subscribe(shop: ShopClient, receiver: Receiver, topic: str, name: str) -> None:
    shop.gql("mutation($t: WebhookSubscriptionTopic!, $u: String!) { "
             "webhookSubscriptionCreate(topic: $t, webhookSubscription: {uri: $u}) "
             "{ userErrors { message } } }", {"t": topic, "u": receiver.endpoint(name)})


def test_refund_needs_a_key_and_is_made_once(seeded: ShopClient, receiver: Receiver) -> None:
    name = f"refunds-{uuid.uuid4().hex[:8]}"
    _subscribe(seeded, receiver, "REFUNDS_CREATE", name)
    variant, loc, before = _stocked_variant(seeded)
    order = seeded.gql(ORDER_CREATE, _order_input(variant, str(uuid.uuid4().int)[:18]))[
        "data"]["orderCreate"]["order"]
    refused = seeded.gql_raw(NO_KEY, {"input": _refund_input(order, 1, "CANCEL", "49.00")})
    assert "@idempotent" in json.dumps(refused.json()["errors"])
    # Unfulfilled units cannot be restocked as a RETURN; more than paid is refused.
    bad = seeded.gql(REFUND, {"input": _refund_input(order, 1, "RETURN", "49.00"), "key": "a"})
    assert bad["data"]["refundCreate"]["userErrors"][0]["field"][-1] == "restockType"
    too_much = seeded.gql(REFUND, {"input": _refund_input(order, 1, "CANCEL", "500.00"),
                                   "key": "b"})
    assert too_much["data"]["refundCreate"]["userErrors"][0]["field"] == ["transactions"]
    args = {"input": _refund_input(order, 1, "CANCEL", "49.00", loc), "key": "refund-1"}
    first = seeded.gql(REFUND, args)["data"]["refundCreate"]
    assert first["userErrors"] == []
    assert first["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert first["refund"]["refundLineItems"]["nodes"][0]["restocked"] is True
    assert _available(seeded, variant, loc) == before - 1  # 2 taken, 1 given back
    again = seeded.gql(REFUND, args)["data"]["refundCreate"]
    assert again["refund"]["id"] == first["refund"]["id"]
    changed = seeded.gql(REFUND, {**args, "input": _refund_input(order, 1, "NO_RESTOCK",
                                                                 "49.00")})
    assert "different" in changed["data"]["refundCreate"]["userErrors"][0]["message"]
    listed = seeded.gql(REFUNDS, {"id": order["id"]})["data"]["order"]
    assert [r["id"] for r in listed["refunds"]] == [first["refund"]["id"]]
    assert listed["totalRefundedSet"]["shopMoney"]["amount"] == "49.00"
    assert _available(seeded, variant, loc) == before - 1
    hooks = receiver.wait_for(name, 1)
    body = json.loads(hooks[0]["body"])
    assert body["note"] == "TikTok Shop return 1" and body["restock"] is True
    assert body["refund_line_items"][0]["restock_type"] == "cancel"
    assert body["transactions"][0]["kind"] == "refund"
    assert body["order_id"] == int(order["id"].rsplit("/", 1)[1])
    # The last unit: fulfilled first, so it can be restocked as a return.
    fo = seeded.gql(FULFILLMENT_ORDERS, {"id": order["id"]})["data"]["order"][
        "fulfillmentOrders"]["nodes"][0]
    seeded.gql(FULFILL, {"fulfillment": {"lineItemsByFulfillmentOrder": [{
        "fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": [
            {"id": fo["lineItems"]["nodes"][0]["id"], "quantity": 1}]}]}})
    last = seeded.gql(REFUND, {"input": _refund_input(order, 1, "RETURN", "49.00"),
                               "key": "refund-2"})["data"]["refundCreate"]
    assert last["userErrors"] == [] and last["order"]["displayFinancialStatus"] == "REFUNDED"
    over = seeded.gql(REFUND, {"input": _refund_input(order, 1, "NO_RESTOCK", "1.00"),
                               "key": "refund-3"})["data"]["refundCreate"]
    assert over["userErrors"][0]["field"][-1] == "quantity"
