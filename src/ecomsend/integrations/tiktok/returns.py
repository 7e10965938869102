"""Cancellation search (called by order sync to mirror TikTok cancellations into Shopify)."""

from __future__ import annotations

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.returns import CancellationPage, CancellationSearchFilter
from ecomsend.integrations.tiktok.transport import TikTokTransport, drop_none

#: Page size used when the caller gives none (the doc marks page_size optional here).
DEFAULT_CANCELLATION_PAGE_SIZE = 50


class ReturnsApi:
    """Typed return/refund calls."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def search_cancellations(self, shop: ShopContext, *,
                                   page_size: int = DEFAULT_CANCELLATION_PAGE_SIZE,
                                   page_token: str | None = None,
                                   filters: CancellationSearchFilter | None = None,
                                   ) -> CancellationPage:
        """One page of cancellations (statuses CANCELLATION_REQUEST_*)."""
        query = drop_none({"page_size": page_size, "page_token": page_token})
        data = await self._t.call(ep.CANCELLATION_SEARCH, shop, query=query,
                                  body=(filters or CancellationSearchFilter()).to_body())
        return CancellationPage.model_validate(data)
