"""The orders search index lags behind writes (reference §9): a new order is not found by
`source_identifier:` until the lag has passed, a changed one is found by its old tags meanwhile,
and `order(id:)` reads the order at once. Bulk queries take time proportional to their size."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from .test_orders import ORDER_CREATE, _order_input, _stocked_variant

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import ShopClient

LAG = 1.0
FIND = """query($q: String!) { orders(first: 5, query: $q) { nodes { id } }
  ordersCount(query: $q) { count } }"""
TAGS_ADD = """mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) {
  node { id } userErrors { message } } }"""


@pytest.fixture
def lagging(http: httpx.Client) -> Iterator[None]:
    assert http.get("/_sandbox/settings").json()["search_lag_s"] == 0.0
    assert http.put("/_sandbox/settings", json={"search_lag_s": LAG}).status_code == 200
    yield
    http.put("/_sandbox/settings", json={"search_lag_s": 0})


def _found(shop: ShopClient, query: str) -> list[str]:
    data = shop.gql(FIND, {"q": query})["data"]
    ids = [n["id"] for n in data["orders"]["nodes"]]
    assert data["ordersCount"]["count"] == len(ids)
    return ids


def _wait_until_found(shop: ShopClient, query: str, started: float) -> tuple[list[str], float]:
    while time.monotonic() - started < 5 * LAG:
        ids = _found(shop, query)
        if ids:
            return ids, time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{query!r} never found")


def test_new_order_is_found_only_after_the_lag(seeded: ShopClient, lagging: None) -> None:
    variant, _, _ = _stocked_variant(seeded)
    source = uuid.uuid4().hex[:12]
    started = time.monotonic()
    order = seeded.gql(ORDER_CREATE, _order_input(variant, source))["data"]["orderCreate"]
    order_id = order["order"]["id"]
    assert _found(seeded, f"source_identifier:{source}") == []  # not indexed yet
    direct = seeded.gql("query($id: ID!) { order(id: $id) { id } }", {"id": order_id})
    assert direct["data"]["order"]["id"] == order_id  # reads by id are not search-backed
    ids, waited = _wait_until_found(seeded, f"source_identifier:{source}", started)
    assert ids == [order_id] and waited >= LAG * 0.9


def test_changed_order_is_found_by_old_values_meanwhile(seeded: ShopClient,
                                                        lagging: None) -> None:
    variant, _, _ = _stocked_variant(seeded)
    source = uuid.uuid4().hex[:12]
    order_id = seeded.gql(ORDER_CREATE, _order_input(variant, source))[
        "data"]["orderCreate"]["order"]["id"]
    _wait_until_found(seeded, f"source_identifier:{source}", time.monotonic())
    tag = f"synced-{source}"
    started = time.monotonic()
    assert seeded.gql(TAGS_ADD, {"id": order_id, "tags": [tag]})["data"]["tagsAdd"][
        "userErrors"] == []
    assert _found(seeded, f"tag:{tag}") == []
    assert _found(seeded, f"source_identifier:{source}") == [order_id]  # old version visible
    ids, waited = _wait_until_found(seeded, f"tag:{tag}", started)
    assert ids == [order_id] and waited >= LAG * 0.9


def test_lag_setting_is_validated(http: httpx.Client) -> None:
    assert http.put("/_sandbox/settings", json={"search_lag_s": -1}).status_code == 422
    assert http.put("/_sandbox/settings", json={"lag": 1}).status_code == 422
    assert http.put("/_sandbox/settings", json={"search_lag_s": "x"}).status_code == 422


def test_bulk_takes_time_proportional_to_size(seeded: ShopClient) -> None:
    """Bulk is RUNNING with a rising objectCount, then COMPLETED after objects / rate seconds."""
    from .conftest import BULK_RUN, BULK_STATUS

    rate = 100.0
    seeded.http.put("/_sandbox/settings", json={"bulk_objects_per_s": rate})
    try:
        started = time.monotonic()
        run = seeded.gql(BULK_RUN, {"query": "{ products { edges { node { id variants { edges "
                                             "{ node { id } } } } } } }"})
        op_id = run["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        seen: list[tuple[str, int]] = []
        while time.monotonic() - started < 20:
            op = seeded.gql(BULK_STATUS, {"id": op_id})["data"]["bulkOperation"]
            seen.append((op["status"], int(op["objectCount"])))
            if op["status"] == "COMPLETED":
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        seeded.http.put("/_sandbox/settings", json={"bulk_objects_per_s": 0})
    total = seen[-1][1]
    assert seen[-1][0] == "COMPLETED" and total > 20
    assert elapsed >= total / rate * 0.9
    running = [n for status, n in seen if status == "RUNNING"]
    assert any(0 < n < total for n in running)  # progress visible while running
