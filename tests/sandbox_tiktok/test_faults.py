"""Fault injection (5xx, 429, timeouts, resets, latency, seeded), webhook retries/dupes/reorder."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from ecomsend.sandbox.tiktok import create_app
from ecomsend.serving import BackgroundServer

from .conftest import Inbox, connect, delivered
from .helpers import APP_KEY, APP_SECRET, Api, Control

WH = "/logistics/202309/warehouses"


@pytest.fixture
async def shop(http: httpx.AsyncClient, control: Control) -> Any:
    api, view = await connect(http, control, "GB")
    yield api, view
    await control("DELETE", f"/shops/{view['shop_id']}/faults")


async def _codes(api: Api, n: int) -> list[int]:
    return [(await api.call("GET", WH)).json()["code"] for _ in range(n)]


async def test_server_errors_and_throttling(shop: Any, control: Control,
                                            http: httpx.AsyncClient) -> None:
    api, view = shop
    sid = view["shop_id"]
    await control("PUT", f"/shops/{sid}/faults", {"error_rate": 1.0, "error_status": 503})
    resp = await api.call("GET", WH)
    assert resp.status_code == 503 and resp.json()["code"] == 36009003
    other, _ = await connect(http, control, "GB")
    await other.ok("GET", WH)  # faults are per shop
    await control("PUT", f"/shops/{sid}/faults", {"rate_limit_rate": 1.0, "paths": ["/product/"]})
    await api.ok("GET", WH)  # path filter
    resp = await api.call("GET", "/product/202312/prerequisites")
    assert resp.status_code == 429 and resp.json()["code"] == 36009002


async def test_seeded_faults_are_reproducible(shop: Any, control: Control) -> None:
    api, view = shop
    runs = []
    for _ in range(2):
        await control("PUT", f"/shops/{view['shop_id']}/faults", {"seed": 42, "error_rate": 0.5})
        runs.append(await _codes(api, 12))
    assert runs[0] == runs[1] and set(runs[0]) == {0, 36009003}


async def test_timeout_reset_and_latency(shop: Any, control: Control) -> None:
    api, view = shop
    sid = view["shop_id"]
    await control("PUT", f"/shops/{sid}/faults", {"timeout_rate": 1.0, "timeout_s": 0.2})
    resp = await api.call("GET", WH)
    assert resp.status_code == 504 and resp.json()["code"] == 36009007
    await control("PUT", f"/shops/{sid}/faults", {"timeout_rate": 1.0, "timeout_s": 2.0})
    async with httpx.AsyncClient(base_url=str(api.http.base_url), timeout=0.2) as quick:
        with pytest.raises(httpx.TimeoutException):
            await Api(quick, api.token, api.cipher).call("GET", WH)
    await control("PUT", f"/shops/{sid}/faults", {"reset_rate": 1.0})
    with pytest.raises(httpx.TransportError):
        await api.call("GET", WH)
    await control("PUT", f"/shops/{sid}/faults", {"latency_rate": 1.0, "latency_ms": 150})
    start = time.monotonic()
    await api.ok("GET", WH)
    assert time.monotonic() - start >= 0.15
    log = await control("GET", "/requests", shop_id=sid)
    assert log["counts"][f"GET {WH}"] >= 4
    assert {"reset", "timeout"} <= {e.get("fault") for e in log["requests"]}


async def test_bad_fault_spec_is_refused(shop: Any, http: httpx.AsyncClient) -> None:
    _, view = shop
    resp = await http.put(f"/_sandbox/shops/{view['shop_id']}/faults", json={"error_rate": 2})
    assert resp.status_code == 400


async def _listed_sku(api: Api, control: Control, sid: str) -> str:
    body = await control("GET", f"/shops/{sid}/sample_product")
    pid = (await api.ok("POST", "/product/202309/products", body))["product_id"]
    await control("POST", f"/shops/{sid}/products/{pid}/audit", {})
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    return str((await api.ok("GET", f"/product/202309/products/{pid}"))["skus"][0]["id"])


async def _order(control: Control, sid: str, sku: str) -> dict[str, Any]:
    return await control("POST", f"/shops/{sid}/orders",
                         {"line_items": [{"sku_id": sku, "quantity": 1}]})


async def test_webhook_retries_with_backoff_then_stop(shop: Any, control: Control,
                                                      hooks: Inbox) -> None:
    api, view = shop
    sid = view["shop_id"]
    sku = await _listed_sku(api, control, sid)
    hooks.fail_next = 2
    order = await _order(control, sid, sku)
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    log = (await control("GET", "/webhooks", shop_id=sid, type="1"))["deliveries"]
    mine = next(d for d in log if d["body"]["data"]["order_id"] == order["id"])
    assert mine["state"] == "delivered"
    assert [a["status"] for a in mine["attempts"]] == [500, 500, 200]
    gaps = [b["at"] - a["at"] for a, b in zip(mine["attempts"], mine["attempts"][1:],
                                              strict=False)]
    assert gaps[0] >= 0.04 and gaps[1] >= gaps[0]
    hooks.fail_next = 100
    await control("POST", f"/shops/{sid}/orders/{order['id']}/status", {"status": "IN_TRANSIT"})
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    hooks.fail_next = 0
    log = (await control("GET", "/webhooks", shop_id=sid, type="1"))["deliveries"]
    assert log[-1]["state"] == "failed" and len(log[-1]["attempts"]) == 4


async def test_duplicate_and_out_of_order_webhooks(shop: Any, control: Control,
                                                   hooks: Inbox) -> None:
    api, view = shop
    sid = view["shop_id"]
    order = await _order(control, sid, await _listed_sku(api, control, sid))
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    await control("PUT", f"/shops/{sid}/faults", {"webhook_duplicate_rate": 1.0})
    await control("POST", f"/shops/{sid}/orders/{order['id']}/status", {"status": "ON_HOLD"})
    await control("PUT", f"/shops/{sid}/faults", {"webhook_reorder_rate": 1.0,
                                                  "webhook_reorder_delay_s": 0.3})
    await control("POST", f"/shops/{sid}/orders/{order['id']}/status",
                  {"status": "AWAITING_SHIPMENT"})
    await control("DELETE", f"/shops/{sid}/faults")
    await control("POST", f"/shops/{sid}/orders/{order['id']}/status",
                  {"status": "AWAITING_COLLECTION"})
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    got = [(b["tts_notification_id"], b["data"]["order_status"])
           for _, _, b in delivered(hooks, sid, 1)]
    statuses = [s for _, s in got]
    assert statuses == ["AWAITING_SHIPMENT", "ON_HOLD", "ON_HOLD", "AWAITING_COLLECTION",
                        "AWAITING_SHIPMENT"]
    assert got[1][0] == got[2][0]  # the duplicate carries the same notification id


async def test_request_log_limit(http: httpx.AsyncClient,
                                 control: Control) -> None:
    api, view = await connect(http, control, "US")
    for _ in range(3):
        await api.ok("GET", WH)
    log = await control("GET", "/requests", shop_id=view["shop_id"], limit=2)
    assert log["counts"][f"GET {WH}"] == 3 and len(log["requests"]) == 2


async def test_reset_wipes_state_but_never_reuses_ids(http: httpx.AsyncClient,
                                                      control: Control) -> None:
    before = await control("POST", "/shops", {"region": "US"})
    await control("POST", "/reset")
    resp = await http.get(f"/_sandbox/shops/{before['shop_id']}")
    assert resp.status_code == 404
    after = await control("POST", "/shops", {"region": "US"})
    assert after["shop_id"] != before["shop_id"]
    assert after["warehouses"][0]["id"] != before["warehouses"][0]["id"]


async def test_webhook_401_is_final(shop: Any, control: Control, hooks: Inbox) -> None:
    api, view = shop
    sid = view["shop_id"]
    sku = await _listed_sku(api, control, sid)
    hooks.fail_next, hooks.fail_status = 1, 401
    order = await _order(control, sid, sku)
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    log = (await control("GET", "/webhooks", shop_id=sid, type="1"))["deliveries"]
    mine = next(d for d in log if d["body"]["data"]["order_id"] == order["id"])
    assert mine["state"] == "rejected" and len(mine["attempts"]) == 1


async def test_slow_receiver_times_out_and_is_retried(inbox: Inbox, inbox_url: str) -> None:
    app = create_app(APP_KEY, APP_SECRET, webhook_url=inbox_url, webhook_timeout_s=0.2,
                     webhook_retry_delays_s=(0.05,), audit_delay_s=0.05)
    with BackgroundServer(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            control = Control(http)
            api, view = await connect(http, control, "US")
            body = await control("GET", f"/shops/{view['shop_id']}/sample_product")
            inbox.slow_next, inbox.slow_s = 1, 0.6
            await api.ok("POST", "/product/202309/products", body)
            await control("POST", "/webhooks/drain", {"timeout_s": 5})
            log = (await control("GET", "/webhooks", type="16"))["deliveries"]
    inbox.slow_next = 0
    assert log[0]["state"] == "delivered"
    assert log[0]["attempts"][0]["error"].startswith("ReadTimeout")
    assert log[0]["attempts"][1]["status"] == 200
