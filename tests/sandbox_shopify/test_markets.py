"""Markets and contextual pricing: a buyer country in an active market pays the price list's
price in its currency (fixed, else converted and adjusted); anywhere else the store's prices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import ShopClient

CREATE = """mutation($input: ProductSetInput!) { productSet(input: $input, synchronous: true) {
  product { variants(first: 5) { nodes { id } } } userErrors { message } } }"""
CONTEXTUAL = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on ProductVariant { id price
  gb: contextualPricing(context: {country: GB}) { price { amount currencyCode }
    compareAtPrice { amount currencyCode } }
  jp: contextualPricing(context: {country: JP}) { price { amount currencyCode } }
  ca: contextualPricing(context: {country: CA}) { price { amount currencyCode } } } } }"""


def _variants(shop: ShopClient) -> list[str]:
    variants = [{"optionValues": [{"optionName": "Size", "name": s}], "price": p,
                 "compareAtPrice": c}
                for s, p, c in (("S", "20.00", "25.00"), ("M", "19.99", None))]
    body = {"title": "Market Tee", "status": "ACTIVE", "variants": variants,
            "productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "M"}]}]}
    out = shop.gql(CREATE, {"input": body})["data"]["productSet"]["product"]["variants"]
    return [n["id"] for n in out["nodes"]]


def _priced(shop: ShopClient, ids: list[str]) -> list[dict[str, Any]]:
    response = shop.gql(CONTEXTUAL, {"ids": ids})
    assert "errors" not in response, response
    return response["data"]["nodes"]  # type: ignore[no-any-return]


def test_contextual_prices_follow_markets(shop: ShopClient) -> None:
    ids = _variants(shop)
    before = _priced(shop, ids)
    assert before[0]["gb"]["price"] == {"amount": "20.00", "currencyCode": "USD"}
    uk = shop.control("POST", "/markets", json={
        "name": "United Kingdom", "countries": ["gb"], "currency": "GBP",
        "exchange_rate": "0.8", "adjustment_percent": "10", "prices": {ids[1]: {
            "price": "17.50", "compare_at": "21.00"}}})
    shop.control("POST", "/markets", json={"countries": ["JP"], "currency": "JPY",
                                           "exchange_rate": "151.37"})
    s, m = _priced(shop, ids)
    assert s["gb"]["price"] == {"amount": "17.60", "currencyCode": "GBP"}  # 20 × 0.8 × 1.1
    assert s["gb"]["compareAtPrice"] == {"amount": "22.00", "currencyCode": "GBP"}
    assert m["gb"]["price"]["amount"] == "17.50" and m["gb"]["compareAtPrice"]["amount"] == "21.00"
    assert s["jp"]["price"] == {"amount": "3027", "currencyCode": "JPY"}  # no minor unit
    assert s["ca"]["price"] == {"amount": "20.00", "currencyCode": "USD"}  # no market
    listed = shop.control("GET", "/markets")["markets"]
    assert [mk["countries"] for mk in listed] == [["GB"], ["JP"]]
    shop.control("DELETE", f"/markets/{uk['id']}")
    assert _priced(shop, ids)[0]["gb"]["price"]["currencyCode"] == "USD"


def test_bad_market_bodies_are_422(shop: ShopClient) -> None:
    ids = _variants(shop)
    shop.control("POST", "/markets", json={"countries": ["FR"], "currency": "EUR"})
    base = f"/_sandbox/shops/{shop.domain}/markets"
    for body in ({"countries": ["FR", "DE"], "currency": "EUR"},  # FR taken
                 {"countries": ["UKK"], "currency": "GBP"},
                 {"countries": ["DE"], "currency": "EURO"},
                 {"countries": ["DE"], "currency": "EUR", "exchange_rate": "-1"},
                 {"countries": ["DE"], "currency": "EUR", "exchange_rate": "NaN"},
                 {"countries": ["DE"], "currency": "EUR", "prices": {ids[0]: {"price": "x"}}},
                 {"countries": ["DE"], "currency": "EUR", "prices": {"999": {"price": "1"}}}):
        response = shop.http.post(base, json=body)
        assert response.status_code == 422, (body, response.text)
    assert len(shop.control("GET", "/markets")["markets"]) == 1  # nothing half-made


def test_the_app_query_costs_four_points_a_variant(shop: ShopClient) -> None:
    """The app's VariantsContextualPricing document: 200 ids stay under the 1000-point limit."""
    from ecomsend.integrations.shopify.client import CONTEXTUAL_PAGE
    from ecomsend.integrations.shopify.queries import load_query

    ids = _variants(shop)
    document = load_query("VariantsContextualPricing")
    small = shop.gql(document, {"ids": ids, "country": "GB"})
    assert small["extensions"]["cost"]["requestedQueryCost"] <= 4 * len(ids) + 1
    many = ids * (CONTEXTUAL_PAGE // len(ids))
    full = shop.gql(document, {"ids": many, "country": "GB"})
    assert "errors" not in full and full["extensions"]["cost"]["requestedQueryCost"] <= 1000
