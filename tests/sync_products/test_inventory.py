"""Inventory rule and location ↔ warehouse mapping."""

from __future__ import annotations

import random
from decimal import Decimal

from ecomsend.sync.products.inventory import (
    apply_rule,
    available_by_warehouse,
    quantities,
    sku_inventory,
    warehouse_ids,
)
from ecomsend.sync.products.regions import INVENTORY_MAX
from ecomsend.sync.products.types import InventoryRule, ProductPrefs

from .factories import variant


def test_sum_of_mapped_locations_per_warehouse() -> None:
    p = ProductPrefs(warehouse_map=(("L1", "W1"), ("L2", "W1"), ("L3", "W2")))
    stock = {"L1": 3, "L2": 4, "L3": 5, "L9": 100}
    assert available_by_warehouse(stock, p) == {"W1": 7, "W2": 5}  # L9 unmapped: ignored


def test_negative_stock_counts_as_zero() -> None:
    p = ProductPrefs(warehouse_map=(("L1", "W1"), ("L2", "W1")))
    assert available_by_warehouse({"L1": -5, "L2": 3}, p) == {"W1": 3}
    assert available_by_warehouse({"L1": -5}, p) == {"W1": 0}


def test_every_mapped_warehouse_is_listed_even_without_stock() -> None:
    p = ProductPrefs(warehouse_map=(("L1", "W1"), ("L2", "W2")))
    assert available_by_warehouse({"L1": 2}, p) == {"W1": 2, "W2": 0}
    inv = sku_inventory(variant(stock=(("L1", 2),)), p)
    assert [(i.warehouse_id, i.quantity) for i in inv] == [("W1", 2), ("W2", 0)]


def test_default_warehouse_takes_every_location_when_nothing_is_mapped() -> None:
    p = ProductPrefs(default_warehouse_id="W0")
    assert available_by_warehouse({"L1": 2, "L2": 3}, p) == {"W0": 5}
    assert warehouse_ids(ProductPrefs()) == ()
    assert available_by_warehouse({"L1": 2}, ProductPrefs()) == {}


def test_rule_percent_reserve_threshold_cap() -> None:
    assert apply_rule(10, InventoryRule()) == 10
    assert apply_rule(10, InventoryRule(percent=Decimal(50))) == 5
    assert apply_rule(5, InventoryRule(percent=Decimal(50))) == 2  # rounded down
    assert apply_rule(10, InventoryRule(reserve=3)) == 7
    assert apply_rule(2, InventoryRule(reserve=3)) == 0
    assert apply_rule(3, InventoryRule(out_of_stock_threshold=3)) == 0  # at threshold → 0
    assert apply_rule(4, InventoryRule(out_of_stock_threshold=3)) == 4
    assert apply_rule(500, InventoryRule(maximum=100)) == 100
    assert apply_rule(0, InventoryRule()) == 0
    assert apply_rule(-4, InventoryRule()) == 0
    assert apply_rule(10**9, InventoryRule()) == INVENTORY_MAX


def test_rule_order_reserve_then_percent() -> None:
    # (10 - 2) * 50% = 4
    assert apply_rule(10, InventoryRule(percent=Decimal(50), reserve=2)) == 4


def test_rule_properties_on_generated_inputs() -> None:
    rng = random.Random(42)
    for _ in range(3000):
        rule = InventoryRule(
            percent=Decimal(rng.randint(0, 150)), reserve=rng.randint(0, 20),
            out_of_stock_threshold=rng.randint(0, 10),
            maximum=rng.choice([None, rng.randint(0, 500)]),
        )
        available = rng.randint(-50, 200_000)
        qty = apply_rule(available, rule)
        assert 0 <= qty <= INVENTORY_MAX
        if available <= rule.out_of_stock_threshold:
            assert qty == 0
        if rule.maximum is not None:
            assert qty <= rule.maximum
        if rule.percent <= 100:
            assert qty <= max(available, 0)


def test_quantities_apply_the_rule_per_warehouse() -> None:
    p = ProductPrefs(warehouse_map=(("L1", "W1"), ("L2", "W2")),
                     inventory_rule=InventoryRule(reserve=1))
    v = variant(stock=(("L1", 5), ("L2", 1)))
    assert quantities(v, p) == {"W1": 4, "W2": 0}
