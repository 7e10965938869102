"""The chaos suite's processes: both sandboxes, the app in one of its two modes, and the kills.

Embedded: one `ecomsend serve` (SQLite, embedded worker) that `kill()` SIGKILLs and restarts.
Scale-out: two `ecomsend serve` web processes (no worker) and three `ecomsend worker` processes
on a fresh PostgreSQL database; `kill()` SIGKILLs one worker and starts a new one in its place.
Called by `bench/chaos.py`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from ecomsend.db.migrate import upgrade
from ecomsend.demo.stack import START_TIMEOUT_S, LocalStack, _wait_until_up, settings_env
from ecomsend.serving import free_port

#: The PostgreSQL server the scale-out run makes its fresh database on (tests use the same one).
POSTGRES_ADMIN_URL = os.environ.get("ECOMSEND_TEST_POSTGRES_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SCALE_OUT_WEBS, SCALE_OUT_WORKERS, WORKER_CONCURRENCY = 2, 3, 8


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class ChaosWorld:
    """Start with `start()`, crash with `kill()`, end with `stop()`."""

    mode: str
    var_dir: Path
    #: Scale-out: an empty PostgreSQL database to use (default: a fresh one, dropped at the end).
    database_url: str | None = None
    kills: int = 0
    stack: LocalStack = field(init=False)
    _pg_name: str | None = None
    _extra: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    web_urls: list[str] = field(default_factory=list)

    def start(self) -> ChaosWorld:
        """Make the database, start every process, wait until each answers."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        overrides: dict[str, Any] = {"session_secret": "chaos-session-secret-0123456789abcdef",
                                     "log_level": os.environ.get("CHAOS_APP_LOG_LEVEL",
                                                                 "WARNING")}
        database_url = f"sqlite+aiosqlite:///{(self.var_dir / 'chaos.db').as_posix()}"
        if self.mode == "scale-out":
            database_url = self.database_url or self._fresh_database()
            overrides.update(queue_backend="procrastinate", ratelimit_backend="postgres",
                             token_encryption_key=Fernet.generate_key().decode())
        self.stack = LocalStack(self.var_dir, database_url=database_url,
                                settings_overrides=overrides, sandboxes_in_processes=True,
                                app_in_process=False, app_log=self.var_dir / "app.log")
        upgrade(self.stack.settings)
        try:
            self.stack.start()
            self.web_urls = [self.stack.app_url]
            if self.mode == "scale-out":
                for _ in range(SCALE_OUT_WEBS - 1):
                    self._start_web()
                for _ in range(SCALE_OUT_WORKERS):
                    self._workers.append(self._spawn(["worker", "--concurrency",
                                                      str(WORKER_CONCURRENCY)], "worker"))
        except BaseException:  # a process that did not come up: leave none running
            self.stop()
            raise
        return self

    def _fresh_database(self) -> str:
        self._pg_name = f"ecomsend_chaos_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self._pg_name}"')
        return make_url(POSTGRES_ADMIN_URL).set(database=self._pg_name).render_as_string(
            hide_password=False)

    def _spawn(self, args: list[str], log_name: str) -> subprocess.Popen[bytes]:
        log = (self.var_dir / f"{log_name}.log").open("ab")
        proc = subprocess.Popen([sys.executable, "-m", "ecomsend", *args],
                                env=settings_env(self.stack.settings), stdout=log,
                                stderr=subprocess.STDOUT)
        self._extra.append(proc)
        return proc

    def _start_web(self) -> None:
        port = free_port()
        self._spawn(["serve", "--port", str(port), "--no-migrate"], f"web{port}")
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, "/healthz", timeout_s=START_TIMEOUT_S)
        self.web_urls.append(url)

    def kill(self) -> None:
        """One crash: SIGKILL the app (embedded) or a worker (scale-out), then start it again."""
        if self.mode == "embedded":
            self.stack.kill_app()
            self.stack.start_app()
        else:
            victim = self._workers.pop(0)
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            self._workers.append(self._spawn(["worker", "--concurrency",
                                              str(WORKER_CONCURRENCY)], "worker"))
        self.kills += 1

    def stop(self) -> None:
        """Stop every process and drop the scale-out database."""
        for proc in self._extra:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._extra:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.stack.stop()
        if self._pg_name:
            with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
