"""Faults at a rate with counters (`faults_injected`), path globs, and webhook drops/delays."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import Inbox, connect, delivered
from .helpers import Control

WH = "/logistics/202309/warehouses"
N = 200


@pytest.fixture
async def shop(http: httpx.AsyncClient, control: Control) -> Any:
    api, view = await connect(http, control, "GB")
    yield api, view
    await control("DELETE", f"/shops/{view['shop_id']}/faults")


async def test_rate_within_tolerance_and_counted(shop: Any, control: Control) -> None:
    api, view = shop
    sid = view["shop_id"]
    await control("PUT", f"/shops/{sid}/faults", {"seed": 5, "error_rate": 0.2})
    # Sequential calls faster than 50/s also meet the real rate limit (36009002): count 36009003.
    codes = [(await api.call("GET", WH)).json()["code"] for _ in range(N)]
    limited = codes.count(36009003)
    assert 0.12 * N <= limited <= 0.28 * N
    got = await control("GET", f"/shops/{sid}/faults")
    assert got["faults_injected"] == {"error": limited}
    total = await control("GET", "/faults/injected")
    assert total["by_shop"][sid] == {"error": limited}


async def test_path_glob_selects_endpoints(shop: Any, control: Control) -> None:
    api, view = shop
    await control("PUT", f"/shops/{view['shop_id']}/faults",
                  {"error_rate": 1.0, "paths": ["/logistics/*/warehouses/*"]})
    await api.ok("GET", WH)  # the glob needs something after /warehouses/
    resp = await api.call("GET", f"{WH}/123/delivery_options")
    assert resp.status_code == 500 and resp.json()["code"] == 36009003


async def test_dropped_and_delayed_webhooks_are_counted(shop: Any, control: Control,
                                                        hooks: Inbox) -> None:
    api, view = shop
    sid = view["shop_id"]
    body = await control("GET", f"/shops/{sid}/sample_product")
    pid = (await api.ok("POST", "/product/202309/products", body))["product_id"]
    await control("POST", f"/shops/{sid}/products/{pid}/audit", {})
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    sku = (await api.ok("GET", f"/product/202309/products/{pid}"))["skus"][0]["id"]
    await control("PUT", f"/shops/{sid}/faults", {
        "seed": 3, "webhook_drop_rate": 0.3, "webhook_delay_rate": 0.3, "webhook_delay_s": 0.2})
    before = len(delivered(hooks, sid, 1))
    for _ in range(20):
        await control("POST", f"/shops/{sid}/orders", {"line_items": [{"sku_id": sku,
                                                                       "quantity": 1}]})
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    counts = (await control("GET", f"/shops/{sid}/faults"))["faults_injected"]
    assert counts["webhook_drop"] > 0 and counts["webhook_delay"] > 0
    assert len(delivered(hooks, sid, 1)) - before == 20 - counts["webhook_drop"]
    log = (await control("GET", "/webhooks", shop_id=sid, type="1"))["deliveries"]
    assert sum(d["state"] == "dropped" for d in log) == counts["webhook_drop"]
