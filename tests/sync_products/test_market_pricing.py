"""Shopify Markets prices win over a typed exchange rate: no conversion (already the merchant's
price in the region's currency), the markup and rounding rules still apply; a price in another
currency (no market sells there) falls back to the rate."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from ecomsend.sync.products.market_prices import needs_market_prices, with_market_prices
from ecomsend.sync.products.pricing import PricingError, sku_list_price, sku_price, source_of
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.types import (
    CompareAtMode,
    MarketPrice,
    PriceRounding,
    PriceRule,
    PriceSource,
    ProductSnapshot,
)

from .factories import variant

D = Decimal
GB, JP, US = region_rules("UK"), region_rules("JP"), region_rules("US")


def test_market_price_is_used_without_a_rate() -> None:
    v = replace(variant(price="20.00"), market=MarketPrice(D("17.60"), None, "GBP"))
    assert source_of(v, "USD", GB) is PriceSource.MARKETS
    assert sku_price(v, PriceRule(), "USD", GB) == D("17.60")
    # the rate is ignored when the market prices it; the merchant's rules still apply
    rule = PriceRule(markup_kind="percent", markup=D("10"), rounding=PriceRounding.END_99,
                     exchange_rate=D("5"))
    assert sku_price(v, rule, "USD", GB) == D("19.99")  # 17.60 × 1.1 = 19.36 → 19.99


def test_market_compare_at_feeds_the_compare_at_rules() -> None:
    v = replace(variant(price="20.00", compare_at_price=D("30.00")),
                market=MarketPrice(D("2500"), D("3200"), "USD"))
    us_v = replace(v, market=MarketPrice(D("18.00"), D("24.00"), "USD"))
    assert sku_price(us_v, PriceRule(compare_at=CompareAtMode.AS_PRICE), "USD", US) == D("24.00")
    assert sku_list_price(us_v, PriceRule(compare_at=CompareAtMode.LIST_PRICE), "USD",
                          US) == D("24.00")
    # a price in the store's currency is no Markets price for JP: the rate fallback applies
    assert source_of(v, "USD", JP) is PriceSource.EXCHANGE_RATE
    assert sku_price(v, PriceRule(exchange_rate=D("151.4")), "USD", JP) == D("3028")
    with pytest.raises(PricingError, match="no exchange rate"):
        sku_price(v, PriceRule(), "USD", JP)


def test_jpy_market_price_keeps_whole_yen() -> None:
    v = replace(variant(price="19.99"), market=MarketPrice(D("3026"), None, "JPY"))
    assert sku_price(v, PriceRule(rounding=PriceRounding.END_99), "USD", JP) == D("3026")


def test_snapshot_gets_prices_only_where_currencies_differ() -> None:
    a, b = variant("gid://shopify/ProductVariant/1"), variant("gid://shopify/ProductVariant/2")
    snap = ProductSnapshot(id="gid://shopify/Product/1", title="T", variants=(a, b))
    assert needs_market_prices(snap, GB) and not needs_market_prices(snap, US)
    priced = with_market_prices(snap, {a.id: MarketPrice(D("8.00"), None, "GBP")})
    assert priced.variants[0].market == MarketPrice(D("8.00"), None, "GBP")
    assert priced.variants[1].market is None
    assert source_of(priced.variants[1], "USD", GB) is PriceSource.EXCHANGE_RATE
    assert source_of(a, "GBP", GB) is PriceSource.STORE
