"""Fixtures shared by the tests/web API tests: `db` runs a test on SQLite, then on PostgreSQL
(skipped when none answers); `app_url` serves the app over real HTTP on that database without
its worker. A module may override either (test_webhook_inbox.py serves on SQLite only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ecomsend.db.session import Database
from ecomsend.serving import BackgroundServer
from ecomsend.web.app import create_app


@pytest.fixture
def db(any_db: Database) -> Database:
    """`any_db` from tests/conftest.py (SQLite, then PostgreSQL) under the name used here."""
    return any_db


@pytest.fixture
def app_url(db: Database) -> Iterator[str]:
    """Base URL of the app served in a background thread on `db`."""
    with BackgroundServer(create_app(db.settings, run_worker=False)) as url:
        yield url
