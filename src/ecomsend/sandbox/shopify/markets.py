"""Shopify Markets: markets by country with a price list each, and the contextual price of a
variant for a buyer country (`ProductVariant.contextualPricing(context: {country:})`).

Read from the 2026-07 schema's descriptions (`contracts/shopify/admin-2026-07.graphql`):
`contextualPricing` is "the pricing that applies for a customer in a given context. As of API
version 2025-04, only active markets are considered in the price resolution"; a `PriceList`
has a `currency`, a `parent` adjustment (`PriceListAdjustment {type: PERCENTAGE_DECREASE |
PERCENTAGE_INCREASE, value}`) and fixed `prices` per variant (`PriceListPrice {price,
compareAtPrice, originType: FIXED | RELATIVE}`); a country belongs to at most one region market.
A country in no active market gets the store's own prices in the store's currency.

Where the sandbox decides (CONTROL.md "Markets"): the store-currency → market-currency rate is
the market's `exchange_rate` (Shopify uses its own daily rates unless the merchant set a manual
rate), and a converted price is rounded half up to the currency's minor unit (Shopify may also
apply the market's rounding rule, e.g. .95 endings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ecomsend.sandbox.shopify.store import Shop, Variant

#: ISO 4217 currencies without minor units that the nine TikTok markets use (JPY) and a few more.
ZERO_DECIMAL = frozenset({"JPY", "KRW", "CLP", "VND", "ISK", "HUF", "TWD"})
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class MarketError(ValueError):
    """A control-API market body Shopify would refuse (the control route answers 422)."""


@dataclass
class Market:
    """One market: countries, its price list's currency and how prices derive from the base."""

    id: int
    name: str
    countries: tuple[str, ...]
    currency: str
    exchange_rate: Decimal
    adjustment_percent: Decimal = Decimal(0)  # price list parent adjustment (+ up / - down)
    active: bool = True
    price_list_id: int = 0
    #: Fixed prices of the price list: variant id -> (price, compare-at or None).
    fixed: dict[int, tuple[Decimal, Decimal | None]] = field(default_factory=dict)


def markets_of(shop: Shop) -> dict[int, Market]:
    """The shop's markets by id."""
    found: dict[int, Market] = shop.markets
    return found


def _decimal(value: Any, what: str) -> Decimal:
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise MarketError(f"{what} must be a decimal number, got {value!r}") from None
    if not out.is_finite():
        raise MarketError(f"{what} must be finite")
    return out


def add_market(shop: Shop, market_id: int, list_id: int, body: dict[str, Any]) -> Market:
    """Validate a control-API body and add the market (a country already in another active
    market is refused: Shopify keeps a country in one region market)."""
    countries = tuple(str(c).upper() for c in body.get("countries") or ())
    if not countries or not all(_COUNTRY.match(c) for c in countries):
        raise MarketError("countries must be a non-empty list of ISO 3166-1 alpha-2 codes")
    currency = str(body.get("currency", "")).upper()
    if not _CURRENCY.match(currency):
        raise MarketError("currency must be an ISO 4217 code")
    rate = _decimal(body.get("exchange_rate", 1), "exchange_rate")
    if rate <= 0:
        raise MarketError("exchange_rate must be above 0")
    taken = {c for m in markets_of(shop).values() if m.active for c in m.countries}
    if taken & set(countries):
        raise MarketError(f"{', '.join(sorted(taken & set(countries)))} already belong(s) to "
                          "another market")
    market = Market(id=market_id, name=str(body.get("name") or ", ".join(countries)),
                    countries=countries, currency=currency, exchange_rate=rate,
                    adjustment_percent=_decimal(body.get("adjustment_percent", 0),
                                                "adjustment_percent"),
                    active=bool(body.get("active", True)), price_list_id=list_id)
    markets_of(shop)[market.id] = market
    return market


def set_fixed_prices(market: Market, prices: dict[int, dict[str, Any]]) -> None:
    """Fixed prices on the market's price list (variant id -> {price, compare_at})."""
    for variant_id, row in prices.items():
        price = _decimal(row.get("price"), "price")
        if price < 0:
            raise MarketError("price must not be negative")
        cap = row.get("compare_at")
        market.fixed[variant_id] = (price, None if cap is None else _decimal(cap, "compare_at"))


def market_for(shop: Shop, country: str | None) -> Market | None:
    """The active market selling to `country`, if any."""
    code = (country or "").upper()
    return next((m for m in markets_of(shop).values() if m.active and code in m.countries),
                None)


def _round(amount: Decimal, currency: str) -> Decimal:
    unit = Decimal(1) if currency in ZERO_DECIMAL else Decimal("0.01")
    return amount.quantize(unit, rounding=ROUND_HALF_UP)


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": f"{_round(amount, currency):f}", "currencyCode": currency}


def contextual_pricing(shop: Shop, variant: Variant, country: str | None) -> dict[str, Any]:
    """`ProductVariantContextualPricing` for a buyer country: the market's fixed price, else the
    base price converted and adjusted; the store's prices where no active market sells."""
    market = market_for(shop, country)
    base = Decimal(variant.price)
    cap = Decimal(variant.compare_at_price) if variant.compare_at_price else None
    if market is None:
        return {"price": _money(base, shop.currency),
                "compareAtPrice": None if cap is None else _money(cap, shop.currency),
                "quantityPriceBreaks": {"nodes": [], "edges": []}, "quantityRule": None}
    if variant.id in market.fixed:
        price, fixed_cap = market.fixed[variant.id]
        return {"price": _money(price, market.currency),
                "compareAtPrice": None if fixed_cap is None else _money(fixed_cap,
                                                                        market.currency),
                "quantityPriceBreaks": {"nodes": [], "edges": []}, "quantityRule": None}
    factor = market.exchange_rate * (Decimal(100) + market.adjustment_percent) / Decimal(100)
    return {"price": _money(base * factor, market.currency),
            "compareAtPrice": None if cap is None else _money(cap * factor, market.currency),
            "quantityPriceBreaks": {"nodes": [], "edges": []}, "quantityRule": None}


def market_json(market: Market) -> dict[str, Any]:
    """The control API's view of a market."""
    return {"id": market.id, "admin_graphql_api_id": f"gid://shopify/Market/{market.id}",
            "name": market.name, "countries": list(market.countries),
            "currency": market.currency, "exchange_rate": f"{market.exchange_rate:f}",
            "adjustment_percent": f"{market.adjustment_percent:f}", "active": market.active,
            "price_list_id": f"gid://shopify/PriceList/{market.price_list_id}",
            "fixed_prices": len(market.fixed)}
