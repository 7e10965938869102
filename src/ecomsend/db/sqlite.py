"""SQLite connection setup shared by the engine and the bulk writer process (no heavy imports:
the writer process loads only this, sqlite3 and orjson), and the WAL checkpointer (which
imports asyncio and structlog when it runs: 0.08 s of the writer process's start-up CPU)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from ecomsend.db.session import Database

#: How long SQLite waits for another writer before SQLITE_BUSY (ms); jobs and requests share it.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: WAL pages after which a committing connection checkpoints in line (SQLite's default: 1000,
#: about 4 MB). Only a backstop: `checkpoint_wal` keeps the WAL short from the side.
WAL_AUTOCHECKPOINT_PAGES = 20_000
#: How often `checkpoint_wal` runs.
WAL_CHECKPOINT_EVERY_S = 1.0


def sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """Set up a new SQLite connection (engine `connect` event, the bulk writer process)."""
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit BEGIN is off).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.close()


async def checkpoint_wal(db: Database, stop: asyncio.Event,
                         every_s: float = WAL_CHECKPOINT_EVERY_S) -> None:
    """Checkpoint `db`'s WAL every `every_s` seconds until `stop`, beside the write path
    (PASSIVE: it waits for no reader and no writer). Started by the web app on SQLite.

    By default SQLite checkpoints inside the commit that takes the WAL past 1000 pages, fsync
    included, and every writer queued behind that commit waits for the disk. At 50 stock
    changes/s that was most of the inventory-latency tail: p99 1.3–1.4 s with in-line
    checkpoints, 0.5–0.8 s without (bench/inventory_latency.py)."""
    import asyncio

    import structlog

    log = structlog.get_logger(__name__)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)
        try:
            async with db.engine.connect() as conn:
                raw: Any = (await conn.get_raw_connection()).driver_connection  # aiosqlite's
                cursor = await raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
                await cursor.close()
        except Exception as exc:  # retried next time; the in-line checkpoint is the backstop
            log.warning("sqlite.checkpoint_failed", error=repr(exc))
