"""The Orders page's API over real HTTP: filters (order sync, fulfillment, TikTok status, dates,
search), sort, per-direction fulfillment status, the reason and fix action of each failure, the
bulk actions (Sync orders, Sync fulfillments, Retry) and status counts; bad input is a 4xx and
another shop's orders are never visible."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack

from .harness import Env, make_env, order_status, until


@pytest.fixture
async def other(stack: LocalStack, app_db: Database) -> AsyncIterator[Env]:
    made = await make_env(stack, app_db, products=1, unlinked=0)
    yield made
    await made.merchant.close()


async def _list(env: Env, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = await env.api("GET", "/api/orders", params=params)
    return result


async def _ids(env: Env, **params: Any) -> list[str]:
    return [o["order_id"] for o in (await _list(env, **params))["orders"]]


async def _listed(env: Env, order_id: str) -> dict[str, Any] | None:
    response = await env.http.get(f"{env.stack.app_url}/api/orders/{order_id}")
    return response.json() if response.status_code == 200 else None


async def test_filters_bulk_sync_fixes_and_counts(env: Env) -> None:
    linked, unlinked = env.linked[0], env.unlinked[0]
    ada = await env.place_order([(linked, 1)], recipient={"name": "Ada Lovelace"})
    broken = await env.place_order([(unlinked, 1)])
    idle = await env.place_order([(env.linked[1], 2)])
    ids = [ada["id"], broken["id"], idle["id"]]
    for oid in ids:
        await until(lambda oid=oid: _listed(env, oid), 20, f"order {oid} mirrored")
    assert set(await _ids(env)) == set(ids)
    assert await _ids(env, q="lovelace") == [ada["id"]]
    assert await _ids(env, q=broken["id"][-6:]) == [broken["id"]]
    assert await _ids(env, q="100%_") == []  # LIKE wildcards are literal

    queued = await env.api("POST", "/api/orders/sync",
                           json={"order_ids": [ada["id"], broken["id"], "123456789"]})
    assert queued["queued"] == [ada["id"], broken["id"]]
    assert [s["order_id"] for s in queued["skipped"]] == ["123456789"]
    synced = await order_status(env, ada["id"], {"synced"})
    failed = await order_status(env, broken["id"], {"failed"})

    store = env.domain.removesuffix(".myshopify.com")
    numeric = synced["shopify_order_id"].rsplit("/", 1)[-1]
    assert synced["shopify_order_url"] == (
        f"https://admin.shopify.com/store/{store}/orders/{numeric}")
    assert synced["buyer"] == "Ada Lovelace" and synced["problems"] == []
    assert synced["fulfillment_to_tiktok"]["status"] == "unfulfilled"  # nothing shipped yet
    assert synced["fulfillment_to_shopify"] is None  # seller shipping: one direction applies
    [problem] = failed["problems"]
    assert problem["where"] == "order" and problem["action"]["kind"] == "link_item"
    assert problem["action"]["sku_id"] == unlinked.sku_id
    assert problem["action"]["seller_sku"] == unlinked.seller_sku

    assert await _ids(env, order_sync="failed") == [broken["id"]]
    assert await _ids(env, order_sync="synced") == [ada["id"]]
    assert set(await _ids(env, order_sync=["synced", "not_synced"])) == {ada["id"], idle["id"]}
    assert set(await _ids(env, tiktok_status="AWAITING_SHIPMENT")) == set(ids)
    assert await _ids(env, tiktok_status="DELIVERED") == []
    totals = await _ids(env, sort="total", direction="asc")
    assert totals == list(reversed(await _ids(env, sort="total", direction="desc")))
    page = await _list(env, limit=1, offset=1)
    assert page["total"] == 3 and len(page["orders"]) == 1
    today = datetime.now(UTC).date()
    assert set(await _ids(env, created_from=str(today - timedelta(days=1)),
                          created_to=str(today))) == set(ids)
    assert await _ids(env, created_from=str(today + timedelta(days=1))) == []

    summary = await env.api("GET", "/api/orders/summary")
    assert summary["order_sync"] == {"synced": 1, "failed": 1, "not_synced": 1}
    assert summary["fulfillment_to_tiktok"] == {"unfulfilled": 3}

    # Sync fulfillments: the order not in Shopify yet is skipped with the reason.
    await env.shopify("POST", f"/orders/{synced['shopify_order_id']}/fulfill",
                      json={"tracking": {"number": "9400111899223197428777", "company": "USPS"}})
    result = await env.api("POST", "/api/orders/sync-fulfillments",
                           json={"order_ids": [ada["id"], idle["id"]]})
    assert result["queued"] == [ada["id"]]
    assert "sync the order first" in result["skipped"][0]["reason"]
    shipped = await order_status(env, ada["id"], {"synced"}, key="fulfillment_to_tiktok")
    assert shipped["shipments"][0]["tracking_number"] == "9400111899223197428777"
    assert await _ids(env, fulfillment_sync="synced") == [ada["id"]]

    # Link the item, then bulk Retry: the failed order syncs.
    await env.link(unlinked)
    retried = await env.api("POST", "/api/orders/retry", json={"order_ids": [broken["id"]]})
    assert retried["queued"] == [broken["id"]]
    await order_status(env, broken["id"], {"synced"})


async def test_carrier_failure_points_to_fulfillment_settings(env: Env) -> None:
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], 1)])
    order = await order_status(env, placed["id"], {"synced"})
    await env.shopify("POST", f"/orders/{order['shopify_order_id']}/fulfill",
                      json={"tracking": {"number": "CP123456789CA", "company": "Canada Post"}})
    failed = await order_status(env, placed["id"], {"failed"}, key="fulfillment_to_tiktok")
    [problem] = failed["problems"]
    assert problem["where"] == "to_tiktok"
    assert problem["action"]["kind"] == "carrier_mapping"
    assert "Canada Post" in problem["message"]
    assert await _ids(env, fulfillment_sync="failed") == [placed["id"]]


async def test_bad_input_is_4xx_and_other_shops_are_invisible(env: Env, other: Env) -> None:
    placed = await env.place_order([(env.linked[0], 1)])
    await until(lambda: _listed(env, placed["id"]), 20, "order mirrored")
    url = f"{env.stack.app_url}/api/orders"
    for params in ({"order_sync": "bogus"}, {"fulfillment_sync": "nope"},
                   {"tiktok_status": "SHIPPED"}, {"limit": "NaN"}, {"limit": 100000},
                   {"offset": -1}, {"offset": 10**20}, {"created_from": "yesterday"},
                   {"sort": "buyer; drop table"}, {"direction": "up"}, {"q": "x" * 101},
                   {"connection_id": "abc"}):
        response = await env.http.get(url, params=params)
        assert response.status_code == 422, (params, response.text)
    backwards = await env.http.get(url, params={"created_from": "2026-02-02",
                                                "created_to": "2026-02-01"})
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["loc"][-1] == "created_to"
    nul = await env.http.get(url, params={"q": "a\x00b"})
    assert nul.status_code == 422
    for body in ({"order_ids": []}, {"order_ids": ["1"] * 251}, {"order_ids": "1"},
                 {"order_ids": [None]}):
        for path in ("/sync", "/sync-fulfillments", "/retry"):
            response = await env.http.post(url + path, json=body)
            assert response.status_code == 422, (path, body, response.text)

    # The other merchant sees neither the order nor the connection.
    theirs = other.http
    assert (await theirs.get(f"{url}/{placed['id']}")).status_code == 404
    assert (await theirs.post(f"{url}/{placed['id']}/retry")).status_code == 404
    assert (await theirs.get(url, params={"connection_id": env.tts_pk})).status_code == 404
    assert placed["id"] not in [o["order_id"] for o in (await theirs.get(url)).json()["orders"]]
    bulk = (await theirs.post(f"{url}/retry", json={"order_ids": [placed["id"]]})).json()
    assert bulk["queued"] == [] and bulk["skipped"][0]["order_id"] == placed["id"]
    assert (await theirs.post(f"{url}/sync", params={"connection_id": env.tts_pk},
                              json={"order_ids": [placed["id"]]})).status_code == 404
    assert (await env.http.post(f"{url}/999999/retry")).status_code == 404
