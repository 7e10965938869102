"""Poll watermarks, kept as `sync_state` rows of their own kind per connection.

Used by the TikTok order poll (`orders/fetch.py`), the returns poll (`returns/fetch.py`) and
the Shopify change poll (`listing/change_poll.py`): each reads its cursor, searches what changed
since, and saves the time the search started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from ecomsend.db.models import SyncState, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Cursor:
    """Which watermark: its `sync_state` kind and direction (one row per connection)."""

    kind: str
    direction: str
    entity: str = "cursor"


async def read_cursor(session: AsyncSession, tts_pk: int, cursor: Cursor) -> datetime | None:
    """The connection's watermark, None before its first poll."""
    return (await session.execute(select(SyncState.last_synced_at).where(
        SyncState.tiktok_shop_id == tts_pk, SyncState.kind == cursor.kind,
        SyncState.entity_id == cursor.entity))).scalar_one_or_none()


async def save_cursor(session: AsyncSession, tts: TikTokShop, cursor: Cursor,
                      at: datetime) -> None:
    """Move the connection's watermark to `at` (creating the row on the first poll)."""
    stmt = dialect_insert(session, SyncState).values(
        shop_id=tts.shop_id, tiktok_shop_id=tts.id, kind=cursor.kind, entity_id=cursor.entity,
        direction=cursor.direction, status="synced", last_synced_at=at, created_at=utcnow(),
        updated_at=utcnow(), desired_version=0, synced_version=0, attempts=0)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["tiktok_shop_id", "kind", "entity_id", "direction"],
        set_={"last_synced_at": at, "updated_at": utcnow()}))
