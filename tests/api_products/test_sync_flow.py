"""The Products page against the real push pipeline: a manual sync lists the product on the
TikTok sandbox (badge Synced, TikTok id shown); a failed audit shows Review failed with TikTok's
reason, and Retry queues it again."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from .conftest import Tenant
from .helpers import fillable_category, template_body

FINAL = {"synced", "failed", "review_failed"}


async def _rows(tenant: Tenant, ptype: str) -> list[dict[str, Any]]:
    page = (await tenant.http.get(tenant.url("/products"), params={
        "product_type": ptype, "page_size": 250})).json()
    return list(page["items"])


async def _until(tenant: Tenant, ptype: str, pid: int,
                 badges: set[str]) -> dict[str, Any]:
    """The product's row once its badge is one of `badges` (the audit result comes later by
    webhook: a created product is Synced first, then Review failed)."""
    async with asyncio.timeout(30):
        while True:
            row = next(r for r in await _rows(tenant, ptype) if r["id"] == pid)
            if row["status"]["badge"] in badges:
                return row
            await asyncio.sleep(0.2)


async def test_manual_sync_then_review_failure_and_retry(alice: Tenant) -> None:
    category = await fillable_category(alice)
    ptype = (await alice.http.get(alice.url("/products/filters"))).json()["product_types"][0]
    created = await alice.http.post(alice.url("/templates"), json=template_body(
        category, name="Flow", priority=1,
        selection_rules=[{"field": "product_type", "op": "equals", "value": ptype}]))
    assert created.status_code == 201
    fresh = [r["id"] for r in await _rows(alice, ptype)
             if r["shopify_status"] == "ACTIVE" and r["status"]["badge"] == "not_synced"]
    assert len(fresh) >= 2, fresh
    first, second = fresh[0], fresh[1]
    out = (await alice.http.post(alice.url("/products/sync"),
                                 json={"product_ids": [first]})).json()
    assert out["queued"] == 1, out
    row = await _until(alice, ptype, first, FINAL)
    assert row["status"]["badge"] == "synced", row["status"]
    assert row["tiktok_product_id"]
    control = (f"{alice.merchant.stack.tiktok_url}/_sandbox/shops/"
               f"{alice.tiktok_shop['shop_id']}")
    await alice.http.patch(control, json={"audit_result": "FAILED",
                                          "audit_fail_reasons": ["Main image is blurry"]})
    try:
        out = (await alice.http.post(alice.url("/products/sync"),
                                     json={"product_ids": [second]})).json()
        assert out["queued"] == 1, out
        row = await _until(alice, ptype, second, {"failed", "review_failed"})
        assert row["status"]["badge"] == "review_failed", row["status"]
        assert row["status"]["label"] == "Review failed"
        assert "blurry" in json.dumps(row["status"]["error"]), row["status"]
        assert row["status"]["can_retry"]
    finally:
        await alice.http.patch(control, json={"audit_result": "ACTIVATE"})
    retried = await alice.http.post(alice.url(f"/products/{second}/retry"))
    assert retried.status_code == 200 and retried.json()["status"]["badge"] == "syncing"
