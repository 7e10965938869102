"""Shopify Markets prices on a product snapshot (pure): called by the listing jobs and the
product preview after they fetched `contextualPricing` for the connection's country."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ecomsend.sync.products.regions import RegionRules
from ecomsend.sync.products.types import MarketPrice, ProductSnapshot


def needs_market_prices(snapshot: ProductSnapshot, region: RegionRules) -> bool:
    """True when the store sells in another currency than the TikTok shop: only then can a
    Markets price replace the typed exchange rate (same currency: the store price is it)."""
    return snapshot.currency.upper() != region.currency


def with_market_prices(snapshot: ProductSnapshot,
                       prices: Mapping[str, MarketPrice]) -> ProductSnapshot:
    """The snapshot with each variant's Markets price (by variant GID) attached; variants
    Shopify gave no price for keep none (they fall back to the exchange rate)."""
    variants = tuple(replace(v, market=prices.get(v.id)) for v in snapshot.variants)
    return replace(snapshot, variants=variants)
