"""The SQLite engine relies on aiosqlite and SQLAlchemy internals (db/sqlite_driver.py): the
installed versions must be the pinned ones, the internals must be there, and the one-hop cursor
must really be the one running statements (a renamed hook would silently bypass it)."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from sqlalchemy import text

from ecomsend.db import sqlite_driver
from ecomsend.db.session import Database

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _pins() -> dict[str, Requirement]:
    deps = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    return {req.name.lower(): req for req in map(Requirement, deps)}


@pytest.mark.parametrize("package", ["aiosqlite", "sqlalchemy"])
def test_installed_versions_are_the_pinned_series(package: str) -> None:
    req = _pins()[package]
    assert req.specifier, f"{package} must be pinned to a tested series in pyproject.toml"
    assert any(s.operator == "<" for s in req.specifier), f"{package} needs an upper bound"
    installed = version(package)
    assert req.specifier.contains(installed), (
        f"{package} {installed} is outside the tested {req.specifier}: re-run the SQLite "
        "suite on it, check db/sqlite_driver.py's internals, then move the pin")


def test_every_internal_the_driver_uses_exists() -> None:
    sqlite_driver.check_internals()  # raises, naming what is missing


def test_check_internals_fails_loudly_when_one_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    import aiosqlite

    monkeypatch.delattr(aiosqlite.Connection, "_execute")
    with pytest.raises(RuntimeError, match=r"aiosqlite\.Connection\._execute"):
        sqlite_driver.check_internals()


async def test_statements_run_through_the_one_hop_cursor(sqlite_db: Database,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = sqlite_driver.OneHopCursor._execute_async

    async def counting(self: sqlite_driver.OneHopCursor, operation: str, params: object) -> None:
        calls.append(operation)
        await original(self, operation, params)

    monkeypatch.setattr(sqlite_driver.OneHopCursor, "_execute_async", counting)
    async with sqlite_db.sessionmaker() as session:
        assert (await session.execute(text("SELECT 41 + 1"))).scalar_one() == 42
    assert any("41 + 1" in op for op in calls), calls
