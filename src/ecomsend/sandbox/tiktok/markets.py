"""Per-market facts for the nine supported regions (reference §4.2 and §7)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Market:
    """What the sandbox checks a product against in one region."""

    region: str
    currency: str
    locale: str
    price_min: Decimal
    price_max: Decimal
    #: Cross-border (global seller) price cap (reference §7: US 800, UK 134.5, EU 150, JP 10,000).
    cb_price_max: Decimal
    title_max: int
    category_version: str
    weight_units: tuple[str, ...]
    dimension_units: tuple[str, ...]
    max_skus: int
    is_eu: bool
    country: str


#: Every region the app supports; any other region in a request is refused.
REGIONS = ("US", "GB", "FR", "DE", "IT", "ES", "IE", "JP", "MX")

#: SKU cap for BR, EU, JP, MX, UK, US (reference §4.2: "at most 300 … at most 100 elsewhere").
MAX_SKUS_BIG_MARKETS = 300
#: Title length for DE, ES, FR, IE, IT, JP, UK, US is [1,255]; BR and MX [1,300] (reference §4.2).
TITLE_MAX_DEFAULT = 255
TITLE_MAX_MX = 300
#: Description limits (reference §4.2): HTML ≤ 10,000 chars and ≤ 30 <img> tags.
DESCRIPTION_MAX = 10_000
DESCRIPTION_MAX_IMAGES = 30
#: At most 9 main images per product (reference §4.2).
MAX_MAIN_IMAGES = 9
#: seller_sku is 1–50 characters (reference §4.2).
SELLER_SKU_MAX = 50
#: Inventory quantity range: docs say [1, 99,999]; 0 allowed by option (reference §9).
INVENTORY_MAX = 99_999

_EU_UNITS = (("KILOGRAM",), ("CENTIMETER",))


def _eu(region: str, locale: str, country: str) -> Market:
    """A euro-zone market (DE/FR/IT/ES/IE share limits and units)."""
    return Market(region, "EUR", locale, Decimal("0.01"), Decimal("6300"), Decimal("150"),
                  TITLE_MAX_DEFAULT, "v1", *_EU_UNITS, MAX_SKUS_BIG_MARKETS, True, country)


MARKETS: dict[str, Market] = {
    # US: v2 category tree mandatory; imperial units allowed (reference §7 "US specifics").
    "US": Market("US", "USD", "en-US", Decimal("0.01"), Decimal("7600"), Decimal("800"),
                 TITLE_MAX_DEFAULT, "v2", ("KILOGRAM", "POUND"), ("CENTIMETER", "INCH"),
                 MAX_SKUS_BIG_MARKETS, False, "United States"),
    "GB": Market("GB", "GBP", "en-GB", Decimal("0.01"), Decimal("5600"), Decimal("134.5"),
                 TITLE_MAX_DEFAULT, "v1", *_EU_UNITS, MAX_SKUS_BIG_MARKETS, False,
                 "United Kingdom"),
    "FR": _eu("FR", "fr-FR", "France"),
    "DE": _eu("DE", "de-DE", "Germany"),
    "IT": _eu("IT", "it-IT", "Italy"),
    "ES": _eu("ES", "es-ES", "Spain"),
    "IE": _eu("IE", "en-IE", "Ireland"),
    # JP and MX: whole-unit currencies; GRAM allowed (reference §4.2 package_weight.unit).
    "JP": Market("JP", "JPY", "ja-JP", Decimal("1"), Decimal("500000"), Decimal("10000"),
                 TITLE_MAX_DEFAULT, "v1", ("KILOGRAM", "GRAM"), ("CENTIMETER",),
                 MAX_SKUS_BIG_MARKETS, False, "Japan"),
    "MX": Market("MX", "MXN", "es-MX", Decimal("1"), Decimal("50000"), Decimal("50000"),
                 TITLE_MAX_MX, "v1", ("KILOGRAM", "GRAM"), ("CENTIMETER",),
                 MAX_SKUS_BIG_MARKETS, False, "Mexico"),
}

#: Units of the imperial system (reference §4.2: weight and dimensions must share a system).
IMPERIAL_UNITS = frozenset({"POUND", "INCH"})
#: Every unit name TikTok knows for package weight / dimensions.
KNOWN_WEIGHT_UNITS = frozenset({"KILOGRAM", "GRAM", "POUND"})
KNOWN_DIMENSION_UNITS = frozenset({"CENTIMETER", "INCH"})


def market(region: str) -> Market:
    """The Market for a region code (GB, not UK)."""
    return MARKETS[region]
