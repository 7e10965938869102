"""Create intents (DESIGN.md §4.6): remember a non-idempotent create *before* sending it.

Who calls: the order sync (`sync.orders.push`, Shopify `orderCreate`) and the listing push
(`sync.listing.push_product`, TikTok Create Product). Each step runs in its own committed
transaction, so the intent survives a crash between the platform's create and our commit of the
link; the link's transaction deletes it (`clear_intent`).

A retry that finds an intent but no link does not know whether the create happened. For Shopify
orders it re-looks the order up with backoff until the search-lag window since the attempt has
passed (`lag_wait_s`); only then may it create again. For TikTok products the intent's marker is
the idempotency key the retry sends again, so TikTok answers with the product it already made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from ecomsend.db.models import CreateIntent
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.db.session import Database

SHOPIFY_ORDER = "shopify_order"
TIKTOK_PRODUCT = "tiktok_product"
#: First re-look-up delay after a create whose answer was lost; doubles per look-up.
LOOKUP_BASE_S = 0.5


@dataclass(frozen=True)
class Intent:
    """A create that was sent (or about to be) and whose link was never committed."""

    marker: str
    attempts: int
    attempted_at: datetime
    lookups: int


async def load_intent(db: Database, tts_pk: int, kind: str, entity_id: str) -> Intent | None:
    """The pending intent of this entity, if a previous attempt left one."""
    async with db.sessionmaker() as session:
        row = (await session.execute(select(CreateIntent).where(
            CreateIntent.tiktok_shop_id == tts_pk, CreateIntent.kind == kind,
            CreateIntent.entity_id == entity_id))).scalar_one_or_none()
    if row is None:
        return None
    return Intent(row.marker, row.attempts, row.attempted_at, row.lookups)


async def record_intent(db: Database, tts_pk: int, kind: str, entity_id: str,
                        marker: str) -> None:
    """Commit "about to create `entity_id` carrying `marker`" (a new attempt of an existing
    intent keeps its marker, counts the attempt and restarts the lag window)."""
    now = utcnow()
    async with db.unit_of_work() as session:
        stmt = dialect_insert(session, CreateIntent).values(
            tiktok_shop_id=tts_pk, kind=kind, entity_id=entity_id, marker=marker, attempts=1,
            attempted_at=now, lookups=0, created_at=now, updated_at=now)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["tiktok_shop_id", "kind", "entity_id"],
            set_={"attempts": CreateIntent.attempts + 1, "attempted_at": now, "lookups": 0,
                  "updated_at": now}))


async def note_lookup(db: Database, tts_pk: int, kind: str, entity_id: str) -> None:
    """Count one look-up that did not find the object (drives the backoff)."""
    async with db.unit_of_work() as session:
        row = (await session.execute(select(CreateIntent).where(
            CreateIntent.tiktok_shop_id == tts_pk, CreateIntent.kind == kind,
            CreateIntent.entity_id == entity_id))).scalar_one_or_none()
        if row is not None:
            row.lookups += 1
            row.updated_at = utcnow()


async def clear_intent(session: AsyncSession, tts_pk: int, kind: str, entity_id: str) -> None:
    """Drop the intent inside the caller's transaction (the one that commits the link)."""
    await session.execute(delete(CreateIntent).where(
        CreateIntent.tiktok_shop_id == tts_pk, CreateIntent.kind == kind,
        CreateIntent.entity_id == entity_id))


def lag_wait_s(intent: Intent, window_s: float, now: datetime | None = None) -> float | None:
    """Seconds to wait before the next look-up, or None once `window_s` has passed since the
    last attempt (a create may be sent again). Look-ups back off 0.5, 1, 2, 4 … s, never past
    the window's end, so at most ~log2(window / 0.5) + 1 of them are made per attempt."""
    remaining = window_s - ((now or utcnow()) - intent.attempted_at).total_seconds()
    if remaining <= 0:
        return None
    return float(min(remaining, LOOKUP_BASE_S * 2.0 ** min(intent.lookups, 16)))
