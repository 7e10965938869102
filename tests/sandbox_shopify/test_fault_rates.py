"""Fault injection at a rate, per path pattern and per GraphQL operation, with counters: the
seeded rates land within tolerance over N calls, the THROTTLED answer has Shopify's shape, and
duplicated / dropped / delayed webhooks are counted (the chaos report's `faults_injected`)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import Receiver, ShopClient

QUERY = "{ shop { name } }"
NAMED = "query ShopName { shop { name } }"
N = 200


def test_error_rate_within_tolerance_and_counted(shop: ShopClient) -> None:
    shop.control("PUT", "/faults", json={"seed": 7, "error_rate": 0.2})
    codes = [shop.gql_raw(QUERY).status_code for _ in range(N)]
    failed = sum(code >= 500 for code in codes)
    assert 0.12 * N <= failed <= 0.28 * N
    config = shop.control("GET", "/faults")
    assert config["faults_injected"] == {"error": failed}
    shop.control("DELETE", "/faults")  # the counts outlive the configuration
    assert shop.control("GET", "/faults")["faults_injected"] == {"error": failed}
    total = shop.http.get("/_sandbox/faults/injected").json()
    assert total["by_shop"][shop.domain] == {"error": failed}


def test_throttled_graphql_error(shop: ShopClient) -> None:
    shop.control("PUT", "/faults", json={"throttled_rate": 1.0, "retry_after_s": 0.5})
    response = shop.gql_raw(QUERY)
    assert response.status_code == 200
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    cost = body["extensions"]["cost"]
    wait = (cost["requestedQueryCost"] - cost["throttleStatus"]["currentlyAvailable"]) \
        / cost["throttleStatus"]["restoreRate"]
    assert wait == 0.5
    shop.control("DELETE", "/faults")


def test_faults_per_operation_and_path(shop: ShopClient) -> None:
    shop.control("PUT", "/faults", json={"error_rate": 1.0, "operations": ["ShopName"]})
    assert shop.gql_raw(QUERY).status_code == 200  # another operation
    assert shop.gql_raw(NAMED).status_code >= 500
    shop.control("PUT", "/faults", json={"error_rate": 1.0, "paths": ["/store/*/admin/oauth/*"]})
    assert shop.gql_raw(NAMED).status_code == 200  # the pattern names OAuth only
    shop.control("PUT", "/faults", json={"error_rate": 1.0,
                                         "paths": ["/store/*/admin/api/*/graphql.json"]})
    assert shop.gql_raw(NAMED).status_code >= 500
    shop.control("DELETE", "/faults")


def test_webhook_duplicates_drops_and_delays_are_counted(seeded: ShopClient,
                                                         receiver: Receiver) -> None:
    name = f"r-{uuid.uuid4().hex[:6]}"
    seeded.control("POST", "/webhooks", json={"topic": "inventory_levels/update",
                                              "uri": receiver.endpoint(name)})
    seeded.control("PUT", "/faults", json={
        "seed": 11, "webhook_duplicate_rate": 0.3, "webhook_drop_rate": 0.2,
        "webhook_delay_rate": 0.2, "webhook_delay_s": 0.2})
    level = seeded.control("GET", "/inventory")["inventory_levels"][0]
    events = 40
    for _ in range(events):
        seeded.control("POST", "/inventory/adjust", json={
            "inventory_item_id": level["inventory_item_id"],
            "location_id": level["location_id"], "delta": 1})
    seeded.flush()
    counts = seeded.control("GET", "/faults")["faults_injected"]
    assert counts["webhook_drop"] > 0 and counts["webhook_duplicate"] > 0
    assert counts["webhook_delay"] > 0
    got = receiver.deliveries(name)
    assert len(got) == events - counts["webhook_drop"] + counts["webhook_duplicate"]
    ids = [h["headers"]["x-shopify-webhook-id"] for h in got]
    assert len(set(ids)) == events - counts["webhook_drop"]
    seeded.control("DELETE", "/faults")
