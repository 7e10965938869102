"""The idempotent webhook inbox (DESIGN.md §4.1), shared by both platforms' webhook routes.

In the caller's one transaction: insert the `webhook_receipt` (a repeated delivery id stops
here), run the topic's handler (update the mirror, bump sync_state, defer ids-only jobs) and log
the webhook. The route commits and answers 200 — nothing slow happens before the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, select

from ecomsend.db.models import ActivityLog, Shop, TikTokShop, WebhookReceipt
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import prepared

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue


class Platform(StrEnum):
    SHOPIFY = "shopify"
    TIKTOK = "tiktok"


class IngestOutcome(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # verified, recorded, but no handler for the topic


@dataclass(frozen=True)
class InboundWebhook:
    """A verified delivery: who sent it, its dedup key, its topic and its typed payload."""

    platform: Platform
    delivery_id: str
    topic: str
    shop_key: str
    payload: Any
    #: SHA-256 of the signed body: a body is acted on once, whatever headers re-send it.
    body_sha256: str | None = None
    #: Why a verified delivery is recorded but not handled (a body that does not fit its topic).
    rejected: str | None = None


#: `await handler(session, queue, webhook) -> str` (a short note for the activity log).
WebhookHandler = Callable[["AsyncSession", "JobQueue", InboundWebhook], Awaitable[str]]
WebhookHandlers = Mapping[tuple[Platform, str], WebhookHandler]


async def ingest(session: AsyncSession, queue: JobQueue, webhook: InboundWebhook,
                 handlers: WebhookHandlers) -> IngestOutcome:
    """Record `webhook` once and run its handler in `session`; never commits (the route does).

    Called by the `/webhooks/*` routes after the signature has been verified."""
    inserted = await session.execute(prepared(session, _receipt_insert), {
        "platform": webhook.platform.value, "delivery_id": webhook.delivery_id[:255],
        "topic": webhook.topic[:128], "shop_key": webhook.shop_key[:255],
        "body_sha256": webhook.body_sha256, "received_at": utcnow()})
    if inserted.first() is None:
        return IngestOutcome.DUPLICATE
    handler = None if webhook.rejected else handlers.get((webhook.platform, webhook.topic))
    if handler is not None:
        note = await handler(session, queue, webhook)
    else:
        note = webhook.rejected or "no handler for this topic"
    build = _shopify_activity if webhook.platform is Platform.SHOPIFY else _tiktok_activity
    await session.execute(prepared(session, build), {
        "b_key": webhook.shop_key, "b_entity": webhook.delivery_id[:64],
        "b_direction": webhook.platform.value,
        "b_status": "received" if handler else "ignored",
        "b_message": f"{webhook.topic}: {note}"[:2000], "b_created": utcnow()})
    return IngestOutcome.PROCESSED if handler else IngestOutcome.IGNORED


def _webhook_activity(insert: Callable[..., Any], shop_id: Any, tiktok_shop_id: Any) -> Any:
    """The webhook's activity row, scoped to the shop it names (one statement: the shop is
    looked up inside the insert, so the Activity page shows the shop its own webhooks)."""
    table = cast(Table, ActivityLog.__table__)
    created = bindparam("b_created", type_=table.c.created_at.type)
    return insert(table).values(
        shop_id=shop_id, tiktok_shop_id=tiktok_shop_id, kind="webhook",
        entity_id=bindparam("b_entity"), direction=bindparam("b_direction"),
        status=bindparam("b_status"), message=bindparam("b_message"), created_at=created)


def _shopify_activity(insert: Callable[..., Any]) -> Any:
    shop = cast(Table, Shop.__table__)
    owner = select(shop.c.id).where(shop.c.domain == bindparam("b_key")).scalar_subquery()
    return _webhook_activity(insert, owner, None)


def _tiktok_activity(insert: Callable[..., Any]) -> Any:
    tts = cast(Table, TikTokShop.__table__)
    first = (select(tts.c.id, tts.c.shop_id).where(tts.c.tiktok_shop_id == bindparam("b_key"))
             .order_by(tts.c.disconnected_at.is_not(None), tts.c.id).limit(1).subquery())
    return _webhook_activity(insert, select(first.c.shop_id).scalar_subquery(),
                             select(first.c.id).scalar_subquery())


def _receipt_insert(insert: Callable[..., Any]) -> Any:
    """The receipt row, or nothing for a delivery id or a body already seen (no conflict
    target: either unique index counts; prebuilt: every webhook)."""
    table = WebhookReceipt.__table__
    return insert(table).on_conflict_do_nothing().returning(table.c.id)

