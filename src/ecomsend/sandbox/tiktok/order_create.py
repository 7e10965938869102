"""Placing orders for listed SKUs (control API): line items per unit, payment, stock."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.markets import market
from ecomsend.sandbox.tiktok.order_model import (
    FULFILLMENT_TYPES,
    ORDER_STATUSES,
    SHIPPING_TYPES,
    default_recipient,
    first_option,
    money,
    set_status,
)
from ecomsend.sandbox.tiktok.state import Order, Package, Product, Shop, now

#: Payment fields the sandbox always answers as zero (documented, region-specific fees).
_ZERO_FEES = ("retail_delivery_fee", "shipping_fee_cofunded_discount", "small_order_fee",
              "buyer_service_fee", "handling_fee", "shipping_insurance_fee",
              "item_insurance_fee", "item_insurance_tax")
#: At most this many units per order line (keeps a typo from creating a million line items).
MAX_UNITS_PER_LINE = 500


def _money(raw: Any, name: str) -> Decimal:
    """A non-negative decimal from a control-API money field."""
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"{name} must be a decimal string") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def _resolve_lines(shop: Shop, lines: Any) -> list[tuple[Product, dict[str, Any], int, Decimal]]:
    """Control-API line items → (product, sku, quantity, unit price)."""
    if not isinstance(lines, list) or not lines:
        raise ValueError("line_items must be a non-empty list")
    out = []
    for line in lines:
        found = None
        if isinstance(line, dict):
            found = _find(shop, str(line.get("sku_id") or ""),
                          str(line.get("seller_sku") or ""))
        if not found:
            raise ValueError(f"no listed SKU matches {line!r}")
        qty = int(line.get("quantity", 1))
        if not 1 <= qty <= MAX_UNITS_PER_LINE:
            raise ValueError(f"quantity must be within 1..{MAX_UNITS_PER_LINE}")
        price = _money(line.get("sale_price") or found[1]["price"]["amount"], "sale_price")
        out.append((found[0], found[1], qty, price))
    return out


def _find(shop: Shop, sku_id: str, seller_sku: str) -> tuple[Product, dict[str, Any]] | None:
    """A SKU of the shop by id or seller_sku, live products first."""
    candidates = [(p, s) for p in shop.products.values() for s in p.skus
                  if (sku_id and s["id"] == sku_id) or (seller_sku and s["seller_sku"] ==
                                                        seller_sku)]
    live = [c for c in candidates if c[0].status != "DELETED"]
    pool = live or candidates
    return pool[0] if pool else None


def _split(total: Decimal, n: int, currency: str) -> list[Decimal]:
    """Spread an amount over n units in minor units; the last unit takes the remainder."""
    each = Decimal(money(total / n, currency)) if n else Decimal(0)
    parts = [each] * n
    if n:
        parts[-1] = total - each * (n - 1)
    return parts


def _take_stock(sku: dict[str, Any], warehouse_id: str, qty: int) -> None:
    """Move ordered units from available to committed in a warehouse."""
    for inv in sku["inventory"]:
        if inv["warehouse_id"] == warehouse_id:
            inv["quantity"] = max(0, inv["quantity"] - qty)
    committed = sku.setdefault("committed", {})
    committed[warehouse_id] = committed.get(warehouse_id, 0) + qty


def _line_items(sb: Sandbox, shop: Shop, body: dict[str, Any], package_id: str,
                lines: list[tuple[Product, dict[str, Any], int, Decimal]]) -> list[dict[str, Any]]:
    """One line item per unit (the API has no quantity field)."""
    currency = market(shop.region).currency
    units = [(p, s, price) for p, s, qty, price in lines for _ in range(qty)]
    seller = _split(_money(body.get("seller_discount", "0"), "seller_discount"), len(units),
                    currency)
    platform = _split(_money(body.get("platform_discount", "0"), "platform_discount"),
                      len(units), currency)
    items = []
    for (product, sku, price), sd, pd in zip(units, seller, platform, strict=True):
        img = (product.body.get("main_images") or [{}])[0].get("uri", "")
        items.append({
            "id": sb.store.new_id("line_item"), "sku_id": sku["id"], "product_id": product.id,
            "product_name": product.body.get("title", ""),
            "sku_name": ", ".join(a.get("value_name", "") for a in sku["sales_attributes"]),
            "sku_image": img, "seller_sku": sku["seller_sku"],
            "original_price": money(price, currency), "sale_price": money(price - sd - pd,
                                                                            currency),
            "seller_discount": money(sd, currency), "platform_discount": money(pd, currency),
            "currency": currency, "display_status": "", "package_id": package_id,
            "package_status": "TO_FULFILL", "shipping_provider_id": "",
            "shipping_provider_name": "", "tracking_number": "", "rts_time": 0,
            "cancel_reason": "", "cancel_user": "", "is_gift": False, "sku_type": "NORMAL",
            "item_tax": []})
    return items


def _payment(shop: Shop, body: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, str]:
    """The documented identities: sub_total = original − discounts; total = sub + ship + tax."""
    cur = market(shop.region).currency
    original = sum((Decimal(i["original_price"]) for i in items), Decimal(0))
    seller = sum((Decimal(i["seller_discount"]) for i in items), Decimal(0))
    platform = sum((Decimal(i["platform_discount"]) for i in items), Decimal(0))
    shipping = _money(body.get("shipping_fee", "0"), "shipping_fee")
    tax = _money(body.get("tax", "0"), "tax")
    sub_total = original - seller - platform
    return {"currency": cur, "original_total_product_price": money(original, cur),
            "seller_discount": money(seller, cur), "platform_discount": money(platform, cur),
            "sub_total": money(sub_total, cur), "original_shipping_fee": money(shipping, cur),
            "shipping_fee_seller_discount": money(Decimal(0), cur),
            "shipping_fee_platform_discount": money(Decimal(0), cur),
            "shipping_fee": money(shipping, cur), "tax": money(tax, cur),
            "product_tax": money(tax, cur), "shipping_fee_tax": money(Decimal(0), cur),
            "total_amount": money(sub_total + shipping + tax, cur),
            **{fee: money(Decimal(0), cur) for fee in _ZERO_FEES}}


def _choice(body: dict[str, Any], key: str, allowed: tuple[str, ...], default: str) -> str:
    """A control-API enum field with its default."""
    value = body.get(key) or default
    if value not in allowed:
        raise ValueError(f"{key} must be one of {allowed}")
    return str(value)


def place_order(sb: Sandbox, shop: Shop, body: dict[str, Any]) -> Order:
    """Create an order for listed SKUs (ValueError on bad input) and send its webhook."""
    status = _choice(body, "status", ORDER_STATUSES, "AWAITING_SHIPMENT")
    fulfillment = _choice(body, "fulfillment_type", FULFILLMENT_TYPES, "FULFILLMENT_BY_SELLER")
    shipping = _choice(body, "shipping_type", SHIPPING_TYPES, "SELLER")
    lines = _resolve_lines(shop, body.get("line_items"))
    first_inv = lines[0][1]["inventory"]
    warehouse_id = str(body.get("warehouse_id") or (first_inv[0]["warehouse_id"] if first_inv
                                                    else shop.default_warehouse().id))
    package = Package(id=sb.store.new_id("package"), order_id="", line_item_ids=[],
                      shipping_type=shipping)
    items = _line_items(sb, shop, body, package.id, lines)
    for _, sku, qty, _price in lines:
        _take_stock(sku, warehouse_id, qty)
    option_id, option_name = first_option(shop, warehouse_id)
    recipient = default_recipient(shop, masked=shipping == "TIKTOK")
    recipient.update(body.get("recipient") or {})
    t = now()
    order = Order(id=sb.store.new_id("order"), shop_id=shop.id, status=status,
                  line_items=items, payment=_payment(shop, body, items), recipient=recipient,
                  fulfillment_type=fulfillment, shipping_type=shipping,
                  warehouse_id=warehouse_id, delivery_option_id=option_id,
                  delivery_option_name=option_name,
                  user_id=str(body.get("user_id") or sb.store.new_id("user")),
                  create_time=t, update_time=t, buyer_message=str(body.get("buyer_message", "")),
                  package_ids=[package.id])
    package.order_id, package.line_item_ids = order.id, [i["id"] for i in items]
    shop.packages[package.id] = package
    shop.orders[order.id] = order
    set_status(sb, shop, order, status)
    return order
