"""Package weight and dimension units: Shopify → TikTok, within each region's rules.

Called by `mapping` and `preflight`. TikTok (Create Product doc, `package_weight`,
`package_dimensions`): weight is a positive number — GRAM an integer, KILOGRAM ≤ 3 decimals,
POUND ≤ 2 decimals; dimensions are positive whole numbers; weight and dimensions must use the
same measurement system (`12052915`), and imperial units exist only in the US (`12019061`).
Every conversion rounds **up**, so a package is never declared lighter or smaller than it is
and never becomes 0 (`12052181`).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from ecomsend.sync.products.types import DimensionUnit, ShopifyWeightUnit, WeightUnit

#: Grams per unit (exact definitions: 1 lb = 453.59237 g, 1 oz = 1/16 lb).
_GRAMS: dict[str, Decimal] = {
    "GRAM": Decimal(1), "GRAMS": Decimal(1),
    "KILOGRAM": Decimal(1000), "KILOGRAMS": Decimal(1000),
    "POUND": Decimal("453.59237"), "POUNDS": Decimal("453.59237"),
    "OUNCES": Decimal("453.59237") / 16,
}
#: Centimetres per unit (1 in = 2.54 cm exactly).
_CM: dict[str, Decimal] = {"CENTIMETER": Decimal(1), "INCH": Decimal("2.54")}
#: Decimal places TikTok accepts per weight unit.
WEIGHT_DECIMALS: dict[WeightUnit, int] = {"GRAM": 0, "KILOGRAM": 3, "POUND": 2}


def is_imperial(unit: WeightUnit | DimensionUnit) -> bool:
    """POUND and INCH are imperial; the rest metric."""
    return unit in ("POUND", "INCH")


def dimension_unit_for(weight_unit: WeightUnit) -> DimensionUnit:
    """The dimension unit of the same measurement system as the weight unit."""
    return "INCH" if weight_unit == "POUND" else "CENTIMETER"


def convert_weight(
    value: Decimal, from_unit: WeightUnit | ShopifyWeightUnit, to_unit: WeightUnit
) -> Decimal:
    """Convert and round up to what TikTok accepts for `to_unit`."""
    grams = value * _GRAMS[from_unit]
    out = grams / _GRAMS[to_unit]
    step = Decimal(1).scaleb(-WEIGHT_DECIMALS[to_unit])
    return out.quantize(step, rounding=ROUND_CEILING)


def convert_length(value: Decimal, from_unit: DimensionUnit, to_unit: DimensionUnit) -> Decimal:
    """Convert and round up to a whole number (TikTok dimensions are whole numbers)."""
    out = value * _CM[from_unit] / _CM[to_unit]
    return out.quantize(Decimal(1), rounding=ROUND_CEILING)


def decimal_str(value: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros ("1.5", "2", "0.125")."""
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"
