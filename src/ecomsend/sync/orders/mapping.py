"""TikTok order → Shopify `OrderCreateOrderInput` (pure: no I/O, no DB).

TikTok sends one line item per unit with no quantity (reference §4.7): units are grouped by SKU
(and unit price) into Shopify line items with a quantity, each on the linked Shopify variant.
Money stays in the order's currency as decimal strings:

- line price = the unit's original price; the seller discount (product + shipping) is one
  fixed discount code, so Shopify shows what the merchant gave away;
- shipping line = the original shipping fee;
- taxes = one order-level tax line (rate derived from the amounts);
- transactions = what the buyer paid (`total_amount`) + what TikTok funds (platform discounts),
  so the Shopify order is fully paid and its total matches what the merchant is owed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ecomsend.integrations.tiktok.models.orders import LineItem, Order
from ecomsend.sync.orders.settings import BASE_TAG, OrderSettings

#: `sourceName` of imported orders (reference §9: also in sourceIdentifier, a tag, an attribute).
SOURCE_NAME = "tiktok"
GATEWAY = "TikTok Shop"
ID_ATTRIBUTE = "TikTok order id"
CENT = Decimal("0.01")


def id_tag(order_id: str) -> str:
    """The tag that carries the TikTok order id (searchable: `tag:"TikTok-…"`)."""
    return f"TikTok-{order_id}"


@dataclass
class SkuGroup:
    """Units of one SKU at one unit price: one Shopify line item."""

    sku_id: str
    unit_price: Decimal
    product_name: str
    seller_sku: str | None
    line_ids: list[str] = field(default_factory=list)

    @property
    def quantity(self) -> int:
        return len(self.line_ids)


class UnlinkedItems(ValueError):
    """Some TikTok SKUs of the order have no linked Shopify variant."""

    def __init__(self, groups: list[SkuGroup]) -> None:
        self.groups = groups
        super().__init__("unlinked: " + ", ".join(describe_item(g) for g in groups))


def describe_item(group: SkuGroup) -> str:
    seller_sku = f", seller SKU {group.seller_sku}" if group.seller_sku else ""
    return f"'{group.product_name}' (TikTok SKU {group.sku_id}{seller_sku})"


def money(value: Any) -> Decimal:
    """A TikTok money string (or None/"") as a Decimal."""
    if value in (None, ""):
        return Decimal(0)
    return Decimal(str(value))


def fmt(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def active_lines(order: Order) -> list[LineItem]:
    """Line items that still count (a line cancelled on its own is left out)."""
    return [li for li in order.line_items
            if li.sku_id and (order.status == "CANCELLED"
                              or (li.display_status or "").upper() != "CANCELLED")]


def group_lines(order: Order) -> list[SkuGroup]:
    """One group per (SKU, unit original price), in first-seen order."""
    groups: dict[tuple[str, Decimal], SkuGroup] = {}
    for li in active_lines(order):
        assert li.sku_id is not None
        price = money(li.original_price if li.original_price not in (None, "")
                      else li.sale_price)
        key = (li.sku_id, price)
        group = groups.setdefault(key, SkuGroup(li.sku_id, price, li.product_name or "item",
                                                li.seller_sku))
        group.line_ids.append(li.id)
    return list(groups.values())


def _payment(order: Order, name: str) -> Decimal:
    if order.payment is None:
        return Decimal(0)
    value = getattr(order.payment, name, None)
    if value is None and order.payment.model_extra:
        value = order.payment.model_extra.get(name)
    return money(value)


def _bag(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": fmt(amount), "currencyCode": currency}}


def _district(recipient: Mapping[str, Any], level: str) -> Mapping[str, Any]:
    for entry in recipient.get("district_info") or []:
        if entry.get("address_level") == level:
            return dict(entry)
    return {}


def _city(recipient: Mapping[str, Any]) -> str | None:
    """The city: the level named City, else the deepest of L3/L2 (US: L3 city, L2 county)."""
    for entry in recipient.get("district_info") or []:
        if str(entry.get("address_level_name", "")).lower() == "city":
            return str(entry.get("address_name") or "") or None
    for level in ("L3", "L2"):
        name = _district(recipient, level).get("address_name")
        if name:
            return str(name)
    return recipient.get("post_town") or None


def shipping_address(recipient: Mapping[str, Any] | None, region: str) -> dict[str, Any]:
    """TikTok `recipient_address` → Shopify `MailingAddressInput`."""
    r = recipient or {}
    first, last = r.get("first_name"), r.get("last_name")
    if not first and not last and r.get("name"):
        first, _, last = str(r["name"]).partition(" ")
    second = " ".join(str(r[k]) for k in ("address_line2", "address_line3", "address_line4")
                      if r.get(k))
    province = _district(r, "L1")
    address: dict[str, Any] = {
        "firstName": first or None, "lastName": last or None,
        "address1": r.get("address_line1") or r.get("address_detail") or r.get("full_address"),
        "address2": second or None, "city": _city(r), "zip": r.get("postal_code"),
        "countryCode": (r.get("region_code") or region).upper(),
        "phone": r.get("phone_number") or None,
    }
    if province.get("iso_code"):
        address["provinceCode"] = str(province["iso_code"]).split("-")[-1]
    elif province.get("address_name"):
        address["province"] = province["address_name"]
    return {k: v for k, v in address.items() if v not in (None, "")}


def _iso(ts: int | None) -> str | None:
    if not ts:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def order_name(order_id: str, settings: OrderSettings) -> str | None:
    fmt_ = settings.order_number
    return f"{fmt_.prefix}{order_id}{fmt_.suffix}" if fmt_.mode == "tiktok" else None


def _money_fields(order: Order, currency: str) -> dict[str, Any]:
    """Discount code, shipping line, tax line and transactions (see module doc)."""
    seller = _payment(order, "seller_discount") + _payment(order, "shipping_fee_seller_discount")
    platform = (_payment(order, "platform_discount")
                + _payment(order, "shipping_fee_platform_discount"))
    shipping = _payment(order, "original_shipping_fee") or _payment(order, "shipping_fee")
    tax = _payment(order, "tax")
    paid = _payment(order, "total_amount")
    out: dict[str, Any] = {
        "shippingLines": [{"title": order.delivery_option_name or "TikTok Shop shipping",
                           "source": SOURCE_NAME, "code": order.delivery_option_id or "tiktok",
                           "priceSet": _bag(shipping, currency)}],
        "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": GATEWAY,
                          "amountSet": _bag(paid, currency)}],
    }
    if platform > 0:
        out["transactions"].append({"kind": "SALE", "status": "SUCCESS",
                                    "gateway": f"{GATEWAY} (platform discount)",
                                    "amountSet": _bag(platform, currency)})
    if seller > 0:
        out["discountCode"] = {"itemFixedDiscountCode": {
            "code": "TIKTOK-SELLER-DISCOUNT", "amountSet": _bag(seller, currency)}}
    if tax > 0:
        base = _payment(order, "sub_total") + _payment(order, "shipping_fee")
        rate = (tax / base).quantize(Decimal("0.0001")) if base > 0 else Decimal(0)
        out["taxLines"] = [{"title": "Sales tax", "rate": str(rate),
                            "priceSet": _bag(tax, currency)}]
    return out


def build_order_input(order: Order, variant_by_sku: Mapping[str, str],
                      settings: OrderSettings, region: str) -> dict[str, Any]:
    """The `OrderCreateOrderInput`; raises UnlinkedItems naming every SKU without a variant."""
    groups = group_lines(order)
    missing = [g for g in groups if g.sku_id not in variant_by_sku]
    if missing:
        raise UnlinkedItems(missing)
    currency = (order.payment.currency if order.payment and order.payment.currency
                else None) or "USD"
    recipient = order.recipient_address or {}
    address = shipping_address(recipient, region)
    body: dict[str, Any] = {
        "currency": currency, "sourceName": SOURCE_NAME, "sourceIdentifier": order.id,
        "sourceUrl": f"https://seller-{region.lower()}.tiktok.com/order/detail?order_no="
                     f"{order.id}",
        "tags": list(dict.fromkeys([BASE_TAG, id_tag(order.id), *settings.tags])),
        "customAttributes": [{"key": ID_ATTRIBUTE, "value": order.id},
                             {"key": "TikTok shipping type",
                              "value": order.shipping_type or "SELLER"}],
        "processedAt": _iso(order.paid_time or order.create_time),
        "financialStatus": "PAID", "taxesIncluded": region.upper() != "US",
        "shippingAddress": address, "billingAddress": address,
        "lineItems": [{"variantId": variant_by_sku[g.sku_id], "quantity": g.quantity,
                       "requiresShipping": True, "priceSet": _bag(g.unit_price, currency)}
                      for g in groups],
        **_money_fields(order, currency),
    }
    if order.buyer_email:
        body["email"] = order.buyer_email
        customer = {"email": order.buyer_email, "firstName": address.get("firstName"),
                    "lastName": address.get("lastName")}
        body["customer"] = {"toUpsert": {k: v for k, v in customer.items() if v}}
    if order.buyer_message:
        body["note"] = order.buyer_message
    name = order_name(order.id, settings)
    if name:
        body["name"] = name
    return {k: v for k, v in body.items() if v is not None}


def input_hash(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
