"""Packages, shipping and tracking (called by fulfillment sync in both directions).

Seller shipping (Shopify → TikTok): `ship_package` with `self_shipment`, or
`mark_package_as_shipped` for line items (US/UK/EU/JP). TikTok shipping (TikTok → Shopify):
read tracking from the package or order (reference §4.8).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.common import Empty
from ecomsend.integrations.tiktok.models.fulfillment import (
    PackageDetail,
    PackagePage,
    PackageSearchFilter,
    ShippedPackage,
    SplitResult,
    Tracking,
)
from ecomsend.integrations.tiktok.transport import TikTokTransport, drop_none

#: Max `page_size` for Search Package (doc: required, 1–50).
PACKAGE_SEARCH_MAX_PAGE_SIZE = 50


class FulfillmentApi:
    """Typed fulfillment calls."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def search_packages(self, shop: ShopContext, *,
                              page_size: int = PACKAGE_SEARCH_MAX_PAGE_SIZE,
                              page_token: str | None = None,
                              filters: PackageSearchFilter | None = None) -> PackagePage:
        """One page of packages."""
        if not 1 <= page_size <= PACKAGE_SEARCH_MAX_PAGE_SIZE:
            raise ValueError("page_size must be 1..50")
        query = drop_none({"page_size": page_size, "page_token": page_token})
        data = await self._t.call(ep.PACKAGE_SEARCH, shop, query=query,
                                  body=(filters or PackageSearchFilter()).to_body())
        return PackagePage.model_validate(data)

    async def get_package_detail(self, shop: ShopContext, package_id: str) -> PackageDetail:
        """One package with status, tracking and provider."""
        data = await self._t.call(ep.PACKAGE_DETAIL, shop, path_params={"package_id": package_id})
        return PackageDetail.model_validate(data)

    async def ship_package(self, shop: ShopContext, package_id: str, *, tracking_number: str,
                           shipping_provider_id: str) -> Empty:
        """Seller ships the package with its own carrier (`self_shipment`, Ship Package doc)."""
        body = {"self_shipment": {"tracking_number": tracking_number,
                                  "shipping_provider_id": shipping_provider_id}}
        data = await self._t.call(ep.PACKAGE_SHIP, shop, path_params={"package_id": package_id},
                                  body=body)
        return Empty.model_validate(data)

    async def mark_package_as_shipped(self, shop: ShopContext, order_id: str, *,
                                      tracking_number: str, shipping_provider_id: str,
                                      order_line_item_ids: Sequence[str] | None = None,
                                      ) -> ShippedPackage:
        """Ship some/all line items of an order; TikTok builds the package (partial shipment)."""
        body: dict[str, object] = {"tracking_number": tracking_number,
                                   "shipping_provider_id": shipping_provider_id}
        if order_line_item_ids:
            body["order_line_item_ids"] = [str(i) for i in order_line_item_ids]
        data = await self._t.call(ep.MARK_PACKAGE_SHIPPED, shop,
                                  path_params={"order_id": order_id}, body=body)
        return ShippedPackage.model_validate(data)

    async def split_order(self, shop: ShopContext, order_id: str,
                          groups: Mapping[str, Sequence[str]]) -> SplitResult:
        """Split an order's line items into new packages, one per group (group id → line item
        ids), each then shipped with `ship_package` (Split Orders doc: MX local sellers may
        only split whole SKUs, "all-units split")."""
        body = {"splittable_groups": [{"id": gid, "order_line_item_ids": [str(i) for i in ids]}
                                      for gid, ids in groups.items()]}
        data = await self._t.call(ep.ORDER_SPLIT, shop, path_params={"order_id": order_id},
                                  body=body)
        return SplitResult.model_validate(data)

    async def get_order_tracking(self, shop: ShopContext, order_id: str) -> Tracking:
        """Tracking events (times in milliseconds)."""
        data = await self._t.call(ep.ORDER_TRACKING, shop, path_params={"order_id": order_id})
        return Tracking.model_validate(data)

    async def update_shipping_info(self, shop: ShopContext, order_id: str, *,
                                   tracking_number: str, shipping_provider_id: str) -> Empty:
        """Correct an order's tracking after shipping (within 72 h, Update Shipping Info doc)."""
        data = await self._t.call(ep.ORDER_SHIPPING_INFO_UPDATE, shop,
                                  path_params={"order_id": order_id},
                                  body={"tracking_number": tracking_number,
                                        "shipping_provider_id": shipping_provider_id})
        return Empty.model_validate(data)

    async def update_package_shipping_info(self, shop: ShopContext, package_id: str, *,
                                           tracking_number: str,
                                           shipping_provider_id: str) -> Empty:
        """Correct one package's tracking after shipping (split orders)."""
        data = await self._t.call(ep.PACKAGE_SHIPPING_INFO_UPDATE, shop,
                                  path_params={"package_id": package_id},
                                  body={"tracking_number": tracking_number,
                                        "shipping_provider_id": shipping_provider_id})
        return Empty.model_validate(data)
