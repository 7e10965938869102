"""Order endpoints: Get Order List (search) and Get Order Detail (reference §4.7)."""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.tiktok import errors as E
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.order_model import ORDER_STATUSES, wire_order
from ecomsend.sandbox.tiktok.paging import paged
from ecomsend.sandbox.tiktok.state import Order

#: Order search page_size 1–100; Get Order Detail takes at most 50 ids (reference §6).
SEARCH_PAGE_MAX = 100
DETAIL_MAX_IDS = 50
NOT_YOUR_ORDER = 21008111
#: Order APIs answer invalid parameters with the gateway's parameter code [INF].
PARAM_ERROR = E.GATEWAY_PARAM
SORT_FIELDS = ("create_time", "update_time")


def _window(order: Order, body: dict[str, Any], field: str) -> bool:
    """`_ge` inclusive, `_lt` exclusive (reference §4.7)."""
    value = getattr(order, field)
    ge, lt = body.get(f"{field}_ge"), body.get(f"{field}_lt")
    return (ge is None or value >= int(ge)) and (lt is None or value < int(lt))


def _matches(order: Order, body: dict[str, Any]) -> bool:
    """Whether an order passes the Get Order List body filters."""
    status = body.get("order_status")
    if status and order.status != status:
        return False
    if body.get("shipping_type") and order.shipping_type != body["shipping_type"]:
        return False
    if body.get("buyer_user_id") and order.user_id != str(body["buyer_user_id"]):
        return False
    flag = body.get("is_buyer_request_cancel")
    if flag is not None and order.is_buyer_request_cancel != bool(flag):
        return False
    if body.get("warehouse_ids") and order.warehouse_id not in body["warehouse_ids"]:
        return False
    return _window(order, body, "create_time") and _window(order, body, "update_time")


async def search_orders(ctx: Ctx) -> dict[str, Any]:
    """POST /order/202309/orders/search?page_size=…&sort_field=…&sort_order=…."""
    size = ctx.page_size(SEARCH_PAGE_MAX, PARAM_ERROR)
    body = ctx.json()
    if body.get("order_status") and body["order_status"] not in ORDER_STATUSES:
        raise ApiError(PARAM_ERROR, f"Invalid order_status {body['order_status']!r}.")
    sort_field = ctx.query.get("sort_field", "create_time")
    sort_order = ctx.query.get("sort_order", "DESC")
    if sort_field not in SORT_FIELDS or sort_order not in ("ASC", "DESC"):
        raise ApiError(PARAM_ERROR, "Invalid sort_field or sort_order.")
    found = [o for o in ctx.shop.orders.values() if _matches(o, body)]
    found.sort(key=lambda o: (getattr(o, sort_field), int(o.id)),
               reverse=sort_order == "DESC")
    return paged("orders", [wire_order(ctx.shop, o) for o in found],
                 ctx.query.get("page_token"), size, PARAM_ERROR)


async def get_order_detail(ctx: Ctx) -> dict[str, Any]:
    """GET /order/202309/orders?ids=a,b (comma-joined, ≤ 50)."""
    ids = [i for i in ctx.query.get("ids", "").split(",") if i]
    if not ids:
        raise ApiError(PARAM_ERROR, "Invalid parameters. The `ids` query parameter is required.")
    if len(ids) > DETAIL_MAX_IDS:
        raise ApiError(PARAM_ERROR, f"Invalid parameters. At most {DETAIL_MAX_IDS} ids.")
    orders = []
    for oid in ids:
        order = ctx.shop.orders.get(oid)
        if order is None:
            if any(oid in s.orders for s in ctx.sb.store.shops.values()):
                raise ApiError(NOT_YOUR_ORDER, "The order or package does not belong to the "
                               "current seller.")
            continue
        orders.append(wire_order(ctx.shop, order))
    return {"orders": orders}
