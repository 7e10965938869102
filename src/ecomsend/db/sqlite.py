"""SQLite connection setup shared by the engine and the bulk writer process (no heavy imports:
the writer process loads only this, sqlite3 and orjson)."""

from __future__ import annotations

from typing import Any

#: How long SQLite waits for another writer before SQLITE_BUSY (ms); jobs and requests share it.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """Set up a new SQLite connection (engine `connect` event, the bulk writer process)."""
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit BEGIN is off).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
