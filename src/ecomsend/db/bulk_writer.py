"""Where bulk upserts go: the session's own connection, or a SQLite writer process.

`bulk_sink(db, separate_process=…)` gives a `BulkSink`; `await sink.write(statements)` runs a
list of `(sql, rows)` executemany calls as ONE transaction. Used by the catalog import
(`sync.catalog_import`), which writes a shop's whole catalog in batches of thousands of rows.

Why a process on SQLite: the sqlite3 module takes the GIL back to bind every row of an
executemany. While the event loop is busy parsing the bulk file, the thread aiosqlite runs SQL
in loses that race almost every time (the loop releases and retakes the GIL around each
`select`, which also resets CPython's forced-switch timer), so measured, the writes made *no*
progress until parsing paused: parse and write took turns and an import cost their sum. A child
process (`python -m ecomsend.db.bulk_writer DB_PATH`) has its own interpreter and core; the
parent sends each transaction as one orjson frame over stdin and reads a one-line ack, both
through asyncio's own pipes, so nothing waits for a GIL hand-off. It writes with the same
pragmas and busy_timeout as every other connection.
"""

from __future__ import annotations

import contextlib
import fcntl
import struct
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import orjson

from ecomsend.db.sqlite import sqlite_pragmas

if TYPE_CHECKING:  # the writer process imports only what `serve` needs (no asyncio: 0.03 s)
    import asyncio

    from ecomsend.db.session import Database

#: Rows of one executemany, in the statement's placeholder order, as the driver wants them.
Rows = Sequence[Sequence[Any]]
Statements = Sequence[tuple[str, Rows]]
#: Frame header: payload length, 4 bytes big-endian.
_HEADER = struct.Struct(">I")
#: Transactions sent ahead of their ack: the parent maps batch N+1 while the child writes N.
PIPELINE_DEPTH = 2
#: The frames pipe's buffer (Linux F_SETPIPE_SZ, at most /proc/sys/fs/pipe-max-size, 1 MiB by
#: default). A 2-3 MB frame through the default 64 KiB wakes the child ~40 times, and each
#: wake-up may preempt the parent on a busy machine (bench/shopify_bulk_fetch.py: ~800 pipe
#: writes per 20,000 products); 1 MiB makes that ~3.
PIPE_BUFFER_BYTES = 1 << 20
_OK = b"ok"


class BulkWriteError(RuntimeError):
    """The writer process failed a transaction (its message says why) or died."""


class BulkSink(Protocol):
    """One transaction per `write`; `flush` returns once everything written is committed."""

    async def write(self, statements: Statements) -> None: ...

    async def flush(self) -> None: ...


class ConnectionSink:
    """Writes through the app's own engine (PostgreSQL, small imports, tests)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def write(self, statements: Statements) -> None:
        """Run `statements` in one transaction on a pooled connection."""
        async with self.db.engine.begin() as conn:
            for sql, rows in statements:
                if rows:
                    await conn.exec_driver_sql(sql, list(rows))

    async def flush(self) -> None:
        return None


class SqliteWriterProcess:
    """Writes through a child process holding its own connection to the SQLite file."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.in_flight = 0

    async def write(self, statements: Statements) -> None:
        """Send one transaction; waits only when PIPELINE_DEPTH are already unacknowledged."""
        assert self.proc.stdin is not None
        if self.in_flight >= PIPELINE_DEPTH:
            await self._ack()
        payload = orjson.dumps([[sql, rows] for sql, rows in statements if rows])
        self.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
        self.in_flight += 1
        await self.proc.stdin.drain()

    async def flush(self) -> None:
        """Wait for every transaction sent so far to be committed (or raise its error)."""
        while self.in_flight:
            await self._ack()

    async def _ack(self) -> None:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        self.in_flight -= 1
        if line.rstrip(b"\n") != _OK:
            raise BulkWriteError(line.decode(errors="replace").strip() or
                                 f"bulk writer exited with {await self.proc.wait()}")


@asynccontextmanager
async def bulk_sink(db: Database, *, separate_process: bool) -> AsyncIterator[BulkSink]:
    """A sink for `db`: the writer process on SQLite when asked for, else the engine.
    Everything written is committed when the block exits normally; on an error the process
    is stopped (what it committed stays: each write is its own transaction)."""
    if not (separate_process and db.dialect == "sqlite"):
        yield ConnectionSink(db)
        return
    import asyncio

    from sqlalchemy.engine import make_url

    path = make_url(db.url).database
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ecomsend.db.bulk_writer", str(path),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert proc.stdin is not None
    _widen_pipe(proc.stdin.get_extra_info("pipe"))
    sink = SqliteWriterProcess(proc)
    try:
        yield sink
        await sink.flush()
    finally:
        if proc.returncode is None:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), timeout=10)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def _widen_pipe(pipe: Any) -> None:
    """Give the frames pipe PIPE_BUFFER_BYTES of buffer where the OS lets us (Linux); else
    keep its default. Called by `bulk_sink` on the child's stdin."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)
    if pipe is None or setpipe is None:
        return
    with contextlib.suppress(OSError):  # e.g. above a lowered pipe-max-size
        fcntl.fcntl(pipe.fileno(), setpipe, PIPE_BUFFER_BYTES)


def _read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return stream.read(size)


def serve(path: str, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """The child's loop: one transaction per frame, one ack line per transaction, until EOF."""
    import gc
    import sqlite3

    # No reference cycles here: a decoded frame is lists of scalars, freed by reference counts
    # once written. The cyclic collector would only re-scan the frame being written (~280
    # passes per 20,000 products, ~8 % of this process's CPU in bench/shopify_bulk_fetch.py).
    gc.disable()
    conn = sqlite3.connect(path)
    sqlite_pragmas(conn, None)
    while (frame := _read_frame(stdin)) is not None:
        try:
            conn.execute("BEGIN IMMEDIATE")
            for sql, rows in orjson.loads(frame):
                conn.executemany(sql, rows)
            conn.execute("COMMIT")
            stdout.write(_OK + b"\n")
        except Exception as exc:  # reported to the parent, which raises it
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            stdout.write(f"{type(exc).__name__}: {exc}".replace("\n", " ").encode() + b"\n")
        stdout.flush()
    conn.close()


if __name__ == "__main__":
    serve(sys.argv[1], sys.stdin.buffer, sys.stdout.buffer)
