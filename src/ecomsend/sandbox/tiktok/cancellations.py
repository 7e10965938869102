"""Cancellations: buyer/seller/system cancel, search, approve and reject (reference §4.9)."""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.order_model import set_status
from ecomsend.sandbox.tiktok.paging import paged
from ecomsend.sandbox.tiktok.return_model import REJECT_REASONS
from ecomsend.sandbox.tiktok.state import Cancellation, Order, Shop, now

INVALID_PARAM = 25001001
ALREADY_SHIPPED = 25001045
CLOSED = 25001051
ORDER_NOT_FOUND = 25007006
CANNOT_APPROVE = 25011012
CANNOT_REJECT = 25011011
UNKNOWN_REASON = 25001014
#: Statuses from which an order can still be cancelled without a return.
CANCELLABLE = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT")
CANCEL_PAGE_MAX = 100
DEFAULT_REASON = "Buyer changed mind"


def check_cancellable(order: Order) -> None:
    """Shipped, completed or cancelled orders can't be cancelled."""
    if order.status in ("COMPLETED", "CANCELLED", "DELIVERED"):
        raise ApiError(CLOSED, "Not allowed to return or cancel since order is completed or "
                       "cancelled")
    if order.status not in CANCELLABLE:
        raise ApiError(ALREADY_SHIPPED, "The order has already been shipped and we are unable "
                       "to cancel shipment with the courier.")


def _restock(shop: Shop, order: Order) -> None:
    """Give the units of a cancelled order back to available stock."""
    for item in order.line_items:
        found = shop.products.get(item["product_id"])
        sku = next((s for s in found.skus if s["id"] == item["sku_id"]), None) if found else None
        if sku is None:
            continue
        committed = sku.setdefault("committed", {})
        if committed.get(order.warehouse_id, 0) > 0:
            committed[order.warehouse_id] -= 1
            for inv in sku["inventory"]:
                if inv["warehouse_id"] == order.warehouse_id:
                    inv["quantity"] += 1


def cancel_order(sb: Sandbox, shop: Shop, order: Order, initiator: str, reason: str,
                 record: Cancellation | None = None) -> Cancellation:
    """Cancel the whole order: CANCELLED, line items CANCELLED, webhooks 11 and 1 (CANCEL)."""
    t = now()
    order.cancel_reason, order.cancellation_initiator, order.cancel_time = reason, initiator, t
    order.is_buyer_request_cancel = False
    for item in order.line_items:
        item["cancel_reason"], item["cancel_user"] = reason, initiator
    _restock(shop, order)
    if record is None:
        record = Cancellation(sb.store.new_id("cancel"), order.id, initiator, "", reason,
                              [i["id"] for i in order.line_items], t, t)
        shop.cancellations[record.id] = record
    record.status, record.update_time = "CANCELLATION_REQUEST_COMPLETE", t
    sb.webhooks.emit(shop, 11, {"order_id": order.id, "cancellations_role": initiator,
                                "cancel_status": record.status, "cancel_id": record.id,
                                "create_time": record.create_time})
    set_status(sb, shop, order, "CANCELLED")
    return record


def request_cancel(sb: Sandbox, shop: Shop, order: Order, reason: str) -> Cancellation:
    """A buyer asks to cancel: pending request the seller approves or rejects."""
    check_cancellable(order)
    t = now()
    record = Cancellation(sb.store.new_id("cancel"), order.id, "BUYER",
                          "CANCELLATION_REQUEST_PENDING", reason,
                          [i["id"] for i in order.line_items], t, t)
    shop.cancellations[record.id] = record
    order.is_buyer_request_cancel, order.update_time = True, t
    sb.webhooks.emit(shop, 11, {"order_id": order.id, "cancellations_role": "BUYER",
                                "cancel_status": record.status, "cancel_id": record.id,
                                "create_time": t})
    return record


def wire_cancellation(shop: Shop, c: Cancellation) -> dict[str, Any]:
    """Search Cancellations item."""
    order = shop.orders[c.order_id]
    items = {i["id"]: i for i in order.line_items}
    return {"cancel_id": c.id, "order_id": c.order_id, "cancel_status": c.status,
            "cancel_type": "CANCEL", "role": c.role, "cancel_reason": c.reason,
            "cancel_reason_text": c.reason,
            "cancel_line_items": [{"cancel_line_item_id": f"{c.id}{n:03d}",
                                   "order_line_item_id": i, "sku_id": items[i]["sku_id"],
                                   "sku_name": items[i]["sku_name"],
                                   "product_name": items[i]["product_name"],
                                   "seller_sku": items[i]["seller_sku"]}
                                  for n, i in enumerate(c.line_item_ids) if i in items],
            "refund_amount": {"currency": order.payment["currency"],
                              "refund_total": order.payment["total_amount"]},
            "should_replenish_stock": True, "create_time": c.create_time,
            "update_time": c.update_time}


async def seller_cancel(ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/cancellations {order_id, cancel_reason}."""
    body = ctx.json()
    order = ctx.shop.orders.get(str(body.get("order_id") or ""))
    if order is None:
        raise ApiError(ORDER_NOT_FOUND, "Order not found.")
    if not body.get("cancel_reason"):
        raise ApiError(INVALID_PARAM, "An invalid request parameter was passed: cancel_reason.")
    check_cancellable(order)
    record = cancel_order(ctx.sb, ctx.shop, order, "SELLER", str(body["cancel_reason"]))
    return {"cancel_id": record.id, "cancel_status": record.status}


async def search_cancellations(ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/cancellations/search."""
    size = ctx.page_size(CANCEL_PAGE_MAX, INVALID_PARAM, required=False)
    body = ctx.json()
    order_ids = set(map(str, body.get("order_ids") or []))
    cancel_ids = set(map(str, body.get("cancel_ids") or []))
    found = [c for c in ctx.shop.cancellations.values()
             if (not order_ids or c.order_id in order_ids)
             and (not cancel_ids or c.id in cancel_ids)
             and (not body.get("cancel_status") or c.status == body["cancel_status"])]
    return paged("cancellations", [wire_cancellation(ctx.shop, c) for c in found],
                 ctx.query.get("page_token"), size, INVALID_PARAM)


def _pending(ctx: Ctx) -> Cancellation:
    """The cancellation named in the path."""
    record = ctx.shop.cancellations.get(ctx.params["cancel_id"])
    if record is None:
        raise ApiError(ORDER_NOT_FOUND, "Order not found.")
    return record


async def approve_cancellation(ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/cancellations/{cancel_id}/approve."""
    record = _pending(ctx)
    if record.status != "CANCELLATION_REQUEST_PENDING":
        raise ApiError(CANNOT_APPROVE, "reverse status cannot approve application")
    cancel_order(ctx.sb, ctx.shop, ctx.shop.orders[record.order_id], record.role,
                 record.reason, record)
    return {}


async def reject_cancellation(ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/cancellations/{cancel_id}/reject {reject_reason, comment?}:
    `reject_reason` is required and must be one of Get Reject Reasons' names (doc)."""
    record = _pending(ctx)
    reason = ctx.json().get("reject_reason")
    if not reason:
        raise ApiError(INVALID_PARAM, "An invalid request parameter was passed: reject_reason.")
    if record.status != "CANCELLATION_REQUEST_PENDING":
        raise ApiError(CANNOT_REJECT, "reverse status cannot reject application")
    if reason not in {name for name, _ in REJECT_REASONS["cancel"]}:
        raise ApiError(UNKNOWN_REASON, "Unknown return reason. Please ensure you are passing a "
                       "valid return reason.")
    record.status, record.update_time = "CANCELLATION_REQUEST_CANCELLED", now()
    order = ctx.shop.orders[record.order_id]
    order.is_buyer_request_cancel, order.update_time = False, now()
    ctx.sb.webhooks.emit(ctx.shop, 11, {"order_id": order.id, "cancellations_role": record.role,
                                        "cancel_status": record.status, "cancel_id": record.id,
                                        "create_time": record.create_time})
    return {}
