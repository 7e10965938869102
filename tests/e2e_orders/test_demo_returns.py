"""Issue 13 §2: the demo report gains `returns` {total, synced, failed}: buyers ask a refund and
a return on shipped sandbox orders, the merchant approves them from the app, and each becomes
one Shopify refund — in the US store's currency and in JPY (no minor unit)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from rich.console import Console
from sqlalchemy import select

from ecomsend.db.models import AfterSale, OrderLink, Shop, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.regions import demo_region
from ecomsend.demo.run import _flow
from ecomsend.demo.stack import LocalStack

REFUNDS = """query($id: ID!) { order(id: $id) { refunds(first: 5) { id note } } }"""


async def test_demo_reports_returns_refunded_once(stack: LocalStack, app_db: Database) -> None:
    setups = [demo_region("US"), demo_region("JP")]
    results = await asyncio.gather(*(
        _flow(stack, Console(quiet=True), 3, s, domain=f"demo-returns-{s.code.lower()}"
              ".myshopify.com") for s in setups))
    for setup, result in zip(setups, results, strict=True):
        assert [s["step"] for s in result["steps"] if not s["ok"]] == [], result["steps"]
        assert [s["step"] for s in result["steps"]][-1] == "returns"
        assert result["returns"] == {"total": 2, "synced": 2, "failed": 0}, setup.code
        await _one_refund_each(stack, app_db, f"demo-returns-{setup.code.lower()}"
                                              ".myshopify.com")


async def _one_refund_each(stack: LocalStack, db: Database, domain: str) -> None:
    """Every refunded return is exactly one Shopify refund on its order."""
    async with db.sessionmaker() as session:
        rows = (await session.execute(
            select(AfterSale.external_id, AfterSale.shopify_refund_id,
                   OrderLink.shopify_order_id, Shop.access_token)
            .join(TikTokShop, TikTokShop.id == AfterSale.tiktok_shop_id)
            .join(Shop, Shop.id == TikTokShop.shop_id)
            .join(OrderLink, (OrderLink.tiktok_shop_id == AfterSale.tiktok_shop_id)
                  & (OrderLink.tiktok_order_id == AfterSale.order_id))
            .where(Shop.domain == domain))).all()
    assert len(rows) == 2
    async with httpx.AsyncClient(timeout=30) as http:
        for return_id, refund_id, order_id, token in rows:
            gid = order_id if order_id.startswith("gid://") else f"gid://shopify/Order/{order_id}"
            body: dict[str, Any] = (await http.post(
                f"{stack.shopify_url}/store/{domain}/admin/api/2026-07/graphql.json",
                json={"query": REFUNDS, "variables": {"id": gid}},
                headers={"X-Shopify-Access-Token": token})).json()
            refunds = body["data"]["order"]["refunds"]
            assert [r["id"] for r in refunds] == [refund_id]
            assert refunds[0]["note"].startswith(f"TikTok Shop return {return_id}")
