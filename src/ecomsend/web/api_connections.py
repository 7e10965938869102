"""Settings › Connections: the signed-in shop's TikTok connections with their health, and
`POST /api/connections/{id}/disconnect` (stops that shop's jobs, keeps its history; connecting
the same TikTok shop again through OAuth revives it — see `sync.connections`)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from ecomsend.db.models import TikTokShop
from ecomsend.sync.connections import disconnect
from ecomsend.web import home_queries as hq
from ecomsend.web.api_common import ERROR_RESPONSES, ConnectionDep
from ecomsend.web.deps import DbDep
from ecomsend.web.session import CurrentShopDep

router = APIRouter(prefix="/api/connections", tags=["connections"], responses=ERROR_RESPONSES)


class HealthOut(BaseModel):
    #: ok / expiring / expired / disconnected (from the refresh token's expiry).
    token_state: str
    access_token_expires_at: datetime | None
    refresh_token_expires_at: datetime | None
    connected_at: datetime
    disconnected_at: datetime | None
    #: The last successful sync with TikTok (push, order read) of this connection.
    last_success_at: datetime | None
    #: The last webhook TikTok sent for this shop.
    last_webhook_at: datetime | None
    #: Syncs of this connection that failed and wait for a fix or a Retry.
    failing: int


class ConnectionDetailOut(BaseModel):
    id: int
    tiktok_shop_id: str
    name: str | None
    region: str
    seller_type: str | None
    connected: bool
    health: HealthOut


class KeptOut(BaseModel):
    orders: int
    order_links: int
    product_links: int
    fulfillment_links: int
    templates: int
    activity: int


class DisconnectOut(BaseModel):
    id: int
    connected: bool
    disconnected_at: datetime
    already_disconnected: bool
    waiting_syncs: int
    kept: KeptOut
    #: What happened, in the merchant's words (the UI shows it).
    message: str


def health_out(health: hq.Health) -> HealthOut:
    return HealthOut(**vars(health))


async def connection_details(db: DbDep, shop_id: int) -> list[ConnectionDetailOut]:
    """Every connection of the shop (connected first, then by region) with its health."""
    async with db.sessionmaker() as session:
        rows = list((await session.execute(select(TikTokShop).where(
            TikTokShop.shop_id == shop_id).order_by(TikTokShop.region, TikTokShop.id)
        )).scalars())
        out = [ConnectionDetailOut(
            id=t.id, tiktok_shop_id=t.tiktok_shop_id, name=t.name, region=t.region,
            seller_type=t.seller_type, connected=t.disconnected_at is None,
            health=health_out(await hq.health(session, t))) for t in rows]
    return sorted(out, key=lambda c: not c.connected)


@router.get("", response_model=list[ConnectionDetailOut],
            summary="The shop's TikTok connections with region, status and health")
async def list_connections(db: DbDep, current: CurrentShopDep) -> list[ConnectionDetailOut]:
    return await connection_details(db, current.id)


@router.post("/{connection_id}/disconnect", response_model=DisconnectOut,
             summary="Disconnect a TikTok Shop: its jobs stop, its history is kept")
async def disconnect_connection(db: DbDep, connection: ConnectionDep) -> DisconnectOut:
    async with db.unit_of_work() as session:
        result = await disconnect(session, connection)
    kept = result.kept
    label = f"{connection.name or connection.tiktok_shop_id} ({connection.region})"
    message = (f"TikTok Shop {label} is disconnected. Nothing syncs with it any more"
               + (f" ({result.waiting_syncs} queued sync(s) wait for a reconnect)"
                  if result.waiting_syncs else "")
               + f". Its history is kept: {kept.orders} order(s), {kept.product_links} "
               f"product link(s) and its activity stay readable. Reconnect the same shop "
               "any time to pick up where it stopped.")
    return DisconnectOut(id=connection.id, connected=False,
                         disconnected_at=result.disconnected_at,
                         already_disconnected=result.already_disconnected,
                         waiting_syncs=result.waiting_syncs, kept=KeptOut(**vars(kept)),
                         message=message)
