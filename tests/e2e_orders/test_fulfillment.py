"""Fulfillment both ways, end to end: seller shipping (Shopify fulfillment → TikTok package
shipped with the mapped provider; partial; tracking edits), TikTok shipping (→ Shopify
fulfillment with number, company, URL), carrier mapping failures, manual mode."""

from __future__ import annotations

from typing import Any

from .harness import Env, order_status, until

FO_QUERY = """query($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { nodes { id
  lineItems(first: 20) { nodes { id remainingQuantity lineItem { variant { id } } } } } } } }"""
FULFILL = """mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) {
  fulfillment { id } userErrors { field message } } }"""


async def _synced_order(env: Env, lines: list[tuple[Any, int]], **body: Any) -> dict[str, Any]:
    placed = await env.place_order(lines, **body)
    return await order_status(env, placed["id"], {"synced"})


async def _packages(env: Env, order_id: str) -> list[dict[str, Any]]:
    packages = (await env.tiktok("GET", "/packages"))["packages"]
    return [p for p in packages if p["order_id"] == order_id]


async def _fulfill_partially(env: Env, shopify_order_id: str, variant: str, qty: int,
                             number: str, company: str) -> str:
    data = await env.graphql(FO_QUERY, {"id": shopify_order_id})
    [fo] = data["order"]["fulfillmentOrders"]["nodes"]
    [line] = [n for n in fo["lineItems"]["nodes"] if n["lineItem"]["variant"]["id"] == variant]
    made = await env.graphql(FULFILL, {"f": {
        "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"],
                                         "fulfillmentOrderLineItems": [{"id": line["id"],
                                                                        "quantity": qty}]}],
        "trackingInfo": {"company": company, "number": number}}})
    assert not made["fulfillmentCreate"]["userErrors"], made
    return str(made["fulfillmentCreate"]["fulfillment"]["id"])


async def test_seller_shipping_partial_then_tracking_edit_then_rest(env: Env) -> None:
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    a, b = env.linked[0], env.linked[1]
    order = await _synced_order(env, [(a, 2), (b, 1)])
    oid = order["order_id"]

    first = await _fulfill_partially(env, order["shopify_order_id"], a.variant_gid, 1,
                                     "1Z999AA10123456784", "UPS")

    async def shipped_one() -> list[dict[str, Any]] | None:
        done = [p for p in await _packages(env, oid) if p["tracking_number"]]
        return done or None
    [package] = await until(shipped_one, 20, "first TikTok package shipped")
    assert package["shipping_provider_name"] == "UPS"
    assert len(package["order_line_item_ids"]) == 1
    assert (await env.tiktok_order(oid))["status"] == "PARTIALLY_SHIPPING"

    # A tracking edit in Shopify updates the TikTok package.
    await env.shopify("POST", f"/fulfillments/{first}/tracking",
                      json={"number": "9400111899223197428490", "company": "USPS"})

    async def edited() -> bool:
        pkgs = {p["id"]: p for p in await _packages(env, oid)}
        return pkgs[package["id"]]["tracking_number"] == "9400111899223197428490"
    await until(edited, 20, "tracking edit on TikTok")
    assert {p["id"]: p for p in await _packages(env, oid)}[package["id"]][
        "shipping_provider_name"] == "USPS"

    # The rest ships as a second package; the TikTok order is then fully shipped.
    await env.shopify("POST", f"/orders/{order['shopify_order_id']}/fulfill",
                      json={"tracking": {"number": "1Z999AA10123456799", "company": "FedEx"}})

    async def all_shipped() -> bool:
        return (await env.tiktok_order(oid))["status"] == "AWAITING_COLLECTION"
    await until(all_shipped, 20, "TikTok order fully shipped")
    final = await order_status(env, oid, {"synced"}, key="fulfillment_sync")
    assert sorted(s["tracking_number"] for s in final["shipments"]) == [
        "1Z999AA10123456799", "9400111899223197428490"]
    assert {s["direction"] for s in final["shipments"]} == {"to_tiktok"}


async def test_carrier_mismatch_names_the_mapping_then_retry(env: Env) -> None:
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    order = await _synced_order(env, [(env.linked[0], 1)])
    await env.shopify("POST", f"/orders/{order['shopify_order_id']}/fulfill",
                      json={"tracking": {"number": "CP123456789CA", "company": "Canada Post"}})
    failed = await order_status(env, order["order_id"], {"failed"}, key="fulfillment_sync")
    message = failed["fulfillment_sync"]["error"]["message"]
    assert "Canada Post" in message and "carrier mapping" in message and "USPS" in message

    await env.settings(fulfillment={"carrier_rules": [
        {"shopify_company": "Canada Post", "tiktok_provider": "USPS"}]})
    await env.api("POST", f"/api/orders/{order['order_id']}/retry")
    await order_status(env, order["order_id"], {"synced"}, key="fulfillment_sync")
    [package] = await _packages(env, order["order_id"])
    assert (package["tracking_number"], package["shipping_provider_name"]) == (
        "CP123456789CA", "USPS")


async def test_manual_fulfillment_sync(env: Env) -> None:
    await env.settings(orders={"auto_sync": True})  # fulfillment auto sync stays off
    order = await _synced_order(env, [(env.linked[1], 1)])
    await env.shopify("POST", f"/orders/{order['shopify_order_id']}/fulfill",
                      json={"tracking": {"number": "9400111899223197428111", "company": "USPS"}})
    await env.http.post(f"{env.stack.shopify_url}/_sandbox/webhooks/flush")
    assert (await env.app_order(order["order_id"]))["fulfillment_sync"]["status"] == "not_synced"
    await env.api("POST", "/api/orders/sync", json={"order_ids": [order["order_id"]],
                                                    "what": "fulfillment"})
    await order_status(env, order["order_id"], {"synced"}, key="fulfillment_sync")
    [package] = await _packages(env, order["order_id"])
    assert package["tracking_number"] == "9400111899223197428111"


async def test_tiktok_shipping_creates_the_shopify_fulfillment(env: Env) -> None:
    await env.settings(orders={"auto_sync": True}, fulfillment={"auto_sync": True})
    order = await _synced_order(env, [(env.linked[0], 2), (env.linked[1], 1)],
                                shipping_type="TIKTOK")
    shipped = await env.tiktok("POST", f"/orders/{order['order_id']}/ship", json={})
    number = shipped["line_items"][0]["tracking_number"]
    await order_status(env, order["order_id"], {"synced"}, key="fulfillment_sync")

    async def fulfilled() -> dict[str, Any] | None:
        [shopify] = await env.shopify_orders_for(order["order_id"])
        return shopify if shopify["fulfillments"] else None
    shopify = await until(fulfilled, 20, "Shopify fulfillment")
    [fulfillment] = shopify["fulfillments"]
    assert fulfillment["tracking_number"] == number
    assert fulfillment["tracking_company"] == "TikTok Shipping"
    assert number in (fulfillment.get("tracking_url") or "")
    assert sum(li["quantity"] for li in fulfillment["line_items"]) == 3
    assert shopify["fulfillment_status"] == "fulfilled"
    # Our own Shopify fulfillment does not bounce back to TikTok as seller shipping.
    view = await env.app_order(order["order_id"])
    assert [s["direction"] for s in view["shipments"]] == ["to_shopify"]


async def test_auto_sync_off_notes_fulfilled_orders_and_turning_it_on_queues_them(
        env: Env) -> None:
    """Seller shipping with fulfillment auto sync off: an order not yet fulfilled is
    "unfulfilled"; once fulfilled in Shopify it is "not_synced" (the page: fulfilled in Shopify,
    not synced yet) and nothing reaches TikTok; turning auto sync on queues it and it ships."""
    await env.settings(orders={"auto_sync": True})
    waiting = await _synced_order(env, [(env.linked[0], 1)])
    untouched = await _synced_order(env, [(env.linked[1], 1)])
    oid = waiting["order_id"]
    assert (await env.app_order(oid))["fulfillment_to_tiktok"]["status"] == "unfulfilled"

    await env.shopify("POST", f"/orders/{waiting['shopify_order_id']}/fulfill",
                      json={"tracking": {"number": "9400111899223197428222", "company": "USPS"}})
    await env.http.post(f"{env.stack.shopify_url}/_sandbox/webhooks/flush")
    await order_status(env, oid, {"not_synced"}, key="fulfillment_to_tiktok")
    listed = await env.api("GET", "/api/orders", params={"fulfillment_sync": "not_synced"})
    assert [o["order_id"] for o in listed["orders"]] == [oid]
    assert not any(p["tracking_number"] for p in await _packages(env, oid))

    current = await env.api("GET", "/api/settings/fulfillment")
    saved = await env.api("PUT", "/api/settings/fulfillment",
                          json={**current, "auto_sync": True})
    assert saved["queued"] == 1 and saved["auto_sync"] is True
    await order_status(env, oid, {"synced"}, key="fulfillment_to_tiktok")
    [package] = [p for p in await _packages(env, oid) if p["tracking_number"]]
    assert package["tracking_number"] == "9400111899223197428222"
    other = await env.app_order(untouched["order_id"])
    assert other["fulfillment_to_tiktok"]["status"] == "unfulfilled"
    # saving again while on queues nothing more
    again = await env.api("PUT", "/api/settings/fulfillment", json={**current, "auto_sync": True})
    assert again["queued"] == 0


async def test_tiktok_shipping_with_auto_sync_off_waits_then_syncs_when_turned_on(
        env: Env) -> None:
    await env.settings(orders={"auto_sync": True})
    order = await _synced_order(env, [(env.linked[0], 1)], shipping_type="TIKTOK")
    oid = order["order_id"]
    assert (await env.app_order(oid))["fulfillment_to_shopify"]["status"] == "unfulfilled"
    await env.tiktok("POST", f"/orders/{oid}/ship", json={})
    await env.api("POST", "/api/orders/fetch")
    await order_status(env, oid, {"not_synced"}, key="fulfillment_to_shopify")
    [shopify] = await env.shopify_orders_for(oid)
    assert shopify["fulfillments"] == []

    await env.settings(fulfillment={"auto_sync": True})
    await order_status(env, oid, {"synced"}, key="fulfillment_to_shopify")
    [shopify] = await env.shopify_orders_for(oid)
    assert len(shopify["fulfillments"]) == 1
