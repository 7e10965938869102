"""The bulk sink of catalog imports: a SQLite writer process (one transaction per write, errors
reported back) and the engine's own connection elsewhere."""

from __future__ import annotations

import pytest

from ecomsend.db.bulk_writer import BulkWriteError, ConnectionSink, SqliteWriterProcess, bulk_sink
from ecomsend.db.session import Database

INSERT = "INSERT INTO scratch (k, v) VALUES (?, ?)"


async def _keys(db: Database) -> list[int]:
    async with db.engine.connect() as conn:
        return [k for (k,) in (await conn.exec_driver_sql("SELECT k FROM scratch ORDER BY k"))]


async def test_writer_process_commits_each_write_and_reports_a_failed_one(
        sqlite_db: Database) -> None:
    async with sqlite_db.engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE scratch (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    async with bulk_sink(sqlite_db, separate_process=True) as sink:
        assert isinstance(sink, SqliteWriterProcess)
        await sink.write([(INSERT, [(1, "a"), (2, "ü")]), (INSERT, [])])
        await sink.write([(INSERT, [(3, "c")])])
    assert await _keys(sqlite_db) == [1, 2, 3]
    with pytest.raises(BulkWriteError, match="NOT NULL"):
        async with bulk_sink(sqlite_db, separate_process=True) as sink:
            await sink.write([(INSERT, [(4, "d")])])
            await sink.write([(INSERT, [(5, "e"), (6, None)])])  # fails: rolled back whole
            await sink.flush()
    assert await _keys(sqlite_db) == [1, 2, 3, 4]


async def test_postgres_writes_through_the_engine(pg_db: Database) -> None:
    async with bulk_sink(pg_db, separate_process=True) as sink:
        assert isinstance(sink, ConnectionSink)
