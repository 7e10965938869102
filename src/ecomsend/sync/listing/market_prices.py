"""Fetch the merchant's Shopify Markets prices for a push (I/O around the pure
`sync.products.market_prices`). Called by `job.load_job` / `job.load_stock_job` before the
mapping, and by the product preview.

Only when the store sells in another currency than the TikTok shop (`needs_market_prices`):
one `VariantsContextualPricing` call per 200 variants (4 query points each; reference §5), so
a same-currency store spends nothing. A country in no active Shopify market answers the store's
own price in the store's currency: those variants keep no Markets price and fall back to the
price rule's exchange rate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from sqlalchemy import select

from ecomsend.db.models import Shop
from ecomsend.integrations.shopify.errors import ShopifyError
from ecomsend.regions import shopify_country
from ecomsend.sync.errors import SyncTransient
from ecomsend.sync.products.market_prices import needs_market_prices, with_market_prices
from ecomsend.sync.products.regions import RegionRules
from ecomsend.sync.products.types import MarketPrice, ProductSnapshot

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.services import Services


async def fetch_market_prices(services: Services, shop: Shop, variant_ids: list[str],
                              region: RegionRules) -> dict[str, MarketPrice]:
    """The Markets price of each variant for the region's country, by variant GID; variants
    priced in another currency than the region's are left out (no market sells there)."""
    try:
        async with services.shopify(shop) as client:
            found = await client.contextual_prices(variant_ids, shopify_country(region.code))
    except (ShopifyError, httpx.HTTPError) as exc:
        raise SyncTransient(f"Shopify (market prices): {exc}") from exc
    return {vid: MarketPrice(p.price, p.compare_at_price, p.currency.upper())
            for vid, p in found.items() if p.currency.upper() == region.currency}


async def attach_market_prices(db: Database, services: Services, shop_id: int,
                               snapshot: ProductSnapshot,
                               region: RegionRules | None) -> ProductSnapshot:
    """`snapshot` with Markets prices when the currencies differ; unchanged otherwise."""
    if region is None or not snapshot.variants or not needs_market_prices(snapshot, region):
        return snapshot
    async with db.sessionmaker() as session:
        shop = (await session.execute(select(Shop).where(Shop.id == shop_id))).scalar_one()
    ids = [v.id for v in snapshot.variants]
    return with_market_prices(snapshot, await fetch_market_prices(services, shop, ids, region))
