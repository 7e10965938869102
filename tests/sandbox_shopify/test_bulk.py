"""Bulk operations: lifecycle, JSONL with __parentId, counts, finish webhook, refusals."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import Receiver, ShopClient

RUN = """mutation BulkExportProducts($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status createdAt } userErrors { field message code } } }"""
STATUS = """query BulkOperationStatus($id: ID!) { bulkOperation(id: $id) { id status fileSize } }"""
EXPORT = """{ products(query: "status:active") { edges { node { id handle title
  options { name values }
  variants { edges { node { id sku price selectedOptions { name value }
    inventoryItem { id tracked } } } } } } } }"""


def run_bulk(shop: ShopClient, query: str) -> dict[str, Any]:
    return shop.run_bulk(query)


def test_bulk_export_jsonl_with_parent_ids(seeded: ShopClient, receiver: Receiver) -> None:
    name = f"bulk-{uuid.uuid4().hex[:6]}"
    seeded.gql("mutation($u: String!) { webhookSubscriptionCreate(topic: BULK_OPERATIONS_FINISH,"
               " webhookSubscription: {uri: $u}) { userErrors { message } } }",
               {"u": receiver.endpoint(name)})
    op = run_bulk(seeded, EXPORT)
    assert op["url"].startswith("http://") and op["query"] == EXPORT
    with httpx.Client(timeout=30) as client:
        response = client.get(op["url"])
    assert response.status_code == 200
    lines = [json.loads(line) for line in response.text.splitlines()]
    products = [row for row in lines if "__parentId" not in row]
    variants = [row for row in lines if "__parentId" in row]
    rest = seeded.control("GET", "/products", params={"limit": 100})["products"]
    active = [p for p in rest if p["status"] == "active"]
    assert len(products) == len(active) == int(op["rootObjectCount"])
    assert len(lines) == int(op["objectCount"])
    product_ids = {p["id"] for p in products}
    assert all(v["__parentId"] in product_ids for v in variants)
    assert len(variants) == sum(len(p["variants"]) for p in active)
    assert all(v["id"].startswith("gid://shopify/ProductVariant/") for v in variants)
    assert "inventoryItem" in variants[0] and "selectedOptions" in variants[0]
    assert "variants" not in products[0]  # nested connections are separate lines
    again = seeded.gql(STATUS, {"id": op["id"]})["data"]["bulkOperation"]
    assert int(again["fileSize"]) == len(response.content)
    hook = json.loads(receiver.wait_for(name, 1)[0]["body"])
    assert hook == {"admin_graphql_api_id": op["id"], "completed_at": hook["completed_at"],
                    "created_at": hook["created_at"], "error_code": None,
                    "status": "completed", "type": "query"}


def test_bulk_nodes_form_and_three_levels(seeded: ShopClient) -> None:
    query = """{ products { nodes { id variants { nodes { id inventoryItem { id
      inventoryLevels { nodes { id quantities(names: ["available"]) { name quantity } } }
    } } } } } }"""
    op = run_bulk(seeded, query)
    with httpx.Client(timeout=30) as client:
        lines = [json.loads(x) for x in client.get(op["url"]).text.splitlines()]
    levels = [row for row in lines if row["id"].startswith("gid://shopify/InventoryLevel/")]
    item_parents = {row["__parentId"] for row in levels}
    assert levels and all(p.startswith("gid://shopify/InventoryItem/") for p in item_parents)


def test_bulk_refusals(seeded: ShopClient) -> None:
    def errors(query: str) -> list[dict[str, Any]]:
        return seeded.gql(RUN, {"query": query})["data"]["bulkOperationRunQuery"]["userErrors"]

    assert errors("{ shop { name } }")[0]["field"] == ["query"]
    assert "node" in errors('{ node(id: "gid://shopify/Product/1") { id } }')[0]["message"]
    assert errors("{ products { nodes { idx } } }")[0]["code"] == "INVALID"
    unsupported = errors("{ products { nodes { id seo { title } onlineStoreUrl "
                         "resourcePublicationsCount { count } } } }")
    assert "not supported by the sandbox" in unsupported[0]["message"]
    too_deep = ("{ products { nodes { variants { nodes { inventoryItem { inventoryLevels "
                "{ nodes { location { inventoryLevels { nodes { id } } } } } } } } } } }")
    assert "nesting" in errors(too_deep)[0]["message"]


def test_url_requires_the_token(seeded: ShopClient) -> None:
    op = run_bulk(seeded, "{ products { nodes { id } } }")
    with httpx.Client(timeout=30) as client:
        assert client.get(op["url"].split("?")[0]).status_code == 403
    listed = seeded.gql('{ bulkOperations(first: 5, query: "status:completed") '
                        "{ nodes { id status type } } }")["data"]["bulkOperations"]["nodes"]
    assert {"id": op["id"], "status": "COMPLETED", "type": "QUERY"} in listed
    current = seeded.gql("{ currentBulkOperation { id } }")["data"]["currentBulkOperation"]
    assert current == {"id": op["id"]}


def test_bulk_typed_fragments_and_inline_levels(seeded: ShopClient) -> None:
    loc = seeded.location_ids[0]
    query = ("{ products { edges { node { id category { fullName } media { edges { node { "
             "... on MediaImage { id image { url } } ... on Media { alt } } } } "
             "variants { edges { node { id inventoryItem { id level0: inventoryLevel(locationId: "
             f'"{loc}") {{ quantities(names: ["available"]) {{ name quantity }} }} }} }} }} }} '
             "} } } }")
    op = run_bulk(seeded, query)
    with httpx.Client(timeout=30) as client:
        lines = [json.loads(x) for x in client.get(op["url"]).text.splitlines()]
    media = [r for r in lines if r.get("id", "").startswith("gid://shopify/MediaImage/")]
    assert media and all(m["image"]["url"].startswith("https://") and "alt" in m
                         for m in media)
    variants = [r for r in lines if r["id"].startswith("gid://shopify/ProductVariant/")]
    stocked = [v for v in variants if v["inventoryItem"]["level0"] is not None]
    assert stocked and stocked[0]["inventoryItem"]["level0"]["quantities"][0]["name"] == \
        "available"
    assert len(lines) == int(op["objectCount"])
