"""The demo's returns part: buyers ask for a refund (refund only) and a return (return and
refund) on shipped TikTok orders in the sandbox; the merchant approves both from the app (the
return twice: the request, then the package the buyer sent back); the app mirrors them and
makes each refund in Shopify. Reports `returns` {total, synced, failed}."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.console import Console
from sqlalchemy import func, select

from ecomsend.db.models import AfterSale, OrderLink, SyncState, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.stack import Merchant
from ecomsend.sync.returns.mirror import REFUND_KIND, RETURN

#: One refund-only request and one return; more would only repeat the same path.
REQUESTS = ("REFUND", "RETURN_AND_REFUND")
#: TikTok order statuses a buyer can ask a return or refund in (after shipment).
RETURNABLE = ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED")
WAIT_S = 90.0


async def _until(probe: Any, what: str) -> Any:
    try:
        async with asyncio.timeout(WAIT_S):
            while True:
                found = await probe()
                if found:
                    return found
                await asyncio.sleep(0.25)
    except TimeoutError:
        raise TimeoutError(f"timed out waiting for {what}") from None


async def _shipped_orders(db: Database, merchant: Merchant, tts: TikTokShop) -> list[str]:
    """Synced TikTok orders that have shipped (returns come after shipment)."""
    async with db.sessionmaker() as session:
        ids = list((await session.execute(select(OrderLink.tiktok_order_id).where(
            OrderLink.tiktok_shop_id == tts.id).order_by(OrderLink.id))).scalars())
    base = f"{merchant.stack.tiktok_url}/_sandbox/shops/{tts.tiktok_shop_id}/orders"
    shipped = []
    for order_id in ids:
        order = (await merchant.browser.get(f"{base}/{order_id}")).json()
        if order.get("status") in RETURNABLE:
            shipped.append(order_id)
    return shipped


async def _row(db: Database, tts_pk: int, return_id: str, status: str) -> int | None:
    async with db.sessionmaker() as session:
        return (await session.execute(select(AfterSale.id).where(
            AfterSale.tiktok_shop_id == tts_pk, AfterSale.kind == RETURN,
            AfterSale.external_id == return_id, AfterSale.status == status))).scalar_one_or_none()


async def _approve(db: Database, merchant: Merchant, tts: TikTokShop, return_id: str,
                   status: str) -> None:
    """Wait for the app to show the request in `status`, then approve it from the app."""
    row_id = await _until(lambda: _row(db, tts.id, return_id, status),
                          f"return {return_id} {status} in the app")
    url = f"{merchant.stack.app_url}/api/returns/{row_id}/approve"
    (await merchant.browser.post(url, params={"connection_id": tts.id})).raise_for_status()


async def _one(db: Database, merchant: Merchant, tts: TikTokShop, order_id: str,
               return_type: str) -> None:
    shop = f"{merchant.stack.tiktok_url}/_sandbox/shops/{tts.tiktok_shop_id}"
    made = await merchant.browser.post(f"{shop}/orders/{order_id}/returns",
                                       json={"return_type": return_type})
    made.raise_for_status()
    return_id = str(made.json()["return_id"])
    await _approve(db, merchant, tts, return_id, "RETURN_OR_REFUND_REQUEST_PENDING")
    if return_type == "RETURN_AND_REFUND":
        await _until(lambda: _row(db, tts.id, return_id, "AWAITING_BUYER_SHIP"),
                     f"return {return_id} approved")
        (await merchant.browser.post(f"{shop}/returns/{return_id}/ship", json={})
         ).raise_for_status()
        await _approve(db, merchant, tts, return_id, "BUYER_SHIPPED_ITEM")


async def returns_counts(db: Database, tts_pk: int) -> dict[str, int]:
    """{total, synced, failed}: TikTok returns mirrored, and their Shopify refunds."""
    async with db.sessionmaker() as session:
        total = (await session.execute(select(func.count()).select_from(AfterSale).where(
            AfterSale.tiktok_shop_id == tts_pk, AfterSale.kind == RETURN))).scalar_one()
        rows = (await session.execute(
            select(SyncState.status, func.count()).where(
                SyncState.tiktok_shop_id == tts_pk, SyncState.kind == REFUND_KIND)
            .group_by(SyncState.status))).all()
    by_status = {str(status): int(n) for status, n in rows}
    return {"total": int(total), "synced": by_status.get("synced", 0),
            "failed": by_status.get("failed", 0) + by_status.get("review_failed", 0)}


async def run_returns_demo(console: Console, db: Database, merchant: Merchant,
                           tiktok_shop_id: str) -> dict[str, Any]:
    """Ask, approve and refund a refund-only request and a return; returns {"returns": …}."""
    async with db.sessionmaker() as session:
        tts = (await session.execute(select(TikTokShop).where(
            TikTokShop.tiktok_shop_id == tiktok_shop_id))).scalar_one()
    orders = await _shipped_orders(db, merchant, tts)
    for order_id, return_type in zip(orders, REQUESTS, strict=False):
        await _one(db, merchant, tts, order_id, return_type)
    asked = min(len(orders), len(REQUESTS))
    console.print(f"Buyers asked {asked} return(s)/refund(s); approved from the app")

    async def settled() -> bool:
        c = await returns_counts(db, tts.id)
        return c["synced"] + c["failed"] >= asked
    await _until(settled, "refunds made in Shopify")
    counts = await returns_counts(db, tts.id)
    console.print(f"Returns {counts}")
    return {"returns": counts}
