"""Typed results of the Shopify client (slotted dataclasses; treat them as read-only).

Built by the pure parsers in `parsing.py` from Admin GraphQL JSON; consumed by the sync layer
(`ecomsend.sync.*`) and the catalog import. GIDs are kept as strings (`gid://shopify/Type/123`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Generic, Literal, TypeVar

T = TypeVar("T")

# The catalog models built per bulk line (ProductOption … Product) are slotted but not frozen:
# a frozen dataclass costs ~7x more to construct (object.__setattr__ per field) and a 100k
# product export builds ~1M of them.

#: `OrderCreateOptionsInput.inventoryBehaviour` — British spelling; BYPASS is Shopify's default
#: (reference §9).
InventoryBehaviour = Literal["BYPASS", "DECREMENT_IGNORING_POLICY", "DECREMENT_OBEYING_POLICY"]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a cursor-paginated connection."""

    items: list[T]
    has_next_page: bool
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class ShopInfo:
    id: str
    name: str
    myshopify_domain: str
    currency_code: str
    iana_timezone: str | None = None


@dataclass(frozen=True, slots=True)
class ContextualPrice:
    """`ProductVariant.contextualPricing` for one buyer country: what a buyer there pays, in
    `currency` (the market's price-list currency, or the store's when no market sells there)."""

    variant_id: str
    price: Decimal
    compare_at_price: Decimal | None
    currency: str


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    name: str
    is_active: bool
    fulfills_online_orders: bool


@dataclass(slots=True)
class ProductOption:
    name: str
    position: int
    values: tuple[str, ...]


@dataclass(slots=True)
class ProductImage:
    id: str
    url: str
    alt: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass(slots=True)
class CollectionRef:
    id: str
    handle: str | None = None
    title: str | None = None


@dataclass(slots=True)
class InventoryLevel:
    """`available` of one inventory item at one location (reference §8)."""

    inventory_item_id: str
    location_id: str
    available: int | None
    updated_at: datetime | None = None


@dataclass(slots=True)
class Variant:
    id: str
    product_id: str | None
    title: str | None
    sku: str | None
    barcode: str | None
    price: Decimal
    compare_at_price: Decimal | None
    position: int
    inventory_policy: str | None
    inventory_quantity: int | None
    updated_at: datetime | None
    selected_options: tuple[tuple[str, str], ...]
    inventory_item_id: str | None
    tracked: bool | None = None
    weight: Decimal | None = None
    weight_unit: str | None = None
    inventory_levels: tuple[InventoryLevel, ...] = ()


@dataclass(slots=True)
class Product:
    id: str
    title: str
    handle: str | None
    description_html: str | None
    vendor: str | None
    product_type: str | None
    status: str
    tags: tuple[str, ...]
    updated_at: datetime | None
    category: str | None
    options: tuple[ProductOption, ...]
    images: tuple[ProductImage, ...]
    variants: tuple[Variant, ...]
    collections: tuple[CollectionRef, ...] = ()
    #: `variantsCount.count`: more than len(variants) means the page was truncated.
    variants_count: int | None = None


@dataclass(frozen=True, slots=True)
class InventoryItem:
    id: str
    sku: str | None
    tracked: bool
    levels: tuple[InventoryLevel, ...]


@dataclass(frozen=True, slots=True)
class InventoryQuantity:
    """One row of `inventorySetQuantities`: set `quantity`, if it still is `change_from`.
    `change_from=None` skips the compare-and-set but is still sent (reference §0.2b)."""

    inventory_item_id: str
    location_id: str
    quantity: int
    change_from: int | None


@dataclass(frozen=True, slots=True)
class InventoryChange:
    name: str
    delta: int
    quantity_after_change: int | None
    inventory_item_id: str | None
    location_id: str | None


@dataclass(frozen=True, slots=True)
class InventoryAdjustmentGroup:
    id: str | None
    reason: str | None
    reference_document_uri: str | None
    changes: tuple[InventoryChange, ...]


@dataclass(frozen=True, slots=True)
class BulkOperation:
    id: str
    status: str
    error_code: str | None = None
    object_count: int | None = None
    root_object_count: int | None = None
    file_size: int | None = None
    url: str | None = None
    partial_data_url: str | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None

    @property
    def finished(self) -> bool:
        """True once the operation will not change any more (reference §6 statuses)."""
        return self.status in ("COMPLETED", "CANCELED", "FAILED", "EXPIRED")


@dataclass(frozen=True, slots=True)
class OrderLineItem:
    id: str
    sku: str | None
    quantity: int
    variant_id: str | None


@dataclass(frozen=True, slots=True)
class FulfillmentOrderLineItem:
    id: str
    remaining_quantity: int
    total_quantity: int
    sku: str | None
    line_item_id: str | None


@dataclass(frozen=True, slots=True)
class FulfillmentOrder:
    id: str
    status: str
    location_id: str | None
    line_items: tuple[FulfillmentOrderLineItem, ...]


@dataclass(frozen=True, slots=True)
class TrackingInfo:
    company: str | None
    number: str | None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class FulfillmentLineItem:
    line_item_id: str | None
    sku: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class Fulfillment:
    id: str
    name: str | None
    status: str
    display_status: str | None
    created_at: datetime | None
    updated_at: datetime | None
    tracking: tuple[TrackingInfo, ...]
    line_items: tuple[FulfillmentLineItem, ...]


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    name: str
    tags: tuple[str, ...]
    source_name: str | None
    source_identifier: str | None
    created_at: datetime | None
    cancelled_at: datetime | None
    financial_status: str | None
    fulfillment_status: str | None
    custom_attributes: dict[str, str] = field(default_factory=dict)
    line_items: tuple[OrderLineItem, ...] = ()
    fulfillment_orders: tuple[FulfillmentOrder, ...] = ()
    fulfillments: tuple[Fulfillment, ...] = ()


@dataclass(frozen=True, slots=True)
class WebhookSubscription:
    id: str
    topic: str
    uri: str | None
    format: str | None
    include_fields: tuple[str, ...]
    filter: str | None
    created_at: datetime | None
