"""Fixtures shared by every test area: fresh, migrated databases on SQLite and PostgreSQL.

- `sqlite_db`: a `Database` on a new SQLite file (WAL), migrated with Alembic.
- `pg_db`: a `Database` on a new PostgreSQL database (Alembic + procrastinate schema), dropped
  afterwards; skipped with the reason when no PostgreSQL answers. CI always has one.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from ecomsend.config import QueueBackend, Settings
from ecomsend.db.migrate import upgrade
from ecomsend.db.models import Shop, TikTokShop
from ecomsend.db.session import Database

#: Admin connection used to create and drop per-test databases.
POSTGRES_ADMIN_URL = os.environ.get(
    "ECOMSEND_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
#: One key for the whole run: tests that reopen a database must decrypt what they wrote.
TEST_TOKEN_KEY = Fernet.generate_key().decode()
REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


def make_settings(database_url: str, var_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: explicit DB and var dir, a fixed token key, nothing from the env."""
    values: dict[str, object] = {
        "database_url": database_url,
        "var_dir": var_dir,
        "token_encryption_key": TEST_TOKEN_KEY,
        "session_secret": "test-session-secret-0123456789abcdef",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_unavailable_reason() -> str | None:
    try:
        with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), connect_timeout=3):
            return None
    except psycopg.OperationalError as exc:
        return (f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL} ({exc}); "
                "set ECOMSEND_TEST_POSTGRES_URL")


_PG_REASON = _postgres_unavailable_reason()
requires_postgres = pytest.mark.skipif(_PG_REASON is not None, reason=_PG_REASON or "")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a brand-new, empty PostgreSQL database, dropped at the end of the test."""
    if _PG_REASON is not None:
        pytest.skip(_PG_REASON)
    name = f"ecomsend_t_{uuid.uuid4().hex[:12]}"
    admin = _libpq(POSTGRES_ADMIN_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'ecomsend.db'}"


async def add_connection(db: Database, domain: str, tiktok_shop_id: str = "1"
                         ) -> tuple[int, int]:
    """A Shop with one US TikTok shop connected, committed: (shop id, tiktok_shop row id)."""
    async with db.unit_of_work() as session:
        shop = Shop(domain=domain, scopes="")
        session.add(shop)
        await session.flush()
        tts = TikTokShop(shop_id=shop.id, tiktok_shop_id=tiktok_shop_id, cipher="c",
                         region="US")
        session.add(tts)
        await session.flush()
        return shop.id, tts.id


async def _migrated(settings: Settings) -> Database:
    # Alembic's env.py runs its own event loop: keep it off the test's loop.
    await asyncio.to_thread(upgrade, settings)
    return Database(settings)


@pytest.fixture
async def sqlite_db(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    db = await _migrated(make_settings(sqlite_url, tmp_path))
    yield db
    await db.dispose()


@pytest.fixture
async def pg_db(postgres_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    db = await _migrated(make_settings(postgres_url, tmp_path,
                                       queue_backend=QueueBackend.PROCRASTINATE))
    yield db
    await db.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest) -> Database:
    """The same test on both databases."""
    return request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")
