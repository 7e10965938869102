"""Region rules: the nine markets with the documented currencies, ranges and limits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomsend.sync.products.regions import REGIONS, UnknownRegion, region_rules

EXPECTED_CURRENCY = {
    "US": "USD", "GB": "GBP", "FR": "EUR", "DE": "EUR", "IT": "EUR", "ES": "EUR", "IE": "EUR",
    "JP": "JPY", "MX": "MXN",
}


def test_nine_regions_with_their_currencies() -> None:
    assert {code: r.currency for code, r in REGIONS.items()} == EXPECTED_CURRENCY


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [("US", "0.01", "7600"), ("GB", "0.01", "5600"), ("DE", "0.01", "6300"),
     ("IE", "0.01", "6300"), ("JP", "1", "500000"), ("MX", "1", "50000")],
)
def test_local_price_ranges_match_the_pricing_guide(code: str, low: str, high: str) -> None:
    assert region_rules(code).price_range() == (Decimal(low), Decimal(high))


def test_cross_border_caps_are_lower() -> None:
    assert region_rules("US").price_range(cross_border=True)[1] == Decimal("800")
    assert region_rules("GB").price_range(cross_border=True)[1] == Decimal("134.5")
    assert region_rules("FR").price_range(cross_border=True)[1] == Decimal("150")
    assert region_rules("JP").price_range(cross_border=True)[1] == Decimal("10000")


def test_title_limits_and_units() -> None:
    assert region_rules("MX").title_max == 300
    assert all(REGIONS[c].title_max == 255 for c in REGIONS if c != "MX")
    assert region_rules("US").weight_units == ("KILOGRAM", "POUND")
    assert "POUND" not in region_rules("GB").weight_units
    assert region_rules("JP").weight_units == ("KILOGRAM", "GRAM")
    assert region_rules("US").dimension_units == ("CENTIMETER", "INCH")
    assert region_rules("DE").dimension_units == ("CENTIMETER",)


def test_region_specific_flags() -> None:
    assert region_rules("US").supports_list_price
    assert not any(REGIONS[c].supports_list_price for c in REGIONS if c != "US")
    assert {c for c, r in REGIONS.items() if r.eu_gpsr} == {"FR", "DE", "IT", "ES", "IE"}
    assert region_rules("JP").currency_decimals == 0
    assert region_rules("US").category_version == "v2"
    assert all(r.sku_max == 300 and r.main_images_max == 9 for r in REGIONS.values())


def test_lookup_accepts_uk_alias_and_lowercase() -> None:
    assert region_rules("uk").code == "GB"
    assert region_rules(" us ").code == "US"
    with pytest.raises(UnknownRegion, match="BR"):
        region_rules("BR")
