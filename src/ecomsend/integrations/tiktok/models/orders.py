"""Order search filters and order payloads (parsed by `orders.py`).

Line items carry NO `quantity`: each line item is one unit, so quantity 3 of a SKU is three line
items with the same `sku_id` (checked in the 202309 and 202507 schemas; reference §4.7).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import Field

from ecomsend.integrations.tiktok.models.common import (
    Money,
    Page,
    RequestModel,
    TikTokId,
    TikTokModel,
)

#: Order statuses of the order APIs. The webhook says `CANCEL` where these say `CANCELLED`.
ORDER_STATUSES = frozenset({
    "UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
    "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED",
})


class OrderSearchFilter(RequestModel):
    """Body of Get Order List: `_ge` inclusive, `_lt` exclusive (Get Order List doc)."""

    order_status: str | None = None
    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None
    shipping_type: str | None = None  # TIKTOK | SELLER | TIKTOK_DIGITAL
    buyer_user_id: str | None = None
    is_buyer_request_cancel: bool | None = None
    warehouse_ids: list[str] | None = None


class LineItem(TikTokModel):
    """One unit of one SKU (no quantity field exists)."""

    id: TikTokId
    sku_id: TikTokId | None = None
    product_id: TikTokId | None = None
    product_name: str | None = None
    sku_name: str | None = None
    seller_sku: str | None = None
    original_price: Money | None = None
    sale_price: Money | None = None
    seller_discount: Money | None = None
    platform_discount: Money | None = None
    currency: str | None = None
    display_status: str | None = None
    package_id: TikTokId | None = None
    package_status: str | None = None
    shipping_provider_id: TikTokId | None = None
    shipping_provider_name: str | None = None
    tracking_number: str | None = None
    cancel_reason: str | None = None
    is_gift: bool | None = None


class Payment(TikTokModel):
    currency: str | None = None
    sub_total: Money | None = None
    shipping_fee: Money | None = None
    seller_discount: Money | None = None
    platform_discount: Money | None = None
    total_amount: Money | None = None
    tax: Money | None = None
    original_total_product_price: Money | None = None
    original_shipping_fee: Money | None = None


class PackageRef(TikTokModel):
    id: TikTokId


class Order(TikTokModel):
    """An order as Get Order Detail and Get Order List return it."""

    id: TikTokId
    status: str
    create_time: int | None = None
    update_time: int | None = None
    paid_time: int | None = None
    fulfillment_type: str | None = None
    shipping_type: str | None = None
    delivery_option_id: TikTokId | None = None
    delivery_option_name: str | None = None
    warehouse_id: TikTokId | None = None
    shipping_provider: str | None = None
    shipping_provider_id: TikTokId | None = None
    tracking_number: str | None = None
    buyer_message: str | None = None
    buyer_email: str | None = None
    is_on_hold_order: bool | None = None
    cancel_reason: str | None = None
    cancellation_initiator: str | None = None
    payment: Payment | None = None
    recipient_address: dict[str, Any] | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    packages: list[PackageRef] = Field(default_factory=list)

    def quantities_by_sku(self) -> dict[str, int]:
        """Units per `sku_id`: the line-item count, since TikTok has no quantity field."""
        return dict(Counter(li.sku_id for li in self.line_items if li.sku_id is not None))

    def line_item_ids_by_sku(self) -> dict[str, list[str]]:
        """TikTok line-item ids per SKU (needed later to ship those units)."""
        out: dict[str, list[str]] = {}
        for li in self.line_items:
            if li.sku_id is not None:
                out.setdefault(li.sku_id, []).append(li.id)
        return out


class OrderPage(Page):
    orders: list[Order] = Field(default_factory=list)


class OrderDetails(TikTokModel):
    orders: list[Order] = Field(default_factory=list)
