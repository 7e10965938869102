"""(`audit`, `from_tiktok`): read TikTok's audit result of a listing (Get Product) and put it
on the product's status: `review_failed` with TikTok's reasons, or `synced` when approved.

Deferred by the type 5 / 37 webhook handlers (which may not call the network themselves).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ecomsend.db.models import ProductLink, SyncState
from ecomsend.db.types import utcnow
from ecomsend.services import tiktok_context
from ecomsend.sync import state
from ecomsend.sync.errors import PushResult, SyncRateLimited
from ecomsend.sync.listing import loading
from ecomsend.sync.listing.errors import tiktok_errors
from ecomsend.sync.listing.ids import PRODUCT, TO_TIKTOK

if TYPE_CHECKING:
    from ecomsend.jobs.registry import TaskContext

_FAILED = frozenset({"FAILED"})
PUSH_WAIT_S = 0.5
#: How long an audit result for a listing we cannot map yet waits for its links.
LINK_WAIT_S = 60.0


def review_error(reasons: str) -> dict[str, object]:
    """The `last_error` of a product TikTok's review refused."""
    text = reasons or "TikTok's review refused the listing (no reason given)."
    return {"kind": "ReviewFailed", "message": f"TikTok review failed: {text}",
            "field_errors": [{"field": "review", "message": text,
                              "fix": "Change the product as TikTok suggests, then Retry."}]}


async def _wait_for_push(ctx: TaskContext, tts_id: int, product_gid: str) -> None:
    """An audit result may arrive before the push that caused it has finished: wait for it,
    so the result is not overwritten by the push's own `synced`."""
    async with ctx.db.sessionmaker() as session:
        status = (await session.execute(select(SyncState.status).where(
            SyncState.tiktok_shop_id == tts_id, SyncState.kind == PRODUCT,
            SyncState.entity_id == product_gid, SyncState.direction == TO_TIKTOK))
        ).scalar_one_or_none()
    if status in (state.RUNNING, state.PENDING, state.BACKOFF):
        raise SyncRateLimited(PUSH_WAIT_S, "waiting for the product push to finish")


async def check_audit(ctx: TaskContext, lease: state.Lease) -> PushResult:
    """The audit sync handler: one Get Product call."""
    key = lease.key
    services = ctx.need_services()
    async with ctx.db.sessionmaker() as session:
        tts = await loading.tiktok_shop(session, key.tiktok_shop_id)
        product_gid = (await session.execute(select(ProductLink.shopify_product_id).where(
            ProductLink.tiktok_shop_id == tts.id,
            ProductLink.tiktok_product_id == key.entity_id).limit(1))).scalar_one_or_none()
        age = (utcnow() - (await loading.sync_row(session, lease.state_id)).created_at)
    if product_gid is None:
        if age.total_seconds() < LINK_WAIT_S:  # its create may still be saving the links
            raise SyncRateLimited(PUSH_WAIT_S, "waiting for the listing's links")
        return PushResult()
    await _wait_for_push(ctx, tts.id, product_gid)
    async with tiktok_errors():
        product = await services.tiktok.products.get_product(tiktok_context(tts), key.entity_id)
    audit = (product.audit.status if product.audit else None) or ""
    failed = audit in _FAILED or (product.status or "") == "FAILED"
    where = (SyncState.tiktok_shop_id == tts.id, SyncState.kind == PRODUCT,
             SyncState.entity_id == product_gid, SyncState.direction == TO_TIKTOK,
             SyncState.lease_owner.is_(None))
    async with ctx.db.unit_of_work() as session:
        if failed:
            await session.execute(update(SyncState).where(
                *where, SyncState.status.in_([state.SYNCED, state.REVIEW_FAILED])).values(
                status=state.REVIEW_FAILED, last_error=review_error(product.audit_failure_text()),
                updated_at=utcnow()))
        else:
            await session.execute(update(SyncState).where(
                *where, SyncState.status == state.REVIEW_FAILED).values(
                status=state.SYNCED, last_error=None, updated_at=utcnow()))
    return PushResult(None, 1)
