"""The merchant's answers to after-sale requests, from the app: approve or reject a return /
refund request or a cancellation request (reasons from TikTok's Get Reject Reasons), then
re-read it from TikTok so the mirror shows TikTok's new state at once.

Called by `web.api_returns`. Which decision a request takes depends on its type and stage
(Approve/Reject Return docs): refund-only → *_REFUND, return → *_RETURN while pending, and
*_RECEIVED_PACKAGE once the buyer shipped the items back. Each call carries an idempotency key
made of the request, its status and the action, so a double click or a resend is one decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ecomsend.db.models import AfterSale, TikTokShop
from ecomsend.integrations.tiktok.models.returns import (
    ApproveDecision,
    CancellationSearchFilter,
    RejectDecision,
    ReturnSearchFilter,
)
from ecomsend.services import tiktok_context
from ecomsend.sync.returns.mirror import CANCELLATION, RETURN, record_cancellations, record_returns

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.integrations.tiktok.client import TikTokClient
    from ecomsend.jobs.port import JobQueue

Action = Literal["approve", "reject"]
_APPROVE: dict[tuple[str, str], ApproveDecision] = {
    ("REFUND", "RETURN_OR_REFUND_REQUEST_PENDING"): "APPROVE_REFUND",
    ("RETURN_AND_REFUND", "RETURN_OR_REFUND_REQUEST_PENDING"): "APPROVE_RETURN",
    ("RETURN_AND_REFUND", "BUYER_SHIPPED_ITEM"): "APPROVE_RECEIVED_PACKAGE",
}
_REJECT: dict[tuple[str, str], RejectDecision] = {
    ("REFUND", "RETURN_OR_REFUND_REQUEST_PENDING"): "REJECT_REFUND",
    ("RETURN_AND_REFUND", "RETURN_OR_REFUND_REQUEST_PENDING"): "REJECT_RETURN",
    ("RETURN_AND_REFUND", "BUYER_SHIPPED_ITEM"): "REJECT_RECEIVED_PACKAGE",
}
CANCEL_PENDING = "CANCELLATION_REQUEST_PENDING"


class NotActionable(ValueError):
    """The request is not waiting for this answer (already decided, withdrawn, Shopify-side)."""


@dataclass(frozen=True)
class Answer:
    """What the merchant decided."""

    action: Action
    reason: str | None = None
    comment: str | None = None


def allowed_actions(row: AfterSale) -> list[Action]:
    """The answers the request is waiting for (none once decided)."""
    if row.kind == CANCELLATION:
        return ["approve", "reject"] if row.status == CANCEL_PENDING else []
    if row.kind == RETURN and (row.request_type, row.status) in _APPROVE:
        return ["approve", "reject"]
    return []


def _key(row: AfterSale, action: Action) -> str:
    return f"ecomsend-{row.kind}-{row.external_id}-{row.status}-{action}"[:120]


async def reject_reasons(tiktok: TikTokClient, tts: TikTokShop, row: AfterSale
                         ) -> list[tuple[str, str]]:
    """(name, text) of each reason TikTok accepts for rejecting this request."""
    if not allowed_actions(row):
        raise NotActionable("This request is not waiting for an answer.")
    found = await tiktok.returns.reject_reasons(tiktok_context(tts), row.external_id)
    return [(r.name, r.text or r.name) for r in found.reasons]


async def _send(tiktok: TikTokClient, tts: TikTokShop, row: AfterSale, answer: Answer) -> None:
    shop, key = tiktok_context(tts), _key(row, answer.action)
    if row.kind == CANCELLATION:
        if answer.action == "approve":
            await tiktok.returns.approve_cancellation(shop, row.external_id, idempotency_key=key)
        else:
            await tiktok.returns.reject_cancellation(shop, row.external_id, str(answer.reason),
                                                     idempotency_key=key,
                                                     comment=answer.comment)
        return
    stage = (row.request_type, row.status)
    if answer.action == "approve":
        await tiktok.returns.approve_return(shop, row.external_id, _APPROVE[stage],
                                            idempotency_key=key)
    else:
        await tiktok.returns.reject_return(shop, row.external_id, _REJECT[stage],
                                           str(answer.reason), idempotency_key=key,
                                           comment=answer.comment)


async def refresh(db: Database, queue: JobQueue, tiktok: TikTokClient, tts: TikTokShop,
                  kind: str, external_id: str) -> None:
    """Re-read one return or cancellation from TikTok into the mirror."""
    shop = tiktok_context(tts)
    if kind == CANCELLATION:
        page = await tiktok.returns.search_cancellations(
            shop, filters=CancellationSearchFilter(cancel_ids=[external_id]))
        async with db.unit_of_work() as session:
            await record_cancellations(session, tts, page.cancellations)
        return
    found = await tiktok.returns.search_returns(
        shop, filters=ReturnSearchFilter(return_ids=[external_id]))
    async with db.unit_of_work() as session:
        await record_returns(session, queue, tts, found.return_orders)


async def answer(db: Database, queue: JobQueue, tiktok: TikTokClient, tts: TikTokShop,
                 row: AfterSale, decision: Answer) -> None:
    """Send the merchant's decision to TikTok, then refresh the request (NotActionable when it
    is not waiting for that answer)."""
    if decision.action not in allowed_actions(row):
        raise NotActionable(f"This request is {row.status}: it cannot be "
                            f"{decision.action}d from the app.")
    if decision.action == "reject" and not decision.reason:
        raise NotActionable("Pick a reason to reject the request.")
    await _send(tiktok, tts, row, decision)
    await refresh(db, queue, tiktok, tts, row.kind, row.external_id)
