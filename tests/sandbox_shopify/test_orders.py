"""orderCreate (inventoryBehaviour, tags, source identifier, custom attributes), order search,
fulfillment orders, fulfillmentCreate with tracking, tracking updates, orderCancel + restock."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import Receiver, ShopClient

ORDER_CREATE = """mutation OrderCreate($order: OrderCreateOrderInput!,
    $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name sourceName sourceIdentifier tags displayFinancialStatus
            displayFulfillmentStatus customAttributes { key value }
            lineItems(first: 50) { nodes { id sku quantity variant { id } } } }
    userErrors { field message code } } }"""
# first: 5 x lineItems(first: 50): the shared example's 20 x 100 costs over 1000 points.
FULFILLMENT_ORDERS = """query($id: ID!) { order(id: $id) { displayFulfillmentStatus
  fulfillmentOrders(first: 5) { nodes { id status assignedLocation { location { id } }
    supportedActions { action }
    lineItems(first: 50) { nodes { id remainingQuantity totalQuantity sku
      lineItem { id } } } } } } }"""
FULFILL = """mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo { company number url } }
    userErrors { field message } } }"""


def _stocked_variant(shop: ShopClient) -> tuple[str, str, int]:
    """(variant GID, location GID, available) for a DENY variant with stock >= 2."""
    for p in shop.control("GET", "/products", params={"limit": 50})["products"]:
        for v in p["variants"]:
            if v["inventory_policy"] != "deny":
                continue
            rows = shop.control("GET", "/inventory", params={
                "inventory_item_id": v["inventory_item_id"]})["inventory_levels"]
            for row in rows:
                if row["available"] >= 2:
                    return (v["admin_graphql_api_id"],
                            f"gid://shopify/Location/{row['location_id']}", row["available"])
    raise AssertionError("no stocked variant")


def _order_input(variant: str, tiktok_id: str, quantity: int = 2) -> dict[str, Any]:
    return {"order": {
        "currency": "USD", "email": "buyer@example.com", "sourceName": "tiktok",
        "sourceIdentifier": tiktok_id, "tags": ["TikTok Shop", f"tiktok-{tiktok_id}"],
        "customAttributes": [{"key": "tiktok_order_id", "value": tiktok_id}],
        "shippingAddress": {"firstName": "Jane", "lastName": "Doe", "address1": "1 Main St",
                            "city": "Austin", "provinceCode": "TX", "countryCode": "US",
                            "zip": "78701"},
        "lineItems": [{"variantId": variant, "quantity": quantity, "requiresShipping": True,
                       "priceSet": {"shopMoney": {"amount": "49.00", "currencyCode": "USD"}}}],
        "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": "TikTok Shop",
                          "amountSet": {"shopMoney": {"amount": "98.00",
                                                      "currencyCode": "USD"}}}]},
        "options": {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"}}


def _available(shop: ShopClient, variant: str, loc: str) -> int:
    vid = variant.rsplit("/", 1)[1]
    for p in shop.control("GET", "/products", params={"limit": 50})["products"]:
        for v in p["variants"]:
            if str(v["id"]) == vid:
                rows = shop.control("GET", "/inventory", params={
                    "inventory_item_id": v["inventory_item_id"], "location_id": loc})
                return int(rows["inventory_levels"][0]["available"])
    raise AssertionError("variant not found")


def test_order_create_decrements_and_is_findable(seeded: ShopClient) -> None:
    variant, loc, before = _stocked_variant(seeded)
    tiktok_id = str(uuid.uuid4().int)[:18]
    body = seeded.gql(ORDER_CREATE, _order_input(variant, tiktok_id))
    order = body["data"]["orderCreate"]["order"]
    assert body["data"]["orderCreate"]["userErrors"] == []
    assert order["sourceIdentifier"] == tiktok_id and order["sourceName"] == "tiktok"
    assert order["displayFinancialStatus"] == "PAID"
    assert order["displayFulfillmentStatus"] == "UNFULFILLED"
    assert order["customAttributes"] == [{"key": "tiktok_order_id", "value": tiktok_id}]
    assert _available(seeded, variant, loc) == before - 2
    for query in (f"source_identifier:{tiktok_id}", f"tag:tiktok-{tiktok_id}",
                  f"tag:'tiktok-{tiktok_id}' source_name:tiktok"):
        found = seeded.gql("query($q: String!) { orders(first: 1, query: $q) { nodes { id } } }",
                           {"q": query})
        assert found["data"]["orders"]["nodes"] == [{"id": order["id"]}], query
    none = seeded.gql('{ orders(first: 1, query: "source_identifier:nope") { nodes { id } } }')
    assert none["data"]["orders"]["nodes"] == []


def test_bypass_is_default_and_claim_can_fail(seeded: ShopClient) -> None:
    variant, loc, before = _stocked_variant(seeded)
    variables = _order_input(variant, "1")
    variables.pop("options")
    seeded.gql(ORDER_CREATE, variables)
    assert _available(seeded, variant, loc) == before  # BYPASS: nothing claimed
    greedy = _order_input(variant, "2", quantity=10_000)
    errors = seeded.gql(ORDER_CREATE, greedy)["data"]["orderCreate"]["userErrors"]
    assert errors[0]["code"] == "INVENTORY_CLAIM_FAILED"


def test_fulfill_with_tracking_update_and_webhooks(seeded: ShopClient,
                                                   receiver: Receiver) -> None:
    name = f"ful-{uuid.uuid4().hex[:6]}"
    for topic in ("FULFILLMENTS_CREATE", "FULFILLMENTS_UPDATE", "ORDERS_FULFILLED"):
        seeded.gql("mutation($t: WebhookSubscriptionTopic!, $u: String!) { "
                   "webhookSubscriptionCreate(topic: $t, webhookSubscription: {uri: $u}) "
                   "{ userErrors { message } } }", {"t": topic, "u": receiver.endpoint(name)})
    variant, _, _ = _stocked_variant(seeded)
    order = seeded.gql(ORDER_CREATE, _order_input(variant, "77"))["data"]["orderCreate"]["order"]
    fos = seeded.gql(FULFILLMENT_ORDERS, {"id": order["id"]})["data"]["order"]
    fo = fos["fulfillmentOrders"]["nodes"][0]
    assert fo["status"] == "OPEN" and fo["lineItems"]["nodes"][0]["remainingQuantity"] == 2
    assert {"action": "CREATE_FULFILLMENT"} in fo["supportedActions"]
    too_many = seeded.gql(FULFILL, {"fulfillment": {"lineItemsByFulfillmentOrder": [{
        "fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": [
            {"id": fo["lineItems"]["nodes"][0]["id"], "quantity": 3}]}]}})
    assert too_many["data"]["fulfillmentCreate"]["userErrors"]
    created = seeded.gql(FULFILL, {"fulfillment": {
        "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}],
        "trackingInfo": {"company": "UPS", "number": "1Z001985YW99744790",
                         "url": "https://www.ups.com/track?tracknum=1Z001985YW99744790"},
        "notifyCustomer": False}})["data"]["fulfillmentCreate"]
    assert created["userErrors"] == []
    assert created["fulfillment"]["trackingInfo"] == [{
        "company": "UPS", "number": "1Z001985YW99744790",
        "url": "https://www.ups.com/track?tracknum=1Z001985YW99744790"}]
    again = seeded.gql(FULFILL, {"fulfillment": {
        "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}})
    assert again["data"]["fulfillmentCreate"]["userErrors"]  # FO is closed now
    update = seeded.gql("""mutation($id: ID!, $t: FulfillmentTrackingInput!) {
        fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $t,
          notifyCustomer: false) {
        fulfillment { trackingInfo { company number } } userErrors { field message } } }""",
                        {"id": created["fulfillment"]["id"],
                         "t": {"company": "USPS", "number": "9400100000000000000000"}})
    assert update["data"]["fulfillmentTrackingInfoUpdate"]["fulfillment"]["trackingInfo"] == [
        {"company": "USPS", "number": "9400100000000000000000"}]
    tracking = seeded.gql("""query($id: ID!) { order(id: $id) { displayFulfillmentStatus
        fulfillments(first: 5) { status trackingInfo(first: 5) { company number }
        fulfillmentLineItems(first: 10) { nodes { quantity lineItem { sku } } } } } }""",
                          {"id": order["id"]})["data"]["order"]
    assert tracking["displayFulfillmentStatus"] == "FULFILLED"
    assert tracking["fulfillments"][0]["trackingInfo"][0]["company"] == "USPS"
    hooks = receiver.wait_for(name, 3)
    by_topic = {h["headers"]["x-shopify-topic"]: json.loads(h["body"]) for h in hooks}
    assert by_topic["fulfillments/create"]["tracking_number"] == "1Z001985YW99744790"
    assert by_topic["fulfillments/create"]["tracking_company"] == "UPS"
    assert by_topic["orders/fulfilled"]["fulfillment_status"] == "fulfilled"
    assert by_topic["fulfillments/update"]["tracking_company"] == "USPS"


def test_cancel_with_restock(seeded: ShopClient) -> None:
    variant, loc, before = _stocked_variant(seeded)
    order = seeded.gql(ORDER_CREATE, _order_input(variant, "99"))["data"]["orderCreate"]["order"]
    assert _available(seeded, variant, loc) == before - 2
    cancel = """mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, restock: true,
        refund: false, notifyCustomer: false) { job { id done } orderCancelUserErrors {
        field message code } } }"""
    body = seeded.gql(cancel, {"id": order["id"]})["data"]["orderCancel"]
    assert body["orderCancelUserErrors"] == [] and body["job"]["done"] is True
    assert _available(seeded, variant, loc) == before
    rest = seeded.control("GET", f"/orders/{order['id']}")["order"]
    assert rest["cancel_reason"] == "customer" and rest["cancelled_at"]
    twice = seeded.gql(cancel, {"id": order["id"]})["data"]["orderCancel"]
    assert twice["orderCancelUserErrors"][0]["code"] == "INVALID"


def test_merchant_fulfil_and_cancel_via_control(seeded: ShopClient) -> None:
    variant, _, _ = _stocked_variant(seeded)
    placed = seeded.control("POST", "/orders", json={
        "line_items": [{"variant_id": variant, "quantity": 1}]})["order"]
    f = seeded.control("POST", f"/orders/{placed['id']}/fulfill",
                       json={"tracking": {"number": "LX1", "company": "DHL Express"}})
    assert f["fulfillment"]["tracking_company"] == "DHL Express"
    upd = seeded.control("POST", f"/fulfillments/{f['fulfillment']['id']}/tracking",
                         json={"number": "LX2", "company": "DHL Express"})
    assert upd["fulfillment"]["tracking_number"] == "LX2"
    other = seeded.control("POST", "/orders", json={
        "line_items": [{"variant_id": variant, "quantity": 1}]})["order"]
    cancelled = seeded.control("POST", f"/orders/{other['id']}/cancel", json={"restock": True})
    assert cancelled["order"]["cancelled_at"]
    orders = seeded.control("GET", "/orders")["orders"]
    assert {o["id"] for o in orders} >= {placed["id"], other["id"]}


def test_order_update_and_tags(seeded: ShopClient) -> None:
    variant, _, _ = _stocked_variant(seeded)
    order = seeded.gql(ORDER_CREATE, _order_input(variant, "55"))["data"]["orderCreate"]["order"]
    updated = seeded.gql("""mutation($input: OrderInput!) { orderUpdate(input: $input) {
        order { note tags } userErrors { field message } } }""",
                         {"input": {"id": order["id"], "note": "synced", "tags": ["a", "b"]}})
    assert updated["data"]["orderUpdate"]["order"] == {"note": "synced", "tags": ["a", "b"]}
    added = seeded.gql("""mutation($id: ID!) { tagsAdd(id: $id, tags: ["c, d"]) {
        node { ... on Order { tags } } userErrors { message } } }""", {"id": order["id"]})
    assert added["data"]["tagsAdd"]["node"]["tags"] == ["a", "b", "c", "d"]
    found = seeded.gql('{ orders(first: 5, query: "tag:d") { nodes { id } } }')
    assert found["data"]["orders"]["nodes"] == [{"id": order["id"]}]


def test_scopes_are_enforced(shop_factory: Any) -> None:
    limited = shop_factory(scopes="read_products")
    assert "errors" not in limited.gql("{ products(first: 1) { nodes { id } } }")
    denied = limited.gql("{ orders(first: 1) { nodes { id } } }")
    assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert denied["errors"][0]["message"] == "Access denied for orders field."
    assert denied["errors"][0]["path"] == ["orders"]


def test_mark_as_paid(seeded: ShopClient) -> None:
    variant, _, _ = _stocked_variant(seeded)
    variables = _order_input(variant, "pending-1")
    variables["order"].pop("transactions")
    order = seeded.gql(ORDER_CREATE, variables)["data"]["orderCreate"]["order"]
    assert order["displayFinancialStatus"] == "PENDING"
    paid = seeded.gql("""mutation($id: ID!) { orderMarkAsPaid(input: {id: $id}) {
        order { displayFinancialStatus } userErrors { field message } } }""", {"id": order["id"]})
    assert paid["data"]["orderMarkAsPaid"]["order"] == {"displayFinancialStatus": "PAID"}


CUSTOMER_ORDER = """mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) {
  order { id customer { id email firstName lastName } } userErrors { field message code } } }"""


def test_customer_upsert_matches_by_email_and_associate_needs_an_existing_id(
        seeded: ShopClient) -> None:
    variant, _, _ = _stocked_variant(seeded)

    def order(customer: dict[str, Any]) -> dict[str, Any]:
        body = {"currency": "USD", "customer": customer, "lineItems": [
            {"variantId": variant, "quantity": 1,
             "priceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}}}]}
        return seeded.gql(CUSTOMER_ORDER, {"order": body})["data"]["orderCreate"]

    first = order({"toUpsert": {"email": "ann@example.com", "firstName": "Ann"}})
    again = order({"toUpsert": {"email": "ANN@example.com", "lastName": "Lee"}})
    other = order({"toUpsert": {"email": "bo@example.com"}})
    ann = first["order"]["customer"]
    assert again["order"]["customer"]["id"] == ann["id"]
    assert (again["order"]["customer"]["firstName"], again["order"]["customer"]["lastName"]) == (
        "Ann", "Lee")
    assert other["order"]["customer"]["id"] != ann["id"]
    associated = order({"toAssociate": {"id": ann["id"]}})
    assert associated["order"]["customer"]["id"] == ann["id"]
    missing = order({"toAssociate": {"id": "gid://shopify/Customer/999999999"}})
    assert missing["order"] is None
    assert missing["userErrors"][0]["field"] == ["order", "customer", "toAssociate", "id"]
