"""Order and LineItem; orders/order queries; orderCreate and orderCancel (reference §9).

orderCreate: `options.inventoryBehaviour` (British spelling) BYPASS by default; future
`processedAt` clamped to now (2026-07); financial status derived from transactions when omitted.
Search fields for `orders(query:)`: tag, source_identifier, source_name, name, status,
financial_status, fulfillment_status, updated_at, created_at, processed_at, id, email, sku —
served by the lagging search index (`search_index`).
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify.merchant_orders import (
    InventoryClaimFailed,
    cancel_order,
    create_order,
    line_from_variant,
)
from ecomsend.sandbox.shopify.payloads import fulfillment_status
from ecomsend.sandbox.shopify.resolvers.base import (
    Ctx,
    attr,
    const,
    paginate,
    query_matcher,
    register,
    user_error,
)
from ecomsend.sandbox.shopify.resolvers.order_input import build_order
from ecomsend.sandbox.shopify.resolvers.shop import lookup
from ecomsend.sandbox.shopify.search_index import search_orders
from ecomsend.sandbox.shopify.store import LineItem, Order, Shop
from ecomsend.sandbox.shopify.util import gid, iso, parse_gid


def money_bag(amount: float | str, currency: str) -> dict[str, Any]:
    """A MoneyBag (shopMoney and presentmentMoney)."""
    one = {"amount": f"{float(amount):.2f}", "currencyCode": currency}
    return {"shopMoney": one, "presentmentMoney": dict(one)}


def fulfilled_qty(shop: Shop, order: Order, li: LineItem) -> int:
    """How much of a line item has been fulfilled."""
    return sum(q for f_id in order.fulfillment_ids for lid, q in shop.fulfillments[f_id].line_items
               if lid == li.id)


def display_fulfillment(shop: Shop, order: Order) -> str:
    """Order.displayFulfillmentStatus."""
    status = fulfillment_status(shop, order)
    return {"fulfilled": "FULFILLED", "partial": "PARTIALLY_FULFILLED"}.get(status or "",
                                                                          "UNFULFILLED")


def _line_order(shop: Shop, li: LineItem) -> Order:
    """The order a line item belongs to."""
    return shop.orders[li.order_id]


register("LineItem", {
    "id": lambda li, c, a: gid("LineItem", li.id), "title": attr("title"),
    "name": lambda li, c, a: li.title + (f" - {li.variant_title}" if li.variant_title else ""),
    "sku": attr("sku"), "quantity": attr("quantity"), "currentQuantity": attr("quantity"),
    "unfulfilledQuantity": lambda li, c, a: li.quantity - fulfilled_qty(
        c.shop, _line_order(c.shop, li), li),
    "fulfillableQuantity": lambda li, c, a: li.quantity - fulfilled_qty(
        c.shop, _line_order(c.shop, li), li),
    "variant": lambda li, c, a: c.shop.variants.get(li.variant_id or 0),
    "product": lambda li, c, a: c.shop.products.get(li.product_id or 0),
    "variantTitle": attr("variant_title"), "vendor": attr("vendor"),
    "requiresShipping": attr("requires_shipping"), "taxable": const(True),
    "isGiftCard": const(False), "customAttributes": const([]),
    "originalUnitPriceSet": lambda li, c, a: money_bag(li.price, c.shop.currency),
    "discountedUnitPriceSet": lambda li, c, a: money_bag(li.price, c.shop.currency),
    "originalTotalSet": lambda li, c, a: money_bag(float(li.price) * li.quantity,
                                                   c.shop.currency),
}, LineItem)


def _customer(o: Order, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any] | None:
    """Order.customer (a minimal Customer)."""
    if not o.customer:
        return None
    c = o.customer
    name = " ".join(x for x in (c.get("first_name"), c.get("last_name")) if x)
    return {"id": gid("Customer", c["id"]), "email": c.get("email"),
            "firstName": c.get("first_name"), "lastName": c.get("last_name"),
            "displayName": name or c.get("email") or "", "phone": c.get("phone")}


def _mailing(o: Order, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any] | None:
    """Order.shippingAddress as a MailingAddress."""
    if not o.shipping_address:
        return None
    keys = ("firstName", "lastName", "address1", "address2", "city", "provinceCode",
            "countryCode", "zip", "phone", "company", "province", "country")
    out = {k: o.shipping_address.get(k) for k in keys}
    out["countryCodeV2"] = out["countryCode"]
    out["name"] = " ".join(x for x in (out["firstName"], out["lastName"]) if x)
    return out


register("Order", {
    "id": lambda o, c, a: gid("Order", o.id), "legacyResourceId": lambda o, c, a: str(o.id),
    "name": lambda o, c, a: o.name, "email": attr("email"), "phone": const(None),
    "createdAt": lambda o, c, a: iso(o.created_at), "updatedAt": lambda o, c, a: iso(o.updated_at),
    "processedAt": lambda o, c, a: iso(o.processed_at),
    "cancelledAt": lambda o, c, a: iso(o.cancelled_at), "cancelReason": attr("cancel_reason"),
    "closed": const(False), "closedAt": const(None), "confirmed": const(True),
    "test": attr("test"), "sourceName": attr("source_name"),
    "sourceIdentifier": attr("source_identifier"), "tags": lambda o, c, a: list(o.tags),
    "note": attr("note"),
    "customAttributes": lambda o, c, a: [{"key": k, "value": v} for k, v in o.custom_attributes],
    "displayFinancialStatus": attr("financial_status"),
    "displayFulfillmentStatus": lambda o, c, a: display_fulfillment(c.shop, o),
    "currencyCode": attr("currency"), "presentmentCurrencyCode": attr("currency"),
    "totalPriceSet": lambda o, c, a: money_bag(o.total, o.currency),
    "currentTotalPriceSet": lambda o, c, a: money_bag(o.total, o.currency),
    "subtotalPriceSet": lambda o, c, a: money_bag(o.total, o.currency),
    "fullyPaid": lambda o, c, a: o.financial_status == "PAID",
    "unpaid": lambda o, c, a: o.financial_status == "PENDING",
    "lineItems": lambda o, c, a: paginate(o.line_items, a),
    "fulfillmentOrders": lambda o, c, a: paginate(
        [c.shop.fulfillment_orders[i] for i in o.fulfillment_order_ids], a),
    "fulfillments": lambda o, c, a: [c.shop.fulfillments[i] for i in o.fulfillment_ids][
        : a.get("first") or None],
    "shippingAddress": _mailing, "customer": _customer,
    "fulfillable": lambda o, c, a: display_fulfillment(c.shop, o) != "FULFILLED"
    and o.cancelled_at is None,
}, Order)

ORDER_SEARCH = {
    "tag": lambda o: o.tags, "source_identifier": lambda o: o.source_identifier,
    "source_name": lambda o: o.source_name, "name": lambda o: [o.name, o.name.lstrip("#")],
    "title": lambda o: o.name, "email": lambda o: o.email, "id": lambda o: o.id,
    "updated_at": lambda o: o.updated_at, "created_at": lambda o: o.created_at,
    "processed_at": lambda o: o.processed_at,
    "financial_status": lambda o: o.financial_status,
    "sku": lambda o: [li.sku for li in o.line_items],
    "status": lambda o: "cancelled" if o.cancelled_at else "open",
}
ORDER_SORT = {"ID": lambda o: (o.id,), "CREATED_AT": lambda o: (o.created_at, o.id),
              "UPDATED_AT": lambda o: (o.updated_at, o.id),
              "PROCESSED_AT": lambda o: (o.processed_at, o.id),
              "ORDER_NUMBER": lambda o: (o.number, o.id)}


def order_search_fields(shop: Shop) -> dict[str, Any]:
    """The searchable fields of an order in `shop` (name -> getter)."""
    fields = dict(ORDER_SEARCH)
    fields["fulfillment_status"] = lambda o: {"fulfilled": "shipped", "partial": "partial"}.get(
        fulfillment_status(shop, o) or "", "unshipped")
    return fields


def _searched(ctx: Ctx, args: dict[str, Any]) -> list[Order]:
    """Orders matching `query:`, through the lagging search index when a query is given.
    Sandbox choice: a listing with no query reads the orders at once (whether Shopify serves
    it from the index too is not documented)."""
    fields = order_search_fields(ctx.shop)
    if not (args.get("query") or "").strip():
        return list(ctx.shop.orders.values())
    return search_orders(ctx.shop, fields, ctx.sandbox.search_lag_s,
                         lambda f: query_matcher(ctx, args, f))


def _orders(root: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
    """QueryRoot.orders(query:, sortKey:)."""
    key = ORDER_SORT.get(args.get("sortKey") or "ID", ORDER_SORT["ID"])
    items = sorted(_searched(ctx, args), key=key)
    return paginate(items, args, key=key)


def _order_create(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """orderCreate with options.inventoryBehaviour."""
    built = build_order(ctx, args["order"])
    if isinstance(built, list):
        return {"order": None, "userErrors": built}
    behaviour = (args.get("options") or {}).get("inventoryBehaviour") or "BYPASS"
    try:
        order = create_order(ctx.sandbox, ctx.shop, built, behaviour)
    except InventoryClaimFailed as exc:
        return {"order": None, "userErrors": [user_error(
            ["options", "inventoryBehaviour"], f"Unable to reserve inventory for {exc}: not "
            "enough stock.", "INVENTORY_CLAIM_FAILED")]}
    return {"order": order, "userErrors": []}


def _order_cancel(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """orderCancel (restock gives claimed stock back)."""
    order = ctx.shop.orders.get(parse_gid(args["orderId"], "Order") or 0)
    if order is None:
        errs = [user_error(["orderId"], "Order not found", "NOT_FOUND")]
        return {"job": None, "orderCancelUserErrors": errs, "userErrors": errs}
    if order.cancelled_at is not None:
        errs = [user_error(["orderId"], "Order has already been cancelled", "INVALID")]
        return {"job": None, "orderCancelUserErrors": errs, "userErrors": errs}
    cancel_order(ctx.sandbox, ctx.shop, order, args["reason"], args["restock"])
    job = {"id": gid("Job", ctx.sandbox.next_id()), "done": True, "query": {}}
    return {"job": job, "orderCancelUserErrors": [], "userErrors": []}


register("Mutation", {"orderCreate": _order_create, "orderCancel": _order_cancel})
register("QueryRoot", {
    "orders": _orders, "order": lambda r, c, a: lookup(c.shop, a["id"], "Order"),
    "ordersCount": lambda r, c, a: {"count": len(_searched(c, a)), "precision": "EXACT"},
})

__all__ = ["line_from_variant", "money_bag"]
