"""Settings › Connections API over real HTTP on SQLite: disconnect stops the shop's jobs
(sync rows not leased, the sweeper skips them), keeps its history readable, says so; another
shop's connection is a 404; bad ids are 4xx; reconnecting the same TikTok shop through OAuth's
save_connections revives it and its waiting syncs run again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from ecomsend.db.models import SyncState, TikTokShop
from ecomsend.db.session import Database
from ecomsend.integrations.tiktok.models.auth import AuthorizedShop, TokenSet
from ecomsend.sync import state
from ecomsend.sync.connect import Authorization, RegionAlreadyConnected, save_connections
from ecomsend.sync.connections import disconnect
from ecomsend.sync.engine import sweep_sync_state

from .home_activity_seed import (
    add_activity,
    add_link,
    add_orders,
    add_products,
    client_for,
    seed_shop,
)


@dataclass
class RecordingQueue:
    """Just enough of a JobQueue for the sweeper and save_connections: records defers."""

    deferred: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def defer(self, _session: Any, task: str, args: dict[str, Any] | None = None,
                    **_: Any) -> None:
        self.deferred.append((task, dict(args or {})))


@dataclass
class Ctx:
    db: Database
    queue: RecordingQueue


async def _pending_ids(db: Database, tts_id: int) -> list[int]:
    async with db.sessionmaker() as s:
        return list((await s.execute(select(SyncState.id).where(
            SyncState.tiktok_shop_id == tts_id, SyncState.status == "pending"))).scalars())


async def _can_lease(db: Database, state_id: int) -> bool:
    async with db.unit_of_work() as s:
        lease = await state.take_lease(s, state_id, "test-worker")
        if lease is not None:  # give it back: the test only asks
            await s.execute(SyncState.__table__.update().where(
                SyncState.id == state_id).values(lease_owner=None, lease_until=None,
                                                 status="pending"))
        return lease is not None


async def _swept(db: Database) -> set[int]:
    ctx = Ctx(db, RecordingQueue())
    await sweep_sync_state(ctx, grace_s=-60)  # type: ignore[arg-type]
    return {int(a["sync_state_id"]) for _, a in ctx.queue.deferred}


async def test_disconnect_stops_jobs_keeps_history_and_reconnect_revives(
        db: Database, app_url: str) -> None:
    a = await seed_shop(db, "conn-a.myshopify.com", "8001")
    b = await seed_shop(db, "conn-b.myshopify.com", "8002")
    gids = await add_products(db, a, ["pending", "synced"])
    await add_link(db, a, gids[1])
    await add_orders(db, a, {"synced": 2, "not_synced": 1})
    await add_activity(db, a, [{"kind": "order", "status": "synced", "message": "ok"}])
    await add_products(db, b, ["pending"])
    [mine] = await _pending_ids(db, a.tts_id)
    [theirs] = await _pending_ids(db, b.tts_id)
    assert await _swept(db) == {mine, theirs}

    async with client_for(db, app_url, a) as http:
        answer = await http.post(f"/api/connections/{a.tts_id}/disconnect")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["connected"] is False and body["already_disconnected"] is False
        assert body["waiting_syncs"] == 1
        assert body["kept"]["orders"] == 3 and body["kept"]["product_links"] == 1
        assert "history is kept" in body["message"]
        # Jobs stop: its pending row is never leased nor swept; the other shop's still are.
        assert not await _can_lease(db, mine)
        assert await _can_lease(db, theirs)
        assert await _swept(db) == {theirs}
        # History stays readable.
        session = (await http.get("/api/session")).json()
        assert [c["connected"] for c in session["connections"]] == [False]
        [conn] = (await http.get("/api/connections")).json()
        assert conn["health"]["token_state"] == "disconnected"
        assert conn["health"]["disconnected_at"] is not None
        orders = (await http.get("/api/orders", params={"connection_id": a.tts_id})).json()
        assert orders["total"] == 3
        log = (await http.get("/api/activity", params={"connection_id": a.tts_id})).json()
        assert {i["kind"] for i in log["items"]} == {"order", "connection"}
        assert any(i["status"] == "disconnected" for i in log["items"])
        again = (await http.post(f"/api/connections/{a.tts_id}/disconnect")).json()
        assert again["already_disconnected"] is True
        # Another shop's connection does not exist for this shop; bad ids are 4xx.
        assert (await http.post(f"/api/connections/{b.tts_id}/disconnect")).status_code == 404
        for bad in ("abc", "0", "-1", "NaN", "1.5", "%00", str(2**70), "99999999"):
            code = (await http.post(f"/api/connections/{bad}/disconnect")).status_code
            assert 400 <= code < 500, (bad, code)
    async with db.sessionmaker() as s:
        tts = (await s.execute(select(TikTokShop).where(TikTokShop.id == a.tts_id))).scalar_one()
        other = (await s.execute(select(TikTokShop).where(TikTokShop.id == b.tts_id))
                 ).scalar_one()
    assert tts.disconnected_at is not None and tts.access_token is None
    assert other.disconnected_at is None and other.access_token == "at"

    # Reconnect the same TikTok shop through OAuth's storage step: same row, revived.
    grant = Authorization(TokenSet("new-at", 4102444800, "new-rt", 4102444800),
                          [AuthorizedShop(id="8001", cipher="c2", name="Conn-A US",
                                          region="US")])
    async with db.unit_of_work() as s:
        ids = await save_connections(s, RecordingQueue(), a.shop_id, grant)  # type: ignore[arg-type]
    assert ids == [a.tts_id]
    assert await _can_lease(db, mine)
    assert mine in await _swept(db)
    async with client_for(db, app_url, a) as http:
        [conn] = (await http.get("/api/connections")).json()
    assert conn["connected"] and conn["health"]["token_state"] == "ok"


async def test_connections_need_a_session(app_url: str) -> None:
    import httpx
    async with httpx.AsyncClient(base_url=app_url) as anonymous:
        assert (await anonymous.get("/api/connections")).status_code == 401
        assert (await anonymous.post("/api/connections/1/disconnect")).status_code == 401
        assert (await anonymous.get("/api/home")).status_code == 401
        assert (await anonymous.get("/api/activity")).status_code == 401
        assert (await anonymous.get("/api/activity/export")).status_code == 401


async def test_another_shop_of_the_region_after_a_disconnect(db: Database) -> None:
    """A disconnected US shop keeps its history while another US shop is connected; the old
    one cannot come back while the new one is live (one connected shop per region)."""
    a = await seed_shop(db, "conn-region.myshopify.com", "8101")
    async with db.unit_of_work() as s:
        tts = (await s.execute(select(TikTokShop).where(TikTokShop.id == a.tts_id))).scalar_one()
        await disconnect(s, tts)

    def grant(shop_id: str) -> Authorization:
        return Authorization(TokenSet("at2", 4102444800, "rt2", 4102444800),
                             [AuthorizedShop(id=shop_id, cipher="c", region="US")])

    async with db.unit_of_work() as s:
        [new_id] = await save_connections(s, RecordingQueue(), a.shop_id, grant("8102"))  # type: ignore[arg-type]
    assert new_id != a.tts_id
    with pytest.raises(RegionAlreadyConnected):
        async with db.unit_of_work() as s:
            await save_connections(s, RecordingQueue(), a.shop_id, grant("8101"))  # type: ignore[arg-type]
    async with db.sessionmaker() as s:
        rows = {r.tiktok_shop_id: r.disconnected_at is None for r in (await s.execute(
            select(TikTokShop).where(TikTokShop.shop_id == a.shop_id))).scalars()}
    assert rows == {"8101": False, "8102": True}
