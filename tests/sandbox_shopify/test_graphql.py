"""Admin GraphQL basics: auth, versions, validation errors, unsupported fields, the documented
example operations, search syntax and cursor pagination."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from graphql import OperationDefinitionNode, parse

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import ShopClient

EXAMPLES = Path("/work/shared/contracts/shopify/examples")
OPS_FILE = EXAMPLES / "operations-2026-07.graphql"


def _operation(name: str) -> str:
    """One named operation from the shared examples file, as its own document."""
    text = OPS_FILE.read_text()
    for d in parse(text).definitions:
        if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == name:
            assert d.loc is not None
            return text[d.loc.start:d.loc.end]
    raise KeyError(name)


def test_missing_or_wrong_token_is_401(shop: ShopClient) -> None:
    response = shop.gql_raw("{ shop { name } }", token="shpat_nope")
    assert response.status_code == 401
    assert response.json() == {"errors": "[API] Invalid API key or access token "
                                          "(unrecognized login or wrong password)"}


def test_unknown_version_and_shop_are_404(shop: ShopClient, http: httpx.Client) -> None:
    r = http.post(f"/store/{shop.domain}/admin/api/2019-01/graphql.json", json={"query": "{}"},
                  headers={"X-Shopify-Access-Token": shop.token})
    assert r.status_code == 404 and r.json() == {"errors": "Not Found"}
    r = http.post("/store/nobody.myshopify.com/admin/api/2026-07/graphql.json",
                  json={"query": "{ shop { name } }"})
    assert r.status_code == 404


def test_validation_error_is_shopify_shaped(shop: ShopClient) -> None:
    body = shop.gql("{ shop { name defaultEmail } }")
    err = body["errors"][0]
    assert err["message"] == "Field 'defaultEmail' doesn't exist on type 'Shop'"
    assert err["extensions"] == {"code": "undefinedField", "typeName": "Shop",
                                 "fieldName": "defaultEmail"}
    assert err["locations"] == [{"line": 1, "column": 15}]
    assert err["path"] == ["query", "shop", "defaultEmail"]
    assert "data" not in body and "cost" in body["extensions"]


def test_parse_error_and_bad_variables(shop: ShopClient) -> None:
    body = shop.gql("{ shop { name ")
    assert body["errors"][0]["message"].startswith("syntax error")
    body = shop.gql("query($id: ID!) { product(id: $id) { id } }", {})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"


def test_unsupported_field_is_a_clear_error_not_null(shop: ShopClient) -> None:
    body = shop.gql("{ shop { name billingAddress { city } } }")
    assert body["data"] is None
    err = body["errors"][0]
    assert "not supported by the sandbox" in err["message"]
    assert err["extensions"]["code"] == "NOT_SUPPORTED_BY_SANDBOX"
    assert err["path"] == ["shop", "billingAddress"]


def test_example_operations_run(seeded: ShopClient) -> None:
    variables = json.loads((EXAMPLES / "variables-2026-07.json").read_text())
    shop_info = seeded.gql(_operation("ShopInfo"))["data"]["shop"]
    assert shop_info["myshopifyDomain"] == seeded.domain and shop_info["currencyCode"] == "USD"
    locs = seeded.gql(_operation("Locations"), {"first": 10})["data"]["locations"]["nodes"]
    assert len(locs) == 2 and all(loc["isActive"] for loc in locs)
    # variants(first: 100) with nested objects makes each product cost ~530 points, so a
    # page of more than one product exceeds the 1000-point single-query limit.
    page = seeded.gql(_operation("ProductsPage"), {"first": 1, "query": "status:active"})
    assert "errors" not in page, page
    product = page["data"]["products"]["nodes"][0]
    assert product["status"] == "ACTIVE" and product["variants"]["nodes"]
    item_id = product["variants"]["nodes"][0]["inventoryItem"]["id"]
    levels = seeded.gql(_operation("InventoryLevels"), {"inventoryItemId": item_id})
    quantities = levels["data"]["inventoryItem"]["inventoryLevels"]["nodes"][0]["quantities"]
    assert [q["name"] for q in quantities] == ["available", "on_hand", "committed", "incoming",
                                               "reserved"]
    assert "ShopInfo" in variables or variables  # the file is readable


def _all_products(shop: ShopClient, query: str | None = None) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = shop.gql("query($after: String, $q: String) { products(first: 5, after: $after, "
                        "query: $q) { edges { cursor node { id status updatedAt } } "
                        "pageInfo { hasNextPage endCursor } } }", {"after": after, "q": query})
        conn = data["data"]["products"]
        nodes += [e["node"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes
        after = conn["pageInfo"]["endCursor"]


def test_cursor_pagination_visits_every_product_once(seeded: ShopClient) -> None:
    nodes = _all_products(seeded)
    assert len(nodes) == 12 and len({n["id"] for n in nodes}) == 12


def test_search_syntax(seeded: ShopClient) -> None:
    everything = _all_products(seeded)
    active = _all_products(seeded, "status:active")
    assert active and all(n["status"] == "ACTIVE" for n in active)
    not_active = _all_products(seeded, "-status:active")
    assert len(active) + len(not_active) == len(everything)
    pivot = sorted(n["updatedAt"] for n in everything)[5]
    newer = _all_products(seeded, f"updated_at:>{pivot}")
    assert newer and all(n["updatedAt"] > pivot for n in newer)
    sku = seeded.gql("{ productVariants(first: 1, query: \"sku:*\") { nodes { sku } } }")
    first_sku = next(v["sku"] for v in [sku["data"]["productVariants"]["nodes"][0]] if v)
    by_sku = seeded.gql(f'{{ productVariants(first: 5, query: "sku:{first_sku}") '
                        "{ nodes { sku product { id } } } }")
    assert all(v["sku"] == first_sku for v in by_sku["data"]["productVariants"]["nodes"])
    products = seeded.gql(f'{{ products(first: 5, query: "sku:{first_sku}") '
                          "{ nodes { id } } }")
    assert products["data"]["products"]["nodes"]


def test_node_lookup_by_gid(seeded: ShopClient) -> None:
    pid = _all_products(seeded)[0]["id"]
    body = seeded.gql("query($id: ID!) { node(id: $id) { id ... on Product { title } } }",
                      {"id": pid})
    assert body["data"]["node"]["id"] == pid and body["data"]["node"]["title"]


def test_current_app_installation_and_raw_graphql_body(shop: ShopClient) -> None:
    body = shop.gql("{ currentAppInstallation { id accessScopes { handle } app { apiKey } } }")
    handles = {s["handle"] for s in body["data"]["currentAppInstallation"]["accessScopes"]}
    assert {"read_products", "write_orders"} <= handles
    raw = shop.http.post(f"/store/{shop.domain}/admin/api/2026-07/graphql.json",
                         content="{ shop { name } }",
                         headers={"X-Shopify-Access-Token": shop.token,
                                  "Content-Type": "application/graphql"})
    assert raw.json()["data"]["shop"]["name"]


def test_unknown_search_fields_are_ignored_with_a_warning(seeded: ShopClient) -> None:
    body = seeded.gql('{ orders(first: 1, query: "sourceIdentifier:123") { nodes { id } } '
                      'productsCount(query: "status:active") { count } }')
    warning = body["extensions"]["search"][0]
    assert warning["path"] == ["orders"] and warning["query"] == "sourceIdentifier:123"
    assert warning["warnings"][0]["field"] == "sourceIdentifier"
    assert len(body["extensions"]["search"]) == 1  # status is a known field
