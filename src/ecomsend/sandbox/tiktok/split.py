"""Split Orders: `POST /fulfillment/202309/orders/{order_id}/split` (its doc,
contracts/tiktok/official-docs-scraped/api-reference/fulfillment/split-orders.spec.json).

Each `splittable_groups[]` entry {id, order_line_item_ids} becomes a package whose new id is
returned with the group's id; the seller then ships it with Ship Package. Split levels vary by
region (doc): "all-units split … BR, SEA, MX (local sellers)": a group takes every unit of
each SKU it holds; "item-level split … EU, JP, MX (global sellers), UK, US". Errors from the
doc's list: 21011005 invalid parameters, 21011035 "split order not allowed".
Where the doc is silent the sandbox decides: only an unshipped package of an order awaiting
shipment splits, all of a group's items must be in one package, and groups that take every
item of a package leave the package to the first of them (no empty package is kept).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.fulfillment import own_order, split_package
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.state import Order

INVALID_PARAMS = 21011005
SPLIT_NOT_ALLOWED = 21011035
#: Regions whose local sellers may only split whole SKUs (doc: "all-units split").
ALL_UNITS_REGIONS = frozenset({"MX", "BR"})


def _groups(body: dict[str, Any], order: Order) -> list[tuple[str, list[str]]]:
    """The body's groups, checked: non-empty, known line items, none in two groups."""
    raw = body.get("splittable_groups")
    if not isinstance(raw, list) or not raw:
        raise ApiError(INVALID_PARAMS, "Invalid parameters: splittable_groups is required.")
    known = {i["id"] for i in order.line_items}
    seen: set[str] = set()
    out = []
    for group in raw:
        gid = str((group or {}).get("id") or "")
        ids = [str(i) for i in (group or {}).get("order_line_item_ids") or []]
        if not gid or not ids or any(i not in known or i in seen for i in ids):
            raise ApiError(INVALID_PARAMS, "Invalid parameters: each group needs an id and "
                           "order line items of this order, none in two groups.")
        seen.update(ids)
        out.append((gid, ids))
    return out


def _check_all_units(ctx: Ctx, order: Order, groups: list[tuple[str, list[str]]]) -> None:
    """MX/BR local sellers: a group holds every unit (line item) of each SKU it holds."""
    if ctx.shop.region not in ALL_UNITS_REGIONS or ctx.shop.seller_type != "LOCAL":
        return
    by_sku: dict[str, set[str]] = defaultdict(set)
    sku_of = {}
    for item in order.line_items:
        by_sku[item["sku_id"]].add(item["id"])
        sku_of[item["id"]] = item["sku_id"]
    for _, ids in groups:
        for sku in {sku_of[i] for i in ids}:
            if not by_sku[sku] <= set(ids):
                raise ApiError(SPLIT_NOT_ALLOWED, "split order not allowed: in this region a "
                               "package takes all units of a SKU (all-units split).")


async def split_order(ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/orders/{order_id}/split."""
    order = own_order(ctx, ctx.params["order_id"])
    groups = _groups(ctx.json(), order)
    if order.status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
        raise ApiError(SPLIT_NOT_ALLOWED, f"split order not allowed: order is {order.status}.")
    items = {i["id"]: i for i in order.line_items}
    for _, ids in groups:
        packages = {items[i]["package_id"] for i in ids}
        pkg = ctx.shop.packages.get(next(iter(packages)))
        if len(packages) != 1 or pkg is None or pkg.status != "PROCESSING" or pkg.tracking_number:
            raise ApiError(SPLIT_NOT_ALLOWED, "split order not allowed: a group's items must "
                           "be in one package that has not shipped.")
    _check_all_units(ctx, order, groups)
    made = []
    for gid, ids in groups:
        pkg = ctx.shop.packages[items[ids[0]]["package_id"]]
        if set(ids) != set(pkg.line_item_ids):
            pkg = split_package(ctx, order, pkg, ids)
        made.append({"splittable_group_id": gid, "id": pkg.id})
    return {"packages": made}
