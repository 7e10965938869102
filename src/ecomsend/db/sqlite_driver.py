"""SQLAlchemy's aiosqlite dialect with one thread hop per statement instead of three or four.

aiosqlite runs every call on its connection's thread; SQLAlchemy's adapter makes a cursor
(one hop), executes (one), fetches the rows (one) and closes the cursor (one). Each hop waits
for the event loop to get round to it, and inside a unit of work those waits are time spent
holding SQLite's single write lock: at 50 stock webhooks/s the lock was busy all the time and
queued writers waited seconds (bench/inventory_latency.py). Here a statement is one function
run on the connection's thread — cursor, execute, fetchall, close — so one hop.

`make_engine` selects it for `sqlite+aiosqlite` URLs (as `sqlite+ecomsend_aiosqlite`); the
dialect is SQLAlchemy's own in every other respect. It uses aiosqlite's private `_execute` and
`_conn` and SQLAlchemy's adapter hooks (`_execute_async`, `_execute_mutex`): pyproject pins both
to the series tested, `check_internals` refuses to start on a release without them, and
tests/foundation/test_sqlite_driver_pins.py fails on an upgrade that changes them.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util import EMPTY_DICT

#: The URL driver name `make_engine` substitutes for `aiosqlite`.
DRIVER = "ecomsend_aiosqlite"


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose execute runs cursor + execute + fetchall + close in one call
    on the connection's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no cursor made up front: no hop
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        return None

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        raw = self._connection._conn  # the sqlite3 connection, used on its own thread only

        def run() -> tuple[Any, int, int | None, list[Any] | None]:
            cursor = raw.cursor()
            try:
                cursor.execute(operation, () if parameters is None else parameters)
                rows = cursor.fetchall() if cursor.description else None
                return cursor.description, cursor.rowcount, cursor.lastrowid, rows
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            self._description, self._rowcount, self._lastrowid, rows = (
                await self._connection._execute(run))
        if rows is not None:
            self._rows = collections.deque(rows)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        raw = self._connection._conn

        def run() -> tuple[int, int | None]:
            cursor = raw.cursor()
            try:
                cursor.executemany(operation, seq_of_parameters)
                return cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            self._rowcount, self._lastrowid = await self._connection._execute(run)
        self._description = None

    async def _async_soft_close(self) -> None:
        return None  # nothing open: the rows are already buffered

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


class OneHopAiosqliteDialect(SQLiteDialect_aiosqlite):
    """SQLAlchemy's aiosqlite dialect with `OneHopCursor` (see the module docstring)."""

    #: Each dialect subclass must say so itself, or SQLAlchemy compiles every statement anew.
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> OneHopDBAPI:
        check_internals()
        return OneHopDBAPI(__import__("aiosqlite"), __import__("sqlite3"))


#: What this module relies on that is not public API: (owner, attribute).
INTERNALS = (
    ("aiosqlite.Connection", "_execute"), ("aiosqlite.Connection", "_conn"),
    ("AsyncAdapt_aiosqlite_cursor", "_execute_async"),
    ("AsyncAdapt_aiosqlite_cursor", "_executemany_async"),
    ("AsyncAdapt_aiosqlite_cursor", "_async_soft_close"),
    ("AsyncAdapt_aiosqlite_connection", "_cursor_cls"),
)


def check_internals() -> None:
    """Raise a clear error when aiosqlite or SQLAlchemy lacks an internal this driver uses (an
    upgrade past the pinned series); called once when the dialect loads its DBAPI."""
    import aiosqlite

    owners = {"aiosqlite.Connection": aiosqlite.Connection,
              "AsyncAdapt_aiosqlite_cursor": AsyncAdapt_aiosqlite_cursor,
              "AsyncAdapt_aiosqlite_connection": AsyncAdapt_aiosqlite_connection}
    missing = [f"{owner}.{name}" for owner, name in INTERNALS
               if not hasattr(owners[owner], name)]
    if missing:
        raise RuntimeError(
            f"ecomsend's SQLite driver needs {', '.join(missing)}, which this aiosqlite "
            f"({aiosqlite.__version__}) / SQLAlchemy release lacks: install the versions "
            "pinned in pyproject.toml")


registry.register(f"sqlite.{DRIVER}", __name__, "OneHopAiosqliteDialect")
