"""Pre-flight checks of the SKUs: count, sales attributes, seller SKUs, prices, warehouses.

Called by `preflight.validate`. Paths use the index of the SKU in the mapped `skus[]` (Shopify
position order, as `mapping.build_skus` produces them). TikTok's rules (Create Product doc,
reference §4.2): ≤ 300 SKUs in the nine regions (`12052050`); ≤ 3 sales attributes
(`12052525`); every SKU carries every attribute (`12052550`) with a unique combination (doc
"Common mistakes"); custom names ≤ 20, values ≤ 50 characters; `seller_sku` 1–50 characters
without spaces (`12052054`, `12019059`); price within the market range (`12052570`, reference §7);
a warehouse on every SKU (`12019022`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ecomsend.sync.errors import FieldError
from ecomsend.sync.products import inventory, pricing
from ecomsend.sync.products.mapping import option_names, option_value
from ecomsend.sync.products.regions import (
    SALES_ATTRIBUTE_NAME_MAX,
    SALES_ATTRIBUTE_VALUE_MAX,
    SALES_ATTRIBUTES_MAX,
    SELLER_SKU_MAX,
    RegionRules,
)
from ecomsend.sync.products.text import clean_text, has_han, only_symbols, repeated_run
from ecomsend.sync.products.types import ProductPrefs, ProductSnapshot, VariantSnapshot


def variant_label(variant: VariantSnapshot, position: int) -> str:
    """How a merchant recognises a variant: “Red / M”, else its SKU, else “variant 3”."""
    values = " / ".join(v for _, v in variant.options if v)
    if values and values != "Default Title":
        return f"“{values}”"
    return f"“{variant.sku}”" if variant.sku else f"variant {position}"


def check_sku_count(product: ProductSnapshot, region: RegionRules) -> list[FieldError]:
    """At least one SKU and at most the region's maximum."""
    n = len(product.variants)
    if n == 0:
        return [FieldError("skus", "The product has no variants.",
                           "Add at least one variant in Shopify.")]
    if n > region.sku_max:
        return [FieldError(
            "skus", f"The product has {n} variants; TikTok {region.code} allows at most "
            f"{region.sku_max}.", "Split the product in Shopify or remove variants.",
        )]
    return []


def _text_problems(text: str, what: str, region: RegionRules) -> list[str]:
    """Formatting rules shared by attribute names and values (`12052933`, `12052934`)."""
    problems = []
    if only_symbols(text):
        problems.append(f"{what} “{text}” has no letters or digits")
    if repeated_run(text):
        problems.append(f"{what} “{text}” repeats one character 9 times or more")
    if not region.allows_han and has_han(text):
        problems.append(f"{what} “{text}” contains Chinese characters")
    return problems


def _check_option_names(names: tuple[str, ...], region: RegionRules) -> list[FieldError]:
    errors = []
    if len(names) > SALES_ATTRIBUTES_MAX:
        errors.append(FieldError(
            "sales_attributes", f"The product has {len(names)} options; TikTok allows at most "
            f"{SALES_ATTRIBUTES_MAX}.", "Reduce the product's options to 3 in Shopify.",
        ))
    for j, name in enumerate(names):
        path, clean = f"sales_attributes[{j}].name", clean_text(name)
        fix = f"Rename the option “{name}” in Shopify."
        if not clean:
            errors.append(FieldError(path, f"Option {j + 1} has no name.", fix))
        elif len(clean) > SALES_ATTRIBUTE_NAME_MAX:
            errors.append(FieldError(path, f"Option name “{clean}” is {len(clean)} characters; "
                                     f"TikTok allows at most {SALES_ATTRIBUTE_NAME_MAX}.", fix))
        errors.extend(FieldError(path, p + ".", fix) for p in _text_problems(clean, "Option name",
                                                                              region))
    return errors


def _check_option_values(
    product: ProductSnapshot, names: tuple[str, ...], region: RegionRules
) -> list[FieldError]:
    errors = []
    seen: dict[tuple[str, ...], int] = {}
    for i, v in enumerate(product.sorted_variants):
        label = variant_label(v, i + 1)
        combo = tuple(clean_text(option_value(v, n)).casefold() for n in names)
        for j, name in enumerate(names):
            path = f"skus[{i}].sales_attributes[{j}].value_name"
            value = clean_text(option_value(v, name))
            fix = f"Set the “{name}” value of variant {label} in Shopify."
            if not value:
                errors.append(FieldError(path, f"Variant {label} has no “{name}” value.", fix))
            elif len(value) > SALES_ATTRIBUTE_VALUE_MAX:
                errors.append(FieldError(path, f"“{name}” value “{value}” is {len(value)} "
                              f"characters; TikTok allows at most {SALES_ATTRIBUTE_VALUE_MAX}.",
                              fix))
            errors.extend(FieldError(path, p + ".", fix)
                          for p in _text_problems(value, f"“{name}” value", region))
        if names and combo in seen:
            errors.append(FieldError(
                f"skus[{i}].sales_attributes",
                f"Variant {label} has the same options as variant {seen[combo] + 1}; "
                "TikTok needs every variant to differ.",
                "Give the variants different option values in Shopify.",
            ))
        seen.setdefault(combo, i)
    return errors


def check_sales_attributes(product: ProductSnapshot, region: RegionRules) -> list[FieldError]:
    """Option count, names, and every variant's values (present, short, unique combination)."""
    names = option_names(product)
    if not names:
        if len(product.variants) > 1:  # sales attributes are required beyond one SKU
            return [FieldError(
                "sales_attributes", f"The product has {len(product.variants)} variants but no "
                "options to tell them apart; TikTok needs options when there is more than one "
                "variant.", "Add an option (such as Size) to the product's variants in Shopify.",
            )]
        return []
    return _check_option_names(names, region) + _check_option_values(product, names, region)


def check_seller_skus(
    product: ProductSnapshot, listing_skus: Mapping[str, str]
) -> list[FieldError]:
    """Every variant has a SKU, ≤ 50 chars, no spaces, unique in the product and the shop.

    `listing_skus` maps SKUs already used by *other* products of the TikTok shop to a name.
    """
    errors = []
    first: dict[str, int] = {}
    for i, v in enumerate(product.sorted_variants):
        path, label, sku = f"skus[{i}].seller_sku", variant_label(v, i + 1), (v.sku or "").strip()
        if not sku:
            errors.append(FieldError(path, f"Variant {label} has no SKU.",
                                     f"Add a SKU to variant {label} in Shopify."))
            continue
        fix = f"Change the SKU of variant {label} in Shopify."
        if len(sku) > SELLER_SKU_MAX:
            errors.append(FieldError(path, f"SKU “{sku}” is {len(sku)} characters; TikTok allows "
                                     f"at most {SELLER_SKU_MAX}.", fix))
        if any(ch.isspace() for ch in sku):
            errors.append(FieldError(path, f"SKU “{sku}” contains spaces; TikTok refuses them.",
                                     fix))
        if sku.casefold() in first:
            errors.append(FieldError(path, f"SKU “{sku}” is also used by variant "
                                     f"{first[sku.casefold()] + 1} of this product.", fix))
        elif sku in listing_skus:
            errors.append(FieldError(path, f"SKU “{sku}” is already used by "
                                     f"{listing_skus[sku]} on TikTok.", fix))
        first.setdefault(sku.casefold(), i)
    return errors


def _fmt(amount: Decimal, region: RegionRules) -> str:
    return f"{pricing.format_amount(amount, region.currency_decimals)} {region.currency}"


def check_prices(
    product: ProductSnapshot, prefs: ProductPrefs, region: RegionRules
) -> list[FieldError]:
    """Each SKU's final price (after the price rule) within the market's range."""
    low, high = region.price_range(prefs.seller_type == "CROSS_BORDER")
    errors = []
    for i, v in enumerate(product.sorted_variants):
        path = f"skus[{i}].price.amount"
        try:
            price = pricing.sku_price(v, prefs.price_rule, product.currency, region)
        except pricing.PricingError as exc:
            return [FieldError("skus[*].price.amount", str(exc),
                               "Set an exchange rate in the price rule settings.")]
        if not low <= price <= high:
            errors.append(FieldError(
                path, f"Variant {variant_label(v, i + 1)} would cost {_fmt(price, region)} on "
                f"TikTok; TikTok {region.code} accepts {_fmt(low, region)} to "
                f"{_fmt(high, region)}.",
                "Change the variant's price in Shopify or the price rule in settings.",
            ))
    return errors


def check_inventory(product: ProductSnapshot, prefs: ProductPrefs) -> list[FieldError]:
    """A TikTok warehouse must receive the stock (`12019022` SKU without a valid warehouse)."""
    if product.variants and not inventory.warehouse_ids(prefs):
        return [FieldError(
            "skus[*].inventory", "No TikTok warehouse is set up to receive this product's stock.",
            "Map a Shopify location to a TikTok warehouse in the product settings.",
        )]
    return []
