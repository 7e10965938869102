"""The pure mapping TikTok order → OrderCreateOrderInput (no I/O): grouping units by SKU, money,
address, tags, order number, and the unlinked-item error."""

from __future__ import annotations

from typing import Any

import pytest

from ecomsend.integrations.tiktok.models.orders import Order
from ecomsend.sync.orders.mapping import UnlinkedItems, build_order_input
from ecomsend.sync.orders.settings import OrderNumberFormat, OrderSettings


def _line(i: int, sku: str, price: str, seller: str = "0.00", platform: str = "0.00"
          ) -> dict[str, Any]:
    return {"id": f"L{i}", "sku_id": sku, "product_name": f"Product {sku}", "seller_sku": sku,
            "original_price": price, "sale_price": price, "seller_discount": seller,
            "platform_discount": platform, "display_status": "AWAITING_SHIPMENT"}


ORDER = Order.model_validate({
    "id": "576461413038785752", "status": "AWAITING_SHIPMENT", "create_time": 1764237480,
    "paid_time": 1764237500, "shipping_type": "SELLER", "delivery_option_name": "Standard",
    "buyer_email": "buyer@example.com", "buyer_message": "ring twice",
    "line_items": [_line(1, "A", "10.00", "1.00", "0.50"), _line(2, "A", "10.00", "1.00", "0.50"),
                   _line(3, "B", "5.00")],
    "payment": {"currency": "USD", "original_total_product_price": "25.00",
                "seller_discount": "2.00", "platform_discount": "1.00", "sub_total": "22.00",
                "original_shipping_fee": "4.99", "shipping_fee": "4.99", "tax": "2.16",
                "total_amount": "29.15"},
    "recipient_address": {
        "first_name": "Jane", "last_name": "Doe", "address_line1": "1 Main St",
        "address_line2": "Apt 4", "postal_code": "78701", "region_code": "US",
        "phone_number": "(+1)2135550134",
        "district_info": [
            {"address_level": "L0", "address_level_name": "Country", "address_name": "US"},
            {"address_level": "L1", "address_level_name": "State", "address_name": "Texas",
             "iso_code": "US-TX"},
            {"address_level": "L2", "address_level_name": "County", "address_name": "Travis"},
            {"address_level": "L3", "address_level_name": "City", "address_name": "Austin"}]},
})
VARIANTS = {"A": "gid://shopify/ProductVariant/1", "B": "gid://shopify/ProductVariant/2"}


def test_units_grouped_by_sku_and_money_adds_up() -> None:
    body = build_order_input(ORDER, VARIANTS, OrderSettings(tags=["vip"]), "US")
    assert [(li["variantId"], li["quantity"], li["priceSet"]["shopMoney"]["amount"])
            for li in body["lineItems"]] == [(VARIANTS["A"], 2, "10.00"), (VARIANTS["B"], 1,
                                                                             "5.00")]
    assert all(li["requiresShipping"] for li in body["lineItems"])
    assert body["discountCode"]["itemFixedDiscountCode"]["amountSet"]["shopMoney"][
        "amount"] == "2.00"
    paid = [t["amountSet"]["shopMoney"]["amount"] for t in body["transactions"]]
    assert paid == ["29.15", "1.00"]  # buyer + TikTok-funded platform discount
    # Shopify total = items − seller discount + shipping + tax = what the merchant is owed.
    assert pytest.approx(sum(float(p) for p in paid)) == 25 - 2 + 4.99 + 2.16
    assert body["taxLines"][0]["priceSet"]["shopMoney"]["amount"] == "2.16"
    assert body["taxesIncluded"] is False
    assert body["shippingLines"][0]["priceSet"]["shopMoney"]["amount"] == "4.99"
    assert body["sourceIdentifier"] == ORDER.id and body["sourceName"] == "tiktok"
    assert body["tags"] == ["TikTok Shop", f"TikTok-{ORDER.id}", "vip"]
    assert {"key": "TikTok order id", "value": ORDER.id} in body["customAttributes"]
    assert body["processedAt"] == "2025-11-27T09:58:20Z"
    assert body["note"] == "ring twice" and body["email"] == "buyer@example.com"
    assert "name" not in body


def test_address_from_district_levels() -> None:
    address = build_order_input(ORDER, VARIANTS, OrderSettings(), "US")["shippingAddress"]
    assert address == {"firstName": "Jane", "lastName": "Doe", "address1": "1 Main St",
                       "address2": "Apt 4", "city": "Austin", "zip": "78701",
                       "countryCode": "US", "phone": "(+1)2135550134", "provinceCode": "TX"}


def test_order_number_with_prefix_and_suffix() -> None:
    prefs = OrderSettings(order_number=OrderNumberFormat(mode="tiktok", prefix="TT-",
                                                         suffix="-US"))
    assert build_order_input(ORDER, VARIANTS, prefs, "US")["name"] == f"TT-{ORDER.id}-US"


def test_unlinked_items_are_named() -> None:
    with pytest.raises(UnlinkedItems) as caught:
        build_order_input(ORDER, {"A": VARIANTS["A"]}, OrderSettings(), "US")
    [group] = caught.value.groups
    assert (group.sku_id, group.quantity, group.product_name) == ("B", 1, "Product B")
