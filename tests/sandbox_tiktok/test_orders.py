"""Orders through their statuses, search paging, detail shape, shipping and cancellations."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import httpx

from .conftest import Inbox, connect, delivered
from .helpers import Api, Control

F = "/fulfillment/202309"


async def listed(api: Api, control: Control, shop_id: str, skus: int = 2) -> dict[str, Any]:
    """Create and approve a product; returns Get Product data."""
    body = await control("GET", f"/shops/{shop_id}/sample_product", skus=skus)
    pid = (await api.ok("POST", "/product/202309/products", body))["product_id"]
    await control("POST", f"/shops/{shop_id}/products/{pid}/audit", {})
    return await api.ok("GET", f"/product/202309/products/{pid}")


async def place(control: Control, shop_id: str, lines: list[dict[str, Any]],
                **extra: Any) -> dict[str, Any]:
    return await control("POST", f"/shops/{shop_id}/orders", {"line_items": lines, **extra})


async def test_order_detail_shape(us: tuple[Api, dict[str, Any]], control: Control) -> None:
    api, view = us
    product = await listed(api, control, view["shop_id"])
    a, b = product["skus"]
    placed = await place(control, view["shop_id"], [
        {"sku_id": a["id"], "quantity": 3}, {"seller_sku": b["seller_sku"], "quantity": 1}],
        shipping_fee="4.99", seller_discount="2.00", tax="1.50")
    data = await api.ok("GET", "/order/202309/orders", query={"ids": placed["id"]})
    order = data["orders"][0]
    assert order["id"] == placed["id"] and isinstance(order["id"], str)
    assert order["status"] == "AWAITING_SHIPMENT"
    assert order["fulfillment_type"] == "FULFILLMENT_BY_SELLER"
    assert order["shipping_type"] == "SELLER"
    items = order["line_items"]
    assert len(items) == 4 and all("quantity" not in i for i in items)
    assert [i["sku_id"] for i in items].count(a["id"]) == 3
    pay = {k: Decimal(v) for k, v in order["payment"].items() if k != "currency"}
    assert pay["sub_total"] == pay["original_total_product_price"] - pay["seller_discount"] \
        - pay["platform_discount"]
    assert pay["total_amount"] == pay["sub_total"] + pay["shipping_fee"] + pay["tax"]
    assert sum(Decimal(i["sale_price"]) for i in items) == pay["sub_total"]
    assert order["recipient_address"]["district_info"][0]["address_level"] == "L0"
    assert order["packages"] and order["packages"][0]["id"] == items[0]["package_id"]
    # stock moved to committed
    state = await control("GET", f"/shops/{view['shop_id']}/products/{product['id']}")
    assert list(state["inventory"][a["id"]].values()) == [97]
    assert list(state["committed"][a["id"]].values()) == [3]


async def test_search_filters_and_paging(us: tuple[Api, dict[str, Any]],
                                         control: Control) -> None:
    api, view = us
    product = await listed(api, control, view["shop_id"], skus=1)
    sku = product["skus"][0]["id"]
    start = int(time.time())
    placed = [await place(control, view["shop_id"], [{"sku_id": sku, "quantity": 1}])
              for _ in range(5)]
    await control("POST", f"/shops/{view['shop_id']}/orders/{placed[0]['id']}/status",
                  {"status": "UNPAID"})
    seen: list[str] = []
    token = ""
    while True:
        q = {"page_size": "2", "sort_field": "create_time", "sort_order": "ASC",
             **({"page_token": token} if token else {})}
        data = await api.ok("POST", "/order/202309/orders/search",
                            {"order_status": "AWAITING_SHIPMENT", "update_time_ge": start},
                            query=q)
        seen += [o["id"] for o in data["orders"]]
        token = data["next_page_token"]
        if not token:
            break
    assert seen == [o["id"] for o in placed[1:]]
    none = await api.ok("POST", "/order/202309/orders/search",
                        {"update_time_ge": start + 3600}, query={"page_size": "10"})
    assert none["orders"] == [] and none["next_page_token"] == ""
    code, _ = await api.err("POST", "/order/202309/orders/search", {})
    assert code == 36009004  # page_size is required


async def test_lifecycle_webhooks_and_cancel_spelling(us: tuple[Api, dict[str, Any]],
                                                      control: Control, hooks: Inbox) -> None:
    api, view = us
    sid = view["shop_id"]
    sku = (await listed(api, control, sid, skus=1))["skus"][0]["id"]
    order = await place(control, sid, [{"sku_id": sku, "quantity": 1}], status="UNPAID")
    for status in ("ON_HOLD", "AWAITING_SHIPMENT"):
        await control("POST", f"/shops/{sid}/orders/{order['id']}/status", {"status": status})
    cancelled = await control("POST", f"/shops/{sid}/orders/{order['id']}/cancel",
                              {"initiator": "BUYER", "reason": "Changed mind"})
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancellation_initiator"] == "BUYER"
    assert {i["display_status"] for i in cancelled["line_items"]} == {"CANCELLED"}
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    statuses = [b["data"]["order_status"] for _, _, b in delivered(hooks, sid, 1)]
    assert statuses == ["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "CANCEL"]
    cancel_hook = delivered(hooks, sid, 11)[0][2]["data"]
    assert cancel_hook["cancel_status"] == "CANCELLATION_REQUEST_COMPLETE"
    found = await api.ok("POST", "/return_refund/202309/cancellations/search",
                         {"order_ids": [order["id"]]})
    assert found["cancellations"][0]["role"] == "BUYER"


async def test_seller_ship_tracking_and_update(us: tuple[Api, dict[str, Any]],
                                               control: Control) -> None:
    api, view = us
    sid = view["shop_id"]
    sku = (await listed(api, control, sid, skus=1))["skus"][0]["id"]
    order = await place(control, sid, [{"sku_id": sku, "quantity": 2}])
    detail = (await api.ok("GET", "/order/202309/orders", query={"ids": order["id"]}))["orders"][0]
    providers = (await api.ok("GET", f"/logistics/202309/delivery_options/"
                                     f"{detail['delivery_option_id']}/shipping_providers"))
    usps = next(p["id"] for p in providers["shipping_providers"] if p["name"] == "USPS")
    pkg = detail["packages"][0]["id"]
    code, _ = await api.err("POST", f"{F}/packages/{pkg}/ship", {"self_shipment": {
        "tracking_number": "9400111899223", "shipping_provider_id": "1"}})
    assert code == 21011022
    await api.ok("POST", f"{F}/packages/{pkg}/ship", {"self_shipment": {
        "tracking_number": "9400111899223", "shipping_provider_id": usps}})
    detail = (await api.ok("GET", "/order/202309/orders", query={"ids": order["id"]}))["orders"][0]
    assert detail["status"] == "AWAITING_COLLECTION"
    assert detail["tracking_number"] == "9400111899223"
    assert {i["shipping_provider_name"] for i in detail["line_items"]} == {"USPS"}
    again = await api.err("POST", f"{F}/packages/{pkg}/ship", {"self_shipment": {
        "tracking_number": "9400111899223", "shipping_provider_id": usps}})
    assert again[0] == 21008099
    await api.ok("POST", f"{F}/orders/{order['id']}/shipping_info/update",
                 {"tracking_number": "9400111899224", "shipping_provider_id": usps})
    package = await api.ok("GET", f"{F}/packages/{pkg}")
    assert package["tracking_number"] == "9400111899224"
    assert package["package_id"] == pkg and package["package_status"] == "FULFILLING"
    assert package["orders"][0]["skus"][0]["quantity"] == 2
    found = await api.ok("POST", f"{F}/packages/search", {"package_status": "FULFILLING"},
                         query={"page_size": "50"})
    assert pkg in {p["id"] for p in found["packages"]}
    assert (await api.err("POST", f"{F}/packages/search", {}, query={"page_size": "51"}))[0] \
        == 21001001
    await control("POST", f"/shops/{sid}/orders/{order['id']}/status", {"status": "IN_TRANSIT"})
    tracking = (await api.ok("GET", f"{F}/orders/{order['id']}/tracking"))["tracking"]
    assert tracking[0]["description"] == "Package in transit"
    assert tracking[0]["update_time_millis"] > 10**12
    seller_cancel = await api.err("POST", "/return_refund/202309/cancellations",
                                  {"order_id": order["id"], "cancel_reason": "x"})
    assert seller_cancel[0] == 25001045


async def test_mark_package_shipped_partial(http: httpx.AsyncClient, control: Control) -> None:
    api, view = await connect(http, control, "GB")
    sid = view["shop_id"]
    sku = (await listed(api, control, sid, skus=1))["skus"][0]["id"]
    order = await place(control, sid, [{"sku_id": sku, "quantity": 3}])
    items = [i["id"] for i in order["line_items"]]
    provider = (await api.ok("GET", f"/logistics/202309/delivery_options/"
                                    f"{order['delivery_option_id']}/shipping_providers")
                )["shipping_providers"][0]["id"]
    res = await api.ok("POST", f"{F}/orders/{order['id']}/packages", {
        "order_line_item_ids": items[:1], "tracking_number": "RM123456789GB",
        "shipping_provider_id": provider})
    assert res["order_line_item_ids"] == items[:1]
    detail = (await api.ok("GET", "/order/202309/orders", query={"ids": order["id"]}))["orders"][0]
    assert detail["status"] == "PARTIALLY_SHIPPING" and len(detail["packages"]) == 2
    await api.ok("POST", f"{F}/orders/{order['id']}/packages", {
        "order_line_item_ids": items[1:], "tracking_number": "RM123456790GB",
        "shipping_provider_id": provider})
    detail = (await api.ok("GET", "/order/202309/orders", query={"ids": order["id"]}))["orders"][0]
    assert detail["status"] == "AWAITING_COLLECTION"
    mx, _ = await connect(http, control, "MX")
    code, _ = await mx.err("POST", f"{F}/orders/1/packages", {})
    assert code == 21008106


async def test_tiktok_shipping_and_fbt(us: tuple[Api, dict[str, Any]], control: Control) -> None:
    api, view = us
    sid = view["shop_id"]
    sku = (await listed(api, control, sid, skus=1))["skus"][0]["id"]
    order = await place(control, sid, [{"sku_id": sku, "quantity": 1}], shipping_type="TIKTOK")
    assert "***" in order["recipient_address"]["phone_number"]
    shipped = await control("POST", f"/shops/{sid}/orders/{order['id']}/ship", {})
    assert shipped["status"] == "IN_TRANSIT" and shipped["shipping_type"] == "TIKTOK"
    assert shipped["tracking_number"].startswith("TT")
    assert shipped["shipping_provider"] == "TikTok Shipping"
    fbt = await place(control, sid, [{"sku_id": sku, "quantity": 1}],
                      fulfillment_type="FULFILLMENT_BY_TIKTOK")
    code, _ = await api.err("POST", f"{F}/packages/{fbt['packages'][0]['id']}/ship",
                            {"self_shipment": {"tracking_number": "X1234",
                                               "shipping_provider_id": "1"}})
    assert code == 21008025
    for status in ("DELIVERED", "COMPLETED"):
        done = await control("POST", f"/shops/{sid}/orders/{order['id']}/status",
                             {"status": status})
    assert done["line_items"][0]["package_status"] == "COMPLETED"


async def test_buyer_cancel_request_and_seller_cancel(us: tuple[Api, dict[str, Any]],
                                                      control: Control) -> None:
    api, view = us
    sid = view["shop_id"]
    sku = (await listed(api, control, sid, skus=1))["skus"][0]["id"]
    order = await place(control, sid, [{"sku_id": sku, "quantity": 1}])
    req = await control("POST", f"/shops/{sid}/orders/{order['id']}/cancel",
                        {"request_only": True})
    assert req["is_buyer_request_cancel"] is True
    await api.ok("POST", f"/return_refund/202309/cancellations/{req['cancel_id']}/approve")
    detail = (await api.ok("GET", "/order/202309/orders", query={"ids": order["id"]}))["orders"][0]
    assert detail["status"] == "CANCELLED"
    other = await place(control, sid, [{"sku_id": sku, "quantity": 2}])
    res = await api.ok("POST", "/return_refund/202309/cancellations",
                       {"order_id": other["id"], "cancel_reason": "Out of stock"})
    assert res["cancel_status"] == "CANCELLATION_REQUEST_COMPLETE"
    detail = (await api.ok("GET", "/order/202309/orders", query={"ids": other["id"]}))["orders"][0]
    assert detail["cancellation_initiator"] == "SELLER"
    assert {i["package_status"] for i in detail["line_items"]} == {"CANCELLED"}


async def test_recipient_address_update(us: tuple[Api, dict[str, Any]], control: Control,
                                        hooks: Inbox) -> None:
    api, view = us
    sid = view["shop_id"]
    sku = (await listed(api, control, sid, skus=1))["skus"][0]["id"]
    order = await place(control, sid, [{"sku_id": sku, "quantity": 1}])
    await control("PATCH", f"/shops/{sid}/orders/{order['id']}",
                  {"recipient": {"address_line1": "2 New Street"}})
    detail = (await api.ok("GET", "/order/202507/orders", query={"ids": order["id"]}))["orders"][0]
    assert detail["recipient_address"]["address_line1"] == "2 New Street"
    assert detail["has_updated_recipient_address"] is True
    await control("POST", "/webhooks/drain", {"timeout_s": 5})
    assert delivered(hooks, sid, 3)[0][2]["data"]["order_id"] == order["id"]
