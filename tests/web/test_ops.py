"""Operations endpoints on SQLite and PostgreSQL (issue 12 §5): /healthz is live, /readyz checks
the database, the queue and that migrations are current (503 naming the failing check),
/metrics exposes queue depth and age, sync lag per shop and direction, failures by reason,
webhook counts and latency and platform API calls per endpoint."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from ecomsend.db.models import Shop, SyncState, TikTokShop
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.jobs.runtime import build_queue
from ecomsend.jobs.tasks import build_registry
from ecomsend.metrics import API_CALLS, API_ERRORS, api_response_hook, endpoint_label


async def test_healthz_and_readyz(db: Database, app_url: str) -> None:
    async with httpx.AsyncClient(base_url=app_url) as http:
        assert (await http.get("/healthz")).json()["status"] == "ok"
        ready = await http.get("/readyz")
        assert ready.status_code == 200, ready.text
        checks = ready.json()["checks"]
        assert checks["database"]["ok"] and checks["queue"]["ok"]
        assert checks["migrations"]["current"] == checks["migrations"]["head"]
        async with db.unit_of_work() as session:
            head = (await session.execute(text("SELECT version_num FROM alembic_version"))
                    ).scalar_one()
            await session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        try:
            behind = await http.get("/readyz")
        finally:
            async with db.unit_of_work() as session:
                await session.execute(text("UPDATE alembic_version SET version_num = :v"),
                                      {"v": head})
        assert behind.status_code == 503
        body = behind.json()
        assert body["status"] == "not ready" and not body["checks"]["migrations"]["ok"]
        assert body["checks"]["database"]["ok"]
        assert (await http.get("/readyz")).status_code == 200


async def _seed(db: Database) -> int:
    """A shop with one change waiting 90 s and one failed push; a sync job queued."""
    old = utcnow() - timedelta(seconds=90)
    async with db.unit_of_work() as session:
        shop = Shop(domain="ops-metrics.myshopify.com", scopes="")
        session.add(shop)
        await session.flush()
        tts = TikTokShop(shop_id=shop.id, tiktok_shop_id="7001", cipher="c", region="US")
        session.add(tts)
        await session.flush()
        common = {"shop_id": shop.id, "tiktok_shop_id": tts.id, "kind": "inventory",
                  "direction": "to_tiktok"}
        session.add(SyncState(**common, entity_id="gid://shopify/Product/1", desired_version=2,
                              synced_version=1, status="pending", attempts=0, created_at=old,
                              updated_at=old))
        session.add(SyncState(**common, entity_id="gid://shopify/Product/2", desired_version=1,
                              synced_version=1, status="failed", attempts=1, created_at=old,
                              updated_at=old, last_error={"kind": "SyncPermanent",
                                                          "message": "bad"}))
        await session.flush()
        queue = build_queue(db.settings, db, build_registry())
        await queue.defer(session, "sync_entity", {"sync_state_id": 1},
                          queueing_lock="ops:metrics", run_at=old)
        return shop.id


def _samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(exposition) for s in family.samples}


async def test_metrics_exposes_queue_lag_failures_and_webhooks(db: Database,
                                                              app_url: str) -> None:
    shop_id = await _seed(db)
    async with httpx.AsyncClient(base_url=app_url) as http:
        refused = await http.post("/webhooks/shopify", content=b"{}",
                                  headers={"X-Shopify-Topic": "products/update"})
        assert refused.status_code in (400, 401)
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    got = _samples(response.text)
    assert got[("ecomsend_queue_depth", frozenset({("task", "sync_entity")}))] >= 1
    lag = got[("ecomsend_sync_lag_seconds",
               frozenset({("shop", str(shop_id)), ("direction", "to_tiktok")}))]
    assert lag >= 85
    assert got[("ecomsend_sync_pending",
                frozenset({("shop", str(shop_id)), ("direction", "to_tiktok")}))] == 1
    assert got[("ecomsend_sync_failing",
                frozenset({("status", "failed"), ("reason", "SyncPermanent")}))] == 1
    webhook_counts = {labels: v for (name, labels), v in got.items()
                      if name == "ecomsend_webhooks_total"}
    assert any(("platform", "shopify") in labels for labels in webhook_counts), webhook_counts
    assert any(name == "ecomsend_webhook_ack_seconds_count" and v >= 1
               for (name, _), v in got.items())
    if db.dialect == "sqlite":  # the LocalQueue keeps the due time: the job is 90 s late
        assert got[("ecomsend_queue_oldest_due_seconds",
                    frozenset({("task", "sync_entity")}))] >= 85


def test_endpoint_labels_fold_ids_and_versions() -> None:
    assert endpoint_label("/product/202309/products/1729384756102938/inventory/update") == (
        "/product/202309/products/{id}/inventory/update")
    assert endpoint_label("/admin/api/2026-04/graphql.json") == (
        "/admin/api/{version}/graphql.json")


async def test_api_calls_and_errors_are_counted_per_platform_and_endpoint(
        app_url: str) -> None:
    hook = api_response_hook(app_url)  # this server plays TikTok's host here
    endpoint = "/product/202309/products/{id}/inventory/update"
    before_calls = {code: API_CALLS.labels("tiktok", endpoint, code)._value.get()
                    for code in ("404", "405")}
    before_errors = API_ERRORS.labels("tiktok", endpoint)._value.get()
    async with httpx.AsyncClient(base_url=app_url, event_hooks={"response": [hook]}) as http:
        missing = await http.post("/product/202309/products/1729384756102938/inventory/update")
        await http.get("/healthz")
    code = str(missing.status_code)
    assert code in before_calls, code  # no such route on the app: a 4xx
    assert API_CALLS.labels("tiktok", endpoint, code)._value.get() == before_calls[code] + 1
    assert API_ERRORS.labels("tiktok", endpoint)._value.get() == before_errors + 1
    assert API_CALLS.labels("tiktok", "/healthz", "200")._value.get() >= 1


def test_shopify_throttled_answers_are_counted() -> None:
    import pytest

    from ecomsend.integrations.shopify.errors import RateLimited
    from ecomsend.integrations.shopify.responses import graphql_data
    from ecomsend.metrics import API_THROTTLES, GRAPHQL_ENDPOINT

    before = API_THROTTLES.labels("shopify", GRAPHQL_ENDPOINT)._value.get()
    body = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}
    with pytest.raises(RateLimited):
        graphql_data(body, None, 10.0, "req-1")
    assert API_THROTTLES.labels("shopify", GRAPHQL_ENDPOINT)._value.get() == before + 1


async def test_webhook_requests_bind_platform_shop_and_delivery_in_log_context() -> None:
    import structlog

    from ecomsend.metrics import WebhookMetrics

    seen: list[dict[str, object]] = []

    async def inner(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(structlog.contextvars.get_contextvars())
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b""})  # type: ignore[operator]

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "path": "/webhooks/shopify", "headers": [
        (b"x-shopify-shop-domain", b"logs.myshopify.com"), (b"x-shopify-webhook-id", b"w-1"),
        (b"x-shopify-topic", b"products/update")]}
    await WebhookMetrics(inner)(scope, None, send)  # type: ignore[arg-type]
    assert seen[0] == {"platform": "shopify", "shop": "logs.myshopify.com",
                       "webhook_id": "w-1", "topic": "products/update"}
    assert "shop" not in structlog.contextvars.get_contextvars()
    assert sent[0]["status"] == 200
