"""Home and Activity APIs over real HTTP on SQLite: counts match the seeded data, tenant
isolation, activity filters / search / sort / pagination, the CSV export (content and
formula-injection escaping), bulk Retry through the sync engine, bad input → 4xx."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select, text

from ecomsend.db.models import ActivityLog, LocalJob, SyncState
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.sync.inbox import InboundWebhook, Platform, ingest

from .home_activity_seed import (
    Seeded,
    add_activity,
    add_fulfillments,
    add_link,
    add_orders,
    add_products,
    add_webhook,
    client_for,
    seed_shop,
    sync_row,
)


async def _two_shops(db: Database) -> tuple[Seeded, Seeded]:
    return (await seed_shop(db, "home-a.myshopify.com", "7001"),
            await seed_shop(db, "home-b.myshopify.com", "7002", order_auto_sync=False))


async def _sync_jobs(db: Database) -> set[int]:
    """sync_state ids of the waiting `sync_entity` jobs (LocalQueue or procrastinate)."""
    async with db.sessionmaker() as s:
        if db.dialect == "postgresql":
            rows = (await s.execute(text(
                "SELECT args FROM procrastinate_jobs WHERE task_name = 'sync_entity' "
                "AND status = 'todo'"))).scalars()
            return {int(args["sync_state_id"]) for args in rows}
        return {int(j.args["sync_state_id"]) for j in (await s.execute(select(LocalJob).where(
            LocalJob.task == "sync_entity", LocalJob.status == "waiting"))).scalars()}


async def test_home_counts_health_and_failures_match_seeded_data(db: Database,
                                                                 app_url: str) -> None:
    a, b = await _two_shops(db)
    gids = await add_products(db, a, ["synced"] * 3 + ["failed"] * 2 + ["pending"]
                              + ["review_failed"] + [None] * 2)
    await add_products(db, a, [None, None], shopify_status="DRAFT")
    await add_link(db, a, gids[0])
    orders = await add_orders(db, a, {"synced": 2, "failed": 1, "syncing": 1,
                                             "not_synced": 3, "waiting": 2})
    await add_fulfillments(db, a, orders, to_tiktok=1, to_shopify=1, failed=1)
    await add_products(db, b, ["failed"] * 4)
    await add_orders(db, b, {"synced": 5})
    await add_webhook(db, "tiktok", a.tiktok_shop_id, 60)
    await add_webhook(db, "tiktok", a.tiktok_shop_id, 5)
    await add_webhook(db, "tiktok", b.tiktok_shop_id, 1)
    await add_webhook(db, "shopify", a.domain, 3)
    async with client_for(db, app_url, a) as http:
        home = (await http.get("/api/home")).json()
    [conn] = home["connections"]
    assert conn["id"] == a.tts_id and conn["connected"] and conn["region"] == "US"
    assert conn["counts"]["products"] == {"not_synced": 2, "syncing": 1, "synced": 3,
                                          "failed": 2, "review_failed": 1, "not_listable": 2,
                                          "total": 11}
    assert conn["counts"]["orders"] == {"not_synced": 3, "waiting": 2, "syncing": 1,
                                        "synced": 2, "failed": 1, "total": 9}
    assert conn["counts"]["fulfillments"] == {"to_tiktok": 1, "to_shopify": 1, "syncing": 0,
                                              "failed": 1}
    health = conn["health"]
    assert health["token_state"] == "ok" and health["failing"] == 5
    assert health["last_webhook_at"] is not None
    from datetime import datetime
    seen = datetime.fromisoformat(health["last_webhook_at"])
    assert abs((utcnow() - seen) - timedelta(minutes=5)) < timedelta(seconds=30)
    assert health["last_success_at"] is not None
    assert home["shop"]["domain"] == a.domain and home["shop"]["last_shopify_webhook_at"]
    assert conn["setup"] == {"active_templates": 0, "default_template_active": False,
                             "order_auto_sync": True, "fulfillment_auto_sync": False}
    failures = home["recent_failures"]
    assert len(failures) == 5 and all(f["connection_id"] == a.tts_id for f in failures)
    kinds = sorted(f["kind"] for f in failures)
    assert kinds == ["fulfillment", "order", "product", "product", "product"]
    product_failure = next(f for f in failures if f["kind"] == "product"
                           and f["status"] == "failed")
    assert product_failure["subject"].startswith("Active product")
    assert product_failure["url"].startswith("/products/")
    assert product_failure["error"] == "TikTok refused it" and product_failure["can_retry"]


async def test_home_failure_retry_goes_through_the_engine_and_is_tenant_scoped(
        db: Database, app_url: str) -> None:
    a, b = await _two_shops(db)
    await add_products(db, a, ["failed", "synced"])
    await add_products(db, b, ["failed"])
    async with db.sessionmaker() as s:
        states = {(r.shop_id, r.status): r.id for r in (await s.execute(select(SyncState)))
                  .scalars()}
    mine, synced, theirs = states[(a.shop_id, "failed")], states[(a.shop_id, "synced")], \
        states[(b.shop_id, "failed")]
    async with client_for(db, app_url, a) as http:
        answer = await http.post("/api/home/failures/retry",
                                 json={"sync_state_ids": [mine, synced, theirs]})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        for bad in ({"sync_state_ids": []}, {"sync_state_ids": [0]},
                    {"sync_state_ids": [2**70]}, {"sync_state_ids": ["NaN"]}, {}):
            assert (await http.post("/api/home/failures/retry", json=bad)).status_code == 422
    assert body["retried"] == 1
    by_id = {r["sync_state_id"]: r for r in body["results"]}
    assert by_id[mine]["retried"] and by_id[synced]["reason"].startswith("Synced since")
    assert by_id[theirs] == {"sync_state_id": theirs, "retried": False,
                             "reason": "No such failure."}
    async with db.sessionmaker() as s:
        status = dict((await s.execute(select(SyncState.id, SyncState.status))).all())
    assert status[mine] == "pending" and status[theirs] == "failed"
    assert await _sync_jobs(db) == {mine}


async def _activity_rows(db: Database, a: Seeded, b: Seeded, gid: str) -> dict[str, int]:
    now = utcnow()
    rows = [{"kind": "product", "entity_id": gid, "direction": "to_tiktok",
             "status": "synced" if i % 3 else "failed", "message": f"push {i}",
             "created_at": now - timedelta(hours=i)} for i in range(24)]
    rows += [{"kind": "order", "entity_id": f"5770{i}", "direction": "to_shopify",
              "status": "failed", "message": "Link this TikTok SKU to a Shopify variant",
              "created_at": now - timedelta(days=3, hours=i)} for i in range(4)]
    rows += [{"kind": "webhook", "entity_id": "wh-1", "direction": "tiktok",
              "status": "received", "message": "1: 100% done_ok",
              "created_at": now - timedelta(days=10)},
             {"kind": "fulfillment", "entity_id": "5779", "direction": "to_tiktok",
              "status": "failed", "message": "=HYPERLINK(\"http://evil\")",
              "error": {"message": "+1 carrier; -2 @SUM(A1)"},
              "created_at": now - timedelta(days=20)}]
    ids = await add_activity(db, a, rows)
    other = await add_activity(db, b, [{"kind": "order", "entity_id": "9", "status": "failed",
                                        "direction": "to_shopify", "message": "push 1"}])
    return {"newest": ids[0], "oldest": ids[-1], "b": other[0], "count": len(ids)}


async def test_activity_filters_search_sort_and_pagination(db: Database,
                                                           app_url: str) -> None:
    a, b = await _two_shops(db)
    [gid] = await add_products(db, a, ["failed"])
    seeded = await _activity_rows(db, a, b, gid)
    async with client_for(db, app_url, a) as http:
        async def get(**params: object) -> dict:  # type: ignore[type-arg]
            answer = await http.get("/api/activity", params=params)
            assert answer.status_code == 200, answer.text
            return answer.json()  # type: ignore[no-any-return]

        first = await get(page_size=10)
        assert first["total"] == seeded["count"] == 30 and len(first["items"]) == 10
        assert first["items"][0]["id"] == seeded["newest"]
        stamps = [i["created_at"] for i in first["items"]]
        assert stamps == sorted(stamps, reverse=True)
        assert first["items"][0]["subject"] == "Active product 1"
        assert first["items"][0]["kind_label"] == "Product"
        assert len((await get(page_size=10, page=3))["items"]) == 10
        assert (await get(page_size=10, page=4))["items"] == []
        assert (await get(direction="asc"))["items"][0]["id"] == seeded["oldest"]
        orders = await get(kind="order", status="failed")
        assert orders["total"] == 4 and {i["kind"] for i in orders["items"]} == {"order"}
        both = await get(kind=["order", "fulfillment"])
        assert both["total"] == 5
        day = (utcnow() - timedelta(days=3, hours=1)).date().isoformat()
        ranged = await get(since=day, until=day)
        assert ranged["total"] >= 1 and all(i["created_at"].startswith(day)
                                            for i in ranged["items"])
        assert (await get(q="SKU to a shopify"))["total"] == 4
        assert (await get(q="active PRODUCT 1"))["total"] == 24  # the product title
        assert (await get(q="100%"))["total"] == 1  # % is literal, not a wildcard
        assert (await get(q="d_ne"))["total"] == 0  # _ is literal too
        assert all(i["id"] != seeded["b"] for i in (await get(page_size=100))["items"])
        statuses = [i["status"] for i in (await get(sort="status", page_size=100))["items"]]
        assert statuses == sorted(statuses, reverse=True)
        assert (await http.get("/api/activity", params={"connection_id": b.tts_id})
                ).status_code == 404
        for bad in ({"page": "NaN"}, {"page": 0}, {"page_size": 1000}, {"kind": "bogus"},
                    {"status": "x"}, {"since": "yesterday"}, {"q": "a\x00b"},
                    {"since": "2026-05-02", "until": "2026-05-01"},
                    {"connection_id": str(2**70)}, {"q": "x" * 201}, {"sort": "id"}):
            answer = await http.get("/api/activity", params=bad)
            assert answer.status_code == 422, (bad, answer.text)
    async with client_for(db, app_url, b) as http:
        theirs = (await http.get("/api/activity")).json()
    assert [i["id"] for i in theirs["items"]] == [seeded["b"]]


async def test_activity_csv_export_is_the_filter_and_formula_safe(db: Database,
                                                                   app_url: str) -> None:
    a, b = await _two_shops(db)
    [gid] = await add_products(db, a, ["failed"])
    await _activity_rows(db, a, b, gid)
    async with client_for(db, app_url, a) as http:
        answer = await http.get("/api/activity/export",
                                params={"status": "failed", "kind": ["fulfillment", "order"]})
        assert (await http.get("/api/activity/export", params={"q": "\x00"})).status_code == 422
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="activity-')
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:3] == ["Date (UTC)", "Kind", "Status"]
    body = rows[1:]
    assert len(body) == 5 and {r[1] for r in body} == {"Order", "Fulfillment"}
    assert all(r[2] == "Failed" for r in body)
    evil = next(r for r in body if r[1] == "Fulfillment")
    assert evil[7] == "'=HYPERLINK(\"http://evil\")"
    assert evil[8] == "'+1 carrier; -2 @SUM(A1)"
    assert "push 1" not in answer.text  # another shop's row, and a filtered-out kind


async def test_bulk_retry_retries_failed_syncs_and_says_why_not(db: Database,
                                                                 app_url: str) -> None:
    a, b = await _two_shops(db)
    failed_gid, synced_gid = await add_products(db, a, ["failed", "synced"])
    ids = await add_activity(db, a, [
        {"kind": "product", "entity_id": failed_gid, "direction": "to_tiktok",
         "status": "failed", "message": "first failure"},
        {"kind": "product", "entity_id": failed_gid, "direction": "to_tiktok",
         "status": "failed", "message": "second failure"},
        {"kind": "product", "entity_id": synced_gid, "direction": "to_tiktok",
         "status": "failed", "message": "failed then synced"},
        {"kind": "product", "entity_id": synced_gid, "direction": "to_tiktok",
         "status": "synced", "message": "ok"},
        {"kind": "catalog_import", "status": "failed", "message": "import broke"},
        {"kind": "order", "entity_id": "57999", "direction": "to_shopify", "status": "failed",
         "message": "no record"},
    ])
    [theirs] = await add_activity(db, b, [{"kind": "order", "status": "failed"}])
    async with client_for(db, app_url, a) as http:
        listed = {i["id"]: i for i in (await http.get("/api/activity")).json()["items"]}
        assert listed[ids[0]]["retry"] == {"possible": True, "reason": None}
        assert listed[ids[2]]["retry"]["reason"].startswith("Synced since")
        answer = await http.post("/api/activity/retry", json={"ids": [*ids, theirs, ids[0]]})
        assert answer.status_code == 200, answer.text
        for bad in ({"ids": []}, {"ids": [-1]}, {"ids": ["x"]}, {"ids": [1] * 251}):
            assert (await http.post("/api/activity/retry", json=bad)).status_code == 422
    body = answer.json()
    reasons = {r["id"]: (r["retried"], r["reason"]) for r in body["results"]}
    assert reasons[ids[0]] == (True, None)
    assert reasons[ids[1]] == (False, "Retried with another row of the same item.")
    assert reasons[ids[2]][1].startswith("Synced since")
    assert reasons[ids[3]][1] == "This row did not fail: nothing to retry."
    assert reasons[ids[4]][1] == "Not a sync: there is nothing to retry."
    assert reasons[ids[5]][1] == "There is no sync record for it any more."
    assert reasons[theirs] == (False, "No such activity row.")
    assert body["retried"] == 1 and body["skipped"] == 6
    async with db.sessionmaker() as s:
        row = (await s.execute(select(SyncState).where(SyncState.entity_id == failed_gid))
               ).scalar_one()
    assert row.status == "pending" and row.desired_version > row.synced_version
    assert await _sync_jobs(db) == {row.id}


async def test_webhook_activity_rows_belong_to_their_shop(db: Database,
                                                          app_url: str) -> None:
    a, b = await _two_shops(db)
    async with db.unit_of_work() as s:
        queue = None  # ignored topics never defer
        for platform, key, delivery in ((Platform.TIKTOK, a.tiktok_shop_id, "tt-1"),
                                         (Platform.SHOPIFY, b.domain, "sh-1"),
                                         (Platform.TIKTOK, "unknown-shop", "tt-2")):
            await ingest(s, queue, InboundWebhook(platform, delivery, "99", key, None), {})  # type: ignore[arg-type]
    async with db.sessionmaker() as s:
        owners = {r.entity_id: (r.shop_id, r.tiktok_shop_id) for r in (await s.execute(
            select(ActivityLog).where(ActivityLog.kind == "webhook"))).scalars()}
    assert owners == {"tt-1": (a.shop_id, a.tts_id), "sh-1": (b.shop_id, None),
                      "tt-2": (None, None)}
    async with client_for(db, app_url, a) as http:
        mine = (await http.get("/api/activity", params={"kind": "webhook"})).json()
    assert [i["entity_id"] for i in mine["items"]] == ["tt-1"]
    assert mine["items"][0]["subject"] == "Tiktok webhook"
    assert mine["items"][0]["status_label"] == "Ignored"


def test_sync_row_helper_is_consistent() -> None:
    row = sync_row(Seeded(1, 2, "x", "y"), "product", "g", "to_tiktok", "backoff")
    assert row.desired_version > row.synced_version and row.last_error
