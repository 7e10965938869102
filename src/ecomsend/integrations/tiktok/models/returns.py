"""Cancellation search payloads (parsed by `returns.py`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ecomsend.integrations.tiktok.models.common import (
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
