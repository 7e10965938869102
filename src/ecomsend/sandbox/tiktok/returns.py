"""Return-and-refund API: Search Returns, Approve/Reject Return, Get Return Records, Get Reject
Reasons and Calculate Refund (docs `return-and-refund/*.spec.json`, version 202309).

Error codes are the ones each endpoint's `error_code_list` documents. Life cycle and webhooks:
`return_model`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ecomsend.sandbox.tiktok import return_model as rm
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.order_model import money
from ecomsend.sandbox.tiktok.paging import paged
from ecomsend.sandbox.tiktok.state import Return

INVALID_PARAM = 25001001
UNKNOWN_REASON = 25001014
ORDER_NOT_FOUND = 25007006
CANNOT_APPROVE = 25011012
CANNOT_APPROVE_RECEIVE = 25011013
DECISION_MISMATCH = 25020004
ALREADY_CANCELLED = 25020009
APPROVED_CANNOT_REJECT = 25020010
STATUS_CANNOT_REJECT_RECEIVE = 25020012
#: Search Returns page_size: "Default: 10. Valid range: [10-50]".
RETURN_PAGE_MIN, RETURN_PAGE_MAX, RETURN_PAGE_DEFAULT = 10, 50, 10
APPROVE_DECISIONS = ("APPROVE_REFUND", "APPROVE_RETURN", "APPROVE_RECEIVED_PACKAGE")
REJECT_DECISIONS = ("REJECT_REFUND", "REJECT_RETURN", "REJECT_RECEIVED_PACKAGE")
#: decision → (return_type it fits, status it needs) for the request stage.
_STAGE = {"APPROVE_REFUND": ("REFUND", rm.PENDING), "REJECT_REFUND": ("REFUND", rm.PENDING),
          "APPROVE_RETURN": ("RETURN_AND_REFUND", rm.PENDING),
          "REJECT_RETURN": ("RETURN_AND_REFUND", rm.PENDING),
          "APPROVE_RECEIVED_PACKAGE": ("RETURN_AND_REFUND", rm.SHIPPED),
          "REJECT_RECEIVED_PACKAGE": ("RETURN_AND_REFUND", rm.SHIPPED)}
_PAST_APPROVAL = frozenset({rm.AWAITING_SHIP, rm.SUCCESS, rm.COMPLETE})
_TIME_FILTERS = (("create_time_ge", "create_time", True), ("create_time_lt", "create_time", False),
                 ("update_time_ge", "update_time", True), ("update_time_lt", "update_time", False))


def _page_size(ctx: Ctx) -> int:
    raw = ctx.query.get("page_size")
    if raw is None:
        return RETURN_PAGE_DEFAULT
    if not raw.isdigit() or not RETURN_PAGE_MIN <= int(raw) <= RETURN_PAGE_MAX:
        raise ApiError(INVALID_PARAM, f"Invalid page_size. Valid range: [{RETURN_PAGE_MIN}-"
                       f"{RETURN_PAGE_MAX}].")
    return int(raw)


def _matches(r: Return, body: dict[str, Any]) -> bool:
    """Every given filter of Search Returns holds for `r`."""
    for key, attr in (("return_ids", "id"), ("order_ids", "order_id"),
                      ("return_types", "return_type"), ("return_status", "status")):
        wanted = body.get(key)
        if wanted is not None and not isinstance(wanted, list):
            raise ApiError(INVALID_PARAM, f"An invalid request parameter was passed: {key}.")
        if wanted and str(getattr(r, attr)) not in map(str, wanted):
            return False
    for key, attr, lower in _TIME_FILTERS:
        bound = body.get(key)
        if bound is None:
            continue
        if not isinstance(bound, int):
            raise ApiError(INVALID_PARAM, f"An invalid request parameter was passed: {key}.")
        value = getattr(r, attr)
        if (lower and value < bound) or (not lower and value >= bound):
            return False
    return True


async def search_returns(ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/returns/search (sort_field create_time|update_time)."""
    size = _page_size(ctx)
    body = ctx.json()
    field = ctx.query.get("sort_field", "create_time")
    order = ctx.query.get("sort_order", "ASC")
    if field not in ("create_time", "update_time") or order not in ("ASC", "DESC"):
        raise ApiError(INVALID_PARAM, "An invalid request parameter was passed: sort.")
    found = [r for r in ctx.shop.returns.values() if _matches(r, body)]
    found.sort(key=lambda r: (getattr(r, field), int(r.id)), reverse=order == "DESC")
    return paged("return_orders", [rm.wire_return(ctx.shop, r) for r in found],
                 ctx.query.get("page_token"), size, INVALID_PARAM)


def _record(ctx: Ctx) -> Return:
    record = ctx.shop.returns.get(ctx.params["return_id"])
    if record is None:
        raise ApiError(ORDER_NOT_FOUND, "Order not found.")
    return record


def _replayed(ctx: Ctx, action: str, record: Return) -> bool:
    """The optional `idempotency_key`: a repeat of a call already applied answers success
    again without applying it twice (Approve/Reject Return docs). Only applied calls are
    remembered: a refused one may be corrected and sent again under the same key."""
    key = ctx.query.get("idempotency_key")
    return bool(key) and ctx.shop.idempotency.get(f"{action}:{key}") == record.id


def _remember(ctx: Ctx, action: str, record: Return) -> None:
    key = ctx.query.get("idempotency_key")
    if key:
        ctx.shop.idempotency[f"{action}:{key}"] = record.id


def _check_decision(record: Return, decision: str, approve: bool) -> None:
    """The decision fits the request's type and status (else the documented codes)."""
    if record.status == rm.CANCELLED:
        raise ApiError(ALREADY_CANCELLED, "reverse already cancelled")
    kind, needed = _STAGE[decision]
    if kind != record.return_type:
        raise ApiError(DECISION_MISMATCH, "decision not match reverse type")
    if not approve and record.status in _PAST_APPROVAL:
        raise ApiError(APPROVED_CANNOT_REJECT, "Aftersales has been approved and cannot be "
                       "rejected.")
    if record.status != needed:
        if approve:
            code = CANNOT_APPROVE_RECEIVE if needed == rm.SHIPPED else CANNOT_APPROVE
            raise ApiError(code, "reverse status cannot approve receive" if needed == rm.SHIPPED
                           else "reverse status cannot approve application")
        raise ApiError(STATUS_CANNOT_REJECT_RECEIVE if needed == rm.SHIPPED else
                       DECISION_MISMATCH, "status can't reject receive" if needed == rm.SHIPPED
                       else "decision not match reverse type")


def _decision(body: dict[str, Any], allowed: tuple[str, ...]) -> str:
    decision = body.get("decision")
    if decision not in allowed:
        raise ApiError(INVALID_PARAM, "An invalid request parameter was passed: decision.")
    return str(decision)


async def approve_return(ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/returns/{return_id}/approve {decision, buyer_keep_item?}."""
    record = _record(ctx)
    body = ctx.json()
    decision = _decision(body, APPROVE_DECISIONS)
    if _replayed(ctx, "approve_return", record):
        return {}
    _check_decision(record, decision, approve=True)
    if decision == "APPROVE_RETURN" and not body.get("buyer_keep_item"):
        rm.move(ctx.sb, ctx.shop, record, rm.AWAITING_SHIP, "SELLER",
                "Seller approved the return request")
    else:
        rm.move(ctx.sb, ctx.shop, record, rm.SUCCESS, "SELLER",
                "Seller approved the refund")
    _remember(ctx, "approve_return", record)
    return {}


async def reject_return(ctx: Ctx) -> dict[str, Any]:
    """POST …/returns/{return_id}/reject {decision, reject_reason, comment?}."""
    record = _record(ctx)
    body = ctx.json()
    decision = _decision(body, REJECT_DECISIONS)
    reason = body.get("reject_reason")
    if not reason:
        raise ApiError(INVALID_PARAM, "An invalid request parameter was passed: reject_reason.")
    if _replayed(ctx, "reject_return", record):
        return {}
    _check_decision(record, decision, approve=False)
    names = {n for n, _ in rm.REJECT_REASONS[rm.reject_stage(record)]}
    if reason not in names:
        raise ApiError(UNKNOWN_REASON, "Unknown return reason. Please ensure you are passing a "
                       "valid return reason.")
    target = rm.PACKAGE_REJECTED if record.status == rm.SHIPPED else rm.REJECTED
    rm.move(ctx.sb, ctx.shop, record, target, "SELLER", "Seller rejected the request",
            str(body.get("comment") or ""))
    _remember(ctx, "reject_return", record)
    return {}


async def get_return_records(ctx: Ctx) -> dict[str, Any]:
    """GET /return_refund/202309/returns/{return_id}/records."""
    return {"records": list(_record(ctx).records)}


async def get_reject_reasons(ctx: Ctx) -> dict[str, Any]:
    """GET /return_refund/202309/reject_reasons?return_or_cancel_id= (required)."""
    target = ctx.query.get("return_or_cancel_id")
    if not target:
        raise ApiError(INVALID_PARAM, "An invalid request parameter was passed: "
                       "return_or_cancel_id.")
    if target in ctx.shop.returns:
        stage = rm.reject_stage(ctx.shop.returns[target])
    elif target in ctx.shop.cancellations:
        stage = "cancel"
    else:
        raise ApiError(ORDER_NOT_FOUND, "Order not found.")
    return {"reasons": [{"name": n, "text": t} for n, t in rm.REJECT_REASONS[stage]]}


async def calculate_refund(ctx: Ctx) -> dict[str, Any]:
    """POST /return_refund/202309/refunds/calculate {order_id, request_type, reason_name}."""
    body = ctx.json()
    for key in ("order_id", "request_type", "reason_name"):
        if not body.get(key):
            raise ApiError(INVALID_PARAM, f"An invalid request parameter was passed: {key}.")
    if body["request_type"] not in ("CANCEL", "REFUND", "RETURN_AND_REFUND"):
        raise ApiError(INVALID_PARAM, "An invalid request parameter was passed: request_type.")
    order = ctx.shop.orders.get(str(body["order_id"]))
    if order is None:
        raise ApiError(ORDER_NOT_FOUND, "Order not found.")
    ids = [str(i) for i in body.get("order_line_item_ids") or []] or \
        [i["id"] for i in order.line_items]
    amount = rm.refund_amount(order, ids)
    if body["request_type"] == "CANCEL":  # a cancellation refunds the whole payment
        amount["refund_total"] = money(Decimal(order.payment["total_amount"]),
                                       order.payment["currency"])
    amount.pop("buyer_service_fee")
    return {"order_refund_amount": amount}
