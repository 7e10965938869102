"""Fulfillment: ship package, mark package as shipped, tracking, shipping info, packages.

Seller shipping: Ship Package with `self_shipment{tracking_number, shipping_provider_id}`, the
provider id coming from Get Shipping Providers (reference §4.8).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.logistics import TIKTOK_CARRIER, provider_id, provider_name
from ecomsend.sandbox.tiktok.order_model import set_status, sync_line_items
from ecomsend.sandbox.tiktok.paging import paged
from ecomsend.sandbox.tiktok.state import Order, Package, Shop, now

INVALID_PARAM = 21001001
ALREADY_SHIPPED = 21008099
NOT_ALLOWED = 21011003
NOT_SELLER_SHIPPING = 21011004
FBT_ORDER = 21008025
BAD_TRACKING_OR_PROVIDER = 21011022
TRACKING_CHARS = 21004012
NOT_YOUR_PACKAGE = 21011028
ORDER_CANCELLED = 21011041
NOT_SHIPPED_YET = 21011043
ALREADY_DELIVERED = 21011030
UPDATE_WINDOW = 21011050
WRONG_REGION = 21008106
#: Tracking can be corrected within 72 h of shipping (reference §4.8).
UPDATE_WINDOW_S = 72 * 3600
#: Mark Package As Shipped exists only in these markets (reference §4.8).
MARK_SHIPPED_REGIONS = frozenset({"US", "GB", "ES", "IE", "IT", "DE", "FR", "JP"})
#: Package search page_size 1–50 (reference §6).
PACKAGE_PAGE_MAX = 50
_TRACKING_RE = re.compile(r"^[A-Za-z0-9-]{4,40}$")


def own_package(ctx: Ctx, package_id: str) -> tuple[Package, Order]:
    """A package of this shop with its order."""
    pkg = ctx.shop.packages.get(package_id)
    if pkg is None:
        raise ApiError(NOT_YOUR_PACKAGE, "The package does not belong to the current shop.")
    return pkg, ctx.shop.orders[pkg.order_id]


def own_order(ctx: Ctx, order_id: str) -> Order:
    """An order of this shop."""
    order = ctx.shop.orders.get(order_id)
    if order is None:
        raise ApiError(INVALID_PARAM, f"Invalid parameters: unknown order_id {order_id}.")
    return order


def check_tracking(shop: Shop, tracking: Any, pid: Any) -> str:
    """Tracking number format and a provider id of this region; returns the provider name."""
    if not isinstance(tracking, str) or not tracking:
        raise ApiError(INVALID_PARAM, "Invalid parameters: tracking_number is required.")
    if not _TRACKING_RE.match(tracking):
        raise ApiError(TRACKING_CHARS, "Tracking number has special characters, verify failed.")
    name = provider_name(shop.region, str(pid or ""))
    if name is None:
        raise ApiError(BAD_TRACKING_OR_PROVIDER, "Invalid tracking number or provider ID. "
                       f"shipping_provider_id {pid!r} is not a provider of this market.")
    return name


def _ship_checks(order: Order, pkg: Package) -> None:
    """Refuse shipping cancelled, already shipped, FBT or not-yet-shippable packages."""
    if order.status == "CANCELLED" or pkg.status == "CANCELLED":
        raise ApiError(ORDER_CANCELLED, "Cannot complete the operation when order is cancelled.")
    if pkg.status != "PROCESSING" or pkg.tracking_number:
        raise ApiError(ALREADY_SHIPPED, "Package has been shipped. Please not ship the package "
                       "again.")
    if order.fulfillment_type == "FULFILLMENT_BY_TIKTOK":
        raise ApiError(FBT_ORDER, "Seller cannot operate orders which are fulfilled by platform")
    if order.status not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
        raise ApiError(NOT_ALLOWED, f"fulfill_unit action not allowed: order is {order.status}.")


def mark_shipped(ctx: Ctx, order: Order, pkg: Package, tracking: str, pid: str,
                 pname: str) -> None:
    """Record a shipment on a package and move the order on."""
    t = now()
    pkg.tracking_number, pkg.shipping_provider_id, pkg.shipping_provider_name = tracking, pid, pname
    pkg.status, pkg.shipped_time, pkg.update_time = "FULFILLING", t, t
    pending = [p for p in order.package_ids
               if ctx.shop.packages[p].status == "PROCESSING"]
    set_status(ctx.sb, ctx.shop, order,
               "PARTIALLY_SHIPPING" if pending else "AWAITING_COLLECTION")


async def ship_package(ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/packages/{package_id}/ship."""
    pkg, order = own_package(ctx, ctx.params["package_id"])
    body = ctx.json()
    _ship_checks(order, pkg)
    self_shipment = body.get("self_shipment")
    if order.shipping_type == "TIKTOK":
        if self_shipment or body.get("handover_method") not in ("PICKUP", "DROP_OFF"):
            raise ApiError(NOT_ALLOWED, "fulfill_unit action not allowed: TikTok-shipping "
                           "packages take handover_method PICKUP or DROP_OFF.")
        pkg.handover_method = body["handover_method"]
        tracking = "TT" + "".join(secrets.choice("0123456789") for _ in range(14))
        mark_shipped(ctx, order, pkg, tracking, provider_id(ctx.shop.region, TIKTOK_CARRIER),
                     TIKTOK_CARRIER)
        return {}
    if not isinstance(self_shipment, dict):
        raise ApiError(INVALID_PARAM, "Invalid parameters: self_shipment{tracking_number, "
                       "shipping_provider_id} is required for seller shipping.")
    pid = str(self_shipment.get("shipping_provider_id") or "")
    name = check_tracking(ctx.shop, self_shipment.get("tracking_number"), pid)
    mark_shipped(ctx, order, pkg, self_shipment["tracking_number"], pid, name)
    return {}


async def mark_package_shipped(ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/orders/{order_id}/packages: ship chosen line items."""
    if ctx.shop.region not in MARK_SHIPPED_REGIONS:
        raise ApiError(WRONG_REGION, "This interface cannot be used in this region.")
    order = own_order(ctx, ctx.params["order_id"])
    body = ctx.json()
    wanted = [str(i) for i in body.get("order_line_item_ids") or []]
    items = {i["id"]: i for i in order.line_items}
    if not wanted or any(i not in items for i in wanted):
        raise ApiError(INVALID_PARAM, "Invalid parameters: order_line_item_ids must be line "
                       "items of the order.")
    pkg = ctx.shop.packages[items[wanted[0]]["package_id"]]
    if any(items[i]["package_id"] != pkg.id for i in wanted):
        raise ApiError(NOT_ALLOWED, "fulfill_unit action not allowed: line items are in "
                       "different packages.")
    if order.shipping_type != "SELLER":
        raise ApiError(NOT_SELLER_SHIPPING, "This API cannot be used for packages that are not "
                       "shipped by seller.")
    _ship_checks(order, pkg)
    name = check_tracking(ctx.shop, body.get("tracking_number"), body.get("shipping_provider_id"))
    if set(wanted) != set(pkg.line_item_ids):
        pkg = split_package(ctx, order, pkg, wanted)
    mark_shipped(ctx, order, pkg, body["tracking_number"], str(body["shipping_provider_id"]),
                 name)
    return {"order_id": order.id, "order_line_item_ids": wanted, "package_id": pkg.id,
            "warning": {"message": ""}}


def split_package(ctx: Ctx, order: Order, pkg: Package, wanted: list[str]) -> Package:
    """Move some line items into a new package (PACKAGE_UPDATE SPLIT webhook)."""
    new = Package(id=ctx.sb.store.new_id("package"), order_id=order.id, line_item_ids=wanted,
                  shipping_type=pkg.shipping_type)
    pkg.line_item_ids = [i for i in pkg.line_item_ids if i not in wanted]
    ctx.shop.packages[new.id] = new
    order.package_ids.append(new.id)
    for item in order.line_items:
        if item["id"] in wanted:
            item["package_id"] = new.id
    ctx.sb.webhooks.emit(ctx.shop, 4, {"sc_type": "SPLIT", "role_type": "ROLE_SELLER",
                                       "package_list": [{"package_id": p, "order_id_list":
                                                         [order.id]} for p in (pkg.id, new.id)],
                                       "update_time": now()})
    return new


def _update_info(ctx: Ctx, order: Order, pkg: Package) -> dict[str, Any]:
    """Correct the tracking of a shipped package (within 72 h)."""
    if order.status == "CANCELLED":
        raise ApiError(ORDER_CANCELLED, "Cannot complete the operation when order is cancelled.")
    if not pkg.tracking_number:
        raise ApiError(NOT_SHIPPED_YET, "The package has not been shipped yet.")
    if pkg.status == "COMPLETED":
        raise ApiError(ALREADY_DELIVERED, "Package has already been delivered.")
    if now() - pkg.shipped_time > UPDATE_WINDOW_S:
        raise ApiError(UPDATE_WINDOW, "The tracking number can only be updated within 72 hours.")
    body = ctx.json()
    name = check_tracking(ctx.shop, body.get("tracking_number"), body.get("shipping_provider_id"))
    pkg.tracking_number = body["tracking_number"]
    pkg.shipping_provider_id, pkg.shipping_provider_name = str(body["shipping_provider_id"]), name
    pkg.update_time = order.update_time = now()
    sync_line_items(order, ctx.shop.packages)
    return {}


async def update_package_shipping_info(ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/packages/{package_id}/shipping_info/update."""
    pkg, order = own_package(ctx, ctx.params["package_id"])
    return _update_info(ctx, order, pkg)


async def update_order_shipping_info(ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/orders/{order_id}/shipping_info/update (unsplit orders)."""
    order = own_order(ctx, ctx.params["order_id"])
    if len(order.package_ids) != 1:
        raise ApiError(NOT_ALLOWED, "fulfill_unit action not allowed: the order has several "
                       "packages; update each package.")
    return _update_info(ctx, order, ctx.shop.packages[order.package_ids[0]])


async def get_tracking(ctx: Ctx) -> dict[str, Any]:
    """GET /fulfillment/202309/orders/{order_id}/tracking: newest event first."""
    order = own_order(ctx, ctx.params["order_id"])
    return {"tracking": list(reversed(order.tracking_events))}


def _package_orders(ctx: Ctx, pkg: Package) -> list[dict[str, Any]]:
    """The `orders[{id, skus[{id, name, image_url, quantity}]}]` of a package."""
    order = ctx.shop.orders[pkg.order_id]
    items = {i["id"]: i for i in order.line_items}
    skus: dict[str, dict[str, Any]] = {}
    for lid in pkg.line_item_ids:
        item = items[lid]
        entry = skus.setdefault(item["sku_id"], {"id": item["sku_id"], "name": item["sku_name"],
                                                 "image_url": item["sku_image"], "quantity": 0})
        entry["quantity"] += 1
    return [{"id": order.id, "skus": list(skus.values())}]


def wire_package(ctx: Ctx, pkg: Package) -> dict[str, Any]:
    """Search Package item (`id`, `status`)."""
    return {"id": pkg.id, "status": pkg.status, "tracking_number": pkg.tracking_number,
            "shipping_provider_id": pkg.shipping_provider_id,
            "shipping_provider_name": pkg.shipping_provider_name,
            "order_line_item_ids": list(pkg.line_item_ids), "orders": _package_orders(ctx, pkg),
            "create_time": pkg.create_time, "update_time": pkg.update_time}


def wire_package_detail(ctx: Ctx, pkg: Package) -> dict[str, Any]:
    """Get Package Detail `data`: `package_id` and `package_status`, not `id`/`status` (doc)."""
    order = ctx.shop.orders[pkg.order_id]
    wh = next((w for w in ctx.shop.warehouses if w.id == order.warehouse_id),
              ctx.shop.default_warehouse())
    address = wh.wire()["address"]
    orders = _package_orders(ctx, pkg)
    return {
        "package_id": pkg.id, "orders": orders, "package_status": pkg.status,
        "split_and_combine_tag": "SPLIT" if len(order.package_ids) > 1 else "DEFAULT",
        "has_multi_skus": len(orders[0]["skus"]) > 1, "note_tag": "BUYER_UNNOTED",
        "shipping_provider_name": pkg.shipping_provider_name,
        "shipping_provider_id": pkg.shipping_provider_id, "shipping_type": pkg.shipping_type,
        "delivery_option_name": order.delivery_option_name,
        "delivery_option_id": order.delivery_option_id,
        "tracking_number": pkg.tracking_number, "last_mile_tracking_number": "",
        "create_time": pkg.create_time, "update_time": pkg.update_time,
        "handover_method": pkg.handover_method, "order_line_item_ids": list(pkg.line_item_ids),
        "recipient_address": {k: order.recipient.get(k, "") for k in (
            "full_address", "phone_number", "name", "postal_code", "address_detail",
            "region_code")},
        "sender_address": {"full_address": address["full_address"],
                           "phone_number": address["phone_number"],
                           "name": address["contact_person"],
                           "postal_code": address["postal_code"],
                           "address_detail": address["full_address"],
                           "region_code": address["region_code"]},
    }


async def get_package(ctx: Ctx) -> dict[str, Any]:
    """GET /fulfillment/202309/packages/{package_id}."""
    pkg, _ = own_package(ctx, ctx.params["package_id"])
    return wire_package_detail(ctx, pkg)


async def search_packages(ctx: Ctx) -> dict[str, Any]:
    """POST /fulfillment/202309/packages/search (page_size 1–50; `_ge` inclusive, `_lt` not)."""
    size = ctx.page_size(PACKAGE_PAGE_MAX, INVALID_PARAM)
    body = ctx.json()
    sort_field = ctx.query.get("sort_field", "create_time")
    if sort_field not in ("create_time", "update_time", "order_pay_time"):
        raise ApiError(INVALID_PARAM, f"Invalid parameters: sort_field {sort_field!r}.")

    def keep(p: Package) -> bool:
        if body.get("package_status") and p.status != body["package_status"]:
            return False
        for field in ("create_time", "update_time"):
            value = getattr(p, field)
            ge, lt = body.get(f"{field}_ge"), body.get(f"{field}_lt")
            if (ge is not None and value < int(ge)) or (lt is not None and value >= int(lt)):
                return False
        return True

    attr = "create_time" if sort_field == "order_pay_time" else sort_field
    found = sorted((p for p in ctx.shop.packages.values() if keep(p)),
                   key=lambda p: (getattr(p, attr), int(p.id)),
                   reverse=ctx.query.get("sort_order", "DESC") == "DESC")
    return paged("packages", [wire_package(ctx, p) for p in found], ctx.query.get("page_token"),
                 size, INVALID_PARAM)
