"""Return-and-refund payloads: cancellations, returns, reject reasons, records (parsed by
`returns.py`; shapes from the return-and-refund doc specs, version 202309)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ecomsend.integrations.tiktok.models.common import (
    Money,
    Page,
    RequestModel,
    TikTokId,
    TikTokModel,
)


class CancellationSearchFilter(RequestModel):
    order_ids: list[str] | None = None
    cancel_ids: list[str] | None = None
    cancel_status: list[str] | None = None
    cancel_types: list[str] | None = None
    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None
    locale: str | None = None


class CancelLineItem(TikTokModel):
    cancel_line_item_id: TikTokId | None = None
    order_line_item_id: TikTokId | None = None
    sku_id: TikTokId | None = None
    seller_sku: str | None = None


class Cancellation(TikTokModel):
    cancel_id: TikTokId
    order_id: TikTokId
    cancel_status: str | None = None
    cancel_type: str | None = None
    role: str | None = None
    cancel_reason: str | None = None
    cancel_reason_text: str | None = None
    cancel_line_items: list[CancelLineItem] = Field(default_factory=list)
    refund_amount: dict[str, Any] | None = None
    create_time: int | None = None
    update_time: int | None = None


class CancellationPage(Page):
    cancellations: list[Cancellation] = Field(default_factory=list)


class ReturnSearchFilter(RequestModel):
    """Search Returns body (every field optional; statuses/types are lists)."""

    return_ids: list[str] | None = None
    order_ids: list[str] | None = None
    return_types: list[str] | None = None
    return_status: list[str] | None = None
    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None
    locale: str | None = None


class RefundAmount(TikTokModel):
    """`refund_amount` of a return or of one of its line items (decimal strings)."""

    currency: str | None = None
    refund_total: Money | None = None
    refund_subtotal: Money | None = None
    refund_shipping_fee: Money | None = None
    refund_tax: Money | None = None


class ReturnLineItem(TikTokModel):
    return_line_item_id: TikTokId | None = None
    order_line_item_id: TikTokId
    sku_id: TikTokId | None = None
    seller_sku: str | None = None
    product_name: str | None = None
    sku_name: str | None = None
    refund_amount: RefundAmount | None = None


class NextAction(TikTokModel):
    action: str | None = None
    deadline: int | None = None


class ReturnOrder(TikTokModel):
    """One Search Returns `return_orders[]` item."""

    return_id: TikTokId
    order_id: TikTokId
    return_type: str | None = None
    return_status: str | None = None
    role: str | None = None
    return_reason: str | None = None
    return_reason_text: str | None = None
    return_tracking_number: str | None = None
    create_time: int | None = None
    update_time: int | None = None
    return_line_items: list[ReturnLineItem] = Field(default_factory=list)
    refund_amount: RefundAmount | None = None
    seller_next_action_response: list[NextAction] = Field(default_factory=list)


class ReturnPage(Page):
    return_orders: list[ReturnOrder] = Field(default_factory=list)


class RejectReason(TikTokModel):
    name: str
    text: str | None = None


class RejectReasons(TikTokModel):
    reasons: list[RejectReason] = Field(default_factory=list)


class ReturnRecord(TikTokModel):
    event: str | None = None
    role: str | None = None
    description: str | None = None
    reason_text: str | None = None
    note: str | None = None
    create_time: int | None = None


class ReturnRecords(TikTokModel):
    records: list[ReturnRecord] = Field(default_factory=list)


#: Approve Return `decision` values (doc value list).
ApproveDecision = Literal["APPROVE_REFUND", "APPROVE_RETURN", "APPROVE_RECEIVED_PACKAGE",
                          "APPROVE_REPLACEMENT", "OFFER_PARTIAL_REFUND"]
#: Reject Return `decision` values (doc value list).
RejectDecision = Literal["REJECT_REFUND", "REJECT_RETURN", "REJECT_RECEIVED_PACKAGE",
                         "REJECT_REPLACEMENT"]
