"""Pure converters from ORM rows (transient, no session) and settings JSON."""

from __future__ import annotations

from decimal import Decimal

from ecomsend.db.models.catalog import InventoryLevel, ShopifyProduct, ShopifyVariant
from ecomsend.db.models.templates import CategoryTemplate
from ecomsend.sync.products.converters import (
    prefs_from_settings,
    prefs_to_settings,
    product_snapshot,
    template_spec,
    variant_snapshot,
)
from ecomsend.sync.products.types import (
    AutoField,
    CompareAtMode,
    InventoryRule,
    PriceRounding,
    PriceRule,
    ProductPrefs,
)

D = Decimal


def rows():  # type: ignore[no-untyped-def]
    product = ShopifyProduct(
        shopify_id="gid://shopify/Product/1", title="Tee", body_html="<p>x</p>", vendor="Acme",
        product_type="Shirts", category="Apparel > Shirts", status="ACTIVE", tags=["sale"],
        options=[{"name": "Size", "position": 2, "values": ["S"]},
                 {"name": "Color", "position": 1, "values": ["Red"]}],
        images=[{"url": "https://cdn/a.jpg", "altText": "front"}, {"src": "https://cdn/b.png"},
                {"nothing": True}],
        collections=["Summer"],
    )
    variant = ShopifyVariant(
        shopify_id="gid://shopify/ProductVariant/11", sku="TEE-S", barcode="036000291452",
        price=D("10.00"), compare_at_price=D("12.00"), inventory_item_id="item-1",
        weight=D("0.2"), weight_unit="KILOGRAMS", position=1,
        selected_options=[{"name": "Color", "value": "Red"}, {"name": "Size", "value": "S"}],
        image_url="https://cdn/a.jpg",
    )
    levels = [
        InventoryLevel(inventory_item_id="item-1", location_id="L1", available=4),
        InventoryLevel(inventory_item_id="item-1", location_id="L2", available=-1),
        InventoryLevel(inventory_item_id="item-2", location_id="L1", available=99),
    ]
    return product, variant, levels


def test_product_snapshot_from_rows() -> None:
    product, variant, levels = rows()
    snap = product_snapshot(product, [variant], levels, currency="GBP")
    assert snap.id == "gid://shopify/Product/1" and snap.currency == "GBP"
    assert snap.option_names == ("Color", "Size")  # by position
    assert [i.url for i in snap.images] == ["https://cdn/a.jpg", "https://cdn/b.png"]
    assert snap.images[0].alt == "front"
    assert snap.tags == ("sale",) and snap.collections == ("Summer",)
    v = snap.variants[0]
    assert v.options == (("Color", "Red"), ("Size", "S"))
    assert v.stock == (("L1", 4), ("L2", -1))  # only this item's levels
    assert v.weight_unit == "KILOGRAMS" and v.price == D("10.00")


def test_variant_without_inventory_item_has_no_stock() -> None:
    _, variant, levels = rows()
    variant.inventory_item_id = None
    variant.weight_unit = "stones"
    v = variant_snapshot(variant, levels)
    assert v.stock == () and v.weight_unit is None


def test_template_spec_from_row() -> None:
    row = CategoryTemplate(
        id=7, name="Tees", region="US", category_id="601226", category_name="T-shirts",
        attributes=[{"id": "100392", "name": "Material", "values": [{"id": "1001"}]},
                    {"attribute_id": "100393", "values": [{"name": "Cotton"}]}],
        brand_id=None, package_weight=D("1.5"), package_weight_unit="pound",
        package_dimensions={"length": 10, "width": "8", "height": 2, "unit": "INCH"},
        selection_rules=[{"field": "tag", "op": "contains", "value": "tee"},
                         {"field": "nonsense", "op": "equals", "value": "x"}],
        match_mode="any", priority=3, active=True, is_default=False,
    )
    spec = template_spec(row)
    assert spec.id == "7" and spec.package_weight_unit == "POUND"
    assert spec.attributes[0].values[0].id == "1001"
    assert spec.attributes[1].attribute_id == "100393"
    assert spec.attributes[1].values[0].name == "Cotton"
    assert spec.package_dimensions is not None
    assert spec.package_dimensions.length == D("10") and spec.package_dimensions.unit == "INCH"
    assert [(r.field, r.op, r.value) for r in spec.rules] == [("tag", "contains", "tee")]
    assert spec.match_mode == "any" and spec.priority == 3


def test_template_without_dimensions() -> None:
    row = CategoryTemplate(id=1, name="D", region="GB", category_id="1", package_dimensions={},
                           selection_rules=[], attributes=[], match_mode="all", priority=0,
                           active=False, is_default=True, package_weight_unit="KILOGRAM")
    spec = template_spec(row)
    assert spec.package_dimensions is None and spec.is_default and not spec.active


def test_prefs_round_trip_and_defaults() -> None:
    assert prefs_from_settings({}) == ProductPrefs()
    prefs = ProductPrefs(
        price_rule=PriceRule(markup_kind="percent", markup=D("12.5"),
                             rounding=PriceRounding.END_95, compare_at=CompareAtMode.LIST_PRICE,
                             exchange_rate=D("0.79")),
        inventory_rule=InventoryRule(percent=D("80"), reserve=2, out_of_stock_threshold=1,
                                     maximum=50),
        warehouse_map=(("L1", "W1"), ("L2", "W1")),
        default_warehouse_id="W1",
        auto_update=frozenset({AutoField.PRICE, AutoField.INVENTORY}),
        seller_type="CROSS_BORDER",
    )
    stored = prefs_to_settings(prefs)
    assert stored["auto_update"] == ["inventory", "price"]
    assert prefs_from_settings(stored) == prefs


def test_settings_json_tolerates_numbers() -> None:
    p = prefs_from_settings({"price_rule": {"markup_kind": "fixed", "markup": 1.1},
                             "inventory_rule": {"percent": 50, "maximum": None},
                             "warehouse_map": {"L1": "W1"}, "auto_update": []})
    assert p.price_rule.markup == D("1.1")  # via str, not binary float
    assert p.inventory_rule.percent == D("50") and p.inventory_rule.maximum is None
    assert p.auto_update == frozenset()
