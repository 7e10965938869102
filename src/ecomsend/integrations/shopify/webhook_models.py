"""Pydantic models of the webhook bodies the app handles (REST-shaped JSON, reference §4.3).

Bodies are REST resources in snake_case even for GraphQL subscriptions. Unknown fields are
ignored (Shopify adds fields without a version bump); `admin_graphql_api_id` is preferred over
numeric ids (example payloads round large ids). Used by `webhooks.parse_payload`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class VariantPayload(_Payload):
    id: int
    admin_graphql_api_id: str | None = None
    sku: str | None = None
    barcode: str | None = None
    price: str | None = None
    compare_at_price: str | None = None
    inventory_item_id: int | None = None
    inventory_quantity: int | None = None
    inventory_policy: str | None = None
    position: int | None = None
    title: str | None = None
    option1: str | None = None
    option2: str | None = None
    option3: str | None = None
    updated_at: str | None = None


class OptionPayload(_Payload):
    name: str
    position: int | None = None
    values: list[str] = Field(default_factory=list)


class ImagePayload(_Payload):
    id: int | None = None
    src: str | None = None
    alt: str | None = None
    position: int | None = None


class ProductPayload(_Payload):
    """products/create, products/update. `tags` is one comma-separated string; only the first
    100 variants are in full, the rest only in `variant_gids` (topic description)."""

    id: int
    admin_graphql_api_id: str | None = None
    title: str | None = None
    handle: str | None = None
    body_html: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    status: str | None = None
    tags: str | None = None
    updated_at: str | None = None
    variants: list[VariantPayload] = Field(default_factory=list)
    options: list[OptionPayload] = Field(default_factory=list)
    images: list[ImagePayload] = Field(default_factory=list)
    variant_gids: list[dict[str, object]] = Field(default_factory=list)

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in (self.tags or "").split(",") if t.strip()]


class ProductDeletePayload(_Payload):
    """products/delete: only the id."""

    id: int


class InventoryLevelPayload(_Payload):
    """inventory_levels/update|connect|disconnect: only `available`, no variant id — map
    inventory_item_id to the variant (reference §4.3)."""

    inventory_item_id: int
    location_id: int
    available: int | None = None
    updated_at: str | None = None
    admin_graphql_api_id: str | None = None


class InventoryItemPayload(_Payload):
    """inventory_items/create|update|delete."""

    id: int
    admin_graphql_api_id: str | None = None
    sku: str | None = None
    tracked: bool | None = None
    requires_shipping: bool | None = None
    cost: str | None = None
    updated_at: str | None = None


class LineItemPayload(_Payload):
    id: int
    variant_id: int | None = None
    product_id: int | None = None
    sku: str | None = None
    quantity: int = 0
    title: str | None = None


class FulfillmentPayload(_Payload):
    """fulfillments/create|update, also nested in orders."""

    id: int
    admin_graphql_api_id: str | None = None
    order_id: int | None = None
    status: str | None = None
    shipment_status: str | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)
    tracking_url: str | None = None
    tracking_urls: list[str] = Field(default_factory=list)
    location_id: int | None = None
    line_items: list[LineItemPayload] = Field(default_factory=list)
    created_at: str | None = None
    updated_at: str | None = None


class RefundLineItemPayload(_Payload):
    """One `refund_line_items[]` entry of refunds/create (REST Refund resource)."""

    id: int | None = None
    line_item_id: int | None = None
    quantity: int = 0
    restock_type: str | None = None
    location_id: int | None = None
    subtotal: str | None = None


class RefundTransactionPayload(_Payload):
    id: int | None = None
    kind: str | None = None
    status: str | None = None
    amount: str | None = None
    currency: str | None = None
    gateway: str | None = None


class RefundPayload(_Payload):
    """refunds/create: the REST Refund resource (no example ships in the contracts; its shape
    is Shopify's REST Refund reference: id, order_id, note, restock, refund_line_items,
    transactions)."""

    id: int
    admin_graphql_api_id: str | None = None
    order_id: int
    note: str | None = None
    restock: bool | None = None
    created_at: str | None = None
    refund_line_items: list[RefundLineItemPayload] = Field(default_factory=list)
    transactions: list[RefundTransactionPayload] = Field(default_factory=list)


class NoteAttribute(_Payload):
    name: str
    value: str | None = None


class OrderPayload(_Payload):
    """orders/create|updated|paid|cancelled|fulfilled|partially_fulfilled (full REST order)."""

    id: int
    admin_graphql_api_id: str | None = None
    name: str | None = None
    source_name: str | None = None
    source_identifier: str | None = None
    tags: str | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    cancelled_at: str | None = None
    updated_at: str | None = None
    note_attributes: list[NoteAttribute] = Field(default_factory=list)
    line_items: list[LineItemPayload] = Field(default_factory=list)
    fulfillments: list[FulfillmentPayload] = Field(default_factory=list)


class BulkOperationFinishPayload(_Payload):
    """bulk_operations/finish: lower-case status and type (reference §4.3)."""

    admin_graphql_api_id: str
    status: str
    type: str | None = None
    error_code: str | None = None
    created_at: str | None = None
    completed_at: str | None = None


def _refuse_keys(data: Any, keys: tuple[str, ...], topic: str) -> Any:
    """The topic header is not signed: a body carrying another compliance topic's keys is that
    topic's body re-sent under this topic, and is refused."""
    if isinstance(data, dict) and any(k in data for k in keys):
        raise ValueError(f"body is not a {topic} payload")
    return data


class AppUninstalledPayload(_Payload):
    """app/uninstalled: the shop object; stop using the token at once. `myshopify_domain` names
    the shop (signed, unlike the X-Shopify-Shop-Domain header); a body without the key is no
    shop object (e.g. a products body re-sent under this topic). Shopify's own example has it
    null; then the header's shop is used."""

    id: int | None = None
    name: str | None = None
    domain: str | None = None
    myshopify_domain: str | None

    @model_validator(mode="before")
    @classmethod
    def _is_shop(cls, data: Any) -> Any:
        if isinstance(data, dict) and "myshopify_domain" not in data:
            raise ValueError("body is not a shop object")
        return data


class CustomerRef(_Payload):
    id: int | None = None
    email: str | None = None
    phone: str | None = None


class CustomersDataRequestPayload(_Payload):
    """customers/data_request (mandatory compliance topic)."""

    shop_id: int
    shop_domain: str
    customer: CustomerRef
    orders_requested: list[int]
    data_request: dict[str, object] | None = None

    @model_validator(mode="before")
    @classmethod
    def _not_redact(cls, data: Any) -> Any:
        return _refuse_keys(data, ("orders_to_redact",), "customers/data_request")


class CustomersRedactPayload(_Payload):
    """customers/redact (mandatory compliance topic)."""

    shop_id: int
    shop_domain: str
    customer: CustomerRef
    orders_to_redact: list[int]

    @model_validator(mode="before")
    @classmethod
    def _not_request(cls, data: Any) -> Any:
        return _refuse_keys(data, ("orders_requested", "data_request"), "customers/redact")


class ShopRedactPayload(_Payload):
    """shop/redact: 48 h after uninstall (mandatory compliance topic)."""

    shop_id: int
    shop_domain: str

    @model_validator(mode="before")
    @classmethod
    def _no_customer(cls, data: Any) -> Any:
        return _refuse_keys(data, ("customer", "orders_requested", "orders_to_redact",
                                   "data_request"), "shop/redact")


#: Topic → payload model, for every topic the app handles.
TOPIC_MODELS: dict[str, type[BaseModel]] = {
    "products/create": ProductPayload,
    "products/update": ProductPayload,
    "products/delete": ProductDeletePayload,
    "inventory_levels/update": InventoryLevelPayload,
    "inventory_levels/connect": InventoryLevelPayload,
    "inventory_levels/disconnect": InventoryLevelPayload,
    "inventory_items/create": InventoryItemPayload,
    "inventory_items/update": InventoryItemPayload,
    "inventory_items/delete": InventoryItemPayload,
    "orders/create": OrderPayload,
    "orders/updated": OrderPayload,
    "orders/paid": OrderPayload,
    "orders/cancelled": OrderPayload,
    "orders/fulfilled": OrderPayload,
    "orders/partially_fulfilled": OrderPayload,
    "fulfillments/create": FulfillmentPayload,
    "fulfillments/update": FulfillmentPayload,
    "refunds/create": RefundPayload,
    "bulk_operations/finish": BulkOperationFinishPayload,
    "app/uninstalled": AppUninstalledPayload,
    "customers/data_request": CustomersDataRequestPayload,
    "customers/redact": CustomersRedactPayload,
    "shop/redact": ShopRedactPayload,
}
