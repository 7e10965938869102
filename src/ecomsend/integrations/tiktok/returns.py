"""Return-and-refund calls: search returns and cancellations, approve or reject them, reject
reasons and return records (docs `return-and-refund/*`, version 202309).

Called by the return sync (`sync.returns`) and the merchant's approve/reject actions (web API).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.returns import (
    ApproveDecision,
    CancellationPage,
    CancellationSearchFilter,
    RejectDecision,
    RejectReasons,
    ReturnOrder,
    ReturnPage,
    ReturnRecords,
    ReturnSearchFilter,
)
from ecomsend.integrations.tiktok.transport import TikTokTransport, drop_none

#: Page size used when the caller gives none (the doc marks page_size optional here).
DEFAULT_CANCELLATION_PAGE_SIZE = 50
#: Search Returns takes page_size 10..50 ("Valid range: [10-50]", default 10).
RETURN_PAGE_MIN, RETURN_PAGE_MAX = 10, 50
#: Longest comment the reject calls take [INF: the docs give no limit; Seller Center's form
#: stops at 500 characters].
MAX_COMMENT = 500


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

    async def search_returns(self, shop: ShopContext, *, page_size: int = RETURN_PAGE_MAX,
                             page_token: str | None = None,
                             filters: ReturnSearchFilter | None = None,
                             sort_field: str = "update_time") -> ReturnPage:
        """One page of returns/refunds, oldest update first."""
        if not RETURN_PAGE_MIN <= page_size <= RETURN_PAGE_MAX:
            raise ValueError(f"page_size must be {RETURN_PAGE_MIN}..{RETURN_PAGE_MAX}")
        query = drop_none({"page_size": page_size, "page_token": page_token,
                           "sort_field": sort_field, "sort_order": "ASC"})
        data = await self._t.call(ep.RETURN_SEARCH, shop, query=query,
                                  body=(filters or ReturnSearchFilter()).to_body())
        return ReturnPage.model_validate(data)

    async def iter_returns(self, shop: ShopContext, filters: ReturnSearchFilter
                           ) -> AsyncIterator[ReturnOrder]:
        """Every return matching `filters`, following `next_page_token` to the end."""
        token: str | None = None
        while True:
            page = await self.search_returns(shop, page_token=token, filters=filters)
            for item in page.return_orders:
                yield item
            if not page.has_more:
                return
            token = page.next_page_token

    async def approve_return(self, shop: ShopContext, return_id: str,
                             decision: ApproveDecision, *, idempotency_key: str,
                             buyer_keep_item: bool | None = None) -> None:
        """Approve a return/refund request or a received package."""
        body: dict[str, Any] = drop_none({"decision": decision,
                                          "buyer_keep_item": buyer_keep_item})
        await self._t.call(ep.RETURN_APPROVE, shop, path_params={"return_id": return_id},
                           query={"idempotency_key": idempotency_key}, body=body)

    async def reject_return(self, shop: ShopContext, return_id: str, decision: RejectDecision,
                            reject_reason: str, *, idempotency_key: str,
                            comment: str | None = None) -> None:
        """Reject a return/refund request or a received package with a listed reason."""
        body = drop_none({"decision": decision, "reject_reason": reject_reason,
                          "comment": comment[:MAX_COMMENT] if comment else None})
        await self._t.call(ep.RETURN_REJECT, shop, path_params={"return_id": return_id},
                           query={"idempotency_key": idempotency_key}, body=body)

    async def approve_cancellation(self, shop: ShopContext, cancel_id: str, *,
                                   idempotency_key: str) -> None:
        """Approve a buyer's cancellation request (no body; Approve Cancellation doc)."""
        await self._t.call(ep.CANCELLATION_APPROVE, shop, path_params={"cancel_id": cancel_id},
                           query={"idempotency_key": idempotency_key}, body={})

    async def reject_cancellation(self, shop: ShopContext, cancel_id: str, reject_reason: str,
                                  *, idempotency_key: str, comment: str | None = None) -> None:
        """Reject a buyer's cancellation request with a listed reason."""
        body = drop_none({"reject_reason": reject_reason,
                          "comment": comment[:MAX_COMMENT] if comment else None})
        await self._t.call(ep.CANCELLATION_REJECT, shop, path_params={"cancel_id": cancel_id},
                           query={"idempotency_key": idempotency_key}, body=body)

    async def reject_reasons(self, shop: ShopContext, return_or_cancel_id: str
                             ) -> RejectReasons:
        """The reasons a seller may give to reject this return or cancellation."""
        data = await self._t.call(ep.REJECT_REASONS, shop,
                                  query={"return_or_cancel_id": return_or_cancel_id})
        return RejectReasons.model_validate(data)

    async def return_records(self, shop: ShopContext, return_id: str) -> ReturnRecords:
        """The history of a return (who did what, when)."""
        data = await self._t.call(ep.RETURN_RECORDS, shop, path_params={"return_id": return_id})
        return ReturnRecords.model_validate(data)
