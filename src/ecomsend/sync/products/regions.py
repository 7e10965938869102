"""The nine TikTok Shop markets EcomSend supports and the listing rules of each.

Read by `pricing` (currency, decimals), `mapping` (units, limits, US-only fields) and `preflight`
(every limit). Sources, all in `shared/reference/tiktok-api.md`:
- §7 "Regions and markets": currencies, default locales, local/cross-border price ranges
  (TikTok's "Product pricing" guide), US-only `list_price`, EU GPSR fields.
- §4.2 "Create product": title length per region, description ≤ 10,000 chars and ≤ 30 `<img>`,
  ≤ 9 main images, ≤ 300 SKUs (BR, EU, JP, MX, UK, US), `seller_sku` 1–50 chars, custom sales
  attribute name ≤ 20 / value ≤ 50, ≤ 3 sales attributes, inventory [1, 99,999], weight and
  dimension units per region, `category_version` (v2 for US).
- §4.5 "Upload Product Image": JPG, JPEG, PNG, WEBP, HEIC, BMP.
Where the docs are silent the choice is marked "docs silent" and is the conservative one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ecomsend.regions import UnknownRegion as UnknownRegion
from ecomsend.regions import region_code
from ecomsend.sync.products.types import DimensionUnit, WeightUnit

#: Description: max characters and `<img>` tags (Create Product doc, `description`).
DESCRIPTION_MAX_CHARS = 10_000
DESCRIPTION_MAX_IMAGES = 30
#: Main images: at most 9, at least 1 (`12052028` main image required).
MAIN_IMAGES_MAX = 9
#: At most 3 sales attribute types per product (`12052525`).
SALES_ATTRIBUTES_MAX = 3
#: Custom sales attribute name / value lengths (Create Product doc, `sales_attributes`).
SALES_ATTRIBUTE_NAME_MAX = 20
SALES_ATTRIBUTE_VALUE_MAX = 50
#: Custom product attribute value length (Create Product doc, `product_attributes.values.name`).
PRODUCT_ATTRIBUTE_VALUE_MAX = 2000
#: `seller_sku`: 1–50 characters, no spaces (Create Product doc).
SELLER_SKU_MAX = 50
#: Inventory per warehouse: the docs say [1, 99,999]; 0 marks sold out (reference §9).
INVENTORY_MAX = 99_999
#: Upload Product Image formats (reference §4.5); anything else is refused by TikTok.
IMAGE_FORMATS = frozenset({"jpg", "jpeg", "png", "webp", "heic", "bmp"})

#: Regions whose products may carry ≤ 300 SKUs (Create Product doc); the rest 100. All nine are.
_SKU_MAX = 300


@dataclass(frozen=True, slots=True)
class RegionRules:
    """Everything region-specific a listing must respect in one TikTok market."""

    code: str
    currency: str
    #: Minor-unit digits of the currency (ISO 4217; docs silent: JPY has none, JP min price is 1).
    currency_decimals: int
    locale: str
    title_min: int
    title_max: int
    price_min: Decimal
    price_max: Decimal
    #: Cap for global sellers shipping from cross-border warehouses (Product pricing guide).
    cross_border_price_max: Decimal
    weight_units: tuple[WeightUnit, ...]
    dimension_units: tuple[DimensionUnit, ...]
    category_version: str
    description_max: int = DESCRIPTION_MAX_CHARS
    description_max_images: int = DESCRIPTION_MAX_IMAGES
    main_images_max: int = MAIN_IMAGES_MAX
    sku_max: int = _SKU_MAX
    #: `list_price` / `external_list_prices` exist only in the US (Create Product doc).
    supports_list_price: bool = False
    #: EU GPSR: manufacturer / responsible person may be required (reference §7).
    eu_gpsr: bool = False
    #: Han characters are legitimate only in Japanese; elsewhere TikTok refuses Chinese text
    #: in titles and descriptions (`12052262`, `12052346`).
    allows_han: bool = False

    @property
    def default_weight_unit(self) -> WeightUnit:
        """The metric unit every region accepts (KILOGRAM)."""
        return "KILOGRAM"

    def price_range(self, cross_border: bool = False) -> tuple[Decimal, Decimal]:
        """The allowed `[min, max]` price for a local or a cross-border seller."""
        return (self.price_min, self.cross_border_price_max if cross_border else self.price_max)


_METRIC_KG: tuple[WeightUnit, ...] = ("KILOGRAM",)
_METRIC_KG_G: tuple[WeightUnit, ...] = ("KILOGRAM", "GRAM")
_CM: tuple[DimensionUnit, ...] = ("CENTIMETER",)
_EU_MAX = Decimal("6300")
#: Cross-border cap for the EU markets; IE is not listed in the guide (docs silent): use the EU one.
_EU_CB_MAX = Decimal("150")


def _eu(code: str, locale: str) -> RegionRules:
    """An EU market: EUR, [1, 255] titles, 0.01–6,300 (Product pricing guide), GPSR."""
    return RegionRules(
        code=code, currency="EUR", currency_decimals=2, locale=locale, title_min=1, title_max=255,
        price_min=Decimal("0.01"), price_max=_EU_MAX, cross_border_price_max=_EU_CB_MAX,
        weight_units=_METRIC_KG, dimension_units=_CM, category_version="v1", eu_gpsr=True,
    )


#: The nine regions (DESIGN.md intro). category_version: v2 for US, v1 elsewhere (reference §4.2,
#: marked [INF] there: use what Get Categories was called with; the template may override).
REGIONS: dict[str, RegionRules] = {
    "US": RegionRules(
        code="US", currency="USD", currency_decimals=2, locale="en-US", title_min=1,
        title_max=255, price_min=Decimal("0.01"), price_max=Decimal("7600"),
        cross_border_price_max=Decimal("800"), weight_units=("KILOGRAM", "POUND"),
        dimension_units=("CENTIMETER", "INCH"), category_version="v2", supports_list_price=True,
    ),
    "GB": RegionRules(
        code="GB", currency="GBP", currency_decimals=2, locale="en-GB", title_min=1,
        title_max=255, price_min=Decimal("0.01"), price_max=Decimal("5600"),
        cross_border_price_max=Decimal("134.5"), weight_units=_METRIC_KG, dimension_units=_CM,
        category_version="v1",
    ),
    "FR": _eu("FR", "fr-FR"),
    "DE": _eu("DE", "de-DE"),
    "IT": _eu("IT", "it-IT"),
    "ES": _eu("ES", "es-ES"),
    "IE": _eu("IE", "en-IE"),
    "JP": RegionRules(
        code="JP", currency="JPY", currency_decimals=0, locale="ja-JP", title_min=1,
        title_max=255, price_min=Decimal("1"), price_max=Decimal("500000"),
        cross_border_price_max=Decimal("10000"), weight_units=_METRIC_KG_G, dimension_units=_CM,
        category_version="v1", allows_han=True,
    ),
    # MX: titles [1, 300] (Create Product doc); no cross-border cap published (docs silent):
    # the local range applies.
    "MX": RegionRules(
        code="MX", currency="MXN", currency_decimals=2, locale="es-MX", title_min=1,
        title_max=300, price_min=Decimal("1"), price_max=Decimal("50000"),
        cross_border_price_max=Decimal("50000"), weight_units=_METRIC_KG_G, dimension_units=_CM,
        category_version="v1",
    ),
}


def region_rules(code: str) -> RegionRules:
    """The rules of a region by its code (`US`, `GB`/`UK`, …, normalised by
    `ecomsend.regions.region_code`); called by use-cases and tests. Raises UnknownRegion."""
    return REGIONS[region_code(code)]
