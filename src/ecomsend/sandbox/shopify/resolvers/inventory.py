"""InventoryItem, InventoryLevel, quantities; inventorySetQuantities / inventoryAdjustQuantities.

Reference §8: names `available`/`on_hand`; `changeFromQuantity` is compare-and-set and must be
passed explicitly on set (null skips the check); @idempotent(key:) is required (2026-04+).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecomsend.sandbox.shopify.merchant import new_event_id, set_available
from ecomsend.sandbox.shopify.resolvers.base import (
    Ctx,
    SandboxError,
    attr,
    const,
    paginate,
    query_matcher,
    register,
    user_error,
)
from ecomsend.sandbox.shopify.resolvers.idempotency import run_idempotent
from ecomsend.sandbox.shopify.resolvers.shop import lookup
from ecomsend.sandbox.shopify.store import InventoryItem, Shop
from ecomsend.sandbox.shopify.util import GID_RE, gid, iso, level_gid, now, parse_gid

#: Inventory states a level reports (reference §8; only available/committed are non-zero here).
QUANTITY_NAMES = ("available", "on_hand", "committed", "incoming", "reserved", "damaged",
                  "safety_stock", "quality_control")
#: Reasons accepted by the inventory mutations (reference §8, docs list).
REASONS = frozenset({
    "correction", "cycle_count_available", "damaged", "movement_created", "movement_updated",
    "movement_received", "movement_canceled", "other", "promotion", "quality_control",
    "received", "reservation_created", "reservation_deleted", "reservation_updated", "restock",
    "safety_stock", "shrinkage"})
#: Quantities above this are INVALID_QUANTITY_TOO_HIGH (Shopify caps at 1,000,000,000).
MAX_QUANTITY = 1_000_000_000


@dataclass
class LevelRef:
    """An InventoryLevel: an item at a location."""

    item: InventoryItem
    location_id: int


def level_from_gid(shop: Shop, value: str) -> LevelRef | None:
    """The level an InventoryLevel GID names (loc?inventory_item_id=item)."""
    m = GID_RE.match(value)
    if m is None or not m.group("query"):
        return None
    item_id = parse_gid(gid("InventoryItem", int(m.group("query").split("=")[-1])))
    item = shop.items.get(item_id or 0)
    loc = int(m.group("id"))
    return LevelRef(item, loc) if item is not None and loc in item.levels else None


def quantity_of(item: InventoryItem, location_id: int, name: str) -> int:
    """One named quantity of a level."""
    level = item.levels[location_id]
    if name == "available":
        return level.available
    if name == "committed":
        return level.committed
    if name == "on_hand":
        return level.available + level.committed
    return 0


def _quantities(ref: LevelRef, ctx: Ctx, args: dict[str, Any]) -> list[dict[str, Any]]:
    """InventoryLevel.quantities(names:); unknown names are an error."""
    out = []
    for name in args["names"]:
        if name not in QUANTITY_NAMES:
            raise SandboxError(f"'{name}' is not a valid inventory quantity name. Valid names: "
                               f"{', '.join(QUANTITY_NAMES)}", extensions={"code": "BAD_REQUEST"})
        out.append({"id": f"gid://shopify/InventoryQuantity/{ref.location_id}?inventory_item_id="
                          f"{ref.item.id}&name={name}", "name": name,
                    "quantity": quantity_of(ref.item, ref.location_id, name),
                    "updatedAt": iso(ref.item.levels[ref.location_id].updated_at)})
    return out


register("InventoryLevel", {
    "id": lambda r, c, a: level_gid(r.location_id, r.item.id), "item": lambda r, c, a: r.item,
    "location": lambda r, c, a: c.shop.locations.get(r.location_id),
    "quantities": _quantities, "isActive": const(True), "canDeactivate": const(True),
    "deactivationAlert": const(None),
    "createdAt": lambda r, c, a: iso(r.item.created_at),
    "updatedAt": lambda r, c, a: iso(r.item.levels[r.location_id].updated_at),
}, LevelRef)


def _item_levels(item: InventoryItem, ctx: Ctx, args: dict[str, Any]) -> Any:
    """InventoryItem.inventoryLevels."""
    return paginate([LevelRef(item, loc) for loc in sorted(item.levels)], args,
                    key=lambda r: r.location_id)


def _item_level(item: InventoryItem, ctx: Ctx, args: dict[str, Any]) -> LevelRef | None:
    """InventoryItem.inventoryLevel(locationId:)."""
    loc = parse_gid(args["locationId"], "Location")
    return LevelRef(item, loc) if loc in item.levels else None


register("InventoryItem", {
    "id": lambda i, c, a: gid("InventoryItem", i.id), "legacyResourceId": lambda i, c, a:
    str(i.id), "sku": attr("sku"), "tracked": attr("tracked"),
    "requiresShipping": attr("requires_shipping"),
    "unitCost": lambda i, c, a: None if i.cost is None else {"amount": i.cost,
                                                             "currencyCode": c.shop.currency},
    "measurement": lambda i, c, a: {"id": gid("InventoryItemMeasurement", i.id),
                                    "weight": {"unit": "GRAMS", "value": i.weight_grams},
                                    "shippingPackageId": None},
    "countryCodeOfOrigin": const(None), "provinceCodeOfOrigin": const(None),
    "harmonizedSystemCode": const(None), "inventoryLevels": _item_levels,
    "inventoryLevel": _item_level,
    "variant": lambda i, c, a: c.shop.variants.get(i.variant_id),
    "variants": lambda i, c, a: paginate([v for v in [c.shop.variants.get(i.variant_id)] if v],
                                         a),
    "duplicateSkuCount": lambda i, c, a: sum(1 for o in c.shop.items.values()
                                             if i.sku and o.sku == i.sku and o.id != i.id),
    "locationsCount": lambda i, c, a: {"count": len(i.levels), "precision": "EXACT"},
    "createdAt": lambda i, c, a: iso(i.created_at), "updatedAt": lambda i, c, a: iso(i.updated_at),
}, InventoryItem)


def _check_common(args: dict[str, Any], names: tuple[str, ...]) -> list[dict[str, Any]]:
    """userErrors for the quantity name and the reason."""
    inp = args["input"]
    errors = []
    if inp["name"] not in names:
        errors.append(user_error(["input", "name"], f"The quantity name must be one of: "
                                 f"{', '.join(names)}.", "INVALID_NAME"))
    if inp["reason"] not in REASONS:
        errors.append(user_error(["input", "reason"], "The specified reason is invalid. Valid "
                                 f"values: {', '.join(sorted(REASONS))}.", "INVALID_REASON"))
    return errors


def _check_line(shop: Shop, path: list[str], line: dict[str, Any]
                ) -> tuple[InventoryItem | None, int | None, list[dict[str, Any]]]:
    """The item and location of one input line, or userErrors."""
    item = shop.items.get(parse_gid(line["inventoryItemId"], "InventoryItem") or 0)
    loc = parse_gid(line["locationId"], "Location")
    if item is None:
        return None, None, [user_error([*path, "inventoryItemId"],
                                       "The specified inventory item could not be found.",
                                       "INVALID_INVENTORY_ITEM")]
    if loc is None or loc not in shop.locations:
        return None, None, [user_error([*path, "locationId"],
                                       "The specified location could not be found.",
                                       "INVALID_LOCATION")]
    if loc not in item.levels:
        return None, None, [user_error([*path, "locationId"],
                                       "The specified inventory item is not stocked at the "
                                       "location.", "ITEM_NOT_STOCKED_AT_LOCATION")]
    return item, loc, []


def _group(ctx: Ctx, inp: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """A successful payload with a new InventoryAdjustmentGroup."""
    return {"inventoryAdjustmentGroup": {
        "id": gid("InventoryAdjustmentGroup", ctx.sandbox.next_id()), "reason": inp["reason"],
        "referenceDocumentUri": inp.get("referenceDocumentUri"), "createdAt": iso(now()),
        "changes": changes, "app": None, "staffMember": None}, "userErrors": []}


def _change(name: str, delta: int, after: int, item: InventoryItem, loc: int, ctx: Ctx,
            ledger: str | None = None) -> dict[str, Any]:
    """One InventoryChange of the group."""
    return {"name": name, "delta": delta, "quantityAfterChange": after, "item": item,
            "location": ctx.shop.locations[loc], "ledgerDocumentUri": ledger}


def _apply_set(ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """inventorySetQuantities: validate every line (all or nothing), then set."""
    inp = args["input"]
    errors = _check_common(args, ("available", "on_hand"))
    plan: list[tuple[InventoryItem, int, int]] = []
    seen: set[tuple[int, int]] = set()
    for i, line in enumerate(inp["quantities"]):
        path = ["input", "quantities", str(i)]
        item, loc, errs = _check_line(ctx.shop, path, line)
        errors += errs
        if item is None or loc is None:
            continue
        if (item.id, loc) in seen:
            errors.append(user_error(path, "The combination of inventoryItemId and locationId "
                                     "must be unique.",
                                     "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"))
        seen.add((item.id, loc))
        if "changeFromQuantity" not in line:
            # 2026-04+: changeFromQuantity must be passed explicitly, null skips it (§0.2b).
            errors.append(user_error([*path, "changeFromQuantity"], "changeFromQuantity is "
                                     "required. Pass null to skip the compare-and-set check."))
            continue
        current = quantity_of(item, loc, inp["name"])
        if line["changeFromQuantity"] is not None and line["changeFromQuantity"] != current:
            errors.append(user_error([*path, "changeFromQuantity"], "The specified compare "
                                     f"quantity does not match the current quantity ({current}).",
                                     "CHANGE_FROM_QUANTITY_STALE"))
        if line["quantity"] > MAX_QUANTITY:
            errors.append(user_error([*path, "quantity"], "The quantity is too high.",
                                     "INVALID_QUANTITY_TOO_HIGH"))
        plan.append((item, loc, line["quantity"]))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    return _commit(ctx, inp, [(item, loc, qty - quantity_of(item, loc, inp["name"]), None)
                              for item, loc, qty in plan])


def _commit(ctx: Ctx, inp: dict[str, Any],
            plan: list[tuple[InventoryItem, int, int, str | None]]) -> dict[str, Any]:
    """Apply deltas to `available` (on_hand moves with it) and fire inventory_levels/update."""
    event = new_event_id()
    changes = []
    for item, loc, delta, ledger in plan:
        level = set_available(ctx.sandbox, ctx.shop, item, loc,
                              item.levels[loc].available + delta, event)
        changes.append(_change("available", delta, level.available, item, loc, ctx, ledger))
        changes.append(_change("on_hand", delta, level.available + level.committed, item, loc,
                               ctx, ledger))
    return _group(ctx, inp, changes)


def _apply_adjust(ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """inventoryAdjustQuantities: validate every line, then apply the deltas."""
    inp = args["input"]
    errors = _check_common(args, ("available", "on_hand"))
    plan: list[tuple[InventoryItem, int, int, str | None]] = []
    for i, line in enumerate(inp["changes"]):
        path = ["input", "changes", str(i)]
        item, loc, errs = _check_line(ctx.shop, path, line)
        errors += errs
        if item is None or loc is None:
            continue
        current = quantity_of(item, loc, inp["name"])
        expected = line.get("changeFromQuantity")
        if expected is not None and expected != current:
            errors.append(user_error([*path, "changeFromQuantity"], "The specified compare "
                                     f"quantity does not match the current quantity ({current}).",
                                     "CHANGE_FROM_QUANTITY_STALE"))
        plan.append((item, loc, line["delta"], line.get("ledgerDocumentUri")))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    return _commit(ctx, inp, plan)


def _items(root: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
    """QueryRoot.inventoryItems(query:): sku, id, created_at, updated_at."""
    match = query_matcher(ctx, args, {
        "sku": lambda i: i.sku, "id": lambda i: i.id, "updated_at": lambda i: i.updated_at,
        "created_at": lambda i: i.created_at})
    return paginate([i for i in ctx.shop.items.values() if match(i)], args)


register("Mutation", {
    "inventorySetQuantities": lambda r, c, a: run_idempotent(c, a, lambda: _apply_set(c, a)),
    "inventoryAdjustQuantities": lambda r, c, a: run_idempotent(
        c, a, lambda: _apply_adjust(c, a)),
})
register("QueryRoot", {
    "inventoryItem": lambda r, c, a: lookup(c.shop, a["id"], "InventoryItem"),
    "inventoryItems": _items,
    "inventoryLevel": lambda r, c, a: lookup(c.shop, a["id"], "InventoryLevel"),
})


def _activate(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """inventoryActivate: stock an item at a location (inventory_levels/connect); an
    @idempotent key is honoured when given."""
    def apply() -> dict[str, Any]:
        item = ctx.shop.items.get(parse_gid(args["inventoryItemId"], "InventoryItem") or 0)
        loc = parse_gid(args["locationId"], "Location")
        if item is None or loc not in ctx.shop.locations:
            return {"inventoryLevel": None, "userErrors": [user_error(
                ["inventoryItemId" if item is None else "locationId"],
                "The inventory item or location could not be found.")]}
        assert loc is not None
        if loc not in item.levels:
            set_available(ctx.sandbox, ctx.shop, item, loc,
                          int(args.get("available") or args.get("onHand") or 0))
        return {"inventoryLevel": LevelRef(item, loc), "userErrors": []}

    assert ctx.info is not None
    if any(d.name.value == "idempotent" for d in ctx.info.field_nodes[0].directives or ()):
        return run_idempotent(ctx, args, apply)
    return apply()


register("Mutation", {"inventoryActivate": _activate})
