"""orderUpdate and tagsAdd/tagsRemove (orders and products); they fire orders/updated or
products/update like the admin does. Registered through `resolvers.all`."""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify import merchant, payloads
from ecomsend.sandbox.shopify.resolvers.base import Ctx, register, user_error
from ecomsend.sandbox.shopify.resolvers.shop import lookup
from ecomsend.sandbox.shopify.store import Order, Product
from ecomsend.sandbox.shopify.util import now


def _split(tags: list[str]) -> list[str]:
    """Tags may be given comma-separated inside one string (Shopify splits them)."""
    return [t.strip() for tag in tags for t in tag.split(",") if t.strip()]


def _touched_order(ctx: Ctx, order: Order) -> None:
    """Bump updated_at and fire orders/updated."""
    order.updated_at = now()
    merchant.emit(ctx.sandbox, ctx.shop, "orders/updated", payloads.order_json(ctx.shop, order))


def _order_update(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """orderUpdate: tags, note, email, custom attributes, shipping address."""
    inp = args["input"]
    order = lookup(ctx.shop, inp["id"], "Order")
    if order is None:
        return {"order": None, "userErrors": [user_error(["id"], "Order does not exist")]}
    if inp.get("tags") is not None:
        order.tags = _split(inp["tags"])
    for key, attr_name in (("note", "note"), ("email", "email")):
        if key in inp:
            setattr(order, attr_name, inp[key])
    if inp.get("customAttributes") is not None:
        order.custom_attributes = [(a["key"], a["value"]) for a in inp["customAttributes"]]
    if inp.get("shippingAddress") is not None:
        order.shipping_address = inp["shippingAddress"]
    _touched_order(ctx, order)
    return {"order": order, "userErrors": []}


def _tags(ctx: Ctx, args: dict[str, Any], add: bool) -> dict[str, Any]:
    """tagsAdd / tagsRemove on an order or a product."""
    node = lookup(ctx.shop, args["id"])
    if not isinstance(node, Order | Product):
        return {"node": None, "userErrors": [user_error(
            ["id"], "Only orders and products can be tagged in the sandbox")]}
    tags = _split(args["tags"])
    if add:
        node.tags = node.tags + [t for t in tags if t not in node.tags]
    else:
        node.tags = [t for t in node.tags if t not in tags]
    if isinstance(node, Order):
        _touched_order(ctx, node)
    else:
        node.updated_at = now()
        merchant.fire_product(ctx.sandbox, ctx.shop, node, "products/update")
    return {"node": node, "userErrors": []}


register("Mutation", {
    "orderUpdate": _order_update,
    "tagsAdd": lambda r, c, a: _tags(c, a, add=True),
    "tagsRemove": lambda r, c, a: _tags(c, a, add=False),
})


def _mark_paid(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """orderMarkAsPaid (reference §9: for orders created PENDING): orders/paid."""
    order = lookup(ctx.shop, args["input"]["id"], "Order")
    if order is None:
        return {"order": None, "userErrors": [user_error(["id"], "Order does not exist")]}
    if order.financial_status == "PAID":
        return {"order": None, "userErrors": [user_error(["id"], "Order is already paid")]}
    order.financial_status = "PAID"
    order.updated_at = now()
    body = payloads.order_json(ctx.shop, order)
    event = merchant.new_event_id()
    merchant.emit(ctx.sandbox, ctx.shop, "orders/paid", body, event)
    merchant.emit(ctx.sandbox, ctx.shop, "orders/updated", body, event)
    return {"order": order, "userErrors": []}


register("Mutation", {"orderMarkAsPaid": _mark_paid})
