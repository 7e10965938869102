"""Which response model parses which sample: fudiwei (MIT) files and official doc spec files.

Both are read from ../shared at test time (the official data has no licence: never copied).
"""

from __future__ import annotations

from ecomsend.integrations.tiktok.models.auth import AuthorizedShops, TokenResponse
from ecomsend.integrations.tiktok.models.catalog import (
    Attributes,
    Brands,
    Categories,
    CategoryRules,
    Prerequisites,
    UploadedImage,
)
from ecomsend.integrations.tiktok.models.common import TikTokModel
from ecomsend.integrations.tiktok.models.events import WebhookSubscriptions
from ecomsend.integrations.tiktok.models.fulfillment import (
    PackageDetail,
    PackagePage,
    ShippedPackage,
    Tracking,
)
from ecomsend.integrations.tiktok.models.logistics import (
    DeliveryOptions,
    ShippingProviders,
    Warehouses,
)
from ecomsend.integrations.tiktok.models.orders import OrderDetails, OrderPage
from ecomsend.integrations.tiktok.models.products import (
    BatchResult,
    Product,
    ProductPage,
    ProductWriteResult,
)
from ecomsend.integrations.tiktok.models.returns import CancellationPage

#: fudiwei-samples/ModelSamples/<path> → model of its `data`.
FUDIWEI_RESPONSES: dict[str, type[TikTokModel]] = {
    "Auth/AuthGetTokenResponse.json": TokenResponse,
    "Auth/AuthRefreshTokenResponse.json": TokenResponse,
    "Authorization/AuthorizationGetShopsResponse.json": AuthorizedShops,
    "Product/Category/ProductGetCategoriesResponse.json": Categories,
    "Product/Category/ProductGetCategoryAttributesResponse.json": Attributes,
    "Product/Category/ProductGetCategoryRulesResponse.json": CategoryRules,
    "Product/Brand/ProductGetBrandsResponse.json": Brands,
    "Product/ProductGetPrerequisitesResponse.json": Prerequisites,
    "Product/Upload/ProductUploadImageResponse.json": UploadedImage,
    "Product/ProductCreateProductResponse.json": ProductWriteResult,
    "Product/ProductUpdateProductResponse.json": ProductWriteResult,
    "Product/ProductUpdateProductPartiallyResponse.json": ProductWriteResult,
    "Product/ProductGetProductDetailResponse.json": Product,
    "Product/ProductSearchProductsResponse.json": ProductPage,
    "Product/ProductUpdateProductInventoryResponse.json": BatchResult,
    "Product/ProductDeleteProductsResponse.json": BatchResult,
    "Product/ProductActivateProductsResponse.json": BatchResult,
    "Product/ProductDeactivateProductsResponse.json": BatchResult,
    "Logistics/LogisticsGetWarehousesResponse.json": Warehouses,
    "Logistics/LogisticsGetWarehouseDeliveryOptionsResponse.json": DeliveryOptions,
    "Logistics/LogisticsGetDeliveryOptionShippingProvidersResponse.json": ShippingProviders,
    "Order/OrderSearchOrdersResponse.json": OrderPage,
    "Order/OrderBatchGetOrderDetailResponse.json": OrderDetails,
    "Fulfillment/Packages/FulfillmentSearchPackagesResponse.json": PackagePage,
    "Fulfillment/Packages/FulfillmentGetPackageDetailResponse.json": PackageDetail,
    "Fulfillment/Orders/FulfillmentUpdateOrderPackagesResponse.json": ShippedPackage,
    "Fulfillment/Orders/FulfillmentGetOrderTrackingResponse.json": Tracking,
    "ReturnRefund/Cancellations/ReturnRefundSearchCancellationsResponse.json": CancellationPage,
    "Event/EventGetWebhooksResponse.json": WebhookSubscriptions,
}

#: official-docs-scraped/api-reference/<path> → model of its `response_body` example's `data`.
OFFICIAL_RESPONSES: dict[str, type[TikTokModel]] = {
    "authorization/get-authorized-shops.spec.json": AuthorizedShops,
    "products/get-categories.spec.json": Categories,
    "products/get-attributes.spec.json": Attributes,
    "products/get-category-rules.spec.json": CategoryRules,
    "products/get-brands.spec.json": Brands,
    "products/check-listing-prerequisites.spec.json": Prerequisites,
    "products/upload-product-image.spec.json": UploadedImage,
    "products/create-product.spec.json": ProductWriteResult,
    "products/edit-product.spec.json": ProductWriteResult,
    "products/partial-edit-product.spec.json": ProductWriteResult,
    "products/get-product.spec.json": Product,
    "products/search-products.spec.json": ProductPage,
    "products/update-inventory.spec.json": BatchResult,
    "products/delete-products.spec.json": BatchResult,
    "products/activate-product.spec.json": BatchResult,
    "products/deactivate-products.spec.json": BatchResult,
    "logistics/get-warehouse-list.spec.json": Warehouses,
    "logistics/get-warehouse-delivery-options.spec.json": DeliveryOptions,
    "logistics/get-shipping-providers.spec.json": ShippingProviders,
    "orders/get-order-list.spec.json": OrderPage,
    "orders/get-order-detail.spec.json": OrderDetails,
    "fulfillment/search-package.spec.json": PackagePage,
    "fulfillment/get-package-detail.spec.json": PackageDetail,
    "fulfillment/mark-package-as-shipped.spec.json": ShippedPackage,
    "fulfillment/get-tracking.spec.json": Tracking,
    "return-and-refund/search-cancellations.spec.json": CancellationPage,
    "event/get-shop-webhooks.spec.json": WebhookSubscriptions,
}
