"""A TikTok cancellation that arrives while the order is still being created in Shopify
(issue 11: the scale-out chaos run's lost cancellation).

A worker is SIGKILLed after Shopify's `orderCreate` answered and before the order link was
committed (only the create intent says an attempt was made); the buyer then cancels on TikTok.
The retry sees a CANCELLED order without a link: it must find the Shopify order the dead worker
made (waiting out the search lag), link it and cancel it — not skip it as "cancelled before it
was synced", which left it open in Shopify for good. And when the create never landed, the
retry looks until the lag window has passed, then settles without an order and drops the
intent. Real sandboxes and the real app (conftest: LocalStack, SQLite), the crash in a real
process.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from e2e_orders.harness import Env, until
from ecomsend.db.models import CreateIntent, OrderLink, SyncState, TikTokOrder
from ecomsend.db.types import utcnow
from ecomsend.demo.stack import settings_env
from ecomsend.integrations.shopify import errors as shopify_errors
from ecomsend.integrations.shopify.orders import OrderOperations
from ecomsend.sync import state
from ecomsend.sync.orders.mirror import ORDER_KIND, TO_SHOPIFY

CRASH_WORKER = Path(__file__).resolve().parents[1] / "e2e_orders" / "crash_worker.py"
#: Shopify's orders search lags this long in the crash test: the retry must look again.
SEARCH_LAG_S = 3.0


class _NoDefer:
    """A queue that defers nothing: the row is made pending for the crash worker only."""

    async def defer(self, *args: Any, **kw: Any) -> None:
        return None


async def _mirrored_order(env: Env) -> str:
    """A TikTok order fetched into the app (auto sync off: nothing pushes it yet)."""
    placed = await env.place_order([(env.linked[0], 1)])

    async def fetched() -> bool:
        await env.api("POST", "/api/orders/fetch")
        return await _mirror_status(env, str(placed["id"])) == "AWAITING_SHIPMENT"
    await until(fetched, 20, "the order fetched into the app")
    return str(placed["id"])


async def _mirror_status(env: Env, order_id: str) -> str | None:
    async with env.db.sessionmaker() as session:
        return (await session.execute(select(TikTokOrder.status).where(
            TikTokOrder.tiktok_shop_id == env.tts_pk, TikTokOrder.order_id == order_id))
        ).scalar_one_or_none()


async def _row(env: Env, order_id: str) -> SyncState | None:
    async with env.db.sessionmaker() as session:
        return (await session.execute(select(SyncState).where(
            SyncState.tiktok_shop_id == env.tts_pk, SyncState.kind == ORDER_KIND,
            SyncState.entity_id == order_id, SyncState.direction == TO_SHOPIFY))
        ).scalar_one_or_none()


async def _settled_after_cancel(env: Env, order_id: str) -> SyncState:
    """Wait until the app has the cancellation and the order's sync row has nothing left to
    do (synced or failed, every change pushed)."""
    async def probe() -> SyncState | None:
        if await _mirror_status(env, order_id) != "CANCELLED":
            return None
        row = await _row(env, order_id)
        done = (row is not None and row.status in (state.SYNCED, state.FAILED)
                and row.synced_version >= row.desired_version)
        return row if done else None
    return await until(probe, 60, f"order {order_id}'s cancellation handled")


async def _intent(env: Env, order_id: str) -> CreateIntent | None:
    async with env.db.sessionmaker() as session:
        return (await session.execute(select(CreateIntent).where(
            CreateIntent.tiktok_shop_id == env.tts_pk,
            CreateIntent.entity_id == order_id))).scalar_one_or_none()


async def _search_lag(env: Env, seconds: float) -> float:
    """Set the Shopify sandbox's orders-search lag (CONTROL.md "Run-time settings");
    returns the previous value."""
    url = f"{env.stack.shopify_url}/_sandbox/settings"
    before = (await env.http.get(url)).json()["search_lag_s"]
    response = await env.http.put(url, json={"search_lag_s": seconds})
    assert response.status_code == 200, response.text
    return float(before)


async def _cancel_on_tiktok(env: Env, order_id: str) -> None:
    await env.tiktok("POST", f"/orders/{order_id}/cancel",
                     json={"initiator": "BUYER", "reason": "changed my mind"})


async def test_cancelled_while_its_create_was_cut_short_cancels_the_shopify_order(
        env: Env) -> None:
    order_id = await _mirrored_order(env)
    async with env.db.unit_of_work() as session:
        tts_shop = await _shop_id(env)
        state_id = await state.mark_changed(  # pending, for the crash worker only
            session, _NoDefer(),  # type: ignore[arg-type]
            state.EntityKey(tts_shop, env.tts_pk, ORDER_KIND, order_id, TO_SHOPIFY))
    before = await _search_lag(env, SEARCH_LAG_S)
    try:
        crashed = await asyncio.to_thread(
            subprocess.run, [sys.executable, str(CRASH_WORKER), str(state_id)],
            env=settings_env(env.stack.settings), capture_output=True, timeout=120, check=False)
        assert crashed.returncode == -9, crashed.stderr.decode()[-3000:]
        created_id = crashed.stdout.decode().split()[0]
        assert await _intent(env, order_id) is not None  # the dead worker's only trace
        async with env.db.unit_of_work() as session:  # its lease lapses (the orphan recovery)
            await session.execute(update(SyncState).where(SyncState.id == state_id).values(
                lease_until=utcnow() - timedelta(seconds=1), updated_at=utcnow()))
        # The buyer cancels as soon as the order shows in Shopify; the webhook's fetch (or the
        # poll, when it was dropped) records it and queues the order row again.
        await _cancel_on_tiktok(env, order_id)
        row = await _settled_after_cancel(env, order_id)
    finally:
        await _search_lag(env, before)
    [shopify] = await env.shopify_orders_for(order_id)
    assert shopify["admin_graphql_api_id"] == created_id
    assert shopify["cancelled_at"], (row.status, row.last_error)
    async with env.db.sessionmaker() as session:
        link = (await session.execute(select(OrderLink).where(
            OrderLink.tiktok_shop_id == env.tts_pk, OrderLink.tiktok_order_id == order_id))
        ).scalar_one()
    assert link.shopify_order_id == created_id
    assert await _intent(env, order_id) is None


async def test_cancelled_while_its_create_never_landed_settles_without_an_order(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every orderCreate answer is lost and nothing is made in Shopify; the buyer cancels.
    The retry looks the order up until the lag window has passed, then settles: no Shopify
    order, and no intent left."""
    monkeypatch.setattr(env.stack.settings, "shopify_order_search_lag_s", 2.0)
    lost: list[str] = []

    async def always_lost(self: Any, order: Any, **kw: Any) -> Any:
        lost.append(order["sourceIdentifier"])
        raise shopify_errors.Transient("reset after sending (simulated)", ambiguous=True)

    monkeypatch.setattr(OrderOperations, "create_order", always_lost)
    order_id = await _mirrored_order(env)
    await env.api("POST", "/api/orders/sync", json={"order_ids": [order_id]})
    await until(lambda: _intent(env, order_id), 20, "the lost create's intent")
    await _cancel_on_tiktok(env, order_id)
    row = await _settled_after_cancel(env, order_id)
    assert row.status == state.SYNCED, row.last_error
    assert lost and set(lost) == {order_id}
    assert await env.shopify_orders_for(order_id) == []
    assert await _intent(env, order_id) is None


async def _shop_id(env: Env) -> int:
    from ecomsend.db.models import TikTokShop
    async with env.db.sessionmaker() as session:
        return int((await session.execute(select(TikTokShop.shop_id).where(
            TikTokShop.id == env.tts_pk))).scalar_one())
