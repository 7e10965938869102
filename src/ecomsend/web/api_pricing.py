"""Where this connection's TikTok prices come from, for the Products page and product detail:
the store's own prices (same currency), the merchant's Shopify Markets prices for the region's
country, or the typed exchange rate (the fallback). Also `with_markets`, the Markets prices on
a snapshot for the preview and manual sync (the push jobs fetch their own)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import select

from ecomsend.db.models import Shop, ShopifyProduct, ShopifyVariant, TikTokShop
from ecomsend.db.session import Database
from ecomsend.regions import UnknownRegion, shopify_country
from ecomsend.services import Services
from ecomsend.sync.errors import SyncTransient
from ecomsend.sync.listing.market_prices import attach_market_prices, fetch_market_prices
from ecomsend.sync.products.converters import prefs_from_settings
from ecomsend.sync.products.market_prices import needs_market_prices, with_market_prices
from ecomsend.sync.products.regions import RegionRules, region_rules
from ecomsend.sync.products.types import ProductSnapshot
from ecomsend.web.api_common import ERROR_RESPONSES, ConnectionDep, ErrorBody
from ecomsend.web.deps import DbDep, ServicesDep
from ecomsend.web.product_queries import product_settings

router = APIRouter(prefix="/api/connections/{connection_id}/pricing", tags=["products"],
                   responses={**ERROR_RESPONSES, 503: {
                       "model": ErrorBody,
                       "description": "Shopify did not answer for the Markets prices."}})


class PriceSourceOut(BaseModel):
    """Where prices come from. `shopify_markets`: the merchant's Markets price list for
    `country`; `exchange_rate`: the store price × `exchange_rate` (null: none typed yet, so
    prices cannot be made); `store_currency`: the store already sells in `currency`."""

    source: Literal["store_currency", "shopify_markets", "exchange_rate"]
    store_currency: str
    currency: str
    country: str
    exchange_rate: str | None
    message: str


def _region(connection: TikTokShop) -> RegionRules | None:
    try:
        return region_rules(connection.region)
    except UnknownRegion:
        return None


async def with_markets(db: Database, services: Services, connection: TikTokShop,
                       snapshot: ProductSnapshot) -> ProductSnapshot:
    """The snapshot with Markets prices (as a push would price it); 503 if Shopify fails."""
    try:
        return await attach_market_prices(db, services, connection.shop_id, snapshot,
                                          _region(connection))
    except SyncTransient as exc:
        raise HTTPException(503, f"{exc}. Try again in a moment.") from None


async def with_markets_many(db: Database, services: Services, connection: TikTokShop,
                            snapshots: list[ProductSnapshot]) -> list[ProductSnapshot]:
    """`with_markets` for many products with one chunked Shopify call (manual sync of a
    selection), not one per product."""
    region = _region(connection)
    if region is None or not any(needs_market_prices(s, region) for s in snapshots):
        return snapshots
    ids = [v.id for s in snapshots for v in s.variants]
    if not ids:
        return snapshots
    async with db.sessionmaker() as session:
        shop = (await session.execute(select(Shop).where(Shop.id == connection.shop_id))
                ).scalar_one()
    try:
        found = await fetch_market_prices(services, shop, ids, region)
    except SyncTransient as exc:
        raise HTTPException(503, f"{exc}. Try again in a moment.") from None
    return [with_market_prices(s, found) for s in snapshots]


async def sells_through_markets(db: Database, services: Services,
                                connection: TikTokShop) -> bool:
    """True when Shopify prices a variant of the store in the region's currency for the
    region's country (a Markets price list sells there): no exchange rate is needed then.
    One Shopify call (4 points) on one variant; 503 if Shopify fails."""
    region = _region(connection)
    if region is None:
        return False
    async with db.sessionmaker() as session:
        shop = (await session.execute(select(Shop).where(Shop.id == connection.shop_id))
                ).scalar_one()
        probe = (await session.execute(select(ShopifyVariant.shopify_id).join(
            ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id).where(
            ShopifyVariant.shop_id == shop.id, ShopifyProduct.deleted_at.is_(None))
            .order_by(ShopifyVariant.id).limit(1))).scalar_one_or_none()
    if probe is None:
        return False
    try:
        return bool(await fetch_market_prices(services, shop, [probe], region))
    except SyncTransient as exc:
        raise HTTPException(503, f"{exc}. Try again in a moment.") from None


def _message(source: str, store: str, region: RegionRules, rate: str | None) -> str:
    if source == "shopify_markets":
        return (f"Prices in {region.currency} come from your Shopify Markets price list for "
                f"{region.code}.")
    if source == "store_currency":
        return f"Your store sells in {store}: TikTok gets your Shopify prices as they are."
    if rate is None:
        return (f"Your store sells in {store} and no Shopify market sells in {region.code}: "
                f"add {region.code} to a market in Shopify (Settings › Markets) or type an "
                f"exchange rate to {region.currency} in Settings.")
    return f"Prices are converted from {store} at your fixed rate {rate} {region.currency}."


@router.get("/source", response_model=PriceSourceOut,
            summary="Where this connection's TikTok prices come from")
async def price_source(db: DbDep, services: ServicesDep,
                       connection: ConnectionDep) -> PriceSourceOut:
    """Not cached: a merchant who just added the region to a Shopify market sees it on the
    next page load; it costs one 4-point Shopify call (the UI keeps it for a minute)."""
    region = _region(connection)
    if region is None:
        raise HTTPException(422, f"TikTok region {connection.region} is not supported.")
    async with db.sessionmaker() as session:
        store = ((await session.execute(select(Shop.currency).where(
            Shop.id == connection.shop_id))).scalar_one_or_none() or "USD").upper()
        rule = prefs_from_settings(await product_settings(session, connection.id)).price_rule
    rate = None if rule.exchange_rate is None else f"{rule.exchange_rate:f}"
    source: Literal["store_currency", "shopify_markets", "exchange_rate"] = "store_currency"
    if store != region.currency:
        markets = await sells_through_markets(db, services, connection)
        source = "shopify_markets" if markets else "exchange_rate"
    return PriceSourceOut(source=source, store_currency=store, currency=region.currency,
                          country=shopify_country(region.code), exchange_rate=rate,
                          message=_message(source, store, region, rate))
