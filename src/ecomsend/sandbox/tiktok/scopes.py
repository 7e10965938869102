"""Access scopes per endpoint (the `scopes:` line of each endpoint card, from the official doc
specs' `scope_list`; reference tiktok-api-endpoint-cards.md and tiktok-api.md §1.4).

`required_scopes(route_api)` is read by the gateway after the shop_cipher check (reference §9
order: … → shop_cipher → scope → business logic); a token whose `scopes` hold none of them gets
`105005` (common errors: "Access denied…"). Where a card lists two scopes, either one grants
access. Versions are folded (`/product/202309/…` and `/product/202509/…` share a scope).
"""

from __future__ import annotations

import re

_AUTH = ("seller.authorization.info",)
_BASIC = ("seller.product.basic",)
_WRITE = ("seller.product.write",)
_DELETE = ("seller.product.delete",)
_LOGISTICS = ("seller.logistics",)
_ORDER = ("seller.order.info",)
_FULFIL = ("seller.fulfillment.basic",)
_RETURNS = ("seller.return_refund.basic",)
_VERSION = re.compile(r"/\d{6}/")

#: Every scope the sandbox app holds (Partner Center); tokens get these unless told otherwise.
APP_SCOPES = ("seller.authorization.info", "seller.shop.info", "seller.product.basic",
              "seller.product.write", "seller.product.delete", "seller.order.info",
              "seller.fulfillment.basic", "seller.fulfillment.package.write",
              "seller.logistics", "seller.return_refund.basic")
#: "METHOD /path/{v}/template" -> scopes (any one grants access).
SCOPES: dict[str, tuple[str, ...]] = {
    "GET /authorization/{v}/shops": _AUTH,
    "GET /seller/{v}/shops": ("seller.shop.info",),
    "GET /event/{v}/webhooks": _AUTH, "PUT /event/{v}/webhooks": _AUTH,
    "DELETE /event/{v}/webhooks": _AUTH,
    "GET /product/{v}/prerequisites": _BASIC,
    "GET /product/{v}/categories": _BASIC, "POST /product/{v}/categories/recommend": _BASIC,
    "GET /product/{v}/categories/{category_id}/attributes": _BASIC,
    "GET /product/{v}/categories/{category_id}/rules": _BASIC,
    "GET /product/{v}/brands": _BASIC, "POST /product/{v}/images/upload": _BASIC,
    "POST /product/{v}/files/upload": _BASIC, "POST /product/{v}/sizecharts/search": _BASIC,
    "POST /product/{v}/compliance/manufacturers": _BASIC,
    "POST /product/{v}/compliance/manufacturers/search": _BASIC,
    "POST /product/{v}/compliance/responsible_persons": _BASIC,
    "POST /product/{v}/compliance/responsible_persons/search": _BASIC,
    # The card lists "seller.product.basic, serller.product.optimize" (sic, the doc's typo).
    "POST /product/{v}/products/listing_check": ("seller.product.basic",
                                                 "serller.product.optimize"),
    "POST /product/{v}/products": _WRITE,
    "PUT /product/{v}/products/{product_id}": _WRITE,
    "POST /product/{v}/products/{product_id}/partial_edit": _WRITE,
    "POST /product/{v}/products/{product_id}/inventory/update": _WRITE,
    "POST /product/{v}/products/{product_id}/prices/update": _WRITE,
    "GET /product/{v}/products/{product_id}": _BASIC,
    "POST /product/{v}/products/search": _BASIC, "POST /product/{v}/inventory/search": _BASIC,
    # Activate / Deactivate Products: the cards say seller.product.basic (not .write).
    "POST /product/{v}/products/activate": _BASIC,
    "POST /product/{v}/products/deactivate": _BASIC,
    "DELETE /product/{v}/products": _DELETE, "POST /product/{v}/products/recover": _DELETE,
    "GET /logistics/{v}/warehouses": _LOGISTICS,
    "GET /logistics/{v}/warehouses/{warehouse_id}/delivery_options": _LOGISTICS,
    "GET /logistics/{v}/delivery_options/{delivery_option_id}/shipping_providers":
        ("seller.fulfillment.basic", "seller.logistics"),
    "POST /order/{v}/orders/search": _ORDER, "GET /order/{v}/orders": _ORDER,
    "POST /fulfillment/{v}/packages/search": _FULFIL,
    "GET /fulfillment/{v}/packages/{package_id}": _FULFIL,
    "POST /fulfillment/{v}/packages/{package_id}/ship": _FULFIL,
    "POST /fulfillment/{v}/packages/{package_id}/shipping_info/update": _FULFIL,
    "POST /fulfillment/{v}/orders/{order_id}/packages": _FULFIL,
    "POST /fulfillment/{v}/orders/{order_id}/shipping_info/update": _LOGISTICS,
    "GET /fulfillment/{v}/orders/{order_id}/tracking": _LOGISTICS,
    "POST /return_refund/{v}/cancellations": _RETURNS,
    "POST /return_refund/{v}/cancellations/search": _RETURNS,
    "POST /return_refund/{v}/cancellations/{cancel_id}/approve": _RETURNS,
    "POST /return_refund/{v}/cancellations/{cancel_id}/reject": _RETURNS,
    "POST /return_refund/{v}/returns/search": _RETURNS,
    "POST /return_refund/{v}/returns/{return_id}/approve": _RETURNS,
    "POST /return_refund/{v}/returns/{return_id}/reject": _RETURNS,
    "GET /return_refund/{v}/returns/{return_id}/records": _RETURNS,
    "GET /return_refund/{v}/reject_reasons": _RETURNS,
    "POST /return_refund/{v}/refunds/calculate": _RETURNS,
}
#: 105005 (common errors, verbatim).
MSG_ACCESS_DENIED = ("Access denied. The app is not authorized to access the endpoint because "
                     "the access scopes granted for the app or the access token do not contain "
                     "the required access scope for the endpoint.")


def required_scopes(api: str) -> tuple[str, ...]:
    """The scopes (any one grants) of a route's `"METHOD /template"`; () when none is known."""
    return SCOPES.get(_VERSION.sub("/{v}/", api, count=1), ())


def allowed(api: str, granted: list[str] | tuple[str, ...]) -> bool:
    """Whether a token with `granted` scopes may call `api`."""
    needed = required_scopes(api)
    return not needed or any(scope in granted for scope in needed)
