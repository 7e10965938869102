"""Orders: creation from the control API, status moves with webhooks, and the wire shape."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.logistics import delivery_options
from ecomsend.sandbox.tiktok.markets import market
from ecomsend.sandbox.tiktok.state import Order, Package, Shop, now

#: Order statuses (reference §4.7).
ORDER_STATUSES = ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING",
                  "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED")
FULFILLMENT_TYPES = ("FULFILLMENT_BY_SELLER", "FULFILLMENT_BY_TIKTOK")
SHIPPING_TYPES = ("SELLER", "TIKTOK")
#: Package status per order status (Search Package: PROCESSING|FULFILLING|COMPLETED|CANCELLED).
PACKAGE_STATUS = {"UNPAID": "PROCESSING", "ON_HOLD": "PROCESSING",
                  "AWAITING_SHIPMENT": "PROCESSING", "PARTIALLY_SHIPPING": "PROCESSING",
                  "AWAITING_COLLECTION": "FULFILLING", "IN_TRANSIT": "FULFILLING",
                  "DELIVERED": "COMPLETED", "COMPLETED": "COMPLETED", "CANCELLED": "CANCELLED"}
#: Line-item package_status values (TO_FULFILL|PROCESSING|FULFILLING|COMPLETED|CANCELLED).
LINE_PACKAGE_STATUS = {"PROCESSING": "TO_FULFILL", "FULFILLING": "FULFILLING",
                       "COMPLETED": "COMPLETED", "CANCELLED": "CANCELLED"}
DISPLAY_STATUS = {"UNPAID": "UNPAID", "ON_HOLD": "ON_HOLD", "AWAITING_SHIPMENT": "TO_SHIP",
                  "PARTIALLY_SHIPPING": "TO_SHIP", "AWAITING_COLLECTION": "TO_SHIP",
                  "IN_TRANSIT": "SHIPPED", "DELIVERED": "DELIVERED", "COMPLETED": "COMPLETED",
                  "CANCELLED": "CANCELLED"}
#: The type 1 webhook says CANCEL where the order APIs say CANCELLED (reference §5.3).
WEBHOOK_STATUS = {"CANCELLED": "CANCEL"}
#: Tracking event text per status reached.
TRACKING_TEXT = {"AWAITING_COLLECTION": "Shipping label created, awaiting carrier pickup",
                 "IN_TRANSIT": "Package in transit", "DELIVERED": "Package delivered"}
#: Seller has 2 days to ship, buyer may cancel for 1 hour after paying (typical SLAs) [INF].
RTS_SLA_S = 2 * 24 * 3600
CANCEL_SLA_S = 3600

_ADDRESSES: dict[str, dict[str, Any]] = {
    "US": {"line1": "5800 Bristol Pkwy", "postal": "90230", "levels": [
        ("Country", "United States", "US"), ("State", "California", "US-CA"),
        ("County", "Los Angeles County", ""), ("City", "Culver City", "")]},
    "GB": {"line1": "1 Sandbox Street", "postal": "SW1A 1AA", "levels": [
        ("Country", "United Kingdom", "GB"), ("County", "Greater London", ""),
        ("Post town", "London", "")]},
    "JP": {"line1": "1-1 Chiyoda", "postal": "100-0001", "levels": [
        ("Country", "Japan", "JP"), ("Prefecture", "Tokyo", "JP-13"), ("City", "Chiyoda", "")]},
    "MX": {"line1": "Av. Reforma 1", "postal": "06600", "levels": [
        ("Country", "Mexico", "MX"), ("State", "Ciudad de Mexico", "MX-CMX"),
        ("City", "Cuauhtemoc", "")]},
}


def money(value: Decimal, currency: str) -> str:
    """A decimal string in the currency's minor unit (JPY has none)."""
    exp = Decimal("1") if currency == "JPY" else Decimal("0.01")
    return str(value.quantize(exp, rounding=ROUND_HALF_UP))


def default_recipient(shop: Shop, masked: bool) -> dict[str, Any]:
    """A recipient address with district_info levels L0.. (reference §4.7)."""
    m = market(shop.region)
    spec = _ADDRESSES.get(shop.region) or {"line1": "1 Sandbox Road", "postal": "10115",
                                           "levels": [("Country", m.country, shop.region),
                                                      ("City", "Sandbox City", "")]}
    phone = "(+1)213-***-1234" if masked else "(+1)2135550134"
    return {"name": "Jane Doe", "first_name": "Jane", "last_name": "Doe",
            "phone_number": phone, "address_line1": spec["line1"], "address_line2": "Apt 4",
            "address_line3": "", "address_line4": "", "address_detail": "Apt 4",
            "postal_code": spec["postal"], "region_code": shop.region,
            "full_address": f"{spec['line1']}, Apt 4, {spec['postal']}, {m.country}",
            "district_info": [{"address_level": f"L{i}", "address_level_name": name,
                               "address_name": value, "iso_code": iso}
                              for i, (name, value, iso) in enumerate(spec["levels"])],
            "delivery_preferences": {"drop_off_location": "Front Door"}}


def sync_line_items(order: Order, packages: dict[str, Package]) -> None:
    """Refresh line-item package fields from their packages and the order status."""
    for item in order.line_items:
        pkg = packages.get(item["package_id"])
        if item.get("display_status") == "CANCELLED" and order.status != "CANCELLED":
            continue
        pstatus = pkg.status if pkg else PACKAGE_STATUS[order.status]
        item["package_status"] = LINE_PACKAGE_STATUS[pstatus]
        item["display_status"] = DISPLAY_STATUS[order.status]
        if pkg:
            item["tracking_number"] = pkg.tracking_number
            item["shipping_provider_id"] = pkg.shipping_provider_id
            item["shipping_provider_name"] = pkg.shipping_provider_name
            item["rts_time"] = pkg.shipped_time


def set_status(sb: Sandbox, shop: Shop, order: Order, status: str) -> None:
    """Move an order (and its packages) to a status and send ORDER_STATUS_CHANGE (type 1)."""
    t = now()
    order.status, order.update_time = status, t
    order.is_on_hold_order = status == "ON_HOLD"
    if status not in ("UNPAID",) and not order.paid_time:
        order.paid_time = t
    for pid in order.package_ids:
        pkg = shop.packages[pid]
        target = PACKAGE_STATUS[status]
        if pkg.status == "CANCELLED" and status != "CANCELLED":
            continue
        if pkg.tracking_number and target == "PROCESSING":
            continue  # a shipped package never goes back to PROCESSING
        pkg.status, pkg.update_time = target, t
    if status in TRACKING_TEXT:
        order.tracking_events.append({"description": TRACKING_TEXT[status],
                                      "update_time_millis": t * 1000})
    sync_line_items(order, shop.packages)
    sb.webhooks.emit(shop, 1, {"order_id": order.id,
                               "order_status": WEBHOOK_STATUS.get(status, status),
                               "is_on_hold_order": order.is_on_hold_order, "update_time": t})


def shipping_summary(order: Order, packages: dict[str, Package]) -> dict[str, str]:
    """Order-level tracking fields (from the first shipped package)."""
    shipped = [packages[p] for p in order.package_ids if packages[p].tracking_number]
    first = shipped[0] if shipped else None
    return {"tracking_number": first.tracking_number if first else "",
            "shipping_provider": first.shipping_provider_name if first else "",
            "shipping_provider_id": first.shipping_provider_id if first else ""}


def wire_order(shop: Shop, order: Order) -> dict[str, Any]:
    """Get Order Detail item: ids as strings, one line item per unit, no quantity field."""
    return {
        "id": order.id, "status": order.status, "create_time": order.create_time,
        "update_time": order.update_time, "paid_time": order.paid_time,
        "rts_time": max((packages_shipped_time(shop, order)), default=0),
        "rts_sla_time": order.create_time + RTS_SLA_S,
        "tts_sla_time": order.create_time + RTS_SLA_S,
        "shipping_due_time": order.create_time + RTS_SLA_S,
        "cancel_order_sla_time": order.create_time + CANCEL_SLA_S,
        "user_id": order.user_id, "buyer_email": f"v2_{order.user_id}@scs.tiktokw.us",
        "buyer_message": order.buyer_message, "seller_note": "",
        "shipping_type": order.shipping_type, "fulfillment_type": order.fulfillment_type,
        "delivery_type": "HOME_DELIVERY", "delivery_option_id": order.delivery_option_id,
        "delivery_option_name": order.delivery_option_name, "warehouse_id": order.warehouse_id,
        **shipping_summary(order, shop.packages),
        "is_cod": False, "is_on_hold_order": order.is_on_hold_order,
        "is_buyer_request_cancel": order.is_buyer_request_cancel, "is_sample_order": False,
        "is_replacement_order": False, "replaced_order_id": "", "is_exchange_order": False,
        "cancel_reason": order.cancel_reason,
        "cancellation_initiator": order.cancellation_initiator,
        "cancel_time": order.cancel_time,
        "has_updated_recipient_address": order.address_updated,
        "split_or_combine_tag": "SPLIT" if len(order.package_ids) > 1 else "",
        "packages": [{"id": p} for p in order.package_ids],
        "payment_method_name": "Credit card", "order_type": "NORMAL",
        "commerce_platform": "TIKTOK_SHOP", "payment": dict(order.payment),
        "recipient_address": copy.deepcopy(order.recipient),
        "line_items": copy.deepcopy(order.line_items),
    }


def packages_shipped_time(shop: Shop, order: Order) -> list[int]:
    """Ship times of the order's shipped packages."""
    return [shop.packages[p].shipped_time for p in order.package_ids
            if shop.packages[p].shipped_time]


def first_option(shop: Shop, warehouse_id: str) -> tuple[str, str]:
    """The standard delivery option of a warehouse (id, name)."""
    wh = next((w for w in shop.sales_warehouses() if w.id == warehouse_id),
              shop.default_warehouse())
    opt = delivery_options(shop, wh)[0]
    return opt.id, opt.name
