"""Operations endpoints: `/healthz` (live), `/readyz` (database, queue, migrations current;
503 when not) and `/metrics` (Prometheus, see ecomsend.metrics)."""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ecomsend import __version__, metrics
from ecomsend.db.migrate import alembic_config
from ecomsend.db.session import Database

router = APIRouter(tags=["ops"])
#: A readiness check that takes longer than this counts as failed (a hung database).
READY_TIMEOUT_S = 3.0


@cache
def migration_heads(database_url: str) -> frozenset[str]:
    """The revisions the packaged migrations end at (read once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (no dependency checked; see /readyz)."""
    return {"status": "ok", "version": __version__}


@router.get("/readyz", include_in_schema=False)  # ops, not the admin API
async def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers, its schema is at the packaged migrations' head, and the
    job queue can take jobs (embedded: the in-process worker runs; scale-out: procrastinate's
    schema is there). 503 with the failing checks otherwise."""
    db: Database = request.app.state.db
    checks: dict[str, Any] = {}
    for name, check in (("database", _database), ("migrations", _migrations),
                        ("queue", _queue)):
        try:
            checks[name] = await asyncio.wait_for(check(request, db), READY_TIMEOUT_S)
        except Exception as exc:  # any failure is "not ready", named in the answer
            checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    ready = all(c.get("ok") for c in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


async def _database(request: Request, db: Database) -> dict[str, Any]:
    async with db.sessionmaker() as session:
        await session.execute(text("SELECT 1"))
    return {"ok": True}


async def _migrations(request: Request, db: Database) -> dict[str, Any]:
    async with db.sessionmaker() as session:
        current = set((await session.execute(text("SELECT version_num FROM alembic_version"))
                       ).scalars())
    heads = migration_heads(db.url)
    return {"ok": current == heads, "current": sorted(current), "head": sorted(heads)}


async def _queue(request: Request, db: Database) -> dict[str, Any]:
    worker = getattr(request.app.state, "worker", None)
    if db.dialect == "postgresql" and request.app.state.settings.is_scale_out:
        async with db.sessionmaker() as session:
            live = (await session.execute(text(
                "SELECT count(*) FROM procrastinate_workers"
                " WHERE last_heartbeat > now() - interval '30 seconds'"))).scalar_one()
        return {"ok": True, "backend": "procrastinate", "live_workers": int(live)}
    if worker is None:
        return {"ok": True, "backend": "local", "worker": "not in this process"}
    return {"ok": not worker.done(), "backend": "local",
            "worker": "running" if not worker.done() else "stopped"}


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def prometheus_metrics(request: Request) -> Response:
    """Prometheus exposition: this process's counters plus queue/lag/failure gauges read from
    the database now."""
    state = request.app.state
    await metrics.refresh_database_gauges(
        state.db, "procrastinate" if state.settings.is_scale_out else "local")
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
