"""Read-only sessions for the push handlers' loads.

On SQLite every transaction of `Database` begins IMMEDIATE (takes the write lock up front), so
a plain read would queue behind every webhook and job of the process. In WAL mode readers need
no lock at all: the push handlers read through a second, query-only engine (autocommit reads,
one snapshot per statement) and keep the write lock for writes. On PostgreSQL this is simply
the `Database` session factory.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from ecomsend.db.session import SQLITE_BUSY_TIMEOUT_MS, Database

_FACTORIES: dict[tuple[str, int], async_sessionmaker[AsyncSession]] = {}
_ENGINES: list[AsyncEngine] = []


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def read_session(db: Database) -> AsyncSession:
    """A session for reads only (never commit through it)."""
    if db.dialect != "sqlite":
        return db.sessionmaker()
    key = (db.url, id(asyncio.get_running_loop()))
    factory = _FACTORIES.get(key)
    if factory is None:
        engine = create_async_engine(db.url)
        event.listen(engine.sync_engine, "connect", _pragmas)
        _ENGINES.append(engine)
        factory = _FACTORIES[key] = async_sessionmaker(engine, expire_on_commit=False)
    return factory()
