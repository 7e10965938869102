"""The price rule: Shopify variant price → TikTok SKU price (Decimal throughout, never float).

Called by `mapping` (create/edit bodies and price-only updates), `preflight` (price range check)
and `changes.classify_change` (a Shopify price change that rounds to the same TikTok price is no
change). Order of operations, each step documented on its function:

    base (price, or compare-at with CompareAtMode.AS_PRICE)
      → percent markup → currency conversion → fixed markup (TikTok currency)
      → quantize to the currency's minor unit (half up) → rounding rule (never lowers the price)

The base comes from one `PriceSource` (`source_of`): the merchant's own Shopify Markets price
for the region's country when the job fetched one in the TikTok currency (no conversion: it is
already the merchant's price there); else the store price, as it is when the store sells in the
TikTok currency, else converted at the rule's typed exchange rate (the fallback).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ecomsend.sync.products.regions import RegionRules
from ecomsend.sync.products.types import (
    CompareAtMode,
    PriceRounding,
    PriceRule,
    PriceSource,
    VariantSnapshot,
)

_HUNDRED = Decimal(100)
#: The charm endings, as fractions of one currency unit.
_ENDINGS = {PriceRounding.END_99: Decimal("0.99"), PriceRounding.END_95: Decimal("0.95")}


class PricingError(ValueError):
    """The price rule cannot be applied (e.g. no exchange rate for a foreign currency).

    `preflight` turns it into a `FieldError`; `mapping` lets it propagate.
    """


def quantum(decimals: int) -> Decimal:
    """The smallest amount of a currency with `decimals` minor digits (2 → 0.01, 0 → 1)."""
    return Decimal(1).scaleb(-decimals)


def apply_percent(amount: Decimal, rule: PriceRule) -> Decimal:
    """Multiply by `1 + markup/100` for a percent rule; other rules leave the amount unchanged."""
    if rule.markup_kind == "percent":
        return amount * (_HUNDRED + rule.markup) / _HUNDRED
    return amount


def convert(amount: Decimal, from_currency: str, to_currency: str, rate: Decimal | None) -> Decimal:
    """Convert with the given rate (to-units per from-unit); same currency needs no rate.

    Raises `PricingError` when the currencies differ and the rate is missing or not positive.
    """
    if from_currency.upper() == to_currency.upper():
        return amount
    if rate is None or rate <= 0:
        raise PricingError(
            f"The store sells in {from_currency.upper()} but TikTok needs "
            f"{to_currency.upper()}, and no exchange rate is set."
        )
    return amount * rate


def round_price(amount: Decimal, rounding: PriceRounding, decimals: int) -> Decimal:
    """Quantize to the currency (half up), then apply the rounding rule.

    `END_99`/`END_95` give the smallest price ending in .99/.95 that is not below the amount
    (12.30 → 12.99, 13.00 → 13.99, 12.99 → 12.99, 12.97 → 13.95); `WHOLE` rounds up to a whole
    unit. For a currency without minor units (JPY) the endings fall back to `WHOLE`.
    """
    q = amount.quantize(quantum(decimals), rounding=ROUND_HALF_UP)
    if rounding is PriceRounding.NONE:
        return q
    if rounding is PriceRounding.WHOLE or decimals == 0:
        return q.quantize(Decimal(1), rounding=ROUND_CEILING).quantize(quantum(decimals))
    ending = _ENDINGS[rounding]
    candidate = q.quantize(Decimal(1), rounding=ROUND_FLOOR) + ending
    if candidate < q:
        candidate += 1
    return candidate.quantize(quantum(decimals))


def source_of(variant: VariantSnapshot, store_currency: str, region: RegionRules) -> PriceSource:
    """Which price the variant's TikTok price starts from in `region` (see the module doc)."""
    market = variant.market
    if market is not None and market.currency.upper() == region.currency:
        return PriceSource.MARKETS
    if store_currency.upper() == region.currency:
        return PriceSource.STORE
    return PriceSource.EXCHANGE_RATE


def transform(
    amount: Decimal, rule: PriceRule, store_currency: str, region: RegionRules
) -> Decimal:
    """Apply the whole rule to one Shopify amount (a price or a compare-at price) in
    `store_currency` (the region's currency for a Markets price: nothing to convert)."""
    value = apply_percent(amount, rule)
    value = convert(value, store_currency, region.currency, rule.exchange_rate)
    if rule.markup_kind == "fixed":
        value += rule.markup
    return round_price(value, rule.rounding, region.currency_decimals)


def _amounts(variant: VariantSnapshot, store_currency: str,
             region: RegionRules) -> tuple[Decimal, Decimal | None, str]:
    """(price, compare-at, their currency) from the variant's price source."""
    market = variant.market
    if market is not None and source_of(variant, store_currency, region) is PriceSource.MARKETS:
        return market.price, market.compare_at_price, region.currency
    return variant.price, variant.compare_at_price, store_currency


def _base_price(price: Decimal, cap: Decimal | None, rule: PriceRule) -> Decimal:
    """The Shopify amount the TikTok price starts from."""
    if rule.compare_at is CompareAtMode.AS_PRICE and cap is not None and cap > price:
        return cap
    return price


def sku_price(
    variant: VariantSnapshot, rule: PriceRule, store_currency: str, region: RegionRules
) -> Decimal:
    """The TikTok `price.amount` of a variant under the rule; called by mapping and preflight."""
    price, cap, currency = _amounts(variant, store_currency, region)
    return transform(_base_price(price, cap, rule), rule, currency, region)


def sku_list_price(
    variant: VariantSnapshot, rule: PriceRule, store_currency: str, region: RegionRules
) -> Decimal | None:
    """The TikTok `list_price` (struck-through original price), or None.

    Only with `CompareAtMode.LIST_PRICE`, only where the region supports it (US), and only when
    the transformed compare-at price is above the sale price (TikTok discards a lower one).
    """
    _, cap, currency = _amounts(variant, store_currency, region)
    if rule.compare_at is not CompareAtMode.LIST_PRICE or cap is None:
        return None
    if not region.supports_list_price:
        return None
    listed = transform(cap, rule, currency, region)
    return listed if listed > sku_price(variant, rule, store_currency, region) else None


def format_amount(amount: Decimal, decimals: int) -> str:
    """The decimal string TikTok expects ("12.99", "1500"), never scientific notation."""
    return f"{amount.quantize(quantum(decimals), rounding=ROUND_HALF_UP):f}"
