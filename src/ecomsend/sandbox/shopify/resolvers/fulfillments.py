"""FulfillmentOrder, Fulfillment; fulfillmentCreate and fulfillmentTrackingInfoUpdate (§10).

fulfillmentCreate only works on fulfillment orders with remaining quantity, all of one order
and one location; omitted `fulfillmentOrderLineItems` means "everything remaining".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecomsend.sandbox.shopify.merchant_orders import fulfill, tracking_from, update_tracking
from ecomsend.sandbox.shopify.resolvers.base import (
    Ctx,
    attr,
    const,
    paginate,
    register,
    user_error,
)
from ecomsend.sandbox.shopify.resolvers.orders import money_bag
from ecomsend.sandbox.shopify.resolvers.shop import lookup
from ecomsend.sandbox.shopify.store import (
    FOLineItem,
    Fulfillment,
    FulfillmentOrder,
    LineItem,
    Shop,
)
from ecomsend.sandbox.shopify.util import gid, iso, parse_gid

#: At most 512 line items per fulfillment order in one fulfillmentCreate (reference §10).
MAX_FO_LINE_ITEMS = 512


@dataclass
class FOLine:
    """A fulfillment-order line item together with its order line."""

    fo_li: FOLineItem
    line: LineItem


@dataclass
class FLine:
    """A FulfillmentLineItem."""

    id: int
    line: LineItem
    quantity: int


def _order_line(shop: Shop, order_id: int, line_item_id: int) -> LineItem:
    """The order line item with this id."""
    return next(li for li in shop.orders[order_id].line_items if li.id == line_item_id)


def _fo_lines(fo: FulfillmentOrder, ctx: Ctx, args: dict[str, Any]) -> Any:
    """FulfillmentOrder.lineItems."""
    lines = [FOLine(li, _order_line(ctx.shop, fo.order_id, li.line_item_id))
             for li in fo.line_items]
    return paginate(lines, args, key=lambda x: x.fo_li.id)


def _assigned(fo: FulfillmentOrder, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """FulfillmentOrder.assignedLocation."""
    loc = ctx.shop.locations[fo.location_id]
    return {"location": loc, "name": loc.name, "countryCode": loc.country_code,
            "address1": "1 Warehouse Way", "address2": None, "city": "New York",
            "province": loc.province_code, "zip": loc.zip, "phone": None}


def _actions(fo: FulfillmentOrder, ctx: Ctx, args: dict[str, Any]) -> list[dict[str, Any]]:
    """FulfillmentOrder.supportedActions (none once closed or cancelled)."""
    if fo.status in ("CLOSED", "CANCELLED"):
        return []
    return [{"action": a, "externalUrl": None}
            for a in ("CREATE_FULFILLMENT", "HOLD", "MOVE", "SPLIT", "REPORT_PROGRESS")]


register("FulfillmentOrder", {
    "id": lambda fo, c, a: gid("FulfillmentOrder", fo.id), "status": attr("status"),
    "requestStatus": const("UNSUBMITTED"), "assignedLocation": _assigned,
    "supportedActions": _actions, "lineItems": _fo_lines,
    "order": lambda fo, c, a: c.shop.orders[fo.order_id],
    "orderId": lambda fo, c, a: gid("Order", fo.order_id),
    "orderName": lambda fo, c, a: c.shop.orders[fo.order_id].name,
    "fulfillAt": const(None), "fulfillBy": const(None), "fulfillmentHolds": const([]),
    "createdAt": lambda fo, c, a: iso(fo.created_at),
    "updatedAt": lambda fo, c, a: iso(fo.updated_at),
    "fulfillments": lambda fo, c, a: paginate(
        [c.shop.fulfillments[i] for i in c.shop.orders[fo.order_id].fulfillment_ids
         if c.shop.fulfillments[i].location_id == fo.location_id], a),
}, FulfillmentOrder)

register("FulfillmentOrderLineItem", {
    "id": lambda x, c, a: gid("FulfillmentOrderLineItem", x.fo_li.id),
    "remainingQuantity": lambda x, c, a: x.fo_li.remaining,
    "totalQuantity": lambda x, c, a: x.fo_li.total, "sku": lambda x, c, a: x.line.sku,
    "lineItem": lambda x, c, a: x.line,
    "inventoryItemId": lambda x, c, a: gid("InventoryItem", x.fo_li.inventory_item_id)
    if x.fo_li.inventory_item_id else None,
    "variant": lambda x, c, a: c.shop.variants.get(x.line.variant_id or 0),
    "productTitle": lambda x, c, a: x.line.title,
    "variantTitle": lambda x, c, a: x.line.variant_title,
    "requiresShipping": lambda x, c, a: x.line.requires_shipping,
    "vendor": lambda x, c, a: x.line.vendor, "warnings": const([]),
}, FOLine)

register("FulfillmentLineItem", {
    "id": lambda x, c, a: gid("FulfillmentLineItem", x.id), "lineItem": attr("line"),
    "quantity": attr("quantity"),
    "originalTotalSet": lambda x, c, a: money_bag(float(x.line.price) * x.quantity,
                                                  c.shop.currency),
}, FLine)


def _f_lines(f: Fulfillment, ctx: Ctx, args: dict[str, Any]) -> Any:
    """Fulfillment.fulfillmentLineItems."""
    lines = [FLine(f.id * 1000 + i, _order_line(ctx.shop, f.order_id, lid), qty)
             for i, (lid, qty) in enumerate(f.line_items)]
    return paginate(lines, args)


register("Fulfillment", {
    "id": lambda f, c, a: gid("Fulfillment", f.id), "legacyResourceId": lambda f, c, a:
    str(f.id), "name": attr("name"), "status": attr("status"),
    "displayStatus": lambda f, c, a: "IN_TRANSIT" if f.tracking else "FULFILLED",
    "createdAt": lambda f, c, a: iso(f.created_at), "updatedAt": lambda f, c, a: iso(f.updated_at),
    "trackingInfo": lambda f, c, a: [{"company": t.company, "number": t.number, "url": t.url}
                                     for t in f.tracking][: a.get("first") or None],
    "fulfillmentLineItems": _f_lines,
    "location": lambda f, c, a: c.shop.locations.get(f.location_id),
    "order": lambda f, c, a: c.shop.orders[f.order_id],
    "totalQuantity": lambda f, c, a: sum(q for _, q in f.line_items),
    "deliveredAt": const(None), "estimatedDeliveryAt": const(None), "inTransitAt": const(None),
    "requiresShipping": const(True),
}, Fulfillment)


def _check_tracking(path: list[str], tracking: dict[str, Any] | None) -> list[dict[str, Any]]:
    """FulfillmentTrackingInput rules (reference §10): number/numbers, url needs a number."""
    if not tracking:
        return []
    errors = []
    if tracking.get("number") and tracking.get("numbers"):
        errors.append(user_error([*path, "numbers"], "Cannot specify both number and numbers."))
    if tracking.get("url") and tracking.get("urls"):
        errors.append(user_error([*path, "urls"], "Cannot specify both url and urls."))
    if (tracking.get("url") or tracking.get("urls")) and not (
            tracking.get("number") or tracking.get("numbers")):
        errors.append(user_error([*path, "url"], "A tracking URL requires a tracking number."))
    return errors


def _picks(ctx: Ctx, groups: list[dict[str, Any]]) -> tuple[list[Any], list[dict[str, Any]]]:
    """Resolve lineItemsByFulfillmentOrder to (FO, [(FO line, qty)]) or userErrors."""
    picks: list[Any] = []
    errors: list[dict[str, Any]] = []
    for i, group in enumerate(groups):
        path = ["fulfillment", "lineItemsByFulfillmentOrder", str(i)]
        fo = ctx.shop.fulfillment_orders.get(
            parse_gid(group["fulfillmentOrderId"], "FulfillmentOrder") or 0)
        if fo is None:
            errors.append(user_error([*path, "fulfillmentOrderId"],
                                     "Fulfillment order does not exist."))
            continue
        if fo.status not in ("OPEN", "IN_PROGRESS"):
            errors.append(user_error([*path, "fulfillmentOrderId"], f"Fulfillment order "
                                     f"{fo.id} has an unfulfillable status= {fo.status.lower()}."))
            continue
        by_id = {li.id: li for li in fo.line_items}
        wanted = group.get("fulfillmentOrderLineItems")
        if wanted is None:
            items: list[tuple[Any, int]] = [(li, li.remaining) for li in fo.line_items
                                            if li.remaining > 0]
        else:
            items = [(by_id.get(parse_gid(w["id"], "FulfillmentOrderLineItem") or 0),
                      w["quantity"]) for w in wanted]
        if len(items) > MAX_FO_LINE_ITEMS or any(li is None or q <= 0 or q > li.remaining
                                                 for li, q in items) or not items:
            errors.append(user_error([*path, "fulfillmentOrderLineItems"],
                                     "Invalid fulfillment order line item quantity requested."))
            continue
        picks.append((fo, items))
    return picks, errors


def _fulfillment_create(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """fulfillmentCreate: one order, one location, remaining quantities only."""
    inp = args["fulfillment"]
    picks, errors = _picks(ctx, inp["lineItemsByFulfillmentOrder"])
    errors += _check_tracking(["fulfillment", "trackingInfo"], inp.get("trackingInfo"))
    if not errors and not picks:
        errors.append(user_error(["fulfillment", "lineItemsByFulfillmentOrder"],
                                 "At least one fulfillment order is required."))
    if not errors and len({(fo.order_id, fo.location_id) for fo, _ in picks}) > 1:
        errors.append(user_error(["fulfillment"], "All fulfillment orders must belong to the "
                                 "same order and be assigned to the same location."))
    if errors:
        return {"fulfillment": None, "userErrors": errors}
    order = ctx.shop.orders[picks[0][0].order_id]
    f = fulfill(ctx.sandbox, ctx.shop, order, picks, tracking_from(inp.get("trackingInfo")))
    return {"fulfillment": f, "userErrors": []}


def _tracking_update(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """fulfillmentTrackingInfoUpdate."""
    f = ctx.shop.fulfillments.get(parse_gid(args["fulfillmentId"], "Fulfillment") or 0)
    if f is None:
        return {"fulfillment": None, "userErrors": [user_error(
            ["fulfillmentId"], "Fulfillment does not exist.")]}
    errors = _check_tracking(["trackingInfoInput"], args["trackingInfoInput"])
    if errors:
        return {"fulfillment": None, "userErrors": errors}
    update_tracking(ctx.sandbox, ctx.shop, f, tracking_from(args["trackingInfoInput"]))
    return {"fulfillment": f, "userErrors": []}


register("Mutation", {"fulfillmentCreate": _fulfillment_create,
                      "fulfillmentTrackingInfoUpdate": _tracking_update})
register("QueryRoot", {
    "fulfillmentOrder": lambda r, c, a: lookup(c.shop, a["id"], "FulfillmentOrder"),
    "fulfillment": lambda r, c, a: lookup(c.shop, a["id"], "Fulfillment"),
})
