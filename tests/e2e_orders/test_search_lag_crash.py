"""Exactly once while Shopify's order search lags behind writes (issue 11 §2).

A worker process is SIGKILLed right after `orderCreate` answered and before the order link was
committed; the job then runs again in another process (the app's worker) while the sandbox's
orders search still does not show the new order. The retry must find the intent, keep looking
the order up until the search shows it, link it, and never create a second one.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from ecomsend.db.models import ActivityLog, CreateIntent, OrderLink, SyncState, TikTokOrder
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.demo.stack import LocalStack, settings_env
from ecomsend.integrations.shopify import errors as shopify_errors
from ecomsend.integrations.shopify.orders import OrderOperations
from ecomsend.sync import intents, state
from ecomsend.sync.orders.mirror import ORDER_KIND, TO_SHOPIFY

from .harness import Env, make_env, order_status, until

CRASH_WORKER = Path(__file__).with_name("crash_worker.py")
#: Long enough that the retry (a few seconds after the crash) still runs inside the lag.
SEARCH_LAG_S = 5.0


class _NoDefer:
    """A queue that defers nothing: the row is made pending for the crash worker only."""

    async def defer(self, *args: Any, **kw: Any) -> None:
        return None


async def _search_lag(env: Env, seconds: float) -> float:
    """Set the Shopify sandbox's orders-search lag (CONTROL.md "Run-time settings",
    `PUT /_sandbox/settings`); returns the previous value."""
    url = f"{env.stack.shopify_url}/_sandbox/settings"
    before = (await env.http.get(url)).json()["search_lag_s"]
    response = await env.http.put(url, json={"search_lag_s": seconds})
    assert response.status_code == 200, response.text
    return float(before)


async def _mirrored_order(env: Env) -> str:
    """A TikTok order fetched into the app (auto sync off: nothing pushes it yet)."""
    placed = await env.place_order([(env.linked[0], 1), (env.linked[1], 2)])

    async def fetched() -> bool:
        await env.api("POST", "/api/orders/fetch")
        async with env.db.sessionmaker() as session:
            payload = (await session.execute(select(TikTokOrder.payload).where(
                TikTokOrder.order_id == placed["id"]))).scalar_one_or_none()
        return bool(payload)
    await until(fetched, 20, "the order fetched into the app")
    return str(placed["id"])


async def _pending_row(env: Env, order_id: str) -> int:
    async with env.db.unit_of_work() as session:
        key = state.EntityKey(await _shop_id(env), env.tts_pk, ORDER_KIND, order_id, TO_SHOPIFY)
        return await state.mark_changed(session, _NoDefer(), key)  # type: ignore[arg-type]


async def _shop_id(env: Env) -> int:
    from ecomsend.db.models import TikTokShop
    async with env.db.sessionmaker() as session:
        return int((await session.execute(select(TikTokShop.shop_id).where(
            TikTokShop.id == env.tts_pk))).scalar_one())


async def _count(env: Env, operation: str) -> int:
    log = (await env.shopify("GET", "/requests"))["requests"]
    return sum(1 for r in log if r["operation_name"] == operation)


async def _intent(env: Env, order_id: str) -> CreateIntent | None:
    async with env.db.sessionmaker() as session:
        return (await session.execute(select(CreateIntent).where(
            CreateIntent.tiktok_shop_id == env.tts_pk,
            CreateIntent.entity_id == order_id))).scalar_one_or_none()


async def _lag_waits(env: Env, order_id: str) -> int:
    async with env.db.sessionmaker() as session:
        messages = (await session.execute(select(ActivityLog.message).where(
            ActivityLog.entity_id == order_id))).scalars().all()
    return sum(1 for m in messages if "looking it up again" in (m or ""))


@pytest.fixture
async def pg_env(pg_db: Database, tmp_path: Path) -> AsyncIterator[Env]:
    """A merchant on a stack whose app runs on PostgreSQL (embedded queue on it)."""
    stack = LocalStack(tmp_path, database_url=pg_db.url, settings_overrides={
        "token_encryption_key": pg_db.settings.token_encryption_key,
        "session_secret": "e2e-orders-pg-session-secret-0123456789abcdef"})
    with stack:
        made = await make_env(stack, pg_db)
        try:
            yield made
        finally:
            await made.merchant.close()


async def test_crash_after_create_while_search_lags_makes_one_order(env: Env) -> None:
    await _crash_then_retry(env)


async def test_crash_after_create_while_search_lags_on_postgres(pg_env: Env) -> None:
    await _crash_then_retry(pg_env)


async def _crash_then_retry(env: Env) -> None:
    """Crash a worker process right after orderCreate while search lags; retry elsewhere."""
    order_id = await _mirrored_order(env)
    state_id = await _pending_row(env, order_id)
    before = await _search_lag(env, SEARCH_LAG_S)
    try:
        crashed = await asyncio.to_thread(
            subprocess.run, [sys.executable, str(CRASH_WORKER), str(state_id)],
            env=settings_env(env.stack.settings), capture_output=True, timeout=120, check=False)
        assert crashed.returncode == -9, crashed.stderr.decode()[-3000:]
        created_id = crashed.stdout.decode().split()[0]
        # Shopify has the order, we have no link, only the intent the dead worker committed.
        assert [o["admin_graphql_api_id"] for o in await env.shopify_orders_for(order_id)] \
            == [created_id]
        intent = await _intent(env, order_id)
        assert intent is not None and intent.marker == order_id and intent.attempts == 1
        async with env.db.unit_of_work() as session:  # the dead worker's lease lapses
            await session.execute(update(SyncState).where(SyncState.id == state_id).values(
                lease_until=utcnow() - timedelta(seconds=1)))
        searches = await _count(env, "OrdersSearch")
        await env.api("POST", "/api/orders/sync", json={"order_ids": [order_id]})
        synced = await order_status(env, order_id, {"synced"}, timeout=60)
    finally:
        await _search_lag(env, before)
    assert synced["shopify_order_id"] == created_id
    assert len(await env.shopify_orders_for(order_id)) == 1
    assert await _count(env, "OrderCreate") == 1
    # The retry looked again while the index lagged (the wait really happened) …
    assert await _count(env, "OrdersSearch") - searches >= 2
    assert await _lag_waits(env, order_id) >= 1
    # … and the link replaced the intent in one transaction.
    assert await _intent(env, order_id) is None
    async with env.db.sessionmaker() as session:
        link = (await session.execute(select(OrderLink).where(
            OrderLink.tiktok_order_id == order_id))).scalar_one()
    assert link.shopify_order_id == created_id


async def test_create_that_never_landed_is_sent_again_after_the_window(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answer of the first orderCreate was lost and Shopify never made the order: the
    retry looks it up until the lag window has passed (bounded), then creates exactly one."""
    monkeypatch.setattr(env.stack.settings, "shopify_order_search_lag_s", 2.0)
    real = OrderOperations.create_order
    lost: list[str] = []

    async def lost_once(self: Any, order: Any, **kw: Any) -> Any:
        if not lost:
            lost.append(order["sourceIdentifier"])
            raise shopify_errors.Transient("reset after sending (simulated)", ambiguous=True)
        return await real(self, order, **kw)

    monkeypatch.setattr(OrderOperations, "create_order", lost_once)
    order_id = await _mirrored_order(env)
    await env.api("POST", "/api/orders/sync", json={"order_ids": [order_id]})
    await order_status(env, order_id, {"synced"}, timeout=60)
    assert lost == [order_id]
    assert len(await env.shopify_orders_for(order_id)) == 1
    assert await _count(env, "OrderCreate") == 1
    assert await _lag_waits(env, order_id) >= 1
    assert await _intent(env, order_id) is None


def test_lag_wait_is_bounded_and_backs_off() -> None:
    """Look-ups back off 0.5, 1, 2 … s, never past the window; none after it."""
    now = utcnow()
    at = now - timedelta(seconds=1)
    waits = [intents.lag_wait_s(intents.Intent("x", 1, at, n), 10.0, now) for n in range(6)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 9.0]
    assert intents.lag_wait_s(intents.Intent("x", 1, now - timedelta(seconds=11), 0), 10.0,
                              now) is None
