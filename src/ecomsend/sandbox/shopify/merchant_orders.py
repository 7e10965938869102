"""Order, fulfillment and cancellation operations shared by GraphQL and the control API.

Callers: `resolvers.orders` (orderCreate, orderCancel), `resolvers.fulfillments`
(fulfillmentCreate, fulfillmentTrackingInfoUpdate) and `control_edits` (merchant actions).
Each fires the orders/*, fulfillments/* and inventory_levels/update webhooks (reference §4.3).
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify import payloads
from ecomsend.sandbox.shopify.merchant import emit, new_event_id, set_available
from ecomsend.sandbox.shopify.store import (
    FOLineItem,
    Fulfillment,
    FulfillmentOrder,
    LineItem,
    Order,
    Sandbox,
    Shop,
    Tracking,
    Variant,
)
from ecomsend.sandbox.shopify.util import now


class InventoryClaimFailed(Exception):
    """DECREMENT_OBEYING_POLICY and not enough stock (OrderCreateUserErrorCode)."""


def pick_location(shop: Shop, variant: Variant | None, quantity: int) -> int:
    """The location that ships a line: the first with enough stock, else the primary one."""
    primary = next(iter(shop.locations))
    if variant is None:
        return primary
    for loc_id, level in variant.item.levels.items():
        if level.available >= quantity and shop.locations[loc_id].active:
            return loc_id
    return next(iter(variant.item.levels), primary)


def _claim(sandbox: Sandbox, shop: Shop, order: Order, assignments: dict[int, int],
           behaviour: str, event_id: str) -> None:
    """Decrement stock per inventoryBehaviour (reference §9: BYPASS is the default)."""
    if behaviour == "BYPASS":
        return
    for li in order.line_items:
        variant = shop.variants.get(li.variant_id or 0)
        if variant is None or not variant.item.tracked:
            continue
        loc = assignments[li.id]
        level = variant.item.levels.get(loc)
        available = level.available if level else 0
        if behaviour == "DECREMENT_OBEYING_POLICY" and variant.inventory_policy == "DENY" \
                and available < li.quantity:
            raise InventoryClaimFailed(f"{variant.sku or variant.id}")
    for li in order.line_items:
        variant = shop.variants.get(li.variant_id or 0)
        if variant is None or not variant.item.tracked:
            continue
        loc = assignments[li.id]
        level = variant.item.levels.get(loc)
        set_available(sandbox, shop, variant.item, loc,
                      (level.available if level else 0) - li.quantity, event_id)
        order.claims.append((variant.item.id, loc, li.quantity))


def create_order(sandbox: Sandbox, shop: Shop, order: Order, behaviour: str = "BYPASS",
                 fire: bool = True) -> Order:
    """Store a new order with one fulfillment order per shipping location; orders/create."""
    for li in order.line_items:
        li.order_id = order.id
    assignments = {li.id: pick_location(shop, shop.variants.get(li.variant_id or 0),
                                        li.quantity) for li in order.line_items}
    event = new_event_id()
    _claim(sandbox, shop, order, assignments, behaviour, event)
    by_location: dict[int, list[LineItem]] = {}
    for li in order.line_items:
        if li.requires_shipping:
            by_location.setdefault(assignments[li.id], []).append(li)
    for loc_id, lines in by_location.items():
        fo = FulfillmentOrder(
            id=sandbox.next_id(), order_id=order.id, location_id=loc_id,
            line_items=[FOLineItem(id=sandbox.next_id(), line_item_id=li.id, total=li.quantity,
                                   remaining=li.quantity,
                                   inventory_item_id=_item_id(shop, li)) for li in lines])
        shop.fulfillment_orders[fo.id] = fo
        order.fulfillment_order_ids.append(fo.id)
    shop.orders[order.id] = order
    shop.next_order_number = max(shop.next_order_number, order.number + 1)
    if fire:
        body = payloads.order_json(shop, order)
        emit(sandbox, shop, "orders/create", body, event)
        if order.financial_status == "PAID":
            emit(sandbox, shop, "orders/paid", body, event)  # a paid order is also "paid"
    return order


def _item_id(shop: Shop, li: LineItem) -> int | None:
    """The inventory item of a line item's variant, if any."""
    variant = shop.variants.get(li.variant_id or 0)
    return variant.item.id if variant else None


def line_from_variant(sandbox: Sandbox, shop: Shop, variant: Variant, quantity: int,
                      price: str | None = None) -> LineItem:
    """A line item for `variant` with the product's title and vendor."""
    product = shop.products[variant.product_id]
    return LineItem(id=sandbox.next_id(), title=product.title, quantity=quantity,
                    price=price or variant.price, sku=variant.sku, variant_id=variant.id,
                    product_id=product.id, vendor=product.vendor,
                    variant_title=None if not variant.options else variant.title)


def fulfill(sandbox: Sandbox, shop: Shop, order: Order,
            picks: list[tuple[FulfillmentOrder, list[tuple[FOLineItem, int]]]],
            tracking: list[Tracking]) -> Fulfillment:
    """A fulfillment from FO line items: fulfillments/create, orders/updated (+fulfilled)."""
    t = now()
    lines: list[tuple[int, int]] = []
    for fo, items in picks:
        for fo_li, qty in items:
            fo_li.remaining -= qty
            lines.append((fo_li.line_item_id, qty))
        fo.status = "CLOSED" if all(li.remaining == 0 for li in fo.line_items) else "IN_PROGRESS"
        fo.updated_at = t
    f = Fulfillment(id=sandbox.next_id(), order_id=order.id, location_id=picks[0][0].location_id,
                    name=f"{order.name}.{len(order.fulfillment_ids) + 1}", line_items=lines,
                    tracking=tracking, created_at=t, updated_at=t)
    shop.fulfillments[f.id] = f
    order.fulfillment_ids.append(f.id)
    order.updated_at = t
    event = new_event_id()
    emit(sandbox, shop, "fulfillments/create", payloads.fulfillment_json(shop, f), event)
    body = payloads.order_json(shop, order)
    emit(sandbox, shop, "orders/updated", body, event)
    status = body["fulfillment_status"]
    emit(sandbox, shop, "orders/fulfilled" if status == "fulfilled"
         else "orders/partially_fulfilled", body, event)
    return f


def fulfill_all(sandbox: Sandbox, shop: Shop, order: Order,
                tracking: list[Tracking]) -> Fulfillment | None:
    """Merchant fulfils everything remaining at the first location that has some (control API)."""
    for fo_id in order.fulfillment_order_ids:
        fo = shop.fulfillment_orders[fo_id]
        items = [(li, li.remaining) for li in fo.line_items if li.remaining > 0]
        if items and fo.status not in ("CLOSED", "CANCELLED"):
            return fulfill(sandbox, shop, order, [(fo, items)], tracking)
    return None


def update_tracking(sandbox: Sandbox, shop: Shop, f: Fulfillment,
                    tracking: list[Tracking]) -> Fulfillment:
    """Replace a fulfillment's tracking; fulfillments/update."""
    f.tracking = tracking
    f.updated_at = now()
    emit(sandbox, shop, "fulfillments/update", payloads.fulfillment_json(shop, f))
    return f


def cancel_order(sandbox: Sandbox, shop: Shop, order: Order, reason: str,
                 restock: bool) -> Order:
    """Cancel: FOs closed, stock given back if `restock`; orders/cancelled + orders/updated."""
    t = now()
    event = new_event_id()
    order.cancelled_at, order.cancel_reason, order.updated_at = t, reason.upper(), t
    for fo_id in order.fulfillment_order_ids:
        fo = shop.fulfillment_orders[fo_id]
        if fo.status != "CLOSED":
            fo.status, fo.updated_at = "CANCELLED", t
    if restock:
        for item_id, loc_id, qty in order.claims:
            item = shop.items.get(item_id)
            if item is not None and loc_id in item.levels:
                set_available(sandbox, shop, item, loc_id, item.levels[loc_id].available + qty,
                              event)
        order.claims.clear()
    body = payloads.order_json(shop, order)
    emit(sandbox, shop, "orders/cancelled", body, event)
    emit(sandbox, shop, "orders/updated", body, event)
    return order


def tracking_from(spec: dict[str, Any] | None) -> list[Tracking]:
    """FulfillmentTrackingInput / control-API tracking → Tracking entries."""
    if not spec:
        return []
    numbers = spec.get("numbers") or ([spec["number"]] if spec.get("number") else [])
    urls = spec.get("urls") or ([spec["url"]] if spec.get("url") else [])
    count = max(len(numbers), len(urls), 1 if spec.get("company") else 0)
    return [Tracking(number=numbers[i] if i < len(numbers) else None,
                     company=spec.get("company"), url=urls[i] if i < len(urls) else None)
            for i in range(count)]
