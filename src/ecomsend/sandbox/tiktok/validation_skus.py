"""Package weight/dimension and SKU validation (reference §4.2 field rules)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.markets import (
    IMPERIAL_UNITS,
    INVENTORY_MAX,
    KNOWN_DIMENSION_UNITS,
    KNOWN_WEIGHT_UNITS,
    SELLER_SKU_MAX,
    Market,
)
from ecomsend.sandbox.tiktok.refdata import Category, RegionCatalog, Rules
from ecomsend.sandbox.tiktok.state import Shop
from ecomsend.sandbox.tiktok.validation_common import (
    CUSTOM_NAME_MAX,
    CUSTOM_VALUE_MAX,
    GTIN_LENGTHS,
    MAX_SALES_ATTRIBUTES,
    fail,
)

#: Decimal places allowed in a package weight per unit (reference §4.2: GRAM integer,
#: KILOGRAM ≤ 3 decimals, POUND ≤ 2 decimals).
WEIGHT_DECIMALS = {"GRAM": 0, "KILOGRAM": 3, "POUND": 2}
#: Whole-unit currencies (JPY has no minor unit).
WHOLE_CURRENCIES = frozenset({"JPY"})


def _decimal(raw: Any) -> Decimal | None:
    """A finite Decimal from a JSON value, else None."""
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def check_package(m: Market, rules: Rules, body: dict[str, Any]) -> None:
    """package_weight required; dimensions when the category rule says so; unit systems."""
    weight = body.get("package_weight")
    if not isinstance(weight, dict):
        raise fail("weight", "product package weight is invalid: package_weight is required.")
    unit = weight.get("unit")
    if unit in IMPERIAL_UNITS and m.region != "US":
        raise fail("imperial", "Product weight or dimensions unit does not support the imperial "
                   f"units on non-US local products: package_weight.unit {unit}.")
    if unit not in KNOWN_WEIGHT_UNITS or unit not in m.weight_units:
        raise fail("weight", f"product package weight is invalid: package_weight.unit {unit!r} "
                   f"not allowed in {m.region} (allowed: {', '.join(m.weight_units)}).")
    value = _decimal(weight.get("value"))
    if value is None or value < 0 or \
            -value.as_tuple().exponent > WEIGHT_DECIMALS[unit]:  # type: ignore[operator]
        raise fail("weight_format", f"Incorrect parcel weight format: package_weight.value "
                   f"{weight.get('value')!r} ({unit}).")
    if value == 0:
        raise fail("weight_zero", "The package weight of the product can not be zero.")
    dims = body.get("package_dimensions")
    if dims is None:
        if rules.package_dimension_required:
            raise fail("size", "product package size is invalid: package_dimensions is required "
                       "for this category (Get Category Rules package_dimension.is_required).")
        return
    _check_dimensions(m, unit, dims)


def _check_dimensions(m: Market, weight_unit: str, dims: Any) -> None:
    """Whole positive dimensions, allowed unit, same unit system as the weight."""
    if not isinstance(dims, dict):
        raise fail("size", "product package size is invalid: package_dimensions.")
    for key in ("length", "width", "height"):
        raw = dims.get(key)
        value = _decimal(raw)
        if value is None or value <= 0 or value != value.to_integral_value():
            raise fail(key, f"Incorrect parcel {key} format: package_dimensions.{key} {raw!r} "
                       "must be a positive whole number.")
    unit = dims.get("unit")
    if unit in IMPERIAL_UNITS and m.region != "US":
        raise fail("imperial", "Product weight or dimensions unit does not support the imperial "
                   f"units on non-US local products: package_dimensions.unit {unit}.")
    if unit not in KNOWN_DIMENSION_UNITS or unit not in m.dimension_units:
        raise fail("size", f"product package size is invalid: package_dimensions.unit {unit!r}.")
    if (unit in IMPERIAL_UNITS) != (weight_unit in IMPERIAL_UNITS):
        raise fail("unit_mismatch", f"package weight unit and dimension unit miss match: "
                   f"{weight_unit} with {unit}.")


def check_skus(sb: Sandbox, shop: Shop, m: Market, cat: RegionCatalog, node: Category,
               body: dict[str, Any]) -> None:
    """SKU count, seller_sku, sales attributes, price and inventory."""
    skus = body.get("skus")
    if not isinstance(skus, list) or not skus or not all(isinstance(s, dict) for s in skus):
        raise fail("bad_params", "Invalid input parameters: skus must be a non-empty list.")
    if len(skus) > m.max_skus:
        raise fail("sku_count", f"A single product cannot have more than {m.max_skus} "
                   f"different SKUs in {m.region}: {len(skus)} given.")
    _check_sales_attributes(cat, node, skus)
    for i, sku in enumerate(skus):
        _check_seller_sku(i, sku)
        check_price(shop, m, i, sku)
        _check_list_price(m, i, sku)
        _check_inventory(sb, shop, i, sku)
        _check_identifier(i, sku)


def _check_seller_sku(i: int, sku: dict[str, Any]) -> None:
    """seller_sku: no spaces, at most 50 characters."""
    seller_sku = sku.get("seller_sku")
    if seller_sku in (None, ""):
        return
    if not isinstance(seller_sku, str) or any(c.isspace() for c in seller_sku):
        raise fail("seller_sku_invalid", f"seller sku is invalid: skus[{i}].seller_sku "
                   f"{seller_sku!r} must not contain spaces.")
    if len(seller_sku) > SELLER_SKU_MAX:
        raise fail("seller_sku_long", f"The seller SKU text length cannot exceed max limit "
                   f"characters: skus[{i}].seller_sku has {len(seller_sku)}, at most "
                   f"{SELLER_SKU_MAX}.")


def _attr_key(attr: dict[str, Any]) -> str:
    """A sales attribute's identity: its id, or its custom name."""
    return str(attr.get("id") or f"name:{attr.get('name', '')}")


def _check_sales_attributes(cat: RegionCatalog, node: Category,
                            skus: list[dict[str, Any]]) -> None:
    """≤ 3 types, same types on every SKU, no duplicates; single SKU may omit them."""
    sales = {a.id: a for a in cat.attributes(node.id) if a.type == "SALES_PROPERTY"}
    key_sets = []
    for i, sku in enumerate(skus):
        attrs = [a for a in sku.get("sales_attributes") or [] if isinstance(a, dict)]
        keys = [_attr_key(a) for a in attrs]
        if len(set(keys)) != len(keys):
            raise fail("sales_attr_dup", f"The SKU contains duplicate sales attribute: "
                       f"skus[{i}].sales_attributes.")
        for a in attrs:
            _check_sales_attribute(i, a, sales, node)
        key_sets.append(frozenset(keys))
    with_img = {_attr_key(a) for s in skus for a in s.get("sales_attributes") or []
                if isinstance(a, dict) and a.get("sku_img")}
    if len(with_img) > 1:
        raise fail("sku_img_many", "You can add images to only 1 product variation (the primary "
                   "sales attribute): sku_img is set on several attributes.")
    if len(set().union(*key_sets)) > MAX_SALES_ATTRIBUTES:
        raise fail("sales_attr_max", "The attribute max num cannot exceed 3.")
    if len(set(key_sets)) > 1 or (len(skus) > 1 and not key_sets[0]):
        raise fail("sales_attr_all", "SKU property must contain all properties: every SKU must "
                   "carry the same sales attribute types (and several SKUs need them).")


def _check_sales_attribute(i: int, a: dict[str, Any], sales: dict[str, Any],
                           node: Category) -> None:
    """A built-in id must belong to the category; custom names/values have length limits."""
    if a.get("id") and str(a["id"]) not in sales:
        raise fail("sales_attr_id", f"The sale attribute id not exist: skus[{i}]."
                   f"sales_attributes id {a['id']} in category {node.id}.")
    if not a.get("id") and len(str(a.get("name", ""))) > CUSTOM_NAME_MAX:
        raise fail("attr_name_long", f"The attribute name characters cannot exceed "
                   f"{CUSTOM_NAME_MAX}: skus[{i}].sales_attributes name {a.get('name')!r}.")
    if len(str(a.get("value_name", ""))) > CUSTOM_VALUE_MAX:
        raise fail("value_name_long", f"The sales attribute value name characters cannot exceed "
                   f"{CUSTOM_VALUE_MAX}: skus[{i}].sales_attributes value_name.")


def _check_list_price(m: Market, i: int, sku: dict[str, Any]) -> None:
    """list_price / external_list_prices (compare-at) exist only in the US (reference §4.2)."""
    if not sku.get("list_price") and not sku.get("external_list_prices"):
        return
    if m.region != "US":
        raise fail("list_price_region", f"list price not support in {m.region}: "
                   f"skus[{i}].list_price.")
    list_price = sku.get("list_price") or {}
    if list_price:
        value = _decimal(list_price.get("amount"))
        if value is None or value <= 0 or list_price.get("currency") != m.currency:
            raise fail("list_price_invalid", f"product list price is invalid: "
                       f"skus[{i}].list_price {list_price!r}.")


def check_price(shop: Shop, m: Market, i: int, sku: dict[str, Any]) -> None:
    """Local sellers send price.amount, global sellers price.sale_price (reference §4.2)."""
    price = sku.get("price")
    raw = None
    if isinstance(price, dict):
        raw = price.get("amount") if price.get("amount") not in (None, "") \
            else price.get("sale_price")
    if raw in (None, ""):
        raise fail("price_missing", f"Missing price: skus[{i}].price.amount is required.")
    assert isinstance(price, dict)
    value = _decimal(raw)
    whole = m.currency in WHOLE_CURRENCIES
    if value is None or value <= 0 or (whole and value != value.to_integral_value()) or \
            -value.as_tuple().exponent > 2:  # type: ignore[operator]
        raise fail("price_invalid", f"The product price is invalid: skus[{i}].price.amount "
                   f"{raw!r}.")
    if price.get("currency") != m.currency:
        raise fail("currency", f"The provided currency is not available for this shop/region: "
                   f"skus[{i}].price.currency {price.get('currency')!r}, {m.region} uses "
                   f"{m.currency}.")
    cap = m.cb_price_max if shop.seller_type == "CROSS_BORDER" else m.price_max
    if not m.price_min <= value <= cap:
        raise fail("price_range", f"product price exceed limit: skus[{i}].price.amount {raw} "
                   f"must be within [{m.price_min}, {cap}] {m.currency}.")


def _check_inventory(sb: Sandbox, shop: Shop, i: int, sku: dict[str, Any]) -> None:
    """Every SKU needs at least one valid warehouse entry."""
    inventory = sku.get("inventory")
    if not isinstance(inventory, list) or not inventory:
        raise fail("no_warehouse", f"SKU must contain a valid warehouse: skus[{i}].inventory.")
    for j, inv in enumerate(inventory):
        check_inventory_entry(sb, shop, inv, f"skus[{i}].inventory[{j}]")


def check_inventory_entry(sb: Sandbox, shop: Shop, inv: Any, where: str) -> None:
    """One `{warehouse_id, quantity}` entry (also used by Update Inventory)."""
    if not isinstance(inv, dict):
        raise fail("no_warehouse", f"SKU must contain a valid warehouse: {where}.")
    wid = str(inv.get("warehouse_id") or "")
    own = {w.id: w for w in shop.warehouses}
    if wid not in own:
        foreign = any(wid in {w.id for w in s.warehouses} for s in sb.store.shops.values())
        if foreign:
            raise fail("warehouse_foreign", f"The warehouse '{wid}' does not belong to this "
                       f"shop/seller ({where}).")
        raise fail("warehouse_missing", f"The warehouse does not exist: {where}.warehouse_id "
                   f"{wid!r}.")
    if own[wid].type != "SALES_WAREHOUSE":
        raise fail("warehouse_not_delivery", f"the warehouse not delivery warehouse: {wid} is a "
                   f"return warehouse ({where}).")
    qty = inv.get("quantity")
    low = 0 if sb.options.allow_zero_inventory else 1
    if not isinstance(qty, int) or isinstance(qty, bool) or not low <= qty <= INVENTORY_MAX:
        raise fail("quantity", f"The SKU inventory quantity for the warehouse must be within "
                   f"allowed limits: {where}.quantity {qty!r}, valid [{low}, {INVENTORY_MAX}].")


def _check_identifier(i: int, sku: dict[str, Any]) -> None:
    """GTIN identifier codes have 8, 12, 13 or 14 digits."""
    ident = sku.get("identifier_code")
    if not isinstance(ident, dict) or not ident.get("code"):
        return
    code = str(ident["code"])
    if ident.get("type", "GTIN") == "GTIN" and (not code.isdigit()
                                                or len(code) not in GTIN_LENGTHS):
        raise fail("identifier", f"Invalid number of digits of identifier code: "
                   f"skus[{i}].identifier_code.code {code!r}.")
