"""`ecomsend db upgrade`: Alembic migrations (both DBs), plus procrastinate's schema on Postgres."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from ecomsend.config import Settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic Config pointing at the packaged migrations and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Bring the database to `revision`; on PostgreSQL also install procrastinate's schema."""
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    settings.encryption_key()  # embedded: generate the key now; scale-out: fail early if unset
    command.upgrade(alembic_config(settings.database_url), revision)
    if not settings.is_sqlite:
        asyncio.run(apply_procrastinate_schema(settings.database_url))


async def apply_procrastinate_schema(database_url: str) -> bool:
    """Apply procrastinate's schema once (it is not idempotent); returns True if applied now."""
    import psycopg

    from ecomsend.jobs.procrastinate_queue import libpq_dsn, make_procrastinate_app

    async with await psycopg.AsyncConnection.connect(libpq_dsn(database_url)) as conn:
        cur = await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
        row = await cur.fetchone()
        if row and row[0]:
            return False
    app = make_procrastinate_app(database_url)
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
    return True
