"""`GET /api/session`: the signed-in shop and its TikTok connections (the admin UI's first call)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from ecomsend.db.models import Shop, TikTokShop
from ecomsend.web.auth import new_connect_ticket
from ecomsend.web.deps import DbDep, SettingsDep
from ecomsend.web.session import CurrentShopDep

router = APIRouter(prefix="/api", tags=["session"])


class ConnectionOut(BaseModel):
    id: int
    tiktok_shop_id: str
    name: str | None
    region: str
    seller_type: str | None
    connected: bool


class SessionOut(BaseModel):
    shop: str
    name: str | None
    currency: str | None
    connections: list[ConnectionOut]


@router.get("/session", response_model=SessionOut)
async def read_session(db: DbDep, current: CurrentShopDep) -> SessionOut:
    """Who is signed in, and which TikTok shops (one per region) are connected."""
    async with db.sessionmaker() as session:
        shop = (await session.execute(select(Shop).where(Shop.id == current.id))).scalar_one()
        rows = (await session.execute(select(TikTokShop).where(TikTokShop.shop_id == current.id)
                                      .order_by(TikTokShop.region))).scalars().all()
    return SessionOut(shop=shop.domain, name=shop.name, currency=shop.currency, connections=[
        ConnectionOut(id=r.id, tiktok_shop_id=r.tiktok_shop_id, name=r.name, region=r.region,
                      seller_type=r.seller_type, connected=r.disconnected_at is None)
        for r in rows])


class AuthorizeUrlOut(BaseModel):
    url: str


@router.post("/tiktok/connect", response_model=AuthorizeUrlOut,
             summary="TikTok Shop's authorization page URL for connecting another shop/region")
async def start_tiktok_connect(db: DbDep, settings: SettingsDep,
                               current: CurrentShopDep) -> AuthorizeUrlOut:
    """The URL the admin UI opens in the top window (never inside Shopify admin's iframe) to
    connect or reauthorize a TikTok Shop: our `/auth/tiktok/start` with a one-time ticket for
    the signed-in shop, which binds the flow to that window and goes on to TikTok."""
    ticket = await new_connect_ticket(db, current)
    return AuthorizeUrlOut(url=f"{settings.public_base_url}/auth/tiktok/start?"
                               f"{urlencode({'ticket': ticket})}")
