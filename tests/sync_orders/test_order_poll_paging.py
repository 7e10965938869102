"""The order poll reads every order updated in its window even when one of them is updated again
while the poll is paging (issue 11: the poll is the safety net for dropped webhooks).

The TikTok sandbox's page tokens are offsets. Sorted by update_time with an upper bound (the
poll before this test), an order of page 1 updated between the two page calls left the result,
every later order moved one place back, and page 2 began one order too far on: that order was
not recorded, and a later poll only looks back 120 s past its cursor. Real sandboxes, the real
app (conftest: LocalStack, SQLite), the poll run by the app's worker; webhooks are pointed
away so only the poll brings orders in.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from e2e_orders.harness import Env, until
from ecomsend.db.models import SyncState, TikTokOrder
from ecomsend.integrations.tiktok.orders import OrdersApi
from ecomsend.sync.orders.fetch import POLL_CURSOR

#: More than one search page (page_size 100).
ORDERS = 105


@pytest.fixture
async def no_webhooks(env: Env) -> AsyncIterator[None]:
    """TikTok's webhooks go nowhere while the test runs (only the poll brings orders in)."""
    url = f"{env.stack.tiktok_url}/_sandbox/webhook"
    assert (await env.http.put(url, json={"url": "http://127.0.0.1:9/nowhere"})).is_success
    yield
    await env.http.put(url, json={"url": f"{env.stack.app_url}/webhooks/tiktok"})


async def _mirrored(env: Env, order_ids: set[str]) -> set[str]:
    async with env.db.sessionmaker() as session:
        rows = await session.execute(select(TikTokOrder.order_id).where(
            TikTokOrder.tiktok_shop_id == env.tts_pk, TikTokOrder.order_id.in_(order_ids)))
    return set(rows.scalars())


async def _cursor(env: Env) -> Any:
    async with env.db.sessionmaker() as session:
        return (await session.execute(select(func.max(SyncState.last_synced_at)).where(
            SyncState.tiktok_shop_id == env.tts_pk, SyncState.kind == POLL_CURSOR.kind))
        ).scalar_one_or_none()


async def test_an_order_updated_between_two_pages_does_not_hide_another(
        env: Env, no_webhooks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    placed = [await env.place_order([(env.linked[i % len(env.linked)], 1)])
              for i in range(ORDERS)]
    ids = {str(p["id"]) for p in placed}
    assert not await _mirrored(env, ids)  # webhooks went nowhere
    real = OrdersApi.search_orders
    moved: list[str] = []
    calls: list[str | None] = []  # page tokens of the search calls, in order

    async def update_one_after_page_1(self: OrdersApi, shop: Any, **kw: Any) -> Any:
        page = await real(self, shop, **kw)
        calls.append(kw.get("page_token"))
        mine = [o.id for o in page.orders if o.id in ids]
        if not kw.get("page_token") and page.has_more and mine and not moved:
            # A second later than the poll's start (TikTok's update_time has one-second
            # resolution), the first order of page 1 moves on (here: the buyer cancels it).
            started = int(time.time())
            while int(time.time()) < started + 2:
                await asyncio.sleep(0.1)
            moved.append(mine[0])
            async with httpx.AsyncClient() as http:  # the app's event loop, not the test's
                r = await http.post(f"{env.stack.tiktok_url}/_sandbox/shops/"
                                    f"{env.tiktok_shop_id}/orders/{mine[0]}/status",
                                    json={"status": "CANCELLED"})
                r.raise_for_status()
        return page

    monkeypatch.setattr(OrdersApi, "search_orders", update_one_after_page_1)
    before = await _cursor(env)
    await env.api("POST", "/api/orders/fetch")
    await until(lambda: _moved_cursor(env, before), 60, "one poll of every page")
    assert moved, "the poll read one page only"
    assert calls[0] is None and calls[1], "the same poll went on to page 2"
    assert await _mirrored(env, ids) == ids


async def _moved_cursor(env: Env, before: Any) -> bool:
    now = await _cursor(env)
    return now is not None and (before is None or now > before)
