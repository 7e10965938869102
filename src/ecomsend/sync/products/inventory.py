"""The inventory rule and the Shopify location ↔ TikTok warehouse mapping.

Called by `mapping` (SKU `inventory[]` of create/edit, inventory-only updates), `preflight`
(a SKU with no warehouse) and `changes.classify_change` (a stock change TikTok would not see is
no change). TikTok wants every warehouse assigned to a SKU in each update (`12019028`, reference
§4.3), so every mapped warehouse is always listed, with 0 when it has nothing to sell.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal

from ecomsend.integrations.tiktok.models.products import InventoryInput
from ecomsend.sync.products.regions import INVENTORY_MAX
from ecomsend.sync.products.types import InventoryRule, ProductPrefs, VariantSnapshot

_HUNDRED = Decimal(100)


def warehouse_ids(prefs: ProductPrefs) -> tuple[str, ...]:
    """The TikTok warehouses a SKU is stocked in under these prefs, sorted (stable payloads)."""
    mapped = {wh for _, wh in prefs.warehouse_map}
    if not mapped and prefs.default_warehouse_id:
        mapped = {prefs.default_warehouse_id}
    return tuple(sorted(mapped))


def available_by_warehouse(stock: Mapping[str, int], prefs: ProductPrefs) -> dict[str, int]:
    """Sum Shopify `available` per TikTok warehouse.

    Negative stock at a location counts as 0 (Shopify allows overselling); locations without a
    mapping are ignored; with no mapping at all and a default warehouse, every location counts
    toward it. Every warehouse of `warehouse_ids(prefs)` is present, possibly with 0.
    """
    loc_to_wh = prefs.location_to_warehouse
    result = dict.fromkeys(warehouse_ids(prefs), 0)
    for location, qty in stock.items():
        wh = loc_to_wh.get(location)
        if wh is None and not loc_to_wh:
            wh = prefs.default_warehouse_id
        if wh is not None:
            result[wh] += max(qty, 0)
    return result


def apply_rule(available: int, rule: InventoryRule) -> int:
    """The quantity TikTok may sell out of `available` units of one warehouse.

    At or below the out-of-stock threshold → 0; otherwise `(available - reserve) * percent/100`
    rounded down (never overselling), capped at `maximum` and at TikTok's 99,999, never negative.
    """
    if available <= rule.out_of_stock_threshold or available <= 0:
        return 0
    sellable = Decimal(available - rule.reserve) * rule.percent / _HUNDRED
    qty = int(sellable.to_integral_value(rounding=ROUND_FLOOR))
    if rule.maximum is not None:
        qty = min(qty, rule.maximum)
    return max(0, min(qty, INVENTORY_MAX))


def quantities(variant: VariantSnapshot, prefs: ProductPrefs) -> dict[str, int]:
    """`{warehouse_id: quantity}` TikTok should show for one variant, rule applied."""
    raw = available_by_warehouse(variant.stock_by_location, prefs)
    return {wh: apply_rule(qty, prefs.inventory_rule) for wh, qty in raw.items()}


def sku_inventory(variant: VariantSnapshot, prefs: ProductPrefs) -> list[InventoryInput]:
    """The SKU `inventory[]` of a TikTok request, one entry per warehouse, sorted by id."""
    return [
        InventoryInput(warehouse_id=wh, quantity=qty)
        for wh, qty in sorted(quantities(variant, prefs).items())
    ]
