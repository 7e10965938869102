"""Template selection: rules, all/any, priority order, default template, preview."""

from __future__ import annotations

from ecomsend.sync.products.selection import (
    preview,
    rule_matches,
    select_template,
    template_matches,
)
from ecomsend.sync.products.types import SelectionRule

from .factories import product, template

R = SelectionRule


def test_each_field_and_op() -> None:
    p = product(title="Summer Linen Shirt", vendor="Acme", product_type="Shirts",
                tags=("Sale", "summer-2026"), collections=("Men's Tops", "New In"))
    assert rule_matches(p, R("title", "contains", "linen"))
    assert rule_matches(p, R("title", "equals", "summer linen shirt"))  # case-insensitive
    assert not rule_matches(p, R("title", "equals", "linen"))
    assert rule_matches(p, R("vendor", "equals", "ACME"))
    assert rule_matches(p, R("product_type", "contains", "shirt"))
    assert rule_matches(p, R("tag", "equals", "sale"))
    assert rule_matches(p, R("tag", "contains", "2026"))
    assert not rule_matches(p, R("tag", "equals", "summer"))  # equals is the whole tag
    assert rule_matches(p, R("collection", "equals", "new in"))
    assert rule_matches(p, R("collection", "contains", "tops"))


def test_missing_fields_and_empty_values_never_match() -> None:
    p = product(vendor=None, product_type=None)
    assert not rule_matches(p, R("vendor", "contains", "a"))
    assert not rule_matches(p, R("vendor", "equals", ""))
    assert not rule_matches(p, R("title", "contains", "   "))


def test_unicode_and_whitespace_are_normalised() -> None:
    p = product(title="Straße  Schuhe", tags=("ÉTÉ",))
    assert rule_matches(p, R("title", "contains", "STRASSE schuhe"))  # casefold ß → ss
    assert rule_matches(p, R("tag", "equals", "été"))


def test_all_versus_any() -> None:
    p = product(vendor="Acme", product_type="Mugs")
    rules = (R("vendor", "equals", "Acme"), R("product_type", "equals", "Shirts"))
    assert not template_matches(p, template(rules=rules, match_mode="all"))
    assert template_matches(p, template(rules=rules, match_mode="any"))


def test_template_without_rules_claims_nothing() -> None:
    assert not template_matches(product(), template(rules=()))


def test_priority_order_then_id() -> None:
    p = product(vendor="Acme", tags=("sale",))
    low = template(id="b", priority=2, rules=(R("vendor", "equals", "acme"),))
    high = template(id="c", priority=1, rules=(R("tag", "equals", "sale"),))
    assert select_template(p, [low, high]).id == "c"  # type: ignore[union-attr]
    tie_a = template(id="a", priority=2, rules=(R("vendor", "equals", "acme"),))
    assert select_template(p, [low, tie_a]).id == "a"  # type: ignore[union-attr]


def test_default_catches_everything_unclaimed() -> None:
    d = template(id="default", is_default=True, priority=-100)
    shirts = template(id="shirts", rules=(R("product_type", "equals", "shirts"),))
    assert select_template(product(product_type="Shirts"), [d, shirts]).id == "shirts"  # type: ignore[union-attr]
    assert select_template(product(product_type="Mugs"), [d, shirts]).id == "default"  # type: ignore[union-attr]
    assert select_template(product(product_type="Mugs"), [shirts]) is None


def test_inactive_templates_are_skipped_unless_previewing() -> None:
    p = product(product_type="Shirts")
    off = template(id="off", active=False, rules=(R("product_type", "equals", "shirts"),))
    d = template(id="default", is_default=True)
    assert select_template(p, [off, d]).id == "default"  # type: ignore[union-attr]
    assert select_template(p, [off, d], active_only=False).id == "off"  # type: ignore[union-attr]


def test_preview_assigns_each_product_once() -> None:
    products = [
        product(pid="1", product_type="Shirts", tags=("sale",)),
        product(pid="2", product_type="Shirts"),
        product(pid="3", product_type="Mugs"),
        product(pid="4", vendor="Other"),
    ]
    sale = template(id="sale", priority=1, rules=(R("tag", "equals", "sale"),))
    shirts = template(id="shirts", priority=2, rules=(R("product_type", "equals", "shirts"),))
    mugs = template(id="mugs", priority=3, active=False,
                    rules=(R("product_type", "contains", "mug"),))
    shadow = template(id="shadow", priority=9, rules=(R("product_type", "equals", "shirts"),))
    result = preview(products, [shirts, sale, mugs, shadow])
    assert result.assignments == {"shirts": ["2"], "sale": ["1"], "mugs": ["3"], "shadow": []}
    assert result.unassigned == ["4"]
    assert result.products_for("shadow") == []
    with_default = preview(products, [shirts, sale, template(id="d", is_default=True)])
    assert with_default.products_for("d") == ["3", "4"]
    assert with_default.unassigned == []
    active = preview(products, [shirts, mugs], active_only=True)
    assert active.assignments == {"shirts": ["1", "2"]}
    assert active.unassigned == ["3", "4"]
