"""Request and response models of the Orders API (`api_orders`), and the view → model mapping."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ecomsend.sync.orders import overview
from ecomsend.sync.orders.fixes import FixKind, Where


class SyncStatusOut(BaseModel):
    status: str = Field(description="not_synced | waiting | pending | running | synced | "
                                    "backoff | failed | review_failed | cancelled")
    error: dict[str, Any] | None = Field(
        default=None, description="When failed: {message, field_errors[{field, message, fix}]}")
    updated_at: datetime | None = None


class ItemOut(BaseModel):
    sku_id: str
    seller_sku: str | None
    product_name: str | None
    quantity: int
    linked: bool = Field(description="False: link this TikTok SKU to a Shopify variant")


class ShipmentOut(BaseModel):
    direction: Literal["to_tiktok", "to_shopify"] | str
    tiktok_package_id: str
    shopify_fulfillment_id: str
    tracking_number: str | None
    carrier: str | None


class FixActionOut(BaseModel):
    kind: FixKind = Field(description="link_item: Link products with the SKU prefilled; "
                                      "carrier_mapping: Settings › Fulfillment; reconnect: "
                                      "Settings › Connections; sync_order / fetch / retry")
    label: str
    sku_id: str | None = None
    seller_sku: str | None = None


class ProblemOut(BaseModel):
    where: Where = Field(description="order | to_tiktok | to_shopify")
    message: str
    action: FixActionOut


class OrderOut(BaseModel):
    order_id: str = Field(description="TikTok order id")
    status: str = Field(description="TikTok order status")
    shipping_type: str | None
    currency: str | None
    total: str | None
    created_at: datetime | None
    buyer: str | None = Field(description="The recipient's name as TikTok gives it")
    buyer_email: str | None
    shopify_order_id: str | None
    shopify_order_name: str | None
    shopify_order_url: str | None = Field(description="The order in Shopify admin")
    order_sync: SyncStatusOut
    fulfillment_sync: SyncStatusOut = Field(description="Both directions in one status")
    fulfillment_to_tiktok: SyncStatusOut | None = Field(
        description="Shopify → TikTok (seller shipping); null when it does not apply")
    fulfillment_to_shopify: SyncStatusOut | None = Field(
        description="TikTok → Shopify (TikTok shipping); null when it does not apply")
    cancel_sync: SyncStatusOut | None
    items: list[ItemOut]
    shipments: list[ShipmentOut]
    problems: list[ProblemOut] = Field(description="Each failure with its fix action")


class OrderPageOut(BaseModel):
    total: int
    orders: list[OrderOut]


class SyncRequest(BaseModel):
    order_ids: list[str] = Field(min_length=1, max_length=250)
    what: Literal["order", "fulfillment"] = "order"


class BulkIn(BaseModel):
    order_ids: list[str] = Field(min_length=1, max_length=250)


class SkippedOut(BaseModel):
    order_id: str
    reason: str


class BulkOut(BaseModel):
    queued: list[str]
    skipped: list[SkippedOut] = Field(default_factory=list)


class RetryAccepted(BaseModel):
    retried: list[str] = Field(description="What was retried: order / fulfillment / "
                                           "order_cancel")


class SummaryOut(BaseModel):
    orders: dict[str, int]
    fulfillments: dict[str, int]
    order_sync: dict[str, int] = Field(
        default_factory=dict, description="Orders per order sync status")
    fulfillment_to_tiktok: dict[str, int] = Field(
        default_factory=dict, description="Orders per Shopify → TikTok fulfillment status")
    fulfillment_to_shopify: dict[str, int] = Field(
        default_factory=dict, description="Orders per TikTok → Shopify fulfillment status")


def shopify_admin_url(shop_domain: str, order_gid: str | None) -> str | None:
    """`https://admin.shopify.com/store/<store>/orders/<numeric id>` for an order GID."""
    if not order_gid:
        return None
    numeric = order_gid.rsplit("/", 1)[-1]
    store = shop_domain.removesuffix(".myshopify.com")
    return f"https://admin.shopify.com/store/{store}/orders/{numeric}" if numeric else None


def _st(v: overview.SyncView | None) -> SyncStatusOut | None:
    return None if v is None else SyncStatusOut(status=v.status, error=v.error,
                                                updated_at=v.updated_at)


def order_out(view: overview.OrderView, shop_domain: str) -> OrderOut:
    """One order as the API shows it."""
    order_sync, fulfillment = _st(view.order_sync), _st(view.fulfillment_sync)
    assert order_sync is not None and fulfillment is not None
    return OrderOut(
        order_id=view.order_id, status=view.status, shipping_type=view.shipping_type,
        currency=view.currency, total=None if view.total is None else str(view.total),
        created_at=view.created_at, buyer=view.buyer, buyer_email=view.buyer_email,
        shopify_order_id=view.shopify_order_id, shopify_order_name=view.shopify_order_name,
        shopify_order_url=shopify_admin_url(shop_domain, view.shopify_order_id),
        order_sync=order_sync, fulfillment_sync=fulfillment,
        fulfillment_to_tiktok=_st(view.fulfillment_to_tiktok),
        fulfillment_to_shopify=_st(view.fulfillment_to_shopify),
        cancel_sync=_st(view.cancel_sync),
        items=[ItemOut(**vars(i)) for i in view.items],
        shipments=[ShipmentOut(**vars(s)) for s in view.shipments],
        problems=[ProblemOut(where=p.where, message=p.message,
                             action=FixActionOut(**vars(p.action))) for p in view.problems])
