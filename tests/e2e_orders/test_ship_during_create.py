"""TikTok ships an order while its Shopify create is under way (issue 11: the embedded chaos
run's missing fulfillment). The shipment is mirrored while the order has no link yet, so
`record_orders` queues no fulfillment, and nothing would queue it again: the order push now
does, in the transaction that saves the link."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ecomsend.db.models import TikTokOrder
from ecomsend.db.session import Database
from ecomsend.sync.orders import push

from .harness import Env, order_status, until

SHIPPED = ("AWAITING_COLLECTION", "IN_TRANSIT")


async def _mirrored_status(db: Database, order_id: str) -> str | None:
    async with db.sessionmaker() as session:
        return (await session.execute(select(TikTokOrder.status).where(
            TikTokOrder.order_id == order_id))).scalar_one_or_none()


async def test_a_shipment_during_the_create_reaches_shopify(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    real = push.create_with_intent
    shipped: list[str] = []

    async def create_then_ship(ctx: Any, oc: Any, client: Any, body: Any) -> Any:
        """orderCreate answered; before the link is saved TikTok ships and the app mirrors
        the shipment. Runs on the app's loop: its own HTTP client, the app's database."""
        created = await real(ctx, oc, client, body)
        async with httpx.AsyncClient(base_url=f"{env.stack.tiktok_url}/_sandbox") as http:
            got = await http.post(f"/shops/{env.tiktok_shop_id}/orders/{oc.order.id}/ship",
                                  json={})
            shipped.append(got.json()["line_items"][0]["tracking_number"])
            async with asyncio.timeout(20):
                while await _mirrored_status(ctx.db, oc.order.id) not in SHIPPED:
                    await http.post("/webhooks/drain", json={"timeout_s": 1})
                    await asyncio.sleep(0.1)
        return created

    monkeypatch.setattr(push, "create_with_intent", create_then_ship)
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    placed = await env.place_order([(env.linked[0], 1)], shipping_type="TIKTOK")
    await order_status(env, placed["id"], {"synced"})
    assert len(shipped) == 1  # one create, the shipment mirrored before its link was saved
    await order_status(env, placed["id"], {"synced"}, key="fulfillment_sync")

    async def fulfilled() -> dict[str, Any] | None:
        [shopify] = await env.shopify_orders_for(placed["id"])
        return shopify if shopify["fulfillments"] else None
    shopify = await until(fulfilled, 20, "Shopify fulfillment")
    assert [f["tracking_number"] for f in shopify["fulfillments"]] == shipped
