"""`refundCreate` and the Refund objects it makes; `Order.refunds` / `Order.totalRefundedSet`.

From the 2026-07 schema: "As of 2026-04, the idempotency key is required and must be provided
using the `@idempotent` directive" (refundCreate description) — a call without it is refused,
a replay with the same key and input returns the first refund and makes no second one.
`RefundLineItemInput.restockType`: RETURN restocks fulfilled units, CANCEL unfulfilled ones
("Use this when restocking …"), NO_RESTOCK leaves stock alone. Refunded money comes only from
`transactions` (kind REFUND); the sandbox refuses more than was paid unless
`allowOverRefunding` (its description: "Whether to allow the total refunded amount to surpass
the amount paid"). The refunds/create webhook carries the REST Refund resource.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ecomsend.sandbox.shopify import payloads
from ecomsend.sandbox.shopify.merchant import emit, new_event_id, set_available
from ecomsend.sandbox.shopify.resolvers.base import Ctx, attr, paginate, register, user_error
from ecomsend.sandbox.shopify.resolvers.idempotency import run_idempotent
from ecomsend.sandbox.shopify.resolvers.orders import fulfilled_qty, money_bag
from ecomsend.sandbox.shopify.store import LineItem, Order, Shop
from ecomsend.sandbox.shopify.util import gid, iso, iso_rest, now, parse_gid

RESTOCK_TYPES = ("NO_RESTOCK", "CANCEL", "RETURN")
#: Rounding slack when comparing money sums (two decimals).
CENT = 0.005


@dataclass
class RefundLine:
    """One RefundLineItem."""

    id: int
    line_item: LineItem
    quantity: int
    restock_type: str
    location_id: int | None


@dataclass
class Refund:
    """One Refund of an order."""

    id: int
    order_id: int
    note: str | None
    lines: list[RefundLine]
    transactions: list[dict[str, Any]]
    shipping_amount: float
    created_at: float = field(default_factory=now)

    @property
    def total(self) -> float:
        return sum(float(t["amount"]) for t in self.transactions)


def refunded_qty(order: Order, li: LineItem) -> int:
    """Units of a line item already refunded."""
    return sum(rl.quantity for r in order.refunds for rl in r.lines if rl.line_item.id == li.id)


def refunded_total(order: Order) -> float:
    return float(sum(r.total for r in order.refunds))


def _check_line(ctx: Ctx, order: Order, n: int, spec: dict[str, Any]
                ) -> tuple[RefundLine | None, dict[str, Any] | None]:
    """Validate one RefundLineItemInput; (line, None) or (None, userError)."""
    path = ["refundLineItems", str(n)]
    li = next((x for x in order.line_items
               if x.id == parse_gid(spec.get("lineItemId"), "LineItem")), None)
    if li is None:
        return None, user_error([*path, "lineItemId"], "Line item does not exist on the order")
    qty = int(spec.get("quantity") or 0)
    # Sandbox choice: a missing restockType means NO_RESTOCK (the schema gives no default).
    restock = spec.get("restockType") or "NO_RESTOCK"
    if restock not in RESTOCK_TYPES:
        return None, user_error([*path, "restockType"], f"Invalid restock type {restock}")
    if qty < 1 or qty > li.quantity - refunded_qty(order, li):
        return None, user_error([*path, "quantity"],
                                "Quantity cannot refund more items than were purchased")
    done = fulfilled_qty(ctx.shop, order, li)
    if restock == "RETURN" and qty > done:
        return None, user_error([*path, "restockType"],
                                "Only fulfilled items can be restocked as a return")
    if restock == "CANCEL" and qty > li.quantity - done:
        return None, user_error([*path, "restockType"],
                                "Only unfulfilled items can be restocked as cancelled")
    loc = parse_gid(spec.get("locationId"), "Location") if spec.get("locationId") else None
    if loc is None and restock != "NO_RESTOCK":
        loc = next((c[1] for c in order.claims if c[0] == _item_id(ctx.shop, li)),
                   next(iter(ctx.shop.locations), None))
    if loc is not None and loc not in ctx.shop.locations:
        return None, user_error([*path, "locationId"], "Location does not exist")
    return RefundLine(ctx.sandbox.next_id(), li, qty, restock, loc), None


def _item_id(shop: Shop, li: LineItem) -> int | None:
    variant = shop.variants.get(li.variant_id or 0)
    return variant.item.id if variant is not None else None


def _check_transactions(order: Order, inp: dict[str, Any]) -> dict[str, Any] | None:
    """REFUND transactions of this order, within what was paid (or allowOverRefunding)."""
    total = 0.0
    for n, t in enumerate(inp.get("transactions") or []):
        path = ["transactions", str(n)]
        if t.get("kind") != "REFUND":
            return user_error([*path, "kind"], "Transaction kind must be REFUND")
        if parse_gid(t.get("orderId"), "Order") != order.id:
            return user_error([*path, "orderId"], "Transaction order does not match the refund")
        if float(t["amount"]) <= 0:
            return user_error([*path, "amount"], "Amount must be greater than zero")
        total += float(t["amount"])
    # What was captured (orderCreate's SALE/CAPTURE transactions, tax included); orders made
    # without transactions count as paid in full unless pending.
    paid = order.paid if order.paid is not None else (
        order.total if order.financial_status not in ("PENDING", "VOIDED") else 0.0)
    if total > paid - refunded_total(order) + CENT and not inp.get("allowOverRefunding"):
        return user_error(["transactions"], "Refund amount exceeds the refundable amount "
                          f"({max(paid - refunded_total(order), 0):.2f})")
    return None


def _restock(ctx: Ctx, refund: Refund, event: str) -> None:
    for rl in refund.lines:
        item_id = _item_id(ctx.shop, rl.line_item)
        item = ctx.shop.items.get(item_id or 0)
        if rl.restock_type == "NO_RESTOCK" or item is None or rl.location_id is None:
            continue
        level = item.levels.get(rl.location_id)
        set_available(ctx.sandbox, ctx.shop, item, rl.location_id,
                      (level.available if level else 0) + rl.quantity, event)


def _apply(ctx: Ctx, inp: dict[str, Any]) -> dict[str, Any]:
    """Validate and make the refund (called once per idempotency key)."""
    order = ctx.shop.orders.get(parse_gid(inp.get("orderId"), "Order") or 0)
    if order is None:
        return {"refund": None, "order": None,
                "userErrors": [user_error(["orderId"], "Order does not exist")]}
    lines = []
    for n, spec in enumerate(inp.get("refundLineItems") or []):
        line, err = _check_line(ctx, order, n, spec)
        if err is not None:
            return {"refund": None, "order": None, "userErrors": [err]}
        assert line is not None
        lines.append(line)
    err = _check_transactions(order, inp)
    if err is not None:
        return {"refund": None, "order": None, "userErrors": [err]}
    shipping = inp.get("shipping") or {}
    amount = (shipping.get("shippingRefundAmount") or {}).get("amount")
    ship_total = sum(float(s.get("price", 0)) for s in order.shipping_lines)
    refund = Refund(ctx.sandbox.next_id(), order.id, inp.get("note"), lines,
                    [{"id": ctx.sandbox.next_id(), "amount": f"{float(t['amount']):.2f}",
                      "gateway": t.get("gateway"), "parent_id": t.get("parentId")}
                     for t in inp.get("transactions") or []],
                    float(amount) if amount else (ship_total if shipping.get("fullRefund")
                                                  else 0.0))
    order.refunds.append(refund)
    order.updated_at = refund.created_at
    if refund.transactions:
        paid = order.paid if order.paid is not None else order.total
        order.financial_status = ("REFUNDED" if refunded_total(order) + CENT >= paid
                                  else "PARTIALLY_REFUNDED")
    event = new_event_id()
    _restock(ctx, refund, event)
    emit(ctx.sandbox, ctx.shop, "refunds/create", refund_json(ctx.shop, order, refund), event)
    emit(ctx.sandbox, ctx.shop, "orders/updated", payloads.order_json(ctx.shop, order), event)
    return {"refund": refund, "order": order, "userErrors": []}


def refund_json(shop: Shop, order: Order, refund: Refund) -> dict[str, Any]:
    """The refunds/create body: the REST Refund resource."""
    return {
        "id": refund.id, "admin_graphql_api_id": gid("Refund", refund.id),
        "order_id": order.id, "note": refund.note, "user_id": None,
        "created_at": iso_rest(refund.created_at), "processed_at": iso_rest(refund.created_at),
        "restock": any(rl.restock_type != "NO_RESTOCK" for rl in refund.lines),
        "refund_line_items": [{
            "id": rl.id, "line_item_id": rl.line_item.id, "quantity": rl.quantity,
            "location_id": rl.location_id, "restock_type": rl.restock_type.lower(),
            "subtotal": f"{float(rl.line_item.price) * rl.quantity:.2f}", "total_tax": "0.00",
            "line_item": {"id": rl.line_item.id, "variant_id": rl.line_item.variant_id,
                          "sku": rl.line_item.sku, "title": rl.line_item.title,
                          "quantity": rl.line_item.quantity, "price": rl.line_item.price}}
            for rl in refund.lines],
        "transactions": [{"id": t["id"], "order_id": order.id, "kind": "refund",
                          "gateway": t["gateway"], "status": "success", "amount": t["amount"],
                          "currency": order.currency, "parent_id": t["parent_id"]}
                         for t in refund.transactions],
        "order_adjustments": [],
    }


register("Refund", {
    "id": lambda r, c, a: gid("Refund", r.id), "legacyResourceId": lambda r, c, a: str(r.id),
    "note": attr("note"), "createdAt": lambda r, c, a: iso(r.created_at),
    "processedAt": lambda r, c, a: iso(r.created_at),
    "updatedAt": lambda r, c, a: iso(r.created_at),
    "order": lambda r, c, a: c.shop.orders.get(r.order_id),
    "totalRefundedSet": lambda r, c, a: money_bag(r.total, c.shop.orders[r.order_id].currency),
    "refundLineItems": lambda r, c, a: paginate(r.lines, a),
    "return": lambda r, c, a: None, "staffMember": lambda r, c, a: None,
}, Refund)
register("RefundLineItem", {
    "id": lambda rl, c, a: gid("RefundLineItem", rl.id), "quantity": attr("quantity"),
    "restockType": attr("restock_type"),
    "restocked": lambda rl, c, a: rl.restock_type != "NO_RESTOCK",
    "lineItem": attr("line_item"),
    "location": lambda rl, c, a: c.shop.locations.get(rl.location_id or 0),
}, RefundLine)
register("Order", {
    "refunds": lambda o, c, a: o.refunds[: a.get("first") or None],
    "totalRefundedSet": lambda o, c, a: money_bag(refunded_total(o), o.currency),
})
register("Mutation", {
    "refundCreate": lambda r, c, a: run_idempotent(c, a, lambda: _apply(c, a["input"])),
})
