"""The idempotent webhook inbox (DESIGN.md §4.1), shared by both platforms' webhook routes.

In the caller's one transaction: insert the `webhook_receipt` (a repeated delivery id stops
here), run the topic's handler (update the mirror, bump sync_state, defer ids-only jobs) and log
the webhook. The route commits and answers 200 — nothing slow happens before the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ecomsend.db.models import WebhookReceipt
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import prepared
from ecomsend.sync.activity import record_activity

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


#: `await handler(session, queue, webhook) -> str` (a short note for the activity log).
WebhookHandler = Callable[["AsyncSession", "JobQueue", InboundWebhook], Awaitable[str]]
WebhookHandlers = Mapping[tuple[Platform, str], WebhookHandler]


async def ingest(session: AsyncSession, queue: JobQueue, webhook: InboundWebhook,
                 handlers: WebhookHandlers) -> IngestOutcome:
    """Record `webhook` once and run its handler in `session`; never commits (the route does).

    Called by the `/webhooks/*` routes after the signature has been verified."""
    inserted = await session.execute(prepared(session, _receipt_insert), {
        "platform": webhook.platform.value, "delivery_id": webhook.delivery_id,
        "topic": webhook.topic, "shop_key": webhook.shop_key, "received_at": utcnow()})
    if inserted.first() is None:
        return IngestOutcome.DUPLICATE
    handler = handlers.get((webhook.platform, webhook.topic))
    note = "no handler for this topic" if handler is None else await handler(session, queue,
                                                                             webhook)
    await record_activity(session, {
        "kind": "webhook", "entity_id": webhook.delivery_id[:64],
        "direction": webhook.platform.value, "status": "received" if handler else "ignored",
        "message": f"{webhook.topic}: {note}"[:2000]})
    return IngestOutcome.PROCESSED if handler else IngestOutcome.IGNORED


def _receipt_insert(insert: Callable[..., Any]) -> Any:
    """The receipt row, or nothing for a delivery id already seen (prebuilt: every webhook)."""
    table = WebhookReceipt.__table__
    return insert(table).on_conflict_do_nothing().returning(table.c.id)

