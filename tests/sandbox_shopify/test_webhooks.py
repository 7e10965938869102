"""Webhook delivery: every header, the HMAC over the raw body, retries with the same ids,
subscription management, TOML-style and compliance topics, delivery faults."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import uuid
from typing import TYPE_CHECKING, Any

from ecomsend.sandbox.shopify.webhooks import retry_delays

from .conftest import WEBHOOK_TIME_SCALE

#: The credentials the session sandbox was created with (conftest.py).
API_KEY = "test-key"
API_SECRET = "test-secret-long-enough-for-hs256-keys"

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import Receiver, ShopClient

SUBSCRIBE = """mutation($t: WebhookSubscriptionTopic!, $u: String!) {
  webhookSubscriptionCreate(topic: $t, webhookSubscription: {uri: $u, format: JSON}) {
    webhookSubscription { id topic uri format } userErrors { field message } } }"""
HEADERS = ("x-shopify-topic", "x-shopify-hmac-sha256", "x-shopify-shop-domain",
           "x-shopify-api-version", "x-shopify-webhook-id", "x-shopify-event-id",
           "x-shopify-triggered-at")


def _subscribe(shop: ShopClient, topic: str, uri: str) -> dict[str, Any]:
    body = shop.gql(SUBSCRIBE, {"t": topic, "u": uri})["data"]["webhookSubscriptionCreate"]
    assert body["userErrors"] == [], body
    return body["webhookSubscription"]  # type: ignore[no-any-return]


def _first_product(shop: ShopClient) -> dict[str, Any]:
    products = shop.control("GET", "/products", params={"limit": 1})["products"]
    return products[0]  # type: ignore[no-any-return]


def test_headers_and_hmac(seeded: ShopClient, receiver: Receiver) -> None:
    name = f"h-{uuid.uuid4().hex[:6]}"
    _subscribe(seeded, "PRODUCTS_UPDATE", receiver.endpoint(name))
    product = _first_product(seeded)
    seeded.control("PATCH", f"/products/{product['id']}", json={"title": "Renamed ✨"})
    hook = receiver.wait_for(name, 1)[0]
    headers = hook["headers"]
    assert all(h in headers for h in HEADERS), headers
    assert headers["x-shopify-topic"] == "products/update"
    assert headers["x-shopify-shop-domain"] == seeded.domain
    assert headers["x-shopify-api-version"] == "2026-07"
    expected = base64.b64encode(hmac.new(API_SECRET.encode(), hook["body"],
                                         hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(headers["x-shopify-hmac-sha256"], expected)
    body = json.loads(hook["body"])
    assert body["id"] == product["id"] and body["title"] == "Renamed ✨"
    assert body["admin_graphql_api_id"] == f"gid://shopify/Product/{product['id']}"


def test_retries_keep_ids_and_body(seeded: ShopClient, receiver: Receiver) -> None:
    name = f"r-{uuid.uuid4().hex[:6]}"
    receiver.fail[name] = 2
    _subscribe(seeded, "PRODUCTS_UPDATE", receiver.endpoint(name))
    product = _first_product(seeded)
    seeded.control("PATCH", f"/products/{product['id']}", json={"vendor": "Retry Co"})
    hooks = receiver.wait_for(name, 3)
    assert len({h["headers"]["x-shopify-webhook-id"] for h in hooks}) == 1
    assert len({h["headers"]["x-shopify-triggered-at"] for h in hooks}) == 1
    assert len({h["body"] for h in hooks}) == 1
    seeded.flush()
    log = seeded.control("GET", "/webhooks/deliveries", params={"topic": "products/update"})
    attempts = [d for d in log["deliveries"] if d["uri"] == receiver.endpoint(name)]
    assert [d["status_code"] for d in attempts] == [500, 500, 200]
    assert [d["attempt"] for d in attempts] == [1, 2, 3]


def test_subscription_list_and_delete(shop: ShopClient, receiver: Receiver) -> None:
    sub = _subscribe(shop, "ORDERS_CREATE", receiver.endpoint("x"))
    dup = shop.gql(SUBSCRIBE, {"t": "ORDERS_CREATE", "u": receiver.endpoint("x")})
    assert dup["data"]["webhookSubscriptionCreate"]["userErrors"]
    listed = shop.gql("{ webhookSubscriptions(first: 10) { nodes { id topic uri } } }")
    assert listed["data"]["webhookSubscriptions"]["nodes"] == [
        {"id": sub["id"], "topic": "ORDERS_CREATE", "uri": receiver.endpoint("x")}]
    deleted = shop.gql("mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { "
                       "deletedWebhookSubscriptionId userErrors { message } } }",
                       {"id": sub["id"]})
    assert deleted["data"]["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"] == \
        sub["id"]
    assert shop.gql("{ webhookSubscriptions(first: 10) { nodes { id } } }")[
        "data"]["webhookSubscriptions"]["nodes"] == []


def test_compliance_topics_and_uninstall(shop: ShopClient, receiver: Receiver) -> None:
    name = f"c-{uuid.uuid4().hex[:6]}"
    for topic in ("customers/redact", "customers/data_request", "shop/redact",
                  "app/uninstalled"):
        shop.control("POST", "/webhooks", json={"topic": topic, "uri": receiver.endpoint(name)})
    for topic in ("customers/redact", "customers/data_request", "shop/redact"):
        shop.control("POST", "/webhooks/trigger", json={"topic": topic})
    shop.control("POST", "/uninstall")
    hooks = receiver.wait_for(name, 4)
    topics = {h["headers"]["x-shopify-topic"]: json.loads(h["body"]) for h in hooks}
    assert topics["customers/redact"]["shop_domain"] == shop.domain
    assert "orders_requested" in topics["customers/data_request"]
    assert topics["app/uninstalled"]["myshopify_domain"] == shop.domain
    assert shop.gql_raw("{ shop { name } }").status_code == 401


def test_duplicate_and_dropped_delivery_faults(seeded: ShopClient, receiver: Receiver) -> None:
    name = f"d-{uuid.uuid4().hex[:6]}"
    _subscribe(seeded, "INVENTORY_LEVELS_UPDATE", receiver.endpoint(name))
    seeded.control("PUT", "/faults", json={"seed": 3, "webhook_duplicate_rate": 1.0})
    level = seeded.control("GET", "/inventory")["inventory_levels"][0]
    seeded.control("POST", "/inventory/set", json={
        "inventory_item_id": level["inventory_item_id"], "location_id": level["location_id"],
        "available": 42})
    hooks = receiver.wait_for(name, 2)
    assert hooks[0]["headers"]["x-shopify-webhook-id"] == \
        hooks[1]["headers"]["x-shopify-webhook-id"]
    assert json.loads(hooks[0]["body"])["available"] == 42
    seeded.control("PUT", "/faults", json={"webhook_drop_rate": 1.0})
    seeded.control("POST", "/inventory/adjust", json={
        "inventory_item_id": level["inventory_item_id"], "location_id": level["location_id"],
        "delta": 1})
    seeded.flush()
    assert len(receiver.deliveries(name)) == 2
    log = seeded.control("GET", "/webhooks/deliveries",
                         params={"topic": "inventory_levels/update"})["deliveries"]
    assert log[-1]["error"] == "dropped"


def test_out_of_order_delivery(seeded: ShopClient, receiver: Receiver) -> None:
    name = f"o-{uuid.uuid4().hex[:6]}"
    _subscribe(seeded, "INVENTORY_LEVELS_UPDATE", receiver.endpoint(name))
    level = seeded.control("GET", "/inventory")["inventory_levels"][0]
    target = {"inventory_item_id": level["inventory_item_id"],
              "location_id": level["location_id"]}
    seeded.control("PUT", "/faults", json={"webhook_reorder_rate": 1.0,
                                          "webhook_reorder_delay_s": 0.4})
    seeded.control("POST", "/inventory/set", json={**target, "available": 1})
    seeded.control("DELETE", "/faults")
    seeded.control("POST", "/inventory/set", json={**target, "available": 2})
    hooks = receiver.wait_for(name, 2)
    assert [json.loads(h["body"])["available"] for h in hooks] == [2, 1]


def test_api_subscription_deleted_when_one_delivery_fails_its_whole_series(
        seeded: ShopClient, receiver: Receiver) -> None:
    name = f"x-{uuid.uuid4().hex[:6]}"
    receiver.fail[name] = 100
    _subscribe(seeded, "PRODUCTS_UPDATE", receiver.endpoint(name))
    product = _first_product(seeded)
    seeded.control("PATCH", f"/products/{product['id']}", json={"title": "never lands"})
    seeded.flush()
    assert len(receiver.deliveries(name)) == 3  # the session sandbox's whole series
    listed = seeded.gql("{ webhookSubscriptions(first: 5) { nodes { id } } }")
    assert listed["data"]["webhookSubscriptions"]["nodes"] == []
    seeded.control("PATCH", f"/products/{product['id']}", json={"title": "nobody hears"})
    seeded.flush()
    assert len(receiver.deliveries(name)) == 3


def test_failures_spread_over_deliveries_keep_the_subscription(seeded: ShopClient,
                                                               receiver: Receiver) -> None:
    """Shopify counts a retry series per delivery: 6 deliveries that each fail twice and then
    land (12 failed attempts, 4 more than the old "8 consecutive failures" rule) keep the
    subscription."""
    name = f"s-{uuid.uuid4().hex[:6]}"
    receiver.fail_each[name] = 2
    sub = _subscribe(seeded, "PRODUCTS_UPDATE", receiver.endpoint(name))
    product = _first_product(seeded)
    for i in range(6):
        seeded.control("PATCH", f"/products/{product['id']}", json={"title": f"t{i}"})
    seeded.flush()
    hooks = receiver.deliveries(name)
    assert len(hooks) == 18
    assert len({h["headers"]["x-shopify-webhook-id"] for h in hooks}) == 6
    listed = seeded.gql("{ webhookSubscriptions(first: 5) { nodes { id } } }")
    assert listed["data"]["webhookSubscriptions"]["nodes"] == [{"id": sub["id"]}]


def test_retry_schedule_is_shopifys_four_hours_scaled(sandbox: Any) -> None:
    """8 retries doubling over 4 hours at time scale 1; the session sandbox's scale applied."""
    real = retry_delays(9, 1.0)
    assert len(real) == 8 and abs(sum(real) - 4 * 3600) < 1e-6
    assert all(b == 2 * a for a, b in itertools.pairwise(real))
    assert sandbox.dispatcher.delays_s == retry_delays(3, WEBHOOK_TIME_SCALE)
    assert abs(sandbox.dispatcher.delays_s[0] - 0.05) < 0.001


def test_uninstall_via_graphql_subscription(shop: ShopClient, receiver: Receiver) -> None:
    name = f"u-{uuid.uuid4().hex[:6]}"
    _subscribe(shop, "APP_UNINSTALLED", receiver.endpoint(name))
    shop.control("POST", "/uninstall")
    hook = receiver.wait_for(name, 1)[0]
    assert hook["headers"]["x-shopify-topic"] == "app/uninstalled"
    assert shop.control("GET", "/webhooks")["subscriptions"] == []


def test_merchant_catalog_edits_fire_webhooks(seeded: ShopClient, receiver: Receiver) -> None:
    name = f"m-{uuid.uuid4().hex[:6]}"
    for topic in ("PRODUCTS_UPDATE", "PRODUCTS_DELETE", "INVENTORY_ITEMS_CREATE",
                  "INVENTORY_ITEMS_DELETE", "INVENTORY_ITEMS_UPDATE"):
        _subscribe(seeded, topic, receiver.endpoint(name))
    products = seeded.control("GET", "/products", params={"limit": 50})["products"]
    product = next(p for p in products if p["options"])
    variant = seeded.control("POST", f"/products/{product['id']}/variants",
                             json={"sku": "NEW-1", "price": "9.5"})["variant"]
    seeded.control("PATCH", f"/variants/{variant['id']}", json={"price": "11", "sku": "NEW-2"})
    seeded.control("DELETE", f"/variants/{variant['id']}")
    seeded.control("PATCH", f"/products/{product['id']}", json={"status": "archived"})
    seeded.control("DELETE", f"/products/{product['id']}")
    seeded.flush()
    topics = [h["headers"]["x-shopify-topic"] for h in receiver.deliveries(name)]
    for topic in ("products/update", "products/delete", "inventory_items/create",
                  "inventory_items/update", "inventory_items/delete"):
        assert topic in topics, topics
    bodies = [json.loads(h["body"]) for h in receiver.deliveries(name)
              if h["headers"]["x-shopify-topic"] == "products/update"]
    assert any(v["price"] == "11.00" for b in bodies for v in b["variants"])
    assert bodies[-1]["status"] == "archived"
