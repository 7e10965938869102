"""The API route table: method, path template, handler and shop_cipher policy (reference §4.1)."""

from __future__ import annotations

from ecomsend.sandbox.tiktok import (
    cancellations,
    catalog_api,
    compliance,
    fulfillment,
    logistics,
    orders,
    product_ops,
    products,
    returns,
    shops,
    split,
)
from ecomsend.sandbox.tiktok.gateway import Handler, Route

#: Endpoints that refuse shop_cipher (reference §1.5): authorization, seller, image upload.
NO_CIPHER = "forbidden"

_P = "/product/202309"
_F = "/fulfillment/202309"
_R = "/return_refund/202309"


def _versions(method: str, template: str, handler: Handler, versions: tuple[str, ...],
              cipher: str = "required") -> list[Route]:
    """The same handler on several API versions of a path."""
    return [Route(method, template.format(v=v), handler, cipher) for v in versions]


def api_routes() -> list[Route]:
    """Every signed API endpoint the sandbox serves."""
    return [*_shop_and_catalog_routes(), *_product_routes(), *_order_routes()]


def _shop_and_catalog_routes() -> list[Route]:
    """Authorization, events, catalog and logistics endpoints."""
    return [
        Route("GET", "/authorization/202309/shops", shops.get_authorized_shops, NO_CIPHER),
        Route("GET", "/seller/202309/shops", shops.get_active_shops, NO_CIPHER),
        Route("GET", "/event/202309/webhooks", shops.get_webhooks),
        Route("PUT", "/event/202309/webhooks", shops.put_webhook),
        Route("DELETE", "/event/202309/webhooks", shops.delete_webhook),
        Route("GET", "/product/202312/prerequisites", shops.get_prerequisites),
        Route("GET", f"{_P}/categories", catalog_api.get_categories),
        Route("POST", f"{_P}/categories/recommend", catalog_api.recommend_category),
        Route("GET", f"{_P}/categories/{{category_id}}/attributes", catalog_api.get_attributes),
        Route("GET", f"{_P}/categories/{{category_id}}/rules", catalog_api.get_rules),
        Route("GET", f"{_P}/brands", catalog_api.get_brands),
        Route("POST", f"{_P}/images/upload", catalog_api.upload_image, NO_CIPHER),
        *_compliance_routes(),
        Route("GET", "/logistics/202309/warehouses", logistics.get_warehouses),
        Route("GET", "/logistics/202309/warehouses/{warehouse_id}/delivery_options",
              logistics.get_delivery_options),
        Route("GET", "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers",
              logistics.get_shipping_providers),
    ]


def _compliance_routes() -> list[Route]:
    """Files, size charts and EU GPSR entities: seller-level, no shop_cipher (reference §1.5)."""
    return [
        Route("POST", f"{_P}/files/upload", compliance.upload_file, NO_CIPHER),
        Route("POST", "/product/202407/sizecharts/search", compliance.search_size_charts,
              NO_CIPHER),
        Route("POST", "/product/202409/compliance/manufacturers",
              compliance.create_manufacturer, NO_CIPHER),
        *_versions("POST", "/product/{v}/compliance/manufacturers/search",
                   compliance.search_manufacturers, ("202409", "202501"), NO_CIPHER),
        Route("POST", "/product/202409/compliance/responsible_persons",
              compliance.create_responsible_person, NO_CIPHER),
        *_versions("POST", "/product/{v}/compliance/responsible_persons/search",
                   compliance.search_responsible_persons, ("202409", "202501"), NO_CIPHER),
    ]


def _product_routes() -> list[Route]:
    """Product endpoints."""
    return [
        Route("POST", f"{_P}/products", products.create_product),
        Route("POST", f"{_P}/products/listing_check", products.listing_check),
        Route("POST", f"{_P}/products/activate", product_ops.activate_products),
        Route("POST", f"{_P}/products/deactivate", product_ops.deactivate_products),
        Route("POST", f"{_P}/products/recover", product_ops.recover_products),
        Route("DELETE", f"{_P}/products", product_ops.delete_products),
        Route("POST", f"{_P}/inventory/search", product_ops.search_inventory),
        *_versions("POST", "/product/{v}/products/search", products.search_products,
                   ("202309", "202312", "202502")),
        *_versions("PUT", "/product/{v}/products/{{product_id}}", products.edit_product,
                   ("202309", "202509")),
        *_versions("POST", "/product/{v}/products/{{product_id}}/partial_edit",
                   products.partial_edit_product, ("202309", "202509")),
        Route("GET", f"{_P}/products/{{product_id}}", products.get_product),
        Route("POST", f"{_P}/products/{{product_id}}/inventory/update",
              product_ops.update_inventory),
        Route("POST", f"{_P}/products/{{product_id}}/prices/update", product_ops.update_price),
    ]


def _order_routes() -> list[Route]:
    """Order, fulfillment and cancellation endpoints."""
    return [
        Route("POST", "/order/202309/orders/search", orders.search_orders),
        *_versions("GET", "/order/{v}/orders", orders.get_order_detail, ("202309", "202507")),
        Route("POST", f"{_F}/packages/search", fulfillment.search_packages),
        Route("GET", f"{_F}/packages/{{package_id}}", fulfillment.get_package),
        Route("POST", f"{_F}/packages/{{package_id}}/ship", fulfillment.ship_package),
        Route("POST", f"{_F}/packages/{{package_id}}/shipping_info/update",
              fulfillment.update_package_shipping_info),
        Route("POST", f"{_F}/orders/{{order_id}}/packages", fulfillment.mark_package_shipped),
        Route("POST", f"{_F}/orders/{{order_id}}/split", split.split_order),
        Route("POST", f"{_F}/orders/{{order_id}}/shipping_info/update",
              fulfillment.update_order_shipping_info),
        Route("GET", f"{_F}/orders/{{order_id}}/tracking", fulfillment.get_tracking),
        Route("POST", f"{_R}/cancellations", cancellations.seller_cancel),
        Route("POST", f"{_R}/cancellations/search", cancellations.search_cancellations),
        Route("POST", f"{_R}/cancellations/{{cancel_id}}/approve",
              cancellations.approve_cancellation),
        Route("POST", f"{_R}/cancellations/{{cancel_id}}/reject",
              cancellations.reject_cancellation),
        Route("POST", f"{_R}/returns/search", returns.search_returns),
        Route("POST", f"{_R}/returns/{{return_id}}/approve", returns.approve_return),
        Route("POST", f"{_R}/returns/{{return_id}}/reject", returns.reject_return),
        Route("GET", f"{_R}/returns/{{return_id}}/records", returns.get_return_records),
        Route("GET", f"{_R}/reject_reasons", returns.get_reject_reasons),
        Route("POST", f"{_R}/refunds/calculate", returns.calculate_refund),
    ]
