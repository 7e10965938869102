"""Order search (update_time window polling) and order detail (called by order sync).

Order polling backs up the order webhooks (DESIGN.md §4.4): search by `update_time` window,
sorted ascending, page by `page_token` until `next_page_token` is empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.orders import (
    Order,
    OrderDetails,
    OrderPage,
    OrderSearchFilter,
)
from ecomsend.integrations.tiktok.transport import TikTokTransport, drop_none

#: Max `page_size` for Get Order List (doc: required, 1–100).
ORDER_SEARCH_MAX_PAGE_SIZE = 100
#: Max ids per Get Order Detail call (doc: ≤ 50).
ORDER_DETAIL_MAX_IDS = 50


class OrdersApi:
    """Typed order calls."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def search_orders(self, shop: ShopContext, *,
                            page_size: int = ORDER_SEARCH_MAX_PAGE_SIZE,
                            page_token: str | None = None,
                            filters: OrderSearchFilter | None = None,
                            sort_field: str | None = "update_time",
                            sort_order: str | None = "ASC") -> OrderPage:
        """One page of orders; filters hold the time window (`_ge` incl., `_lt` excl.)."""
        if not 1 <= page_size <= ORDER_SEARCH_MAX_PAGE_SIZE:
            raise ValueError("page_size must be 1..100")
        query = drop_none({"page_size": page_size, "page_token": page_token,
                           "sort_field": sort_field, "sort_order": sort_order})
        data = await self._t.call(ep.ORDER_SEARCH, shop, query=query,
                                  body=(filters or OrderSearchFilter()).to_body())
        return OrderPage.model_validate(data)

    async def iter_orders(self, shop: ShopContext, filters: OrderSearchFilter, *,
                          page_size: int = ORDER_SEARCH_MAX_PAGE_SIZE) -> AsyncIterator[Order]:
        """Every order matching `filters`, following `next_page_token` to the end."""
        token: str | None = None
        while True:
            page = await self.search_orders(shop, page_size=page_size, page_token=token,
                                            filters=filters)
            for order in page.orders:
                yield order
            if not page.has_more:
                return
            token = page.next_page_token

    async def get_order_detail(self, shop: ShopContext, order_ids: Sequence[str]) -> OrderDetails:
        """Full orders by id (≤50 per call; ids are sent comma-joined, not repeated)."""
        ids = [str(i) for i in order_ids]
        if not 1 <= len(ids) <= ORDER_DETAIL_MAX_IDS:
            raise ValueError(f"between 1 and {ORDER_DETAIL_MAX_IDS} order ids per call")
        # Array query values are comma-joined and signed that way (official SDK; reference §2.2).
        data = await self._t.call(ep.ORDER_DETAIL, shop, query={"ids": ",".join(ids)})
        return OrderDetails.model_validate(data)
