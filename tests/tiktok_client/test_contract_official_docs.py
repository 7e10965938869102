"""Contract test: every request the client builds, compared with TikTok's own doc data.

For each endpoint in `endpoints.ALL_ENDPOINTS` we call the client method against an in-memory
transport that records the request and answers with the doc's own response example. Then we
check method, path template, required query params, shop_cipher presence/absence, no
undocumented query params, required and documented top-level body fields, and headers.
The doc data is read from ../shared at test time (no licence: never copied into the repo).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from ecomsend.integrations.tiktok import ClientConfig, ShopContext, TikTokClient, TokenSet
from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.models.compliance import (
    ManufacturerInput,
    PersonAddress,
    PhoneNumber,
    ResponsiblePersonInput,
)
from ecomsend.integrations.tiktok.models.fulfillment import PackageSearchFilter
from ecomsend.integrations.tiktok.models.orders import OrderSearchFilter
from ecomsend.integrations.tiktok.models.products import (
    InventoryInput,
    PriceInput,
    ProductSearchFilter,
    SkuInventoryUpdate,
    SkuPriceUpdate,
)
from ecomsend.integrations.tiktok.models.returns import (
    CancellationSearchFilter,
    ReturnSearchFilter,
)
from ecomsend.integrations.tiktok.signing import sign_request
from ecomsend.ratelimit import InProcessRateLimiter

from .shared import FUDIWEI, OFFICIAL_SPECS, load_json, need

METHODS = {1: "POST", 2: "GET", 3: "PUT", 4: "DELETE"}
COMMON_QUERY = {"app_key", "sign", "timestamp"}
SECRET = "contract-secret"
Call = Callable[[TikTokClient, ShopContext], Awaitable[Any]]


def _create_body() -> dict[str, Any]:
    body: dict[str, Any] = load_json(
        FUDIWEI / "ModelSamples" / "Product" / "ProductCreateProductRequest.json")
    return body


def _edit_body() -> dict[str, Any]:
    """The create sample minus the two create-only fields the 202509 Edit doc doesn't list."""
    body = _create_body()
    for key in ("is_not_for_sale", "primary_combined_product_id"):
        body.pop(key, None)
    return body


#: endpoint name → (spec file, how the client is asked to build the request).
CASES: dict[str, tuple[str, Call]] = {
    "authorized_shops": ("authorization/get-authorized-shops.spec.json",
                         lambda c, s: c.shops.get_authorized_shops(s)),
    "categories": ("products/get-categories.spec.json",
                   lambda c, s: c.categories.get_categories(s)),
    "category_attributes": ("products/get-attributes.spec.json",
                            lambda c, s: c.categories.get_category_attributes(s, "600001")),
    "category_rules": ("products/get-category-rules.spec.json",
                       lambda c, s: c.categories.get_category_rules(s, "600001")),
    "brands": ("products/get-brands.spec.json", lambda c, s: c.categories.get_brands(s)),
    "prerequisites": ("products/check-listing-prerequisites.spec.json",
                      lambda c, s: c.categories.get_listing_prerequisites(s)),
    "image_upload": ("products/upload-product-image.spec.json",
                     lambda c, s: c.categories.upload_image(s, b"\x89PNG....")),
    "file_upload": ("products/upload-product-file.spec.json",
                    lambda c, s: c.compliance.upload_file(s, b"%PDF-1.4", name="cert.pdf")),
    "size_chart_search": ("products/search-size-charts.spec.json",
                          lambda c, s: c.compliance.search_size_charts(s, keyword="tops")),
    "manufacturer_create": ("products/create-manufacturer.spec.json",
                            lambda c, s: c.compliance.create_manufacturer(s, ManufacturerInput(
                                name="M", email="m@x.example", address="1 Road",
                                phone_number=PhoneNumber(country_code="+49",
                                                         local_number="3012345678")))),
    "manufacturer_search": ("products/search-manufacturers.spec.json",
                            lambda c, s: c.compliance.search_manufacturers(s, keyword="M")),
    "responsible_person_create": ("products/create-responsible-person.spec.json",
                                  lambda c, s: c.compliance.create_responsible_person(
                                      s, ResponsiblePersonInput(
                                          name="R", email="r@x.example",
                                          phone_number=PhoneNumber(country_code="+353",
                                                                   local_number="81234567"),
                                          address=PersonAddress(street_address_line1="1 Road",
                                                                postal_code="D02",
                                                                country="IE")))),
    "responsible_person_search": ("products/search-responsible-persons.spec.json",
                                  lambda c, s: c.compliance.search_responsible_persons(
                                      s, ids=["66d3"])),
    "product_create": ("products/create-product.spec.json",
                       lambda c, s: c.products.create_product(s, _create_body())),
    "product_edit": ("products/edit-product.spec.json",
                     lambda c, s: c.products.edit_product(s, "1729592969712207008",
                                                          _edit_body())),
    "product_partial_edit": ("products/partial-edit-product.spec.json",
                             lambda c, s: c.products.partial_edit_product(
                                 s, "1729592969712207008", {"title": "New title"})),
    "product_get": ("products/get-product.spec.json",
                    lambda c, s: c.products.get_product(s, "1729592969712207008")),
    "product_search": ("products/search-products.spec.json",
                       lambda c, s: c.products.search_products(
                           s, filters=ProductSearchFilter(status="ACTIVATE"))),
    "product_delete": ("products/delete-products.spec.json",
                       lambda c, s: c.products.delete_products(s, ["1"])),
    "product_activate": ("products/activate-product.spec.json",
                         lambda c, s: c.products.activate_products(s, ["1"])),
    "product_deactivate": ("products/deactivate-products.spec.json",
                           lambda c, s: c.products.deactivate_products(s, ["1"])),
    "inventory_update": ("products/update-inventory.spec.json",
                         lambda c, s: c.products.update_inventory(s, "1", [SkuInventoryUpdate(
                             id="2", inventory=[InventoryInput(warehouse_id="3", quantity=5)])])),
    "price_update": ("products/update-price.spec.json",
                     lambda c, s: c.products.update_price(s, "1", [SkuPriceUpdate(
                         id="2", price=PriceInput(amount="1.00", currency="USD"))])),
    "warehouses": ("logistics/get-warehouse-list.spec.json",
                   lambda c, s: c.logistics.get_warehouses(s)),
    "warehouse_delivery_options": ("logistics/get-warehouse-delivery-options.spec.json",
                                   lambda c, s: c.logistics.get_warehouse_delivery_options(
                                       s, "7", scope="WAREHOUSE")),
    "shipping_providers": ("logistics/get-shipping-providers.spec.json",
                           lambda c, s: c.logistics.get_shipping_providers(s, "7")),
    "order_search": ("orders/get-order-list.spec.json",
                     lambda c, s: c.orders.search_orders(s, filters=OrderSearchFilter(
                         order_status="AWAITING_SHIPMENT", update_time_ge=1, update_time_lt=2))),
    "order_detail": ("orders/get-order-detail.spec.json",
                     lambda c, s: c.orders.get_order_detail(s, ["576", "577"])),
    "package_search": ("fulfillment/search-package.spec.json",
                       lambda c, s: c.fulfillment.search_packages(
                           s, filters=PackageSearchFilter(update_time_ge=1))),
    "package_detail": ("fulfillment/get-package-detail.spec.json",
                       lambda c, s: c.fulfillment.get_package_detail(s, "9")),
    "package_ship": ("fulfillment/ship-package.spec.json",
                     lambda c, s: c.fulfillment.ship_package(
                         s, "9", tracking_number="JX1", shipping_provider_id="66")),
    "mark_package_shipped": ("fulfillment/mark-package-as-shipped.spec.json",
                             lambda c, s: c.fulfillment.mark_package_as_shipped(
                                 s, "576", tracking_number="JX1", shipping_provider_id="66",
                                 order_line_item_ids=["1"])),
    "order_split": ("fulfillment/split-orders.spec.json",
                    lambda c, s: c.fulfillment.split_order(s, "576", {"g1": ["1", "2"]})),
    "order_tracking": ("fulfillment/get-tracking.spec.json",
                       lambda c, s: c.fulfillment.get_order_tracking(s, "576")),
    "order_shipping_info_update": ("fulfillment/update-shipping-info.spec.json",
                                   lambda c, s: c.fulfillment.update_shipping_info(
                                       s, "576", tracking_number="JX2",
                                       shipping_provider_id="66")),
    "package_shipping_info_update": ("fulfillment/update-package-shipping-info.spec.json",
                                     lambda c, s: c.fulfillment.update_package_shipping_info(
                                         s, "9", tracking_number="JX2",
                                         shipping_provider_id="66")),
    "cancellation_search": ("return-and-refund/search-cancellations.spec.json",
                            lambda c, s: c.returns.search_cancellations(
                                s, filters=CancellationSearchFilter(order_ids=["576"]))),
    "cancellation_approve": ("return-and-refund/approve-cancellation.spec.json",
                             lambda c, s: c.returns.approve_cancellation(
                                 s, "4035", idempotency_key="k1")),
    "cancellation_reject": ("return-and-refund/reject-cancellation.spec.json",
                            lambda c, s: c.returns.reject_cancellation(
                                s, "4035", "seller_reject_apply_product_has_been_packed",
                                idempotency_key="k1", comment="packed")),
    "return_search": ("return-and-refund/search-returns.spec.json",
                      lambda c, s: c.returns.search_returns(
                          s, filters=ReturnSearchFilter(order_ids=["576"],
                                                        return_status=["RETURN_OR_REFUND_"
                                                                       "REQUEST_PENDING"]))),
    "return_approve": ("return-and-refund/approve-return.spec.json",
                       lambda c, s: c.returns.approve_return(s, "4036", "APPROVE_REFUND",
                                                             idempotency_key="k1")),
    "return_reject": ("return-and-refund/reject-return.spec.json",
                      lambda c, s: c.returns.reject_return(
                          s, "4036", "REJECT_REFUND", "seller_reject_apply_x",
                          idempotency_key="k1", comment="no")),
    "return_records": ("return-and-refund/get-return-records.spec.json",
                       lambda c, s: c.returns.return_records(s, "4036")),
    "reject_reasons": ("return-and-refund/get-reject-reasons.spec.json",
                       lambda c, s: c.returns.reject_reasons(s, "4036")),
    "webhooks_get": ("event/get-shop-webhooks.spec.json", lambda c, s: c.events.get_webhooks(s)),
    "webhook_update": ("event/update-shop-webhook.spec.json",
                       lambda c, s: c.events.update_webhook(
                           s, event_type="ORDER_STATUS_CHANGE", address="https://x.example/wh")),
    "webhook_delete": ("event/delete-shop-webhook.spec.json",
                       lambda c, s: c.events.delete_webhook(s, event_type="ORDER_STATUS_CHANGE")),
}
#: The token endpoints live on the auth host and have no spec file in the scraped data.
NO_SPEC = {"token_get", "token_refresh"}

#: Fallback `data` where the doc example has no usable data (models need these ids).
FALLBACK_DATA: dict[str, dict[str, Any]] = {
    "image_upload": {"uri": "tos-x/abc"},
    "product_create": {"product_id": "1"},
    "product_edit": {"product_id": "1"},
    "product_partial_edit": {"product_id": "1"},
    "product_get": {"id": "1"},
}


def test_every_endpoint_has_a_contract_case() -> None:
    names = {e.name for e in ep.ALL_ENDPOINTS}
    assert names - NO_SPEC == set(CASES)


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{[a-z_]+\\}", "[^/]+", re.escape(template)) + "$")


def _params(spec_list: list[dict[str, Any]] | None) -> tuple[set[str], set[str]]:
    """(all top-level names, required top-level names) of a doc param list."""
    top = [p for p in spec_list or [] if not p["name"].startswith("^")]
    return {p["name"] for p in top}, {p["name"] for p in top if p["required"] == "Y"}


def _data_for(name: str, meta: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(meta.get("response_body") or "").get("data")
    except ValueError:
        data = None
    if name in ("product_delete", "product_activate", "product_deactivate", "inventory_update"):
        data = {}  # the doc examples show a partial failure; the contract here is the request
    return data or FALLBACK_DATA.get(name, {})


async def _capture(name: str, meta: dict[str, Any]) -> httpx.Request:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0, "message": "Success", "request_id": "r",
                                         "data": _data_for(name, meta)})

    async def persist(shop: ShopContext, tokens: TokenSet) -> None:
        raise AssertionError("no refresh expected")

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = TikTokClient(ClientConfig(app_key="ak", app_secret=SECRET,
                                       api_base_url="https://open-api.tiktokglobalshop.com"),
                          InProcessRateLimiter(), persist, http=http)
    shop = ShopContext(tokens=TokenSet("TTP_a", 2**40, "TTP_r", 2**41), shop_id="7",
                       cipher="ROW_c", region="US")
    await CASES[name][1](client, shop)
    await http.aclose()
    assert len(seen) == 1
    return seen[0]


@pytest.mark.parametrize("name", sorted(CASES))
async def test_request_matches_official_doc(name: str) -> None:
    meta = load_json(need(OFFICIAL_SPECS / CASES[name][0]))["document_api_meta"]
    request = await _capture(name, meta)
    endpoint = next(e for e in ep.ALL_ENDPOINTS if e.name == name)
    # method and path
    assert request.method == METHODS[meta["method"]] == endpoint.method
    assert endpoint.path == meta["interface_path"]
    assert _template_regex(meta["interface_path"]).match(request.url.path), request.url.path
    # query: documented required present, nothing undocumented, shop_cipher only where listed
    query = dict(request.url.params)
    documented, required = _params(meta.get("request_query_param"))
    documented |= COMMON_QUERY
    assert required - set(query) == set(), f"missing required query {required - set(query)}"
    assert set(query) - documented == set(), f"undocumented query {set(query) - documented}"
    if "shop_cipher" not in documented:
        assert "shop_cipher" not in query
    # headers
    assert request.headers["x-tts-access-token"] == "TTP_a"
    multipart = request.headers["content-type"].startswith("multipart/form-data")
    assert multipart == endpoint.multipart
    doc_ct = {h["name"].lower(): h["desc"] for h in meta.get("request_header_param") or []}
    if not multipart:  # "content-type: Allowed type: application/json" on every JSON API
        assert request.headers["content-type"] == "application/json"
        assert "application/json" in doc_ct.get("content-type", "application/json")
    else:
        assert "multipart/form-data" in doc_ct["content-type"]
    # body
    body_names, body_required = _params(meta.get("request_body_param"))
    if multipart:
        content = request.content
        for field in body_required:
            assert f'name="{field}"'.encode() in content
    elif request.content:
        body = json.loads(request.content)
        assert body_required - set(body) == set(), f"missing body {body_required - set(body)}"
        assert set(body) - body_names == set(), f"undocumented body {set(body) - body_names}"
    else:
        assert not body_required
    # signature: recomputable from what was sent
    signed = {k: v for k, v in query.items() if k != "sign"}
    sig_body = b"" if multipart else request.content
    assert query["sign"] == sign_request(SECRET, request.url.path, signed, sig_body,
                                         request.headers["content-type"])
