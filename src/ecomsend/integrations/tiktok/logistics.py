"""Warehouses and shipping providers (called by settings UI and by fulfillment sync).

The `shipping_provider_id` used when shipping comes from Get Shipping Providers, keyed by the
order's `delivery_option_id` (reference §4.6).
"""

from __future__ import annotations

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.logistics import (
    DeliveryOptions,
    ShippingProviders,
    Warehouses,
)
from ecomsend.integrations.tiktok.transport import TikTokTransport, drop_none


class LogisticsApi:
    """Typed logistics calls."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def get_warehouses(self, shop: ShopContext) -> Warehouses:
        """Every warehouse of the shop; stock goes into SALES_WAREHOUSE ids."""
        return Warehouses.model_validate(await self._t.call(ep.WAREHOUSES, shop))

    async def get_warehouse_delivery_options(self, shop: ShopContext, warehouse_id: str, *,
                                             scope: str | None = None) -> DeliveryOptions:
        """Delivery options of a warehouse (`scope` WAREHOUSE | PRODUCT)."""
        data = await self._t.call(ep.WAREHOUSE_DELIVERY_OPTIONS, shop,
                                  path_params={"warehouse_id": warehouse_id},
                                  query=drop_none({"scope": scope}))
        return DeliveryOptions.model_validate(data)

    async def get_shipping_providers(self, shop: ShopContext,
                                     delivery_option_id: str) -> ShippingProviders:
        """Carriers allowed for a delivery option (source of `shipping_provider_id`)."""
        data = await self._t.call(ep.SHIPPING_PROVIDERS, shop,
                                  path_params={"delivery_option_id": delivery_option_id})
        return ShippingProviders.model_validate(data)
