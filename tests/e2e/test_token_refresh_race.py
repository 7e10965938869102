"""Two processes race to refresh one TikTok shop's expired token: TikTok rotates refresh tokens
(the sandbox refuses a spent one), so exactly one refresh may reach TikTok; the other process
waits on the cross-process guard and adopts the stored result. Both databases (PostgreSQL:
advisory lock; SQLite: file lock). The refresh is made slow (sandbox latency fault) so the two
really overlap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from ecomsend.db.models import Shop, TikTokShop
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.serving import BackgroundServer

APP_KEY, APP_SECRET = "race-app-key", "race-app-secret"
RACER = Path(__file__).with_name("refresh_racer.py")


@pytest.fixture
def sandbox() -> Iterator[str]:
    from ecomsend.sandbox.tiktok.app import create_app

    with BackgroundServer(create_app(APP_KEY, APP_SECRET)) as url:
        yield url


async def _connect(db: Database, sandbox: str) -> str:
    """A sandbox shop whose stored access token has expired (the next call refreshes)."""
    async with httpx.AsyncClient(base_url=sandbox, timeout=30) as http:
        view = (await http.post("/_sandbox/shops", json={"region": "US"})).json()
        token = (await http.get("/api/v2/token/get", params={
            "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": view["auth_code"],
            "grant_type": "authorized_code"})).json()["data"]
        faults = {"latency_rate": 1.0, "latency_ms": 1500, "paths": ["/api/v2/token/refresh"]}
        assert (await http.put("/_sandbox/faults", json=faults)).status_code < 300
    now = utcnow()
    async with db.unit_of_work() as session:
        shop = Shop(domain="race.myshopify.com", scopes="")
        session.add(shop)
        await session.flush()
        session.add(TikTokShop(
            shop_id=shop.id, tiktok_shop_id=view["shop_id"], cipher=view["cipher"], region="US",
            access_token=token["access_token"], access_token_expires_at=now - timedelta(1),
            refresh_token=token["refresh_token"],
            refresh_token_expires_at=now + timedelta(days=30)))
    return str(token["access_token"])


async def test_two_processes_refresh_a_rotating_token_once(any_db: Database,
                                                           sandbox: str) -> None:
    db = any_db
    stale = await _connect(db, sandbox)
    s = db.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOMSEND_")}
    env.update(DATABASE_URL=s.database_url, ECOMSEND_VAR_DIR=str(s.var_dir),
               ECOMSEND_TOKEN_ENCRYPTION_KEY=(s.token_encryption_key or "").get_secret_value()
               if s.token_encryption_key else "",
               ECOMSEND_TIKTOK_APP_KEY=APP_KEY, ECOMSEND_TIKTOK_APP_SECRET=APP_SECRET,
               ECOMSEND_TIKTOK_API_BASE_URL=sandbox, ECOMSEND_TIKTOK_AUTH_BASE_URL=sandbox,
               ECOMSEND_QUEUE_BACKEND=s.queue_backend.value)
    start_at = time.time() + 4.0  # both processes are up and waiting by then
    racers = [subprocess.Popen([sys.executable, str(RACER), str(start_at)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for _ in range(2)]
    outs = []
    for racer in racers:
        out, err = racer.communicate(timeout=90)
        assert racer.returncode == 0, err.decode()[-2000:]
        outs.append(json.loads(out.decode().strip().splitlines()[-1]))
    assert all(o["ok"] for o in outs), outs
    async with httpx.AsyncClient(base_url=sandbox) as http:
        injected = (await http.get("/_sandbox/faults/injected")).json()
    assert injected["by_kind"].get("latency") == 1  # one refresh reached TikTok
    async with db.sessionmaker() as session:
        row = (await session.execute(select(TikTokShop))).scalar_one()
    assert row.access_token != stale
    assert {o["access_token"] for o in outs} == {row.access_token}
