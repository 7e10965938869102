"""productSet's validation and variant list replacement (reference §7, §12.4).

Called by `resolvers.product_mutations._product_set`.
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify import merchant, payloads
from ecomsend.sandbox.shopify.resolvers.base import Ctx, user_error
from ecomsend.sandbox.shopify.store import Product, Variant
from ecomsend.sandbox.shopify.util import money, now, parse_gid

#: At most 3 options per product (reference §7).
MAX_OPTIONS = 3
#: At most 2048 variants per product (reference §7, productSet description).
MAX_VARIANTS = 2048


def _option_names(product: Product | None, inp: dict[str, Any]) -> list[str] | None:
    """The option names the variants must use (input's, else the product's)."""
    if inp.get("productOptions") is not None:
        return [o.get("name") or "" for o in inp["productOptions"]]
    return [o.name for o in product.options] if product else None


def check_set_input(ctx: Ctx, product: Product | None, args: dict[str, Any]
                    ) -> list[dict[str, Any]]:
    """userErrors for a productSet input, with Shopify's field paths and codes."""
    inp = args["input"]
    errors: list[dict[str, Any]] = []
    if product is None and not inp.get("title"):
        errors.append(user_error(["input", "title"], "Title can't be blank", "INVALID_PRODUCT"))
    handle = inp.get("handle")
    if handle and ctx.shop.handles.get(handle) not in (None, product.id if product else None):
        errors.append(user_error(["input", "handle"], f"Handle '{handle}' already in use. "
                                 "Please provide a new handle.", "HANDLE_NOT_UNIQUE"))
    unknown = [c for c in inp.get("collections") or []
               if parse_gid(c, "Collection") not in ctx.shop.collections]
    if unknown:
        errors.append(user_error(["input", "collections"], f"Collections not found: "
                                 f"{', '.join(unknown)}", "NOT_FOUND"))
    options = inp.get("productOptions") or []
    if len(options) > MAX_OPTIONS:
        errors.append(user_error(["input", "productOptions"], "Can only specify a maximum of 3 "
                                 "options", "OPTIONS_OVER_LIMIT"))
    variants = inp.get("variants")
    if variants is None:
        return errors
    if len(variants) > MAX_VARIANTS:
        errors.append(user_error(["input", "variants"], f"Maximum of {MAX_VARIANTS} variants "
                                 "per product", "VARIANTS_OVER_LIMIT"))
    names = _option_names(product, inp)
    if names is None and variants:
        errors.append(user_error(["input", "productOptions"], "Options must be specified when "
                                 "creating variants.", "PRODUCT_OPTIONS_INPUT_MISSING"))
        return errors
    errors += _check_variants(inp, names or [], variants)
    return errors


def _check_variants(inp: dict[str, Any], names: list[str],
                    variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every variant names a value for every option, values exist, no duplicates."""
    errors: list[dict[str, Any]] = []
    values_by_name = {o.get("name"): {v["name"] for v in o.get("values") or []}
                      for o in inp.get("productOptions") or []}
    seen: set[tuple[str, ...]] = set()
    for i, v in enumerate(variants):
        path = ["input", "variants", str(i)]
        chosen = {ov.get("optionName"): ov.get("name") for ov in v["optionValues"]}
        if set(chosen) != set(names):
            errors.append(user_error([*path, "optionValues"], "The variant must have a value "
                                     "for every product option.", "OPTION_VALUES_MISSING"))
            continue
        for name, value in chosen.items():
            allowed = values_by_name.get(name)
            if allowed is not None and value not in allowed:
                errors.append(user_error([*path, "optionValues"], f"Option value '{value}' "
                                         f"does not exist on option '{name}'.",
                                         "OPTION_VALUE_DOES_NOT_EXIST"))
        combo = tuple(chosen[n] or "" for n in names)
        if combo in seen:
            errors.append(user_error([*path, "optionValues"], f"The variant '{' / '.join(combo)}'"
                                     " already exists.", "DUPLICATED_OPTION_VALUE"))
        seen.add(combo)
    return errors


def _update_variant(variant: Variant, v: dict[str, Any], values: list[str]) -> None:
    """Apply a ProductVariantSetInput to an existing or new variant."""
    variant.options = values
    for key, attr_name in (("sku", "sku"), ("barcode", "barcode")):
        if key in v:
            setattr(variant, attr_name, v[key])
    item_in = v.get("inventoryItem") or {}
    if "sku" in item_in:
        variant.sku = item_in["sku"]
    variant.item.sku = variant.sku
    if item_in.get("tracked") is not None:
        variant.item.tracked = item_in["tracked"]
    if item_in.get("cost") is not None:
        variant.item.cost = money(item_in["cost"])
    weight = ((item_in.get("measurement") or {}).get("weight") or {})
    if weight.get("value") is not None:
        factor = {"GRAMS": 1, "KILOGRAMS": 1000, "OUNCES": 28.3495, "POUNDS": 453.592}
        variant.item.weight_grams = float(weight["value"]) * factor.get(weight.get("unit")
                                                                        or "GRAMS", 1)
    if v.get("price") is not None:
        variant.price = money(v["price"])
    if "compareAtPrice" in v:
        variant.compare_at_price = None if v["compareAtPrice"] is None \
            else money(v["compareAtPrice"])
    if v.get("inventoryPolicy"):
        variant.inventory_policy = v["inventoryPolicy"]
    if v.get("taxable") is not None:
        variant.taxable = v["taxable"]
    variant.updated_at = now()


def apply_variants(ctx: Ctx, product: Product, variants: list[dict[str, Any]],
                   event: str) -> None:
    """Replace the product's variants with `variants` (match by id, then by option values)."""
    names = [o.name for o in product.options]
    by_id = {v.id: v for v in product.variants}
    by_combo = {tuple(v.options): v for v in product.variants}
    keep: list[Variant] = []
    for v in variants:
        chosen = {ov.get("optionName"): ov.get("name") for ov in v["optionValues"]}
        values = [chosen.get(n) or "" for n in names]
        existing = by_id.get(parse_gid(v.get("id"), "ProductVariant") or 0) \
            or by_combo.get(tuple(values))
        if existing is None or existing in keep:
            existing = _create_variant(ctx, product, v, values, event)
        old_sku = existing.sku
        _update_variant(existing, v, values)
        if existing.sku != old_sku and existing.id in by_id:
            merchant.emit(ctx.sandbox, ctx.shop, "inventory_items/update",
                          payloads.inventory_item_json(existing.item), event)
        keep.append(existing)
    for old in product.variants:
        if old not in keep:
            ctx.shop.variants.pop(old.id, None)
            ctx.shop.items.pop(old.item.id, None)
            merchant.emit(ctx.sandbox, ctx.shop, "inventory_items/delete", {"id": old.item.id},
                          event)
    product.variants = keep
    for i, kept in enumerate(keep):
        kept.position = i + 1
    for opt in product.options:
        used = {v.options[opt.position - 1] for v in keep if len(v.options) >= opt.position}
        opt.values = [x for x in opt.values if x in used] + sorted(used - set(opt.values))


def _create_variant(ctx: Ctx, product: Product, v: dict[str, Any], values: list[str],
                    event: str) -> Variant:
    """A new variant for productSet (stocked per inventoryQuantities)."""
    inventory = {}
    for q in v.get("inventoryQuantities") or []:
        loc = parse_gid(q["locationId"], "Location")
        if loc in ctx.shop.locations:
            inventory[loc] = int(q["quantity"])
    variant = merchant.add_variant(ctx.sandbox, ctx.shop, product,
                                   price=money(v.get("price") or 0), options=values,
                                   sku=v.get("sku"), inventory=inventory)
    merchant.emit(ctx.sandbox, ctx.shop, "inventory_items/create",
                  payloads.inventory_item_json(variant.item), event)
    product.variants.remove(variant)  # apply_variants sets the final order
    return variant
