"""Warehouses, delivery options and shipping providers (parsed by `logistics.py`)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ecomsend.integrations.tiktok.models.common import TikTokId, TikTokModel


class Warehouse(TikTokModel):
    id: TikTokId
    name: str | None = None
    is_default: bool = False
    effect_status: str | None = None  # ENABLED | DISABLED | RESTRICTED
    type: str | None = None  # SALES_WAREHOUSE | RETURN_WAREHOUSE
    sub_type: str | None = None
    address: dict[str, Any] | None = None

    @property
    def is_sales(self) -> bool:
        """Stock goes into a SALES_WAREHOUSE id (reference §4.6)."""
        return self.type == "SALES_WAREHOUSE"


class Warehouses(TikTokModel):
    warehouses: list[Warehouse] = Field(default_factory=list)


class DeliveryOption(TikTokModel):
    id: TikTokId
    name: str | None = None
    type: str | None = None
    description: str | None = None


class DeliveryOptions(TikTokModel):
    delivery_options: list[DeliveryOption] = Field(default_factory=list)


class ShippingProvider(TikTokModel):
    id: TikTokId
    name: str | None = None


class ShippingProviders(TikTokModel):
    shipping_providers: list[ShippingProvider] = Field(default_factory=list)
