"""The TikTok token refresh, single-flight across processes (`Services` hands `refresh_guard`
to the TikTok client's `TokenKeeper`).

TikTok rotates refresh tokens: the first refresh spends the old one, a second refresh with it is
refused and the shop would need reconnecting. Two workers (or a web process and a worker) that
see the same expiring token must therefore not both refresh. Around a refresh the guard holds a
lock per TikTok shop that every process shares — PostgreSQL: a transaction-scoped advisory lock;
SQLite (processes on one machine): an exclusive file lock under var_dir — and, once it has the
lock, reads the stored tokens: if another process already replaced the stale access token, those
are adopted and nothing is refreshed; otherwise the refresh and its persist run under the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ecomsend.db.models import TikTokShop
from ecomsend.integrations.tiktok.models.auth import TokenSet

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from ecomsend.db.session import Database
    from ecomsend.integrations.tiktok.context import ShopContext


def _lock_key(shop_id: str) -> int:
    """A stable signed 64-bit advisory-lock key for one TikTok shop."""
    digest = hashlib.sha256(f"tiktok-refresh:{shop_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class RefreshGuard:
    """`async with guard(shop, stale) as newer`: see the module docstring."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @contextlib.asynccontextmanager
    async def __call__(self, shop: ShopContext, stale: str) -> AsyncIterator[TokenSet | None]:
        if not shop.shop_id:  # right after OAuth: no row yet, nobody else holds these tokens
            yield None
            return
        if self._db.dialect == "postgresql":
            async with self._db.engine.connect() as conn, conn.begin():
                await conn.execute(select(func.pg_advisory_xact_lock(_lock_key(shop.shop_id))))
                yield await _stored(conn, shop.shop_id, stale)
            return
        path = self._db.settings.var_dir / "locks" / f"tiktok-refresh-{_lock_key(shop.shop_id)}"
        fd = await asyncio.to_thread(_flock, str(path))
        try:
            async with self._db.engine.connect() as conn:
                newer = await _stored(conn, shop.shop_id, stale)
            yield newer
        finally:
            os.close(fd)  # releases the lock


def _flock(path: str) -> int:
    """Open (create) `path` and take an exclusive lock on it, waiting as long as it takes."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


async def _stored(conn: AsyncConnection, shop_id: str, stale: str) -> TokenSet | None:
    """The connected row's tokens when they are not the stale ones (another process refreshed)."""
    row = (await conn.execute(select(
        TikTokShop.access_token, TikTokShop.access_token_expires_at, TikTokShop.refresh_token,
        TikTokShop.refresh_token_expires_at).where(
        TikTokShop.tiktok_shop_id == shop_id, TikTokShop.disconnected_at.is_(None))
        .order_by(TikTokShop.id.desc()).limit(1))).first()
    if row is None or not row.access_token or not row.refresh_token or row.access_token == stale:
        return None
    return TokenSet(access_token=row.access_token,
                    access_token_expires_at=_epoch(row.access_token_expires_at),
                    refresh_token=row.refresh_token,
                    refresh_token_expires_at=_epoch(row.refresh_token_expires_at))


def _epoch(value: object) -> int:
    return int(value.timestamp()) if isinstance(value, datetime) else 0
