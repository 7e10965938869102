"""Returns and refunds: the request life cycle, its webhooks (type 12) and the wire shape.

Statuses and their meaning come from Search Returns (`return_status` value list) and the
"Return status change" webhook page (topic 12):

- REFUND (refund only): RETURN_OR_REFUND_REQUEST_PENDING → seller APPROVE_REFUND →
  RETURN_OR_REFUND_REQUEST_SUCCESS → (platform pays) RETURN_OR_REFUND_REQUEST_COMPLETE; or
  REJECT_REFUND → REFUND_OR_RETURN_REQUEST_REJECT.
- RETURN_AND_REFUND: PENDING → APPROVE_RETURN → AWAITING_BUYER_SHIP → (buyer ships)
  BUYER_SHIPPED_ITEM → APPROVE_RECEIVED_PACKAGE → SUCCESS → COMPLETE; REJECT_RETURN from
  PENDING, REJECT_RECEIVED_PACKAGE → REJECT_RECEIVE_PACKAGE. APPROVE_RETURN with
  `buyer_keep_item` is a returnless refund (SUCCESS at once; Approve Return doc).
- The buyer (or system) may withdraw an open request: RETURN_OR_REFUND_REQUEST_CANCEL.

Called by `returns` (the signed API) and `control_returns` (the buyer's side).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.order_model import money
from ecomsend.sandbox.tiktok.state import Order, Return, Shop, now

PENDING = "RETURN_OR_REFUND_REQUEST_PENDING"
REJECTED = "REFUND_OR_RETURN_REQUEST_REJECT"
AWAITING_SHIP = "AWAITING_BUYER_SHIP"
SHIPPED = "BUYER_SHIPPED_ITEM"
PACKAGE_REJECTED = "REJECT_RECEIVE_PACKAGE"
SUCCESS = "RETURN_OR_REFUND_REQUEST_SUCCESS"
CANCELLED = "RETURN_OR_REFUND_REQUEST_CANCEL"
COMPLETE = "RETURN_OR_REFUND_REQUEST_COMPLETE"
RETURN_TYPES = ("REFUND", "RETURN_AND_REFUND")
#: A request that no longer blocks a new one on the same line items.
CLOSED = frozenset({REJECTED, PACKAGE_REJECTED, CANCELLED})
#: Order statuses after shipment, when a buyer asks for a return/refund instead of a
#: cancellation (the webhook page: returns follow delivery or shipment) [INF: the docs list no
#: eligibility table; Get Aftersale Eligibility is per order and not modelled here].
RETURNABLE_ORDER = ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED")
#: The seller's next action per status (Search Returns `seller_next_action_response.action`).
NEXT_ACTION = {PENDING: {"REFUND": "SELLER_RESPOND_REFUND",
                         "RETURN_AND_REFUND": "SELLER_RESPOND_RETURN"},
               SHIPPED: {"RETURN_AND_REFUND": "SELLER_RESPOND_RECEIVE_PACKAGE"}}
#: The seller has 2 days to answer a request [INF: typical SLA; the doc gives a deadline only].
RESPOND_SLA_S = 2 * 24 * 3600
#: Reject reasons per stage. The names in the Get Reject Reasons / Reject Return / Reject
#: Cancellation examples are used verbatim; the others follow their pattern [INF].
REJECT_REASONS: dict[str, list[tuple[str, str]]] = {
    "apply": [
        ("seller_reject_apply_you_have_reached_an_agreement_with_the_buyer",
         "You have reached an agreement with the buyer"),
        ("seller_reject_apply_package_has_not_exceeded_estimated_delivery_time",
         "Package has not exceeded the estimated delivery time"),
        ("seller_reject_apply_buyer_provided_insufficient_evidence",
         "Buyer provided insufficient evidence"),
    ],
    "receive": [
        ("seller_reject_receive_package_item_damaged_by_buyer",
         "The returned item was damaged by the buyer"),
        ("seller_reject_receive_package_wrong_item_returned", "A wrong item was returned"),
    ],
    "cancel": [
        ("seller_reject_apply_product_has_been_packed", "The product has been packed"),
        ("seller_reject_apply_you_have_reached_an_agreement_with_the_buyer",
         "You have reached an agreement with the buyer"),
    ],
}
DEFAULT_RETURN_REASON = ("ecom_order_delivered_refund_reason_missing_product_seller",
                         "Missing product")


def reject_stage(record: Return) -> str:
    """Which reason list applies: the request itself, or the received package."""
    return "receive" if record.status == SHIPPED else "apply"


def refund_amount(order: Order, line_ids: list[str]) -> dict[str, str]:
    """Refund of these unit line items: their sale prices; shipping and tax too when the
    request covers the whole order [INF: Calculate Refund documents the fields, not the
    policy]."""
    cur = order.payment["currency"]
    chosen = [i for i in order.line_items if i["id"] in line_ids]
    subtotal = sum((Decimal(i["sale_price"]) for i in chosen), Decimal(0))
    whole = len(chosen) == len(order.line_items)
    shipping = Decimal(order.payment["shipping_fee"]) if whole else Decimal(0)
    tax = Decimal(order.payment["tax"]) if whole else Decimal(0)
    return {"currency": cur, "refund_total": money(subtotal + shipping + tax, cur),
            "refund_subtotal": money(subtotal, cur), "refund_shipping_fee": money(shipping, cur),
            "refund_tax": money(tax, cur), "retail_delivery_fee": money(Decimal(0), cur),
            "buyer_service_fee": money(Decimal(0), cur)}


def open_line_ids(shop: Shop, order_id: str) -> set[str]:
    """Line items already in a request that is still open or was refunded."""
    return {i for r in shop.returns.values() if r.order_id == order_id
            and r.status not in CLOSED for i in r.line_item_ids}


def move(sb: Sandbox, shop: Shop, record: Return, status: str, role: str,
         description: str, note: str = "") -> None:
    """Set a status, keep a return record, send RETURN_STATUS_CHANGE (type 12)."""
    t = now()
    record.status, record.update_time = status, t
    record.records.append({"event": "ORDER_RETURN", "role": role, "description": description,
                           "reason_text": record.reason_text, "note": note, "images": [],
                           "videos": [], "create_time": t})
    sb.webhooks.emit(shop, 12, {"order_id": record.order_id, "return_role": record.role,
                                "return_type": record.return_type, "return_status": status,
                                "return_id": record.id, "create_time": record.create_time,
                                "update_time": t})


def open_request(sb: Sandbox, shop: Shop, order: Order, return_type: str,
                 line_ids: list[str] | None, reason: str | None) -> Return:
    """A buyer asks for a refund or a return (ValueError on what TikTok would not allow)."""
    if return_type not in RETURN_TYPES:
        raise ValueError(f"return_type must be one of {RETURN_TYPES}")
    if order.status not in RETURNABLE_ORDER:
        raise ValueError(f"the order is {order.status}: a buyer asks for a return or refund "
                         f"only after shipment ({', '.join(RETURNABLE_ORDER)}); before that "
                         "it is a cancellation")
    all_ids = [i["id"] for i in order.line_items]
    ids = list(line_ids) if line_ids else all_ids
    unknown = [i for i in ids if i not in all_ids]
    if unknown or not ids:
        raise ValueError(f"unknown line_item_ids {unknown}")
    busy = open_line_ids(shop, order.id) & set(ids)
    if busy:
        raise ValueError(f"line items {sorted(busy)} are already in a return or refund")
    t = now()
    record = Return(sb.store.new_id("return"), order.id, "BUYER", return_type, PENDING,
                    reason or DEFAULT_RETURN_REASON[0],
                    reason or DEFAULT_RETURN_REASON[1], ids, t, t,
                    refund=refund_amount(order, ids))
    shop.returns[record.id] = record
    move(sb, shop, record, PENDING, "BUYER", "Customer submitted a return request")
    return record


def _line(shop: Shop, order: Order, record: Return, n: int, line_id: str) -> dict[str, Any]:
    """One `return_line_items[]` entry."""
    item = next(i for i in order.line_items if i["id"] == line_id)
    return {"return_line_item_id": str(int(record.id) + n + 1), "order_line_item_id": line_id,
            "sku_id": item["sku_id"], "sku_name": item["sku_name"],
            "product_name": item["product_name"], "seller_sku": item["seller_sku"],
            "product_image": {"url": item.get("sku_image", ""), "width": 200, "height": 200},
            "refund_amount": refund_amount(order, [line_id])}


def wire_return(shop: Shop, record: Return) -> dict[str, Any]:
    """Search Returns `return_orders[]` item (the fields the sandbox has values for)."""
    order = shop.orders[record.order_id]
    action = NEXT_ACTION.get(record.status, {}).get(record.return_type)
    return {"order_id": record.order_id, "return_id": record.id,
            "return_type": record.return_type, "return_status": record.status,
            "role": record.role, "return_reason": record.reason,
            "return_reason_text": record.reason_text,
            "shipment_type": "PLATFORM" if record.return_type == "RETURN_AND_REFUND" else "",
            "handover_method": "DROP_OFF" if record.return_type == "RETURN_AND_REFUND" else "",
            "return_tracking_number": record.return_tracking_number,
            "can_buyer_keep_item": record.return_type == "REFUND",
            "update_time": record.update_time, "create_time": record.create_time,
            "seller_next_action_response": ([{"action": action,
                                              "deadline": record.update_time + RESPOND_SLA_S}]
                                            if action else []),
            "return_line_items": [_line(shop, order, record, n, i)
                                  for n, i in enumerate(record.line_item_ids)],
            "refund_amount": dict(record.refund),
            "return_method": "PLATFORM_SHIPPED" if record.return_type == "RETURN_AND_REFUND"
            else "", "is_combined_return": False}
