"""Shopify's unkind edges: scopes on node/nodes and bulk queries, input arrays over 250 items,
and OAuth redirect_uri checked against the app's allowed redirection URLs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from .conftest import API_KEY, BULK_RUN, BULK_STATUS

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import ShopClient

NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


def _order_id(seeded: ShopClient) -> str:
    return str(seeded.control("GET", "/orders")["orders"][0]["admin_graphql_api_id"])


def test_node_and_nodes_need_the_scope_of_the_type(shop_factory: Any) -> None:
    owner = shop_factory()
    owner.control("POST", "/seed", json={"products": 3, "seed": 2, "orders": 1})
    order_id = _order_id(owner)
    product_id = owner.control("GET", "/products")["products"][0]["admin_graphql_api_id"]
    # A read_products token of the same shop (POST /_sandbox/shops issues one more token).
    limited = owner.http.post("/_sandbox/shops", json={"domain": owner.domain,
                                                       "scopes": "read_products"}).json()
    token = limited["access_token"]
    assert owner.gql(NODE, {"id": product_id}, token)["data"]["node"] == {"id": product_id}
    denied = owner.gql(NODE, {"id": order_id}, token)
    assert denied["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert denied["errors"][0]["message"] == "Access denied for node field."
    assert denied["data"]["node"] is None
    many = owner.gql(NODES, {"ids": [product_id, order_id]}, token)
    assert many["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert "errors" not in owner.gql(NODES, {"ids": [product_id, order_id]})


def _bulk(shop: ShopClient, query: str) -> dict[str, Any]:
    run = shop.gql(BULK_RUN, {"query": query})["data"]["bulkOperationRunQuery"]
    assert run["userErrors"] == []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        op = shop.gql(BULK_STATUS, {"id": run["bulkOperation"]["id"]})["data"]["bulkOperation"]
        if op["status"] not in ("CREATED", "RUNNING"):
            return op  # type: ignore[no-any-return]
        time.sleep(0.02)
    raise AssertionError("bulk operation did not finish")


def test_bulk_query_out_of_scope_fails_access_denied(shop_factory: Any) -> None:
    limited = shop_factory(scopes="read_products")
    limited.control("POST", "/seed", json={"products": 2, "seed": 2, "orders": 1})
    op = _bulk(limited, "{ orders { edges { node { id } } } }")
    assert (op["status"], op["errorCode"], op["url"]) == ("FAILED", "ACCESS_DENIED", None)
    nested = _bulk(limited, "{ products { edges { node { id variants { edges { node { id "
                            "inventoryItem { inventoryLevels { edges { node { id } } } } } } } "
                            "} } } }")
    assert nested["errorCode"] == "ACCESS_DENIED"  # InventoryLevel needs read_inventory
    assert _bulk(limited, "{ products { edges { node { id } } } }")["status"] == "COMPLETED"


def test_input_arrays_over_250_items_are_refused(seeded: ShopClient) -> None:
    product_id = seeded.control("GET", "/products")["products"][0]["admin_graphql_api_id"]
    body = seeded.gql(NODES, {"ids": [product_id] * 251})
    assert "data" not in body
    assert body["errors"] == [{
        "message": "The input array size of 251 is greater than the maximum allowed of 250.",
        "path": ["nodes", "ids"], "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"}}]
    assert len(seeded.gql(NODES, {"ids": [product_id] * 250})["data"]["nodes"]) == 250
    tags = ", ".join(f'"t{i}"' for i in range(300))
    nested = seeded.gql(f'mutation {{ tagsAdd(id: "{product_id}", tags: [{tags}]) '
                        "{ userErrors { message } } }")
    assert nested["errors"][0]["path"] == ["tagsAdd", "tags"]
    assert nested["errors"][0]["message"].startswith("The input array size of 300 ")


@pytest.fixture
def allowed(http: httpx.Client) -> Iterator[str]:
    url = "https://app.example/auth/shopify/callback"
    assert http.put("/_sandbox/app", json={"redirect_urls": [url]}).status_code == 200
    yield url
    http.put("/_sandbox/app", json={"redirect_urls": []})


def test_redirect_uri_must_be_an_allowed_url(http: httpx.Client, allowed: str) -> None:
    def authorize(redirect_uri: str) -> httpx.Response:
        return http.get("/store/redirects.myshopify.com/admin/oauth/authorize", params={
            "client_id": API_KEY, "scope": "read_products", "state": "s",
            "redirect_uri": redirect_uri}, follow_redirects=False)

    assert authorize(allowed).status_code == 302
    for bad in ("https://evil.example/auth/shopify/callback",
                "https://app.example/auth/shopify/callback/../steal",
                "https://app.example:444/auth/shopify/callback"):
        refused = authorize(bad)
        assert refused.status_code == 400
        assert refused.json() == {"error": "invalid_request",
                                  "error_description": "The redirect_uri is not whitelisted"}
    assert http.put("/_sandbox/app", json={"redirect_urls": "x"}).status_code == 422
