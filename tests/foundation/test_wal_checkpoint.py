"""The background WAL checkpointer: commits do not checkpoint in line; it does, on its own."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url

from ecomsend.db.session import Database
from ecomsend.db.sqlite import checkpoint_wal


async def test_the_checkpointer_moves_committed_pages_into_the_database_file(
        sqlite_db: Database) -> None:
    path = Path(str(make_url(sqlite_db.url).database))
    async with sqlite_db.engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE scratch (k INTEGER PRIMARY KEY, v TEXT)")
    for _ in range(20):  # 20 commits, ~1,500 pages: past SQLite's default autocheckpoint
        async with sqlite_db.unit_of_work() as session:
            await (await session.connection()).exec_driver_sql(
                "INSERT INTO scratch (v) VALUES (?)", [("x" * 4000,)] * 300)
    before = path.stat().st_size  # the pages are still only in the WAL: no in-line checkpoint
    assert path.with_name(path.name + "-wal").stat().st_size > 20 * 1024 * 1024
    stop = asyncio.Event()
    task = asyncio.create_task(checkpoint_wal(sqlite_db, stop, every_s=0.05))
    await asyncio.sleep(0.5)
    stop.set()
    await task
    assert path.stat().st_size > before + 20 * 1024 * 1024
