"""Control API: the buyer's side of returns and refunds (request, ship back, withdraw) and the
platform paying a refund out. The seller's side is the signed API (`returns`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from ecomsend.sandbox.tiktok import return_model as rm
from ecomsend.sandbox.tiktok.control_base import NotFound, bind_routes, body_of, get_shop
from ecomsend.sandbox.tiktok.control_orders import ORDER, SHOP, get_order
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.state import Return, Shop

RETURN = SHOP + "/returns/{return_id}"
#: Buyer-side statuses a request can be withdrawn from (before the refund is approved).
WITHDRAWABLE = frozenset({rm.PENDING, rm.AWAITING_SHIP})


def get_return(sb: Sandbox, request: Request) -> tuple[Shop, Return]:
    """The shop and the return named in the path."""
    shop = get_shop(sb, request)
    record = shop.returns.get(request.path_params["return_id"])
    if record is None:
        raise NotFound(f"unknown return {request.path_params['return_id']}")
    return shop, record


async def request_return(sb: Sandbox, request: Request) -> Any:
    """POST …/orders/{order_id}/returns {return_type, line_item_ids?, reason?}."""
    shop, order = get_order(sb, request)
    body = await body_of(request)
    ids = body.get("line_item_ids")
    if ids is not None and not isinstance(ids, list):
        raise ValueError("line_item_ids must be a list")
    record = rm.open_request(sb, shop, order, str(body.get("return_type") or "REFUND"),
                             [str(i) for i in ids or []], body.get("reason"))
    return rm.wire_return(shop, record)


async def list_returns(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/shops/{shop_id}/returns."""
    shop = get_shop(sb, request)
    return {"returns": [rm.wire_return(shop, r) for r in shop.returns.values()]}


async def read_return(sb: Sandbox, request: Request) -> Any:
    """GET …/returns/{return_id}."""
    return rm.wire_return(*get_return(sb, request))


async def buyer_ship(sb: Sandbox, request: Request) -> Any:
    """POST …/returns/{return_id}/ship {tracking_number?}: the buyer sends the items back."""
    shop, record = get_return(sb, request)
    if record.status != rm.AWAITING_SHIP:
        raise ValueError(f"the return is {record.status}, not {rm.AWAITING_SHIP}")
    body = await body_of(request)
    record.return_tracking_number = str(body.get("tracking_number") or f"RT{record.id[-10:]}")
    rm.move(sb, shop, record, rm.SHIPPED, "BUYER", "Buyer shipped the items back")
    return rm.wire_return(shop, record)


async def withdraw(sb: Sandbox, request: Request) -> Any:
    """POST …/returns/{return_id}/cancel {role?: BUYER|SYSTEM}: the request is closed."""
    shop, record = get_return(sb, request)
    if record.status not in WITHDRAWABLE:
        raise ValueError(f"the return is {record.status}: it can no longer be cancelled")
    role = str((await body_of(request)).get("role") or "BUYER")
    if role not in ("BUYER", "SYSTEM"):
        raise ValueError("role must be BUYER or SYSTEM")
    rm.move(sb, shop, record, rm.CANCELLED, role, "The request was cancelled")
    return rm.wire_return(shop, record)


async def complete(sb: Sandbox, request: Request) -> Any:
    """POST …/returns/{return_id}/complete: TikTok pays the approved refund out."""
    shop, record = get_return(sb, request)
    if record.status != rm.SUCCESS:
        raise ValueError(f"the return is {record.status}, not {rm.SUCCESS}")
    rm.move(sb, shop, record, rm.COMPLETE, "SYSTEM", "The buyer has been refunded")
    return rm.wire_return(shop, record)


def return_routes(sb: Sandbox) -> list[Route]:
    """Return control routes."""
    return bind_routes(sb, [
        ("POST", f"{ORDER}/returns", request_return),
        ("GET", f"{SHOP}/returns", list_returns),
        ("GET", RETURN, read_return),
        ("POST", f"{RETURN}/ship", buyer_ship),
        ("POST", f"{RETURN}/cancel", withdraw),
        ("POST", f"{RETURN}/complete", complete),
    ])
