"""payload_hash stability and classify_change / push_kind (no call for invisible changes)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from ecomsend.integrations.tiktok.models.products import ProductUpsert
from ecomsend.sync.products.changes import classify_change, payload_hash, push_kind
from ecomsend.sync.products.mapping import inventory_updates, map_product
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.types import (
    AutoField,
    ImageSnapshot,
    InventoryRule,
    PriceRounding,
    PriceRule,
)

from .factories import prefs, product, template, uploads, variant

D = Decimal
US = region_rules("US")


def base():  # type: ignore[no-untyped-def]
    return product((variant("v1", "10.00", options=(("Size", "M"),), stock=(("L1", 5),)),
                    variant("v2", "11.00", options=(("Size", "L"),), position=2,
                            stock=(("L1", 3),))), option_names=("Size",))


def with_variant(p, i, **changes):  # type: ignore[no-untyped-def]
    vs = list(p.variants)
    vs[i] = dataclasses.replace(vs[i], **changes)
    return dataclasses.replace(p, variants=tuple(vs))


def test_hash_is_stable_and_ignores_idempotency_key() -> None:
    p = base()
    a = map_product(p, template(), prefs(), US, images=uploads("https://cdn.shopify.com/a.jpg"))
    b = map_product(p, template(), prefs(), US, images=uploads("https://cdn.shopify.com/a.jpg"))
    assert payload_hash(a) == payload_hash(b)
    assert len(payload_hash(a)) == 64
    keyed = a.model_copy(update={"idempotency_key": "k-123"})
    assert payload_hash(keyed) == payload_hash(a)
    changed = a.model_copy(update={"title": "Other"})
    assert payload_hash(changed) != payload_hash(a)


def test_hash_does_not_depend_on_key_order_or_field_construction() -> None:
    one = ProductUpsert(title="T", description="D")
    two = ProductUpsert.model_validate({"description": "D", "title": "T"})
    assert payload_hash(one) == payload_hash(two)


def test_hash_of_update_lists() -> None:
    p = base()
    items = inventory_updates(p, prefs(), {"v1": "s1", "v2": "s2"})
    assert payload_hash(items) == payload_hash(list(items))
    assert payload_hash(items) != payload_hash(items[:1])


def test_nothing_changed() -> None:
    p = base()
    assert classify_change(p, p, prefs(), region=US) == set()
    assert push_kind(set()) == "none"


def test_price_only_and_inventory_only() -> None:
    p = base()
    assert classify_change(p, with_variant(p, 0, price=D("9.00")), prefs()) == {"price"}
    assert classify_change(p, with_variant(p, 0, stock=(("L1", 4),)), prefs()) == {"inventory"}
    assert push_kind({"price"}) == "price"
    assert push_kind({"inventory"}) == "inventory"
    both = with_variant(with_variant(p, 0, price=D("9")), 1, stock=(("L1", 1),))
    assert push_kind(classify_change(p, both, prefs())) == "price_and_inventory"


def test_price_change_hidden_by_rounding_is_no_change() -> None:
    rule = PriceRule(rounding=PriceRounding.END_99)
    p = base()
    new = with_variant(p, 0, price=D("10.20"))  # 10.00 → 10.99 and 10.20 → 10.99
    assert classify_change(p, new, prefs(price_rule=rule), region=US) == set()
    assert classify_change(p, new, prefs(price_rule=rule)) == {"price"}  # region unknown


def test_stock_change_hidden_by_rules_or_mapping_is_no_change() -> None:
    p = base()
    capped = prefs(inventory_rule=InventoryRule(maximum=2))
    assert classify_change(p, with_variant(p, 0, stock=(("L1", 50),)), capped) == set()
    unmapped = with_variant(p, 0, stock=(("L1", 5), ("L9", 100)))
    assert classify_change(p, unmapped, prefs()) == set()
    negative = with_variant(with_variant(p, 0, stock=(("L1", -1),)), 1, stock=(("L1", 0),))
    zero = with_variant(with_variant(p, 0, stock=(("L1", 0),)), 1, stock=(("L1", -7),))
    assert classify_change(negative, zero, prefs()) == set()


def test_full_changes() -> None:
    p = base()
    assert classify_change(p, dataclasses.replace(p, title="New title"), prefs()) == {"title"}
    assert push_kind({"title"}) == "full"
    assert classify_change(p, dataclasses.replace(p, body_html="<p>New</p>"),
                           prefs()) == {"description"}
    assert classify_change(p, dataclasses.replace(p, images=(ImageSnapshot("https://x/b.jpg"),)),
                           prefs()) == {"images"}
    added = dataclasses.replace(p, variants=(*p.variants, variant("v3", options=(("Size", "S"),),
                                                                  position=3)))
    assert "variants" in classify_change(p, added, prefs())
    assert classify_change(p, with_variant(p, 0, sku="NEW"), prefs()) == {"variants"}
    assert push_kind({"price", "title"}) == "full"


def test_invisible_shopify_changes_make_no_call() -> None:
    p = base()
    for change in ({"vendor": "Other"}, {"tags": ("x",)}, {"product_type": "Mugs"},
                   {"title": "Classic Cotton T-Shirt 😀"},  # emoji is stripped anyway
                   {"body_html": "<p class='new'>Soft cotton tee.</p>"}):
        assert classify_change(p, dataclasses.replace(p, **change), prefs(), region=US) == set()


def test_fields_not_auto_updated_are_ignored() -> None:
    p = base()
    only_inventory = prefs(auto_update=frozenset({AutoField.INVENTORY}))
    new = with_variant(dataclasses.replace(p, title="X"), 0, price=D("1"))
    assert classify_change(p, new, only_inventory) == set()


def test_status_change_is_reported_separately() -> None:
    p = base()
    changes = classify_change(p, dataclasses.replace(p, status="ARCHIVED"), prefs())
    assert changes == {"status"}
    assert push_kind(changes) == "none"
