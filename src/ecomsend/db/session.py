"""Engine, sessions and the unit of work (one commit per request or per job).

Services receive an `AsyncSession` and never commit; the caller wraps them in `unit_of_work()`,
which commits once, so a state change and the job it enqueues land together or not at all.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from ecomsend.config import Settings
from ecomsend.crypto import TokenCipher
from ecomsend.db import sqlite_driver
from ecomsend.db.sqlite import sqlite_pragmas
from ecomsend.db.types import configure_token_cipher

#: Execution option set by `unit_of_work`: this transaction will write.
WRITE_INTENT = "ecomsend_write_intent"


def _sqlite_begin(conn: Any) -> None:
    # A transaction that reads and then writes upgrades its lock late, and SQLite then fails
    # with SQLITE_BUSY *without* waiting for busy_timeout. So a unit of work (which writes)
    # takes the write lock up front with BEGIN IMMEDIATE and queues on busy_timeout; a plain
    # read begins DEFERRED and, in WAL mode, never waits for a writer at all.
    # Code that writes outside a unit of work must start with its write (engine.begin()).
    immediate = conn.get_execution_options().get(WRITE_INTENT, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine with SQLite tuned for a web app + in-process workers (WAL, busy timeout)."""
    if url.startswith("sqlite"):
        parsed = make_url(url)
        if parsed.drivername == "sqlite+aiosqlite":  # one thread hop per statement
            parsed = parsed.set(drivername=f"sqlite+{sqlite_driver.DRIVER}")
        engine = create_async_engine(parsed, **kwargs)
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class Database:
    """The engine and session factory of one process, built from Settings."""

    def __init__(self, settings: Settings, **engine_kwargs: Any) -> None:
        self.settings = settings
        self.url = settings.database_url
        if settings.is_sqlite:
            settings.var_dir.mkdir(parents=True, exist_ok=True)
        configure_token_cipher(TokenCipher(settings.encryption_key()))
        self.engine = make_engine(self.url, **engine_kwargs)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        #: PostgreSQL: the same pool in autocommit, for `reading`.
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        #: SQLite: this process's writers queue here, in order (see `writing`).
        self._write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary())

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """Wait for this process's turn to write (SQLite; a no-op on PostgreSQL). Taken by
        `unit_of_work` around its transaction.

        SQLite admits one writer; the others wait in its busy handler, which sleeps between
        retries (1, 2, 5 … 100 ms) instead of waking when the lock frees, and lets a newcomer
        overtake a writer that has waited long. At 50 stock changes/s that made the slowest
        writers wait about a second. Queuing on an asyncio lock hands the turn over in arrival
        order at once; busy_timeout still covers other processes (the CLI, the bulk writer).
        Not re-entrant: a unit of work never opens another (SQLite would block it as well)."""
        if self.dialect != "sqlite":
            yield
            return
        loop = asyncio.get_running_loop()
        lock = self._write_locks.get(loop)
        if lock is None:
            lock = self._write_locks[loop] = asyncio.Lock()
        async with lock:
            yield

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A session that commits once on success and rolls back on any exception.
        On SQLite it holds the write lock from its first statement (see `_sqlite_begin`)."""
        async with self.writing(), self.sessionmaker() as session:
            try:
                if self.dialect == "sqlite":
                    await session.connection(execution_options={WRITE_INTENT: True})
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for a few reads on a hot path (a stock push's load). On PostgreSQL it runs
        in autocommit: no BEGIN and ROLLBACK round trips, and at READ COMMITTED each statement
        sees a snapshot of its own either way. On SQLite a plain session: its reads share one
        snapshot (WAL) and never wait for a writer. Never write through it."""
        if self.dialect == "sqlite":
            async with self.sessionmaker() as session:
                yield session
            return
        async with self.sessionmaker(bind=self._autocommit) as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
