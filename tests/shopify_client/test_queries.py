"""Every GraphQL document validates against Shopify's real 2026-07 schema, and so do the
variables each client method sends (captured over a mock transport)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from graphql import FieldNode, GraphQLSchema, OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values

from ecomsend.integrations.shopify import ShopifyClient
from ecomsend.integrations.shopify.bulk import render_catalog_query
from ecomsend.integrations.shopify.models import InventoryQuantity, TrackingInfo
from ecomsend.integrations.shopify.queries import load_query, query_names
from ecomsend.ratelimit import InProcessRateLimiter

from .fakes import cost_ext

BULK_DOCUMENTS = ("BulkCatalogProducts", "BulkCatalogCollections", "BulkInventoryLevels")
PRODUCT = {"id": "gid://shopify/Product/1", "title": "T", "status": "ACTIVE", "tags": [],
           "options": [], "media": {"nodes": []}, "collections": {"nodes": []},
           "variants": {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}
ORDER = {"id": "gid://shopify/Order/1", "name": "#1001", "tags": ["TikTok"],
         "sourceIdentifier": "576", "customAttributes": [], "lineItems": {"nodes": []},
         "fulfillmentOrders": {"nodes": []}, "fulfillments": []}
FULFILLMENT = {"id": "gid://shopify/Fulfillment/1", "status": "SUCCESS", "trackingInfo": [],
               "fulfillmentLineItems": {"nodes": []}}
PAGE = {"hasNextPage": False, "endCursor": None}
CANNED: dict[str, dict[str, Any]] = {
    "ShopInfo": {"shop": {"id": "gid://shopify/Shop/1", "name": "A", "myshopifyDomain": "a",
                          "currencyCode": "USD"}},
    "Locations": {"locations": {"nodes": [], "pageInfo": PAGE}},
    "ProductsPage": {"products": {"nodes": [PRODUCT], "pageInfo": PAGE}},
    "Product": {"product": PRODUCT},
    "VariantsByIds": {"nodes": [None]},
    "InventoryItemLevels": {"inventoryItem": {"id": "gid://shopify/InventoryItem/1",
                                              "tracked": True,
                                              "inventoryLevels": {"nodes": [], "pageInfo": PAGE}}},
    "InventorySetQuantities": {"inventorySetQuantities": {"inventoryAdjustmentGroup": None,
                                                          "userErrors": []}},
    "BulkOperationRunQuery": {"bulkOperationRunQuery": {
        "bulkOperation": {"id": "gid://shopify/BulkOperation/1", "status": "CREATED"},
        "userErrors": []}},
    "BulkOperation": {"bulkOperation": {"id": "gid://shopify/BulkOperation/1",
                                        "status": "RUNNING"}},
    "OrderCreate": {"orderCreate": {"order": ORDER, "userErrors": []}},
    "OrdersSearch": {"orders": {"nodes": []}},
    "Order": {"order": ORDER},
    "OrderCancel": {"orderCancel": {"job": {"id": "gid://shopify/Job/1"},
                                    "orderCancelUserErrors": []}},
    "FulfillmentCreate": {"fulfillmentCreate": {"fulfillment": FULFILLMENT, "userErrors": []}},
    "FulfillmentTrackingInfoUpdate": {"fulfillmentTrackingInfoUpdate": {
        "fulfillment": FULFILLMENT, "userErrors": []}},
    "WebhookSubscriptionCreate": {"webhookSubscriptionCreate": {"webhookSubscription": {
        "id": "gid://shopify/WebhookSubscription/1", "topic": "PRODUCTS_UPDATE"},
        "userErrors": []}},
    "WebhookSubscriptions": {"webhookSubscriptions": {"nodes": [], "pageInfo": PAGE}},
    "WebhookSubscriptionDelete": {"webhookSubscriptionDelete": {
        "deletedWebhookSubscriptionId": "gid://shopify/WebhookSubscription/1", "userErrors": []}},
}


@pytest.mark.parametrize("name", query_names())
def test_document_is_valid_for_2026_07(admin_schema: GraphQLSchema, name: str) -> None:
    errors = validate(admin_schema, parse(load_query(name)))
    assert errors == [], [e.message for e in errors]


def _connections(selection_set: Any, depth: int = 1) -> list[int]:
    """Nesting depth of every connection field (one with `edges`) in a bulk query; the root
    connection is depth 1 (Shopify: "nesting depth greater than 2" is refused)."""
    found: list[int] = []
    for sel in selection_set.selections if selection_set else ():
        inner = getattr(sel, "selection_set", None)
        is_conn = isinstance(sel, FieldNode) and inner is not None and any(
            isinstance(s, FieldNode) and s.name.value == "edges" for s in inner.selections)
        found += [depth] if is_conn else []
        found += _connections(inner, depth + (1 if is_conn else 0))
    return found


@pytest.mark.parametrize("name", BULK_DOCUMENTS)
def test_bulk_queries_respect_bulk_limits(name: str) -> None:
    """Reference §6: ≤ 5 connections, ≤ 2 levels of nesting (products > variants is 2;
    products > variants > inventoryLevels would be 3), no top-level node(s)."""
    op = parse(load_query(name)).definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    depths = _connections(op.selection_set)
    assert 1 <= len(depths) <= 5 and max(depths) <= 2
    assert all(s.name.value not in ("node", "nodes") for s in op.selection_set.selections
               if isinstance(s, FieldNode))


def test_rendered_catalog_query_is_valid(admin_schema: GraphQLSchema) -> None:
    """The per-shop rendering of BulkCatalogProducts (one inline level per location)."""
    locations = [f"gid://shopify/Location/{i}" for i in (11, 12, 13)]
    query, aliases = render_catalog_query(locations)
    assert validate(admin_schema, parse(query)) == []
    assert aliases == {"level0": locations[0], "level1": locations[1], "level2": locations[2]}
    assert query.count("inventoryLevel(locationId:") == 3 and '"gid://shopify/Location/13"' in query
    empty, none = render_catalog_query([])
    assert validate(admin_schema, parse(empty)) == [] and none == {}
    assert "inventoryLevel(" not in empty
    evil = 'gid://shopify/Location/1") { id } x: shop("'
    tricky, _ = render_catalog_query([evil])  # stays one string literal, nothing injected
    assert validate(admin_schema, parse(tricky)) == [] and json.dumps(evil) in tricky


async def _exercise(client: ShopifyClient) -> None:
    await client.shop_info()
    await client.locations()
    await client.products_page("status:active", after="abc")
    await client.product("gid://shopify/Product/1")
    await client.variants(["gid://shopify/ProductVariant/1"])
    await client.inventory_item("gid://shopify/InventoryItem/1")
    await client.set_inventory([InventoryQuantity("gid://shopify/InventoryItem/1",
                                                  "gid://shopify/Location/1", 5, None)],
                               idempotency_key="k1", reference_document_uri="gid://ecomsend/X/1")
    await client.run_bulk_query(load_query("BulkCatalogProducts"))
    await client.bulk_operation("gid://shopify/BulkOperation/1")
    await client.create_order({
        "currency": "USD", "sourceName": "tiktok", "sourceIdentifier": "576", "tags": ["TikTok"],
        "customAttributes": [{"key": "tiktok_order_id", "value": "576"}],
        "lineItems": [{"variantId": "gid://shopify/ProductVariant/1", "quantity": 1,
                       "requiresShipping": True}]})
    await client.find_order_by_source_identifier("576")
    await client.find_orders_by_tag("TikTok Shop")
    await client.order("gid://shopify/Order/1")
    await client.cancel_order("gid://shopify/Order/1", reason="CUSTOMER")
    await client.create_fulfillment({"gid://shopify/FulfillmentOrder/1": [
        ("gid://shopify/FulfillmentOrderLineItem/1", 1)]}, TrackingInfo("UPS", "1Z", "https://u"))
    await client.update_tracking("gid://shopify/Fulfillment/1", TrackingInfo("USPS", "9400"))
    await client.create_webhook_subscription("PRODUCTS_UPDATE", "https://app/webhooks",
                                             include_fields=["id"], filter="status:active")
    await client.webhook_subscriptions()
    await client.delete_webhook_subscription("gid://shopify/WebhookSubscription/1")


async def test_every_method_sends_valid_query_and_variables(admin_schema: GraphQLSchema) -> None:
    sent: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        return httpx.Response(200, json={"data": CANNED[body["operationName"]],
                                         "extensions": cost_ext()})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    client = ShopifyClient("a.myshopify.com", "tok", limiter=InProcessRateLimiter(), http=http)
    await _exercise(client)
    await http.aclose()
    used = {b["operationName"] for b in sent}
    assert used == set(CANNED), set(CANNED) - used
    for body in sent:
        doc = parse(body["query"])
        assert validate(admin_schema, doc) == []
        op = doc.definitions[0]
        assert isinstance(op, OperationDefinitionNode)
        coerced = get_variable_values(admin_schema, op.variable_definitions or [],
                                      body["variables"])
        assert not isinstance(coerced, list), (body["operationName"],
                                               [e.message for e in coerced])
    inv = next(b for b in sent if b["operationName"] == "InventorySetQuantities")
    # reference §0.2: changeFromQuantity sent explicitly, even as null; idempotency key given.
    assert inv["variables"]["input"]["quantities"][0]["changeFromQuantity"] is None
    assert inv["variables"]["key"] == "k1" and "@idempotent(key: $key)" in inv["query"]
    order = next(b for b in sent if b["operationName"] == "OrderCreate")
    assert order["variables"]["options"]["inventoryBehaviour"] == "DECREMENT_OBEYING_POLICY"
    search = [b["variables"]["query"] for b in sent if b["operationName"] == "OrdersSearch"]
    assert search == ['source_identifier:"576"', 'tag:"TikTok Shop"']
