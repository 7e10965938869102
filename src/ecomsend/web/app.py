"""`create_app(settings)`: the web process. In the embedded default it also runs the LocalQueue
worker inside the same process (DESIGN.md §1); in scale-out, workers are separate processes."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from ecomsend import __version__
from ecomsend.config import Settings, get_settings
from ecomsend.db.session import Database
from ecomsend.db.sqlite import checkpoint_wal
from ecomsend.jobs.runtime import build_queue
from ecomsend.jobs.tasks import build_registry
from ecomsend.metrics import WebhookMetrics
from ecomsend.services import Services
from ecomsend.sync.handlers import build_webhook_handlers
from ecomsend.web import (
    api_compliance,
    api_order_settings,
    api_orders,
    api_returns,
    api_session,
    auth,
    ops,
    webhooks,
)
from ecomsend.web.home_pages import HOME_SETTINGS_ACTIVITY_ROUTERS
from ecomsend.web.json_guard import JsonGuard
from ecomsend.web.product_pages import PRODUCT_PAGE_ROUTERS
from ecomsend.web.ui import mount_ui
from ecomsend.web.webhook_ingress import WebhookIngress

#: Smaller responses are not worth compressing (one TCP segment either way).
GZIP_MIN_BYTES = 1400
#: Jobs the in-process worker of the embedded default runs at once. A push job spends most of
#: its ~0.4 s waiting for SQLite's write lock and little on TikTok, so 8 slots held the push
#: rate near 15 calls/s; 16 doubled it (bench/tiktok_push.py), 24 gave no more.
EMBEDDED_WORKER_CONCURRENCY = 16


def _freeze_startup_heap() -> None:
    """Move what startup built (modules, FastAPI's routes, SQLAlchemy's and pydantic's
    machinery: a few hundred thousand objects, never garbage) out of the garbage collector's
    reach. Each full collection walked them all again: in a webhook flood a web process ran
    17 of them in 70 s, pausing the event loop (every acknowledgement) for 100-700 ms each
    (bench/webhook_ingest.py --postgres, load ≈ 9). Called once by the lifespan at startup."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, run_worker: bool | None = None) -> FastAPI:
    """The ASGI app; `run_worker` defaults to True in the embedded default."""
    settings = settings or get_settings()
    embedded_worker = (not settings.is_scale_out) if run_worker is None else run_worker

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings)
        services = Services.build(settings, db)
        queue = build_queue(settings, db, build_registry(), services)
        app.state.db, app.state.queue, app.state.settings = db, queue, settings
        app.state.services = services
        app.state.webhook_handlers = build_webhook_handlers()
        stop = asyncio.Event()
        worker = (asyncio.create_task(queue.run_worker(stop, EMBEDDED_WORKER_CONCURRENCY))
                  if embedded_worker else None)
        app.state.worker = worker  # /readyz checks it is still running
        checkpoints = (asyncio.create_task(checkpoint_wal(db, stop))
                       if db.dialect == "sqlite" else None)
        inbox = webhooks.start_inbox(app, stop)  # webhooks acknowledged, processed after
        _freeze_startup_heap()
        try:
            yield
        finally:
            stop.set()
            await inbox
            if worker is not None:
                await worker
            if checkpoints is not None:
                await checkpoints
            await queue.close()
            await services.close()
            await db.dispose()

    # No OpenTelemetry bridge: the app's metrics are Prometheus' (`/metrics`), and FastAPI
    # otherwise asks OTel's global providers whether one is configured on every request
    # (~5 % of the CPU of a webhook flood, bench/webhook_ingest.py).
    app = FastAPI(title="EcomSend Feed", version=__version__, lifespan=lifespan,
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    # The admin UI's bundles and the JSON API's lists compress 4-8x; webhooks answer with no body.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)
    app.add_middleware(JsonGuard)
    app.add_middleware(WebhookMetrics)
    app.add_middleware(WebhookIngress)  # last, so outermost: deliveries skip the rest
    app.include_router(ops.router)
    app.include_router(webhooks.router)
    app.include_router(auth.router)
    app.include_router(api_session.router)
    for router in PRODUCT_PAGE_ROUTERS:
        app.include_router(router)
    app.include_router(api_orders.router)
    app.include_router(api_returns.router)
    app.include_router(api_order_settings.router)
    app.include_router(api_compliance.router)
    for router in HOME_SETTINGS_ACTIVITY_ROUTERS:
        app.include_router(router)

    mount_ui(app)  # last: its client-route fallback must not shadow an API route
    return app
