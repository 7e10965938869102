"""Pure converters: ORM rows / settings JSON → the immutable inputs of the product-sync core.

Called by the product use-cases after loading rows in their unit of work. Reading attributes off
a loaded ORM object is pure (no session calls here; relationships are not touched — variants
and inventory levels are passed in explicitly). The JSON shapes of `CategoryTemplate.attributes`
and `ShopSettings.product` are defined here (and written back by `prefs_to_settings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast, get_args

from ecomsend.db.models.catalog import InventoryLevel, ShopifyProduct, ShopifyVariant
from ecomsend.db.models.templates import CategoryTemplate
from ecomsend.sync.products.compliance import compliance_fields
from ecomsend.sync.products.types import (
    ALL_AUTO_FIELDS,
    AttributeValueSpec,
    AutoField,
    CompareAtMode,
    DimensionUnit,
    ImageSnapshot,
    InventoryRule,
    MatchMode,
    PackageDimensions,
    PriceRounding,
    PriceRule,
    ProductPrefs,
    ProductSnapshot,
    SelectionField,
    SelectionOp,
    SelectionRule,
    SellerType,
    ShopifyWeightUnit,
    TemplateAttribute,
    TemplateSpec,
    VariantSnapshot,
    WeightUnit,
)


def _dec(value: Any, default: Decimal | None = None) -> Decimal | None:
    """A Decimal from a JSON number/string (via `str`, never through float arithmetic)."""
    if value is None or value == "":
        return default
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return default


def _literal(value: Any, allowed: Any, default: Any) -> Any:
    """`value` upper/lower-cased to one of a Literal's options, else the default."""
    options = get_args(allowed)
    for candidate in (value, str(value).upper(), str(value).lower()):
        if candidate in options:
            return candidate
    return default


def variant_snapshot(variant: ShopifyVariant, levels: Iterable[InventoryLevel]) -> VariantSnapshot:
    """A variant row plus the inventory levels of its inventory item."""
    item = variant.inventory_item_id
    stock = tuple(
        (lvl.location_id, int(lvl.available or 0)) for lvl in levels
        if item is not None and lvl.inventory_item_id == item
    )
    unit = _literal(variant.weight_unit, ShopifyWeightUnit, None) if variant.weight_unit else None
    return VariantSnapshot(
        id=variant.shopify_id,
        price=Decimal(variant.price),
        sku=variant.sku,
        barcode=variant.barcode,
        compare_at_price=variant.compare_at_price,
        position=variant.position or 1,
        options=tuple(
            (o.get("name", ""), o.get("value", "")) for o in variant.selected_options or ()
        ),
        image_url=variant.image_url,
        weight=variant.weight,
        weight_unit=cast("ShopifyWeightUnit | None", unit),
        inventory_item_id=item,
        stock=stock,
    )


def _image(raw: Mapping[str, Any]) -> ImageSnapshot | None:
    url = raw.get("url") or raw.get("src") or raw.get("originalSrc")
    return ImageSnapshot(url=str(url), alt=raw.get("alt") or raw.get("altText")) if url else None


def _option_names(options: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    ordered = sorted(options, key=lambda o: int(o.get("position") or 0))
    return tuple(str(o["name"]) for o in ordered if o.get("name"))


def product_snapshot(
    product: ShopifyProduct,
    variants: Iterable[ShopifyVariant],
    levels: Iterable[InventoryLevel] = (),
    *,
    currency: str = "USD",
) -> ProductSnapshot:
    """A product row with its variant rows and inventory levels; `currency` is the store's."""
    level_list = list(levels)
    images = (_image(i) for i in product.images or () if isinstance(i, Mapping))
    return ProductSnapshot(
        id=product.shopify_id,
        title=product.title,
        body_html=product.body_html,
        vendor=product.vendor,
        product_type=product.product_type,
        category=product.category,
        status=product.status or "ACTIVE",
        tags=tuple(product.tags or ()),
        collections=tuple(str(c) for c in product.collections or ()),
        option_names=_option_names(o for o in product.options or () if isinstance(o, Mapping)),
        images=tuple(i for i in images if i is not None),
        variants=tuple(variant_snapshot(v, level_list) for v in variants),
        currency=currency,
    )


def _attribute(raw: Mapping[str, Any]) -> TemplateAttribute:
    """`{"id"|"attribute_id", "name"?, "values": [{"id"?, "name"?}]}` → TemplateAttribute."""
    values = tuple(
        AttributeValueSpec(id=str(v["id"]) if v.get("id") else None, name=v.get("name"))
        for v in raw.get("values") or () if isinstance(v, Mapping)
    )
    return TemplateAttribute(
        attribute_id=str(raw.get("id") or raw.get("attribute_id")), values=values,
        name=raw.get("name"),
    )


def _dimensions(raw: Mapping[str, Any] | None) -> PackageDimensions | None:
    if not raw:
        return None
    length, width, height = (_dec(raw.get(k)) for k in ("length", "width", "height"))
    if length is None or width is None or height is None:
        return None
    unit = cast(DimensionUnit, _literal(raw.get("unit"), DimensionUnit, "CENTIMETER"))
    return PackageDimensions(length=length, width=width, height=height, unit=unit)


def _rule(raw: Mapping[str, Any]) -> SelectionRule | None:
    field = _literal(raw.get("field"), SelectionField, None)
    if field is None:
        return None
    op = cast(SelectionOp, _literal(raw.get("op"), SelectionOp, "equals"))
    return SelectionRule(field=field, op=op, value=str(raw.get("value") or ""))


def template_spec(row: CategoryTemplate) -> TemplateSpec:
    """A category template row → TemplateSpec (unknown rule fields are dropped).

    The row has no category version: the region's applies. Size chart, certifications and
    EU GPSR ids come from its `compliance` JSON (`compliance.compliance_fields`).
    """
    rules = (_rule(r) for r in row.selection_rules or () if isinstance(r, Mapping))
    extra = row.package_dimensions or {}
    return TemplateSpec(
        id=str(row.id),
        name=row.name,
        region=row.region,
        category_id=row.category_id,
        category_name=row.category_name,
        attributes=tuple(_attribute(a) for a in row.attributes or () if isinstance(a, Mapping)),
        brand_id=row.brand_id,
        package_weight=row.package_weight,
        package_weight_unit=cast(WeightUnit, _literal(row.package_weight_unit, WeightUnit,
                                                      "KILOGRAM")),
        package_dimensions=_dimensions(extra if isinstance(extra, Mapping) else None),
        rules=tuple(r for r in rules if r is not None),
        match_mode=cast(MatchMode, _literal(row.match_mode, MatchMode, "all")),
        priority=row.priority or 0,
        active=bool(row.active),
        is_default=bool(row.is_default),
        **compliance_fields(row.compliance),
    )


def _price_rule(raw: Mapping[str, Any]) -> PriceRule:
    kind = raw.get("markup_kind", "none")
    return PriceRule(
        markup_kind=kind if kind in ("none", "percent", "fixed") else "none",
        markup=_dec(raw.get("markup"), Decimal(0)) or Decimal(0),
        rounding=PriceRounding(str(raw.get("rounding") or "none")),
        compare_at=CompareAtMode(str(raw.get("compare_at") or "ignore")),
        exchange_rate=_dec(raw.get("exchange_rate")),
    )


def _inventory_rule(raw: Mapping[str, Any]) -> InventoryRule:
    maximum = raw.get("maximum")
    return InventoryRule(
        percent=_dec(raw.get("percent"), Decimal(100)) or Decimal(0),
        reserve=int(raw.get("reserve") or 0),
        out_of_stock_threshold=int(raw.get("out_of_stock_threshold") or 0),
        maximum=int(maximum) if maximum is not None else None,
    )


def prefs_from_settings(product_settings: Mapping[str, Any]) -> ProductPrefs:
    """`ShopSettings.product` JSON → ProductPrefs (missing keys take the defaults).

    Shape: `{"price_rule": {markup_kind, markup, rounding, compare_at, exchange_rate},
    "inventory_rule": {percent, reserve, out_of_stock_threshold, maximum},
    "warehouse_map": {location_id: warehouse_id}, "default_warehouse_id",
    "auto_update": ["title", …], "seller_type": "LOCAL"|"CROSS_BORDER"}`.
    """
    wmap = product_settings.get("warehouse_map") or {}
    auto = product_settings.get("auto_update")
    return ProductPrefs(
        price_rule=_price_rule(product_settings.get("price_rule") or {}),
        inventory_rule=_inventory_rule(product_settings.get("inventory_rule") or {}),
        warehouse_map=tuple(sorted((str(k), str(v)) for k, v in dict(wmap).items())),
        default_warehouse_id=product_settings.get("default_warehouse_id"),
        auto_update=ALL_AUTO_FIELDS if auto is None else frozenset(AutoField(a) for a in auto),
        seller_type=cast(SellerType, _literal(product_settings.get("seller_type"), SellerType,
                                              "LOCAL")),
    )


def prefs_to_settings(prefs: ProductPrefs) -> dict[str, Any]:
    """ProductPrefs → the JSON stored in `ShopSettings.product` (inverse of the above)."""
    pr, ir = prefs.price_rule, prefs.inventory_rule
    return {
        "price_rule": {
            "markup_kind": pr.markup_kind, "markup": str(pr.markup), "rounding": pr.rounding.value,
            "compare_at": pr.compare_at.value,
            "exchange_rate": None if pr.exchange_rate is None else str(pr.exchange_rate),
        },
        "inventory_rule": {
            "percent": str(ir.percent), "reserve": ir.reserve,
            "out_of_stock_threshold": ir.out_of_stock_threshold, "maximum": ir.maximum,
        },
        "warehouse_map": dict(prefs.warehouse_map),
        "default_warehouse_id": prefs.default_warehouse_id,
        "auto_update": sorted(a.value for a in prefs.auto_update),
        "seller_type": prefs.seller_type,
    }
