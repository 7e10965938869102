"""Query cost, the leaky bucket, THROTTLED and MAX_COST_EXCEEDED (reference §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import OperationDefinitionNode, parse

from ecomsend.sandbox.shopify.cost import CostCalculator

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import ShopClient

NESTED = ("{ products(first: 10) { nodes { id title variants(first: 5) "
          "{ nodes { id sku inventoryItem { id } } } } } }")


def _requested(schema: Any, text: str) -> int:
    doc = parse(text)
    op = next(d for d in doc.definitions if isinstance(d, OperationDefinitionNode))
    return CostCalculator(schema, {}, None).operation(op)


def test_documented_cost_rules(schema: Any) -> None:
    assert _requested(schema, "{ shop { name currencyCode } }") == 1  # object 1, scalars 0
    # connection 2 + first x (node 1 + nested connection 2 + 5 x (node 1 + inventoryItem 1))
    assert _requested(schema, NESTED) == 2 + 10 * (1 + 2 + 5 * 2)
    mutation = ("mutation { productDelete(input: {id: \"gid://shopify/Product/1\"}) "
                "{ deletedProductId } }")
    assert _requested(schema, mutation) == 10


def test_every_response_carries_cost_and_refunds_unused(seeded: ShopClient) -> None:
    body = seeded.gql(NESTED)
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 132
    assert cost["actualQueryCost"] < cost["requestedQueryCost"]  # only 12 products exist
    status = cost["throttleStatus"]
    assert status["maximumAvailable"] == 2000.0 and status["restoreRate"] == 100.0
    assert 2000 - cost["actualQueryCost"] - 1 <= status["currentlyAvailable"] <= 2000


def test_throttled_at_http_200_when_bucket_is_empty(shop_factory: Any) -> None:
    shop = shop_factory(bucket={"capacity": 150, "restore_rate": 1})
    shop.control("POST", "/seed", json={"products": 30, "seed": 1, "variants_per_product": 5})
    first = shop.gql(NESTED)
    assert "errors" not in first
    second = shop.gql_raw(NESTED)
    assert second.status_code == 200
    body = second.json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["errors"][0]["message"] == "Throttled"
    assert body["extensions"]["cost"]["requestedQueryCost"] == 132
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 132
    stats = shop.control("GET", "")["stats"]
    assert stats["throttled"] == 1


def test_single_query_over_1000_points_is_refused(shop: ShopClient) -> None:
    body = shop.gql("{ products(first: 250) { nodes { id "
                    "variants(first: 10) { nodes { id } } } } }")
    err = body["errors"][0]
    assert err["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert err["extensions"]["maxCost"] == 1000 and err["extensions"]["cost"] > 1000
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] >= 1990


def test_connection_without_first_is_an_error(shop: ShopClient) -> None:
    body = shop.gql("{ products { nodes { id } } }")
    assert body["errors"][0]["message"] == "you must provide one of first or last"


def test_bucket_is_configurable_per_shop(shop: ShopClient) -> None:
    bucket = shop.control("PUT", "/bucket", json={"capacity": 4000, "restore_rate": 200})
    assert bucket["capacity"] == 4000 and bucket["restore_rate"] == 200
    status = shop.gql("{ shop { name } }")["extensions"]["cost"]["throttleStatus"]
    assert status["maximumAvailable"] == 4000 and status["restoreRate"] == 200


def test_fragments_on_other_types_cost_the_maximum(schema: Any) -> None:
    query = """{ node(id: "gid://shopify/Product/1") { id
        ... on Product { variants(first: 10) { nodes { id } } }
        ... on Order { lineItems(first: 5) { nodes { id } } } } }"""
    # node 1 + max(variants 2 + 10, lineItems 2 + 5)
    assert _requested(schema, query) == 1 + 12


def test_nodes_by_ids_is_sized_by_the_ids(schema: Any) -> None:
    query = """{ nodes(ids: ["gid://shopify/ProductVariant/1", "gid://shopify/ProductVariant/2",
        "gid://shopify/ProductVariant/3"]) {
        id ... on ProductVariant { inventoryItem { id } } } }"""
    assert _requested(schema, query) == 3 * (1 + 1)
