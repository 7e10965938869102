"""The returns poll reads every return updated in its window even when one of them is updated
again between two page calls (the same hazard as test_order_poll_paging.py: the TikTok
sandbox's page tokens are offsets, and sorted by update_time with an upper bound a return that
moved on shifted the next page one return too far). Real sandboxes and the real app
(conftest: LocalStack, SQLite); the poll (`returns.fetch.fetch_shop`) runs in this process
with the app's own services, webhooks pointed away so only the poll brings returns in.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from e2e_orders.harness import Env
from ecomsend.db.models import AfterSale, TikTokShop
from ecomsend.integrations.tiktok.returns import RETURN_PAGE_MAX, ReturnsApi
from ecomsend.jobs.registry import TaskContext
from ecomsend.jobs.runtime import build_queue
from ecomsend.jobs.tasks import build_registry
from ecomsend.services import Services
from ecomsend.sync.returns.fetch import fetch_shop
from ecomsend.sync.returns.mirror import RETURN

#: More than one search page.
RETURNS = RETURN_PAGE_MAX + 5


@pytest.fixture
async def no_webhooks(env: Env) -> AsyncIterator[None]:
    """TikTok's webhooks go nowhere while the test runs (only the poll brings returns in)."""
    url = f"{env.stack.tiktok_url}/_sandbox/webhook"
    assert (await env.http.put(url, json={"url": "http://127.0.0.1:9/nowhere"})).is_success
    yield
    await env.http.put(url, json={"url": f"{env.stack.app_url}/webhooks/tiktok"})


async def _open_returns(env: Env) -> set[str]:
    """RETURNS shipped orders, each with a buyer's refund request."""
    ids: set[str] = set()
    for i in range(RETURNS):
        placed = await env.place_order([(env.linked[i % len(env.linked)], 1)])
        await env.tiktok("POST", f"/orders/{placed['id']}/status", json={"status": "IN_TRANSIT"})
        made = await env.tiktok("POST", f"/orders/{placed['id']}/returns",
                                json={"return_type": "REFUND"})
        ids.add(str(made["return_id"]))
    return ids


async def _mirrored(env: Env, ids: set[str]) -> set[str]:
    async with env.db.sessionmaker() as session:
        rows = await session.execute(select(AfterSale.external_id).where(
            AfterSale.tiktok_shop_id == env.tts_pk, AfterSale.kind == RETURN,
            AfterSale.external_id.in_(ids)))
    return set(rows.scalars())


async def test_a_return_updated_between_two_pages_does_not_hide_another(
        env: Env, no_webhooks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = await _open_returns(env)
    real = ReturnsApi.search_returns
    moved: list[str] = []
    calls: list[str | None] = []  # page tokens of the search calls, in order

    async def update_one_after_page_1(self: ReturnsApi, shop: Any, **kw: Any) -> Any:
        page = await real(self, shop, **kw)
        calls.append(kw.get("page_token"))
        mine = [r.return_id for r in page.return_orders if r.return_id in ids]
        if not kw.get("page_token") and page.has_more and mine and not moved:
            # A second past the poll's start (update_time has one-second resolution), the
            # buyer withdraws the first request of page 1.
            started = int(time.time())
            while int(time.time()) < started + 2:
                await asyncio.sleep(0.1)
            moved.append(mine[0])
            await env.tiktok("POST", f"/returns/{mine[0]}/cancel", json={"role": "BUYER"})
        return page

    monkeypatch.setattr(ReturnsApi, "search_returns", update_one_after_page_1)
    settings = env.stack.settings
    services = Services.build(settings, env.db)
    try:
        queue = build_queue(settings, env.db, build_registry(), services)
        ctx = TaskContext(env.db, queue, "test-worker", "returns-poll", services=services)
        async with env.db.sessionmaker() as session:
            tts = await session.get(TikTokShop, env.tts_pk)
        assert tts is not None
        await fetch_shop(ctx, tts)
    finally:
        await services.close()
    assert moved, "the poll read one page only"
    assert calls[0] is None and calls[1], "the same poll went on to page 2"
    assert await _mirrored(env, ids) == ids
