"""The CLI surface, Settings rules and `ecomsend db upgrade` on both databases."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from ecomsend.config import ConfigError, QueueBackend, Settings

CLI = [sys.executable, "-m", "ecomsend"]


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ECOMSEND_")
             and k != "DATABASE_URL"}
    clean.update(env)
    return subprocess.run([*CLI, *args], cwd=cwd, env=clean, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("command", ["demo", "serve", "worker", "db", "sandbox"])
def test_every_subcommand_explains_itself(command: str, tmp_path: Path) -> None:
    result = _run([command, "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout and len(result.stdout) > 200


def test_db_upgrade_on_sqlite_creates_the_schema_under_var(tmp_path: Path) -> None:
    result = _run(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    db_file = tmp_path / "var" / "ecomsend.db"
    tables = {r[0] for r in sqlite3.connect(db_file).execute(
        "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"shop", "tiktok_shop", "sync_state", "local_job", "webhook_receipt"} <= tables
    assert (tmp_path / "var" / "token.key").exists()  # generated on first run


def test_db_upgrade_on_postgres_installs_app_and_job_schemas(postgres_url: str,
                                                             tmp_path: Path) -> None:
    for _ in range(2):  # idempotent: a second upgrade changes nothing and does not fail
        result = _run(["db", "upgrade"], tmp_path, DATABASE_URL=postgres_url,
                      ECOMSEND_TOKEN_ENCRYPTION_KEY="x" * 43 + "=")
        assert result.returncode == 0, result.stderr
    libpq = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(libpq) as conn:
        names = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname='public'")}
    assert {"shop", "sync_state", "order_link", "procrastinate_jobs"} <= names


def test_scale_out_requires_the_encryption_key(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, var_dir=tmp_path,  # type: ignore[call-arg]
                        queue_backend=QueueBackend.PROCRASTINATE,
                        database_url="postgresql+psycopg://x@localhost/x")
    with pytest.raises(ConfigError, match="ECOMSEND_TOKEN_ENCRYPTION_KEY"):
        settings.encryption_key()


def test_embedded_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, var_dir=tmp_path)  # type: ignore[call-arg]
    first = settings.encryption_key()
    assert settings.encryption_key() == first
    assert oct((tmp_path / "token.key").stat().st_mode)[-3:] == "600"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.as_posix()}/ecomsend.db"


def test_a_short_session_secret_is_refused(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, var_dir=tmp_path,  # type: ignore[call-arg]
                        session_secret="too-short")
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        settings.session_key()


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serving_on_the_public_placeholder_secrets_is_refused(command: str,
                                                              tmp_path: Path) -> None:
    result = _run([command], tmp_path)
    assert result.returncode == 2
    assert "ECOMSEND_SHOPIFY_API_SECRET and ECOMSEND_TIKTOK_APP_SECRET" in result.stderr
    assert "ecomsend keygen" in result.stderr
    assert not (tmp_path / "var").exists()  # refused before touching anything


def test_one_placeholder_left_is_named(tmp_path: Path) -> None:
    result = _run(["serve"], tmp_path, ECOMSEND_SHOPIFY_API_SECRET="a-real-shopify-secret")
    assert result.returncode == 2
    assert "ECOMSEND_TIKTOK_APP_SECRET must be set" in result.stderr
    assert "SHOPIFY" not in result.stderr.split("must be set")[0]


def test_keygen_prints_keys_the_settings_accept(tmp_path: Path) -> None:
    result = _run(["keygen"], tmp_path)
    assert result.returncode == 0, result.stderr
    values = dict(line.split("=", 1) for line in result.stdout.strip().splitlines())
    settings = Settings(_env_file=None, var_dir=tmp_path,
                        token_encryption_key=values["ECOMSEND_TOKEN_ENCRYPTION_KEY"],
                        session_secret=values["ECOMSEND_SESSION_SECRET"])
    assert len(settings.encryption_key()) == 44 and len(settings.session_key()) >= 32
    again = dict(line.split("=", 1) for line in _run(["keygen"], tmp_path).stdout.split())
    assert again != values  # new keys every time
