"""Control API: place, inspect, move, ship (as TikTok) and cancel orders."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from ecomsend.sandbox.tiktok.cancellations import cancel_order, check_cancellable, request_cancel
from ecomsend.sandbox.tiktok.control_base import NotFound, bind_routes, body_of, get_shop
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.logistics import TIKTOK_CARRIER, provider_id, provider_name
from ecomsend.sandbox.tiktok.order_create import place_order
from ecomsend.sandbox.tiktok.order_model import ORDER_STATUSES, set_status, wire_order
from ecomsend.sandbox.tiktok.state import Order, Shop, now

#: Initiators of a cancellation (Get Order Detail cancellation_initiator).
INITIATORS = ("BUYER", "SELLER", "SYSTEM")
#: Length of generated TikTok tracking numbers (digits after the "TT" prefix).
TRACKING_DIGITS = 14
SHOP = "/_sandbox/shops/{shop_id}"
ORDER = SHOP + "/orders/{order_id}"


def get_order(sb: Sandbox, request: Request) -> tuple[Shop, Order]:
    """The shop and the order named in the path."""
    shop = get_shop(sb, request)
    order = shop.orders.get(request.path_params["order_id"])
    if order is None:
        raise NotFound(f"unknown order {request.path_params['order_id']}")
    return shop, order


def ship_as_tiktok(sb: Sandbox, shop: Shop, order: Order, body: dict[str, Any]) -> None:
    """TikTok ships the order: shipping_type TIKTOK, tracking on every open package, IN_TRANSIT."""
    if order.status == "CANCELLED":
        raise ValueError("the order is cancelled")
    pid = str(body.get("shipping_provider_id") or provider_id(shop.region, TIKTOK_CARRIER))
    name = provider_name(shop.region, pid)
    if name is None:
        raise ValueError(f"unknown shipping_provider_id {pid} for {shop.region}")
    tracking = str(body.get("tracking_number") or
                   "TT" + "".join(secrets.choice("0123456789") for _ in range(TRACKING_DIGITS)))
    order.shipping_type = "TIKTOK"
    t = now()
    for package_id in order.package_ids:
        pkg = shop.packages[package_id]
        if pkg.status == "CANCELLED":
            continue
        pkg.shipping_type, pkg.tracking_number = "TIKTOK", tracking
        pkg.shipping_provider_id, pkg.shipping_provider_name = pid, name
        pkg.shipped_time = pkg.shipped_time or t
    if order.status in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
        set_status(sb, shop, order, "AWAITING_COLLECTION")
    set_status(sb, shop, order, "IN_TRANSIT")


async def place(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/shops/{shop_id}/orders."""
    shop = get_shop(sb, request)
    return wire_order(shop, place_order(sb, shop, await body_of(request)))


async def list_orders(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/shops/{shop_id}/orders."""
    shop = get_shop(sb, request)
    return {"orders": [wire_order(shop, o) for o in shop.orders.values()]}


async def read(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/shops/{shop_id}/orders/{order_id}."""
    return wire_order(*get_order(sb, request))


async def update_address(sb: Sandbox, request: Request) -> Any:
    """PATCH …/orders/{order_id} {recipient}: the buyer edits the address (webhook 3)."""
    shop, order = get_order(sb, request)
    recipient = (await body_of(request)).get("recipient")
    if not isinstance(recipient, dict):
        raise ValueError("recipient must be an object")
    order.recipient.update(recipient)
    order.address_updated, order.update_time = True, now()
    sb.webhooks.emit(shop, 3, {"order_id": order.id, "update_time": order.update_time})
    return wire_order(shop, order)


async def move(sb: Sandbox, request: Request) -> Any:
    """POST …/orders/{order_id}/status {status}."""
    shop, order = get_order(sb, request)
    status = (await body_of(request)).get("status")
    if status not in ORDER_STATUSES:
        raise ValueError(f"status must be one of {ORDER_STATUSES}")
    if status == "CANCELLED":
        cancel_order(sb, shop, order, "SYSTEM", "Cancelled by the platform")
    else:
        set_status(sb, shop, order, status)
    return wire_order(shop, order)


async def ship(sb: Sandbox, request: Request) -> Any:
    """POST …/orders/{order_id}/ship: TikTok ships it."""
    shop, order = get_order(sb, request)
    ship_as_tiktok(sb, shop, order, await body_of(request))
    return wire_order(shop, order)


async def cancel(sb: Sandbox, request: Request) -> Any:
    """POST …/orders/{order_id}/cancel (or a buyer request with request_only)."""
    shop, order = get_order(sb, request)
    body = await body_of(request)
    initiator = body.get("initiator", "BUYER")
    if initiator not in INITIATORS:
        raise ValueError(f"initiator must be one of {INITIATORS}")
    reason = str(body.get("reason") or "Buyer changed mind")
    if body.get("request_only"):
        record = request_cancel(sb, shop, order, reason)
    else:
        check_cancellable(order)
        record = cancel_order(sb, shop, order, initiator, reason)
    return {**wire_order(shop, order), "cancel_id": record.id}


async def packages(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/shops/{shop_id}/packages."""
    shop = get_shop(sb, request)
    return {"packages": [
        {"id": p.id, "order_id": p.order_id, "status": p.status,
         "tracking_number": p.tracking_number, "shipping_provider_id": p.shipping_provider_id,
         "shipping_provider_name": p.shipping_provider_name,
         "order_line_item_ids": p.line_item_ids, "shipping_type": p.shipping_type}
        for p in shop.packages.values()]}


def order_routes(sb: Sandbox) -> list[Route]:
    """Order control routes."""
    return bind_routes(sb, [
        ("POST", f"{SHOP}/orders", place),
        ("GET", f"{SHOP}/orders", list_orders),
        ("GET", ORDER, read),
        ("PATCH", ORDER, update_address),
        ("POST", f"{ORDER}/status", move),
        ("POST", f"{ORDER}/ship", ship),
        ("POST", f"{ORDER}/cancel", cancel),
        ("GET", f"{SHOP}/packages", packages),
    ])
