"""Package, shipping and tracking payloads (parsed by `fulfillment.py`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ecomsend.integrations.tiktok.models.common import (
    Page,
    RequestModel,
    TikTokId,
    TikTokModel,
)


class PackageSearchFilter(RequestModel):
    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None
    package_status: str | None = None


class PackageSummary(TikTokModel):
    id: TikTokId
    status: str | None = None  # PROCESSING | FULFILLING | COMPLETED | CANCELLED
    tracking_number: str | None = None
    shipping_provider_id: TikTokId | None = None
    shipping_provider_name: str | None = None
    order_line_item_ids: list[TikTokId] = Field(default_factory=list)
    orders: list[dict[str, Any]] = Field(default_factory=list)
    create_time: int | None = None
    update_time: int | None = None


class PackagePage(Page):
    packages: list[PackageSummary] = Field(default_factory=list)


class PackageDetail(TikTokModel):
    """`data` of Get Package Detail (the doc names the id `package_id`)."""

    package_id: TikTokId | None = None
    package_status: str | None = None
    tracking_number: str | None = None
    shipping_provider_id: TikTokId | None = None
    shipping_provider_name: str | None = None
    shipping_type: str | None = None
    handover_method: str | None = None
    orders: list[dict[str, Any]] = Field(default_factory=list)


class ShippedPackage(TikTokModel):
    """`data` of Mark Package As Shipped: the package TikTok built for those line items."""

    order_id: TikTokId | None = None
    package_id: TikTokId | None = None
    order_line_item_ids: list[TikTokId] = Field(default_factory=list)
    warning: dict[str, Any] | None = None


class SplitPackage(TikTokModel):
    """One package Split Orders made: our group id and TikTok's new package id."""

    splittable_group_id: str | None = None
    id: TikTokId | None = None


class SplitResult(TikTokModel):
    """`data` of Split Orders (its doc): one new package per group sent."""

    packages: list[SplitPackage] = Field(default_factory=list)


class TrackingEvent(TikTokModel):
    """One tracking event; the time is in MILLISECONDS (Get Tracking doc, `update_time_millis`)."""

    description: str | None = None
    update_time_millis: int | None = None


class Tracking(TikTokModel):
    tracking: list[TrackingEvent] = Field(default_factory=list)
