"""Every TikTok endpoint the client calls: method, path template and its wire rules.

One table, read by the transport (signing, shop_cipher, retries, rate-limit key) and by the
contract test (which compares it with TikTok's own doc data). Paths follow the latest versions in
`reference/tiktok-api-endpoint-cards.md` (the scraped official docs).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    """One API: `shop_scoped` → send `shop_cipher`; `idempotent` → safe to resend after an
    unknown outcome (read timeout / reset); `multipart` → form upload, body not signed."""

    name: str
    method: str
    path: str
    shop_scoped: bool = True
    idempotent: bool = True
    multipart: bool = False
    auth_host: bool = False

    @property
    def api(self) -> str:
        """The rate-limit/metrics key TikTok counts by: "METHOD /path/{template}"."""
        return f"{self.method} {self.path}"

    def render(self, **params: str) -> str:
        """The concrete path with `{placeholders}` filled (values must be plain ids)."""
        path = self.path
        for key, value in params.items():
            if not value or "/" in value or "?" in value:
                raise ValueError(f"invalid path parameter {key}={value!r}")
            path = path.replace("{" + key + "}", value)
        if "{" in path:
            raise ValueError(f"missing path parameter in {path}")
        return path


E = Endpoint
# Auth host, unsigned GET with app_secret in the query (Get access token doc, reference §1.2).
TOKEN_GET = E("token_get", "GET", "/api/v2/token/get", shop_scoped=False, auth_host=True)
TOKEN_REFRESH = E("token_refresh", "GET", "/api/v2/token/refresh", shop_scoped=False,
                  auth_host=True)
# Authorization: no shop_cipher (sending one gives 36009004 "Unexpected identifier").
AUTHORIZED_SHOPS = E("authorized_shops", "GET", "/authorization/202309/shops", shop_scoped=False)
# Catalog reference data.
CATEGORIES = E("categories", "GET", "/product/202309/categories")
CATEGORY_ATTRIBUTES = E("category_attributes", "GET",
                        "/product/202309/categories/{category_id}/attributes")
CATEGORY_RULES = E("category_rules", "GET", "/product/202309/categories/{category_id}/rules")
BRANDS = E("brands", "GET", "/product/202309/brands")
PREREQUISITES = E("prerequisites", "GET", "/product/202312/prerequisites")
# Image upload takes no shop_cipher (Upload Product Image doc) and a multipart body.
IMAGE_UPLOAD = E("image_upload", "POST", "/product/202309/images/upload", shop_scoped=False,
                 multipart=True)
# Seller-level compliance records: no shop_cipher (reference §1.5, each doc's query list).
# Creating a manufacturer or responsible person twice makes two records: not resent.
FILE_UPLOAD = E("file_upload", "POST", "/product/202309/files/upload", shop_scoped=False,
                multipart=True)
SIZE_CHART_SEARCH = E("size_chart_search", "POST", "/product/202407/sizecharts/search",
                      shop_scoped=False)
MANUFACTURER_CREATE = E("manufacturer_create", "POST", "/product/202409/compliance/manufacturers",
                        shop_scoped=False, idempotent=False)
MANUFACTURER_SEARCH = E("manufacturer_search", "POST",
                        "/product/202501/compliance/manufacturers/search", shop_scoped=False)
RESPONSIBLE_PERSON_CREATE = E("responsible_person_create", "POST",
                              "/product/202409/compliance/responsible_persons",
                              shop_scoped=False, idempotent=False)
RESPONSIBLE_PERSON_SEARCH = E("responsible_person_search", "POST",
                              "/product/202501/compliance/responsible_persons/search",
                              shop_scoped=False)
# Products. Create is made idempotent by the idempotency_key the client always sends.
PRODUCT_CREATE = E("product_create", "POST", "/product/202309/products")
PRODUCT_EDIT = E("product_edit", "PUT", "/product/202509/products/{product_id}")
PRODUCT_PARTIAL_EDIT = E("product_partial_edit", "POST",
                         "/product/202509/products/{product_id}/partial_edit")
PRODUCT_GET = E("product_get", "GET", "/product/202309/products/{product_id}")
PRODUCT_SEARCH = E("product_search", "POST", "/product/202502/products/search")
# Delete is a DELETE *with* a JSON body, signed like any body (Delete Products doc).
PRODUCT_DELETE = E("product_delete", "DELETE", "/product/202309/products")
PRODUCT_ACTIVATE = E("product_activate", "POST", "/product/202309/products/activate")
PRODUCT_DEACTIVATE = E("product_deactivate", "POST", "/product/202309/products/deactivate")
INVENTORY_UPDATE = E("inventory_update", "POST",
                     "/product/202309/products/{product_id}/inventory/update")
PRICE_UPDATE = E("price_update", "POST", "/product/202309/products/{product_id}/prices/update")
# Logistics.
WAREHOUSES = E("warehouses", "GET", "/logistics/202309/warehouses")
WAREHOUSE_DELIVERY_OPTIONS = E("warehouse_delivery_options", "GET",
                               "/logistics/202309/warehouses/{warehouse_id}/delivery_options")
SHIPPING_PROVIDERS = E("shipping_providers", "GET",
                       "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers")
# Orders.
ORDER_SEARCH = E("order_search", "POST", "/order/202309/orders/search")
ORDER_DETAIL = E("order_detail", "GET", "/order/202507/orders")
# Fulfillment. Shipping twice is not a no-op, so those calls are not resent on unknown outcome.
PACKAGE_SEARCH = E("package_search", "POST", "/fulfillment/202309/packages/search")
PACKAGE_DETAIL = E("package_detail", "GET", "/fulfillment/202309/packages/{package_id}")
PACKAGE_SHIP = E("package_ship", "POST", "/fulfillment/202309/packages/{package_id}/ship",
                 idempotent=False)
MARK_PACKAGE_SHIPPED = E("mark_package_shipped", "POST",
                         "/fulfillment/202309/orders/{order_id}/packages", idempotent=False)
# Split Orders: a resend after an unknown outcome could split twice.
ORDER_SPLIT = E("order_split", "POST", "/fulfillment/202309/orders/{order_id}/split",
                idempotent=False)
ORDER_TRACKING = E("order_tracking", "GET", "/fulfillment/202309/orders/{order_id}/tracking")
ORDER_SHIPPING_INFO_UPDATE = E("order_shipping_info_update", "POST",
                               "/fulfillment/202309/orders/{order_id}/shipping_info/update")
PACKAGE_SHIPPING_INFO_UPDATE = E("package_shipping_info_update", "POST",
                                 "/fulfillment/202309/packages/{package_id}/shipping_info/update")
# Returns and refunds.
CANCELLATION_SEARCH = E("cancellation_search", "POST", "/return_refund/202309/cancellations/search")
# Approve/Reject take an optional `idempotency_key` query (their docs); the client always sends
# one, so a resend after an unknown outcome is safe.
CANCELLATION_APPROVE = E("cancellation_approve", "POST",
                         "/return_refund/202309/cancellations/{cancel_id}/approve")
CANCELLATION_REJECT = E("cancellation_reject", "POST",
                        "/return_refund/202309/cancellations/{cancel_id}/reject")
RETURN_SEARCH = E("return_search", "POST", "/return_refund/202309/returns/search")
RETURN_APPROVE = E("return_approve", "POST", "/return_refund/202309/returns/{return_id}/approve")
RETURN_REJECT = E("return_reject", "POST", "/return_refund/202309/returns/{return_id}/reject")
RETURN_RECORDS = E("return_records", "GET", "/return_refund/202309/returns/{return_id}/records")
REJECT_REASONS = E("reject_reasons", "GET", "/return_refund/202309/reject_reasons")
# Event API (per-shop webhook subscriptions).
WEBHOOKS_GET = E("webhooks_get", "GET", "/event/202309/webhooks")
WEBHOOK_UPDATE = E("webhook_update", "PUT", "/event/202309/webhooks")
WEBHOOK_DELETE = E("webhook_delete", "DELETE", "/event/202309/webhooks")

#: Every endpoint above, for the contract test and for docs.
ALL_ENDPOINTS: tuple[Endpoint, ...] = tuple(
    v for v in list(globals().values()) if isinstance(v, Endpoint)
)
