"""Price rule: markup, rounding, compare-at, conversion — Decimal exact, never float."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from ecomsend.sync.products.pricing import (
    PricingError,
    format_amount,
    round_price,
    sku_list_price,
    sku_price,
)
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.types import CompareAtMode, PriceRounding, PriceRule

from .factories import variant

D = Decimal
US, GB, JP, DE = (region_rules(c) for c in ("US", "GB", "JP", "DE"))


def price(value: str, rule: PriceRule, currency: str = "USD", region=US, **kw):  # type: ignore[no-untyped-def]
    return sku_price(variant(price=value, **kw), rule, currency, region)


def test_no_rule_keeps_the_price_quantized() -> None:
    assert price("10", PriceRule()) == D("10.00")
    assert price("10.005", PriceRule()) == D("10.01")  # half up
    assert isinstance(price("10", PriceRule()), Decimal)


def test_percent_and_fixed_markup() -> None:
    assert price("10.00", PriceRule(markup_kind="percent", markup=D("15"))) == D("11.50")
    assert price("10.00", PriceRule(markup_kind="fixed", markup=D("2.5"))) == D("12.50")
    assert price("10.00", PriceRule(markup_kind="percent", markup=D("-10"))) == D("9.00")
    # exact decimal arithmetic: 0.1 * 3 is not 0.30000000000000004
    assert price("0.10", PriceRule(markup_kind="percent", markup=D("200"))) == D("0.30")


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        ("12.30", PriceRounding.END_99, "12.99"),
        ("12.99", PriceRounding.END_99, "12.99"),  # exact .99 stays
        ("13.00", PriceRounding.END_99, "13.99"),  # exact whole goes up, never down
        ("0.01", PriceRounding.END_99, "0.99"),
        ("12.30", PriceRounding.END_95, "12.95"),
        ("12.95", PriceRounding.END_95, "12.95"),
        ("12.97", PriceRounding.END_95, "13.95"),
        ("12.01", PriceRounding.WHOLE, "13.00"),
        ("12.00", PriceRounding.WHOLE, "12.00"),
        ("12.344", PriceRounding.NONE, "12.34"),
    ],
)
def test_rounding(value: str, rounding: PriceRounding, expected: str) -> None:
    assert round_price(D(value), rounding, 2) == D(expected)


def test_rounding_never_lowers_the_price_property() -> None:
    rng = random.Random(6)
    for _ in range(2000):
        amount = D(rng.randint(1, 10_000_00)) / 100
        for rounding in PriceRounding:
            out = round_price(amount, rounding, 2)
            assert out >= amount
            assert out - amount < 1
            if rounding is PriceRounding.END_99:
                assert str(out).endswith(".99")
            if rounding is PriceRounding.END_95:
                assert str(out).endswith(".95")


def test_zero_decimal_currency_rounds_to_whole_yen() -> None:
    rule = PriceRule(rounding=PriceRounding.END_99, exchange_rate=D("151.237"))
    assert price("10.00", rule, region=JP) == D("1512")  # 1512.37 → whole yen (half up)
    assert format_amount(D("1513"), 0) == "1513"


def test_currency_conversion_uses_the_given_rate() -> None:
    rule = PriceRule(exchange_rate=D("0.79"))
    assert price("10.00", rule, region=GB) == D("7.90")
    # percent before conversion, fixed markup after it, in the TikTok currency
    rule = PriceRule(markup_kind="fixed", markup=D("1"), exchange_rate=D("0.9"))
    assert price("10.00", rule, region=DE) == D("10.00")


def test_conversion_without_rate_fails_clearly() -> None:
    with pytest.raises(PricingError, match=r"USD.*GBP"):
        price("10.00", PriceRule(), region=GB)
    with pytest.raises(PricingError):
        price("10.00", PriceRule(exchange_rate=D(0)), region=GB)
    # same currency needs no rate, whatever the case of the code
    assert price("10", PriceRule(), currency="usd") == D("10.00")


def test_compare_at_as_list_price_us_only() -> None:
    rule = PriceRule(markup_kind="percent", markup=D("10"), compare_at=CompareAtMode.LIST_PRICE)
    v = variant(price="10.00", compare_at_price=D("20.00"))
    assert sku_list_price(v, rule, "USD", US) == D("22.00")
    assert sku_list_price(v, rule, "EUR", DE) is None  # list_price is US-only
    lower = variant(price="10.00", compare_at_price=D("9.00"))
    assert sku_list_price(lower, rule, "USD", US) is None  # TikTok discards a lower one
    assert sku_list_price(v, PriceRule(), "USD", US) is None


def test_compare_at_as_price_uses_the_higher_original() -> None:
    rule = PriceRule(compare_at=CompareAtMode.AS_PRICE)
    assert price("10.00", rule, compare_at_price=D("14.00")) == D("14.00")
    assert price("10.00", rule, compare_at_price=D("8.00")) == D("10.00")
    assert price("10.00", rule) == D("10.00")


def test_format_amount_is_plain_decimal() -> None:
    assert format_amount(D("1E+3"), 2) == "1000.00"
    assert format_amount(D("12.5"), 2) == "12.50"
