"""The idempotent webhook inbox (DESIGN.md §4.1), shared by both platforms' webhook routes.

`record` inserts the `webhook_receipt` of a batch of deliveries in one statement (a repeated
delivery id or body stops there); `process` runs a delivery's topic handler (update the mirror,
bump sync_state, defer ids-only jobs) and logs the webhook. Both run in the caller's
transaction: `sync.inbox_batch` records and processes in one when deliveries come slowly, and
records only (the body kept, `processed_at` NULL) in a flood, leaving the processing to
`sync.inbox_process`. `ingest` does both for one delivery (tests, tools).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
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

#: `session.info` key of the shops looked up in this transaction by handlers that may share
#: them (`shop_lookups`); `process` drops it after any handler not marked `keeps_shops`.
SHOP_LOOKUPS = "ecomsend.inbox.shop_lookups"


def keeps_shops(handler: WebhookHandler) -> WebhookHandler:
    """Mark `handler` as changing no shop or TikTok shop row (install, uninstall, connection,
    redaction), so the shop lookups of its transaction stay valid after it."""
    handler.keeps_shops = True  # type: ignore[attr-defined]
    return handler


def shop_lookups(session: AsyncSession) -> dict[Any, Any]:
    """Shops looked up in this session's transaction (a processing transaction applies up to
    `PROCESS_BATCH` deliveries, mostly of one shop: one lookup instead of one per delivery).
    Only for this transaction: a cache held longer applied a products/update that arrived just
    after the uninstall, and another handler of the same batch may uninstall (see
    `keeps_shops`)."""
    transaction = session.sync_session.get_transaction()
    held = session.info.get(SHOP_LOOKUPS)
    if held is None or held[0] is not transaction:  # none yet, or of an earlier transaction
        held = session.info[SHOP_LOOKUPS] = (transaction, {})
    found: dict[Any, Any] = held[1]
    return found


async def ingest(session: AsyncSession, queue: JobQueue, webhook: InboundWebhook,
                 handlers: WebhookHandlers) -> IngestOutcome:
    """Record `webhook` once and run its handler in `session`; never commits (the caller
    does). Used by tests and tools; the routes go through `sync.inbox_batch`."""
    if (await record(session, [webhook]))[0] is None:
        return IngestOutcome.DUPLICATE
    return await process(session, queue, webhook, handlers)


async def record(session: AsyncSession, webhooks: Sequence[InboundWebhook],
                 bodies: Sequence[bytes] | None = None) -> list[int | None]:
    """Insert the receipts of `webhooks` in one statement; per webhook, its receipt id, or
    None when its delivery id or body was seen before (also earlier in `webhooks`).

    Without `bodies` the receipts are marked processed now (the caller processes them in this
    transaction); with them (one per webhook) they wait, body kept, for `sync.inbox_process`.
    Called by `ingest` and `sync.inbox_batch`."""
    now = utcnow()
    rows = [_receipt_row(w, now, None if bodies is None else bodies[i])
            for i, w in enumerate(webhooks)]
    result = await session.execute(prepared(session, _receipt_insert), rows)
    ids = {(str(platform), str(delivery)): int(rid) for rid, platform, delivery in result}
    claimed = []
    for row in rows:  # a key repeated within the batch: only its first delivery counts
        claimed.append(ids.pop((row["platform"], row["delivery_id"]), None))
    return claimed


def _receipt_row(webhook: InboundWebhook, now: datetime, body: bytes | None) -> dict[str, Any]:
    return {"platform": webhook.platform.value, "delivery_id": webhook.delivery_id[:255],
            "topic": webhook.topic[:128], "shop_key": webhook.shop_key[:255],
            "body_sha256": webhook.body_sha256, "received_at": now,
            "processed_at": None if body is not None else now, "body": body}


async def process(session: AsyncSession, queue: JobQueue, webhook: InboundWebhook,
                  handlers: WebhookHandlers) -> IngestOutcome:
    """Run the handler of a recorded `webhook` in `session` and log it (one activity row per
    delivery processed); PROCESSED, or IGNORED without a handler. Never commits.

    Called by `ingest`, `sync.inbox_batch` and `sync.inbox_process`, each once per receipt
    (the caller's transaction also sets, or already set, the receipt's `processed_at`)."""
    handler = None if webhook.rejected else handlers.get((webhook.platform, webhook.topic))
    if handler is not None:
        try:
            note = await handler(session, queue, webhook)
        finally:
            if not getattr(handler, "keeps_shops", False):
                session.info.pop(SHOP_LOOKUPS, None)
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
    """The receipt rows (one multi-row INSERT for a batch: SQLAlchemy's insertmanyvalues),
    without those of a delivery id or a body already seen (no conflict target: either unique
    index counts; prebuilt: every batch of webhooks)."""
    table = WebhookReceipt.__table__
    return insert(table).on_conflict_do_nothing().returning(
        table.c.id, table.c.platform, table.c.delivery_id)

