"""Prometheus metrics (issue 12 §5), served by `GET /metrics` (web/ops.py).

Two sources:
- counters and histograms this process increments: API calls / throttles / errors per platform
  and endpoint (an httpx response hook on the services' shared client), webhook ingest count
  and acknowledgement latency (an ASGI middleware on `/webhooks/`), job runs and failures by
  reason (the sync engine);
- gauges read from the database at scrape time, so they are right however many worker
  processes run: queue depth and age of the oldest due job per job kind, sync lag per shop and
  direction, sync rows failing or backing off by reason.

Scale-out: set `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's multi-process mode) to one
directory shared by the web and worker processes of a host, so a web process's `/metrics` sums
the workers' counters too; the database gauges need nothing.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter as Counter_
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import func, select, text

from ecomsend.db.models import LocalJob, SyncState
from ecomsend.db.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from ecomsend.db.session import Database

API_CALLS = Counter("ecomsend_api_calls_total", "Calls to a platform API, by answer status",
                    ["platform", "endpoint", "status"])
API_THROTTLES = Counter("ecomsend_api_throttles_total", "Platform answers that said slow down "
                        "(HTTP 429, Shopify's THROTTLED)", ["platform", "endpoint"])
API_ERRORS = Counter("ecomsend_api_errors_total", "Platform answers with HTTP status >= 400 "
                     "or no answer (transport error)", ["platform", "endpoint"])
WEBHOOKS = Counter("ecomsend_webhooks_total", "Webhook deliveries received, by answer status",
                   ["platform", "status"])
#: Buckets up to TikTok's 3 s and Shopify's 5 s delivery deadlines.
WEBHOOK_LATENCY = Histogram("ecomsend_webhook_ack_seconds", "Time to acknowledge a webhook",
                            ["platform"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 3, 5))
SYNC_FAILURES = Counter("ecomsend_sync_failures_total", "Sync pushes that failed, by reason",
                        ["kind", "reason"])
# Database gauges (set at scrape time; "livesum"/"max" so multi-process mode keeps one value).
QUEUE_DEPTH = Gauge("ecomsend_queue_depth", "Jobs waiting (due now or later), by task",
                    ["task"], multiprocess_mode="mostrecent")
QUEUE_AGE = Gauge("ecomsend_queue_oldest_due_seconds", "Age of the oldest job that is due and "
                  "not running, by task", ["task"], multiprocess_mode="mostrecent")
SYNC_LAG = Gauge("ecomsend_sync_lag_seconds", "Age of the oldest change not yet pushed, by "
                 "shop and direction", ["shop", "direction"], multiprocess_mode="mostrecent")
SYNC_PENDING = Gauge("ecomsend_sync_pending", "Sync rows waiting to be pushed, by shop and "
                     "direction", ["shop", "direction"], multiprocess_mode="mostrecent")
SYNC_FAILING = Gauge("ecomsend_sync_failing", "Sync rows failed or in backoff, by status and "
                     "reason", ["status", "reason"], multiprocess_mode="mostrecent")

#: The endpoint label of every Shopify Admin GraphQL call (endpoint_label of its path).
GRAPHQL_ENDPOINT = "/admin/api/{version}/graphql.json"
#: Path segments that are ids (digits, long hex or base64-ish) become `{id}`: one label per API.
_ID_SEGMENT = re.compile(r"^(\d+|[0-9a-f]{16,}|[A-Za-z0-9_-]{20,})$")
_API_VERSION = re.compile(r"^\d{4}-\d{2}$")


def endpoint_label(path: str) -> str:
    """`/product/202309/products/1729…/inventory/update` → `/product/202309/products/{id}/
    inventory/update`; Shopify's `/admin/api/2026-04/graphql.json` keeps its version out."""
    parts = []
    for segment in path.split("/"):
        if _API_VERSION.match(segment):
            parts.append("{version}")
        elif _ID_SEGMENT.match(segment) and not segment.startswith("2023"):
            parts.append("{id}")
        else:
            parts.append(segment)
    return "/".join(parts)


def api_response_hook(*tiktok_base_urls: str) -> Any:
    """An httpx response hook counting every platform call (Services' shared client): a call
    to a host of `tiktok_base_urls` (API, auth) is TikTok, any other is Shopify."""
    tiktok_hosts = {httpx.URL(url).netloc for url in tiktok_base_urls}

    async def observe(response: httpx.Response) -> None:
        url = response.request.url
        platform = "tiktok" if url.netloc in tiktok_hosts else "shopify"
        endpoint = endpoint_label(url.path)
        API_CALLS.labels(platform, endpoint, str(response.status_code)).inc()
        if response.status_code == 429:
            API_THROTTLES.labels(platform, endpoint).inc()
        if response.status_code >= 400:
            API_ERRORS.labels(platform, endpoint).inc()

    return observe


#: Delivery headers copied onto every log line of the request (Shopify's; TikTok names the
#: shop only in the signed body, which the webhook handler reads).
_LOG_HEADERS = {b"x-shopify-shop-domain": "shop", b"x-shopify-webhook-id": "webhook_id",
                b"x-shopify-topic": "topic"}


class WebhookMetrics:
    """ASGI middleware: count and time every request to `/webhooks/<platform>…`, and bind its
    platform, shop and delivery id in structlog's contextvars for the handler's log lines."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/webhooks/"):
            await self.app(scope, receive, send)
            return
        platform = path.split("/")[2] or "unknown"
        began = time.perf_counter()
        status = ["500"]

        async def send_and_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = str(message["status"])
                WEBHOOK_LATENCY.labels(platform).observe(time.perf_counter() - began)
            await send(message)

        bound = {"platform": platform}
        bound.update({_LOG_HEADERS[k]: v.decode("latin-1")[:255]
                      for k, v in scope.get("headers", []) if k in _LOG_HEADERS})
        try:
            with structlog.contextvars.bound_contextvars(**bound):
                await self.app(scope, receive, send_and_time)
        finally:
            WEBHOOKS.labels(platform, status[0]).inc()


#: procrastinate keeps no enqueue time on the job row: a due job's age is from its
#: `deferred` event (or its scheduled time when it was scheduled for later).
_PROCRASTINATE_QUEUE_SQL = text("""
    SELECT j.task_name, count(*),
           EXTRACT(EPOCH FROM now() - MIN(COALESCE(j.scheduled_at, e.at)) FILTER (
               WHERE j.scheduled_at IS NULL OR j.scheduled_at <= now()))
    FROM procrastinate_jobs j
    LEFT JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'
    WHERE j.status = 'todo' GROUP BY j.task_name""")


async def _queue_rows(session: AsyncSession, queue_kind: str,
                      now: datetime) -> list[tuple[str, int, float]]:
    """(task, waiting jobs, age in s of the oldest due one) per task."""
    if queue_kind == "procrastinate":
        rows = (await session.execute(_PROCRASTINATE_QUEUE_SQL)).all()
        return [(str(t), int(n), float(age or 0)) for t, n, age in rows]
    waiting = LocalJob.status == "waiting"
    depth = dict((await session.execute(select(LocalJob.task, func.count()).where(waiting)
                                        .group_by(LocalJob.task))).all())
    oldest = dict((await session.execute(
        select(LocalJob.task, func.min(LocalJob.scheduled_at))
        .where(waiting, LocalJob.scheduled_at <= now).group_by(LocalJob.task))).all())
    return [(str(t), int(n), _age_s(oldest.get(t), now)) for t, n in depth.items()]


async def refresh_database_gauges(db: Database, queue_kind: str) -> None:
    """Set the queue, lag and failing gauges from the database (called per scrape)."""
    now = utcnow()
    moving = (SyncState.desired_version > SyncState.synced_version) & SyncState.status.in_(
        ["pending", "running", "backoff"])
    async with db.sessionmaker() as session:
        queue_rows = await _queue_rows(session, queue_kind, now)
        lag_rows = (await session.execute(
            select(SyncState.shop_id, SyncState.direction, func.count(),
                   func.min(SyncState.updated_at)).where(moving)
            .group_by(SyncState.shop_id, SyncState.direction))).all()
        failing_rows = (await session.execute(
            select(SyncState.status, SyncState.last_error).where(
                SyncState.status.in_(["failed", "review_failed", "backoff"])))).all()
    for gauge in (QUEUE_DEPTH, QUEUE_AGE, SYNC_LAG, SYNC_PENDING, SYNC_FAILING):
        gauge.clear()  # a task, shop or reason that went away must not linger
    for task, depth, age in queue_rows:
        QUEUE_DEPTH.labels(task).set(depth)
        QUEUE_AGE.labels(task).set(max(0.0, age))
    for shop_id, direction, pending, oldest in lag_rows:
        SYNC_PENDING.labels(str(shop_id), direction).set(pending)
        SYNC_LAG.labels(str(shop_id), direction).set(_age_s(oldest, now))
    reasons = Counter_((str(status), _reason(error)) for status, error in failing_rows)
    for (status, reason), count in reasons.items():
        SYNC_FAILING.labels(status, reason).set(count)


def _age_s(oldest: datetime | None, now: datetime) -> float:
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())


def _reason(error: Any) -> str:
    """The failure's reason label: the error kind (SyncTransient, SyncPermanent, ReviewFailed …)."""
    return str(error.get("kind") or "unknown") if isinstance(error, dict) else "unknown"


def render() -> tuple[bytes, str]:
    """The exposition text of this process (or of every process of the host in multi-process
    mode) and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
