"""productSet (list replacement, limits, handles), productCreate/Update/Delete, webhooks."""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import Receiver, ShopClient

PRODUCT_SET = """mutation ProductUpsert($identifier: ProductSetIdentifiers,
    $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle status title tags variants(first: 100) { nodes { id sku price
      selectedOptions { name value } inventoryItem { id } } } }
    productSetOperation { id status }
    userErrors { field message code } } }"""


def _input(handle: str, sizes: list[str], loc: str | None = None) -> dict[str, Any]:
    variants = []
    for i, size in enumerate(sizes):
        v: dict[str, Any] = {"optionValues": [{"optionName": "Size", "name": size}],
                             "sku": f"{handle}-{size}", "price": f"{10 + i}.00"}
        if loc:
            v["inventoryQuantities"] = [{"locationId": loc, "name": "available", "quantity": 5}]
        variants.append(v)
    return {"title": "Set Tee", "handle": handle, "status": "ACTIVE", "tags": ["a", "b"],
            "productOptions": [{"name": "Size", "values": [{"name": s} for s in sizes]}],
            "variants": variants}


def test_product_set_creates_then_replaces_variants(shop: ShopClient,
                                                    receiver: Receiver) -> None:
    name = f"prod-{uuid.uuid4().hex[:6]}"
    for topic in ("PRODUCTS_CREATE", "PRODUCTS_UPDATE"):
        shop.gql("mutation($t: WebhookSubscriptionTopic!, $u: String!) { "
                 "webhookSubscriptionCreate(topic: $t, webhookSubscription: {uri: $u}) "
                 "{ userErrors { message } } }", {"t": topic, "u": receiver.endpoint(name)})
    handle = f"set-tee-{uuid.uuid4().hex[:6]}"
    created = shop.gql(PRODUCT_SET, {"input": _input(handle, ["S", "M", "L"],
                                                     shop.location_ids[0])})
    product = created["data"]["productSet"]["product"]
    assert created["data"]["productSet"]["userErrors"] == []
    assert [v["sku"] for v in product["variants"]["nodes"]] == [f"{handle}-{s}"
                                                                 for s in "SML"]
    kept = {v["sku"]: v["id"] for v in product["variants"]["nodes"]}
    updated = shop.gql(PRODUCT_SET, {"identifier": {"handle": handle},
                                     "input": _input(handle, ["M", "XL"])})
    after = updated["data"]["productSet"]["product"]
    assert after["id"] == product["id"]
    ids = {v["sku"]: v["id"] for v in after["variants"]["nodes"]}
    assert set(ids) == {f"{handle}-M", f"{handle}-XL"}  # S and L deleted
    assert ids[f"{handle}-M"] == kept[f"{handle}-M"]  # matched by option value, kept
    hooks = receiver.wait_for(name, 2)
    topics = [h["headers"]["x-shopify-topic"] for h in hooks]
    assert topics[:2] == ["products/create", "products/update"]
    body = json.loads(hooks[1]["body"])
    assert body["handle"] == handle and len(body["variants"]) == 2
    assert body["tags"] == "a, b" and body["status"] == "active"


def test_product_set_user_errors(shop: ShopClient) -> None:
    handle = f"dup-{uuid.uuid4().hex[:6]}"
    shop.gql(PRODUCT_SET, {"input": _input(handle, ["S"])})
    clash = shop.gql(PRODUCT_SET, {"input": _input(handle, ["S"])})
    errors = clash["data"]["productSet"]["userErrors"]
    assert errors[0]["code"] == "HANDLE_NOT_UNIQUE" and errors[0]["field"] == ["input", "handle"]
    too_many = _input(f"x-{uuid.uuid4().hex[:6]}", ["S"])
    too_many["productOptions"] = [{"name": n, "values": [{"name": "a"}]} for n in "ABCD"]
    errors = shop.gql(PRODUCT_SET, {"input": too_many})["data"]["productSet"]["userErrors"]
    assert "OPTIONS_OVER_LIMIT" in {e["code"] for e in errors}
    missing = shop.gql(PRODUCT_SET, {"identifier": {"id": "gid://shopify/Product/1"},
                                     "input": {"title": "x"}})
    assert missing["data"]["productSet"]["userErrors"][0]["code"] == "PRODUCT_DOES_NOT_EXIST"


def test_product_set_identifier_is_one_of(shop: ShopClient) -> None:
    body = shop.gql(PRODUCT_SET, {"identifier": {"handle": "a", "id": "gid://shopify/Product/1"},
                                  "input": {"title": "x"}})
    assert body["errors"], body  # @oneOf: exactly one identifier field


def test_product_create_update_delete(shop: ShopClient) -> None:
    created = shop.gql("""mutation { productCreate(product: {title: "Plain Mug",
        productOptions: [{name: "Color", values: [{name: "Red"}]}]}) {
        product { id handle variants(first: 5) { nodes { id selectedOptions { name value } } } }
        userErrors { field message } } }""")["data"]["productCreate"]
    product = created["product"]
    assert product["handle"] == "plain-mug"
    assert product["variants"]["nodes"][0]["selectedOptions"] == [{"name": "Color",
                                                                   "value": "Red"}]
    updated = shop.gql("""mutation($id: ID!) { productUpdate(product: {id: $id,
        title: "Plain Mug v2", status: DRAFT}) { product { title status }
        userErrors { field } } }""",
                       {"id": product["id"]})["data"]["productUpdate"]
    assert updated["product"] == {"title": "Plain Mug v2", "status": "DRAFT"}
    deleted = shop.gql("""mutation($id: ID!) { productDelete(input: {id: $id}) {
        deletedProductId userErrors { field message } } }""", {"id": product["id"]})
    assert deleted["data"]["productDelete"]["deletedProductId"] == product["id"]
    gone = shop.gql("query($id: ID!) { product(id: $id) { id } }", {"id": product["id"]})
    assert gone["data"]["product"] is None


def test_collections_and_category(seeded: ShopClient) -> None:
    colls = seeded.gql("{ collections(first: 20) { nodes { id handle title "
                       "productsCount { count } } } }")["data"]["collections"]["nodes"]
    assert len(colls) == 8
    member = next(c for c in colls if c["productsCount"]["count"] > 0)
    products = seeded.gql("query($id: ID!) { collection(id: $id) { products(first: 5) "
                          "{ nodes { id category { fullName } collections(first: 10) "
                          "{ nodes { id } } } } } }", {"id": member["id"]})
    first = products["data"]["collection"]["products"]["nodes"][0]
    assert {"id": member["id"]} in first["collections"]["nodes"]
    categorised = seeded.gql("{ products(first: 12) { nodes { category { fullName name } } } }")
    names = [p["category"] for p in categorised["data"]["products"]["nodes"] if p["category"]]
    assert names and all(" > " in c["fullName"] for c in names)
    op = seeded.run_bulk("{ collections { edges { node { id title products { edges { node "
                         "{ id } } } } } } }")
    assert int(op["rootObjectCount"]) == 8
    created = seeded.control("POST", "/collections", json={"title": "Drop 1"})["collection"]
    handle = f"in-drop-{uuid.uuid4().hex[:6]}"
    body = _input(handle, ["S"])
    body["collections"] = [created["admin_graphql_api_id"]]
    body["category"] = "gid://shopify/TaxonomyCategory/aa-1-13-8"
    product = seeded.gql(PRODUCT_SET, {"input": body})["data"]["productSet"]["product"]
    listed = seeded.gql("query($id: ID!) { product(id: $id) { category { fullName } "
                        "collections(first: 5) { nodes { title } } } }", {"id": product["id"]})
    assert listed["data"]["product"]["collections"]["nodes"] == [{"title": "Drop 1"}]
    assert listed["data"]["product"]["category"]["fullName"].endswith("T-Shirts")


def test_seed_listable_gives_products_tiktok_us_accepts(shop: ShopClient) -> None:
    """`listable` (benchmarks that time a listing): every product ACTIVE, with an image, no
    CJK title and a SKU of its own on every variant; the default catalog of the same size has
    all four kinds of rejects."""
    products = ("query($after: String) { products(first: 100, after: $after) { nodes { id "
                "title status images(first: 1) { nodes { id } } } "
                "pageInfo { hasNextPage endCursor } } }")
    variants = ("query($after: String) { productVariants(first: 100, after: $after) { nodes { "
                "sku product { id } } pageInfo { hasNextPage endCursor } } }")

    def read(query: str, root: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        after = None
        while True:
            body = shop.gql(query, {"after": after})
            if "data" not in body:  # THROTTLED: the bucket refills at 100 points/s
                assert body["errors"][0]["extensions"]["code"] == "THROTTLED", body
                time.sleep(2)
                continue
            page = body["data"][root]
            out.extend(page["nodes"])
            if not page["pageInfo"]["hasNextPage"]:
                return out
            after = page["pageInfo"]["endCursor"]

    def rejects(ids: set[str]) -> dict[str, int]:
        found = [p for p in read(products, "products") if p["id"] in ids]
        skus = [v["sku"] for v in read(variants, "productVariants") if v["product"]["id"] in ids]
        return {"not active": sum(p["status"] != "ACTIVE" for p in found),
                "no image": sum(not p["images"]["nodes"] for p in found),
                "cjk title": sum(any("\u3400" <= c <= "\u9fff" for c in p["title"])
                                 for p in found),
                "no or shared sku": sum(1 for s in skus if not s) + len(skus) - len(set(skus))}

    shop.control("POST", "/seed", json={"products": 60, "seed": 3, "listable": True})
    listable = {p["id"] for p in read(products, "products")}
    assert len(listable) == 60
    assert rejects(listable) == dict.fromkeys(
        ("not active", "no image", "cjk title", "no or shared sku"), 0)
    shop.control("POST", "/seed", json={"products": 60, "seed": 3})
    default = {p["id"] for p in read(products, "products")} - listable
    assert len(default) == 60
    assert all(count > 0 for count in rejects(default).values()), rejects(default)
