"""Orders, fulfillment, cancellations and webhooks through the client over real HTTP."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from ecomsend.integrations.tiktok import AuthInvalid, ShopContext, TikTokClient, parse_webhook
from ecomsend.integrations.tiktok.models import webhooks as wh
from ecomsend.integrations.tiktok.models.orders import OrderSearchFilter
from ecomsend.integrations.tiktok.models.returns import CancellationSearchFilter

from .conftest import APP_KEY, APP_SECRET, Control, WebhookInbox
from .test_sandbox_products import create_live

Shop = tuple[ShopContext, dict[str, Any]]


async def place_order(control: Control, shop_id: str, sku_id: str, quantity: int = 2,
                      **extra: Any) -> dict[str, Any]:
    order: dict[str, Any] = await control("POST", f"/shops/{shop_id}/orders", {
        "line_items": [{"sku_id": sku_id, "quantity": quantity}], **extra})
    return order


async def live_sku(client: TikTokClient, control: Control, shop: ShopContext,
                   shop_id: str) -> str:
    _, product, _ = await create_live(client, control, shop, shop_id, 1)
    return product.skus[0].id


async def test_search_by_update_window_and_detail(client: TikTokClient, control: Control,
                                                  us_shop: Shop) -> None:
    shop, view = us_shop
    sku = await live_sku(client, control, shop, view["shop_id"])
    since = int(time.time()) - 1
    placed = [await place_order(control, view["shop_id"], sku, quantity=3) for _ in range(3)]
    window = OrderSearchFilter(order_status="AWAITING_SHIPMENT", update_time_ge=since,
                               update_time_lt=int(time.time()) + 2)
    page = await client.orders.search_orders(shop, page_size=2, filters=window)
    assert len(page.orders) == 2 and page.has_more
    seen = [o.id async for o in client.orders.iter_orders(shop, window, page_size=2)]
    assert sorted(seen) == sorted(o["id"] for o in placed)
    details = await client.orders.get_order_detail(shop, seen)
    order = details.orders[0]
    assert order.status == "AWAITING_SHIPMENT"
    # No quantity on line items: 3 units are 3 line items of one SKU.
    assert order.quantities_by_sku() == {sku: 3}
    assert all("quantity" not in li.model_dump(exclude_unset=True) for li in order.line_items)
    assert order.packages


async def test_ship_package_tracking_and_update(client: TikTokClient, control: Control,
                                                us_shop: Shop) -> None:
    shop, view = us_shop
    sku = await live_sku(client, control, shop, view["shop_id"])
    placed = await place_order(control, view["shop_id"], sku)
    order = (await client.orders.get_order_detail(shop, [placed["id"]])).orders[0]
    assert order.delivery_option_id
    providers = await client.logistics.get_shipping_providers(shop, order.delivery_option_id)
    provider = providers.shipping_providers[0]
    package_id = order.packages[0].id
    await client.fulfillment.ship_package(shop, package_id, tracking_number="1Z999AA10123456784",
                                          shipping_provider_id=provider.id)
    package = await client.fulfillment.get_package_detail(shop, package_id)
    assert package.tracking_number == "1Z999AA10123456784"
    shipped = (await client.orders.get_order_detail(shop, [order.id])).orders[0]
    assert shipped.status in {"AWAITING_COLLECTION", "IN_TRANSIT"}
    await client.fulfillment.update_shipping_info(shop, order.id,
                                                  tracking_number="1Z999AA10123456785",
                                                  shipping_provider_id=provider.id)
    tracking = await client.fulfillment.get_order_tracking(shop, order.id)
    assert isinstance(tracking.tracking, list)
    await client.fulfillment.update_package_shipping_info(
        shop, package_id, tracking_number="1Z999AA10123456786", shipping_provider_id=provider.id)
    packages = await client.fulfillment.search_packages(shop, page_size=50)
    assert package_id in {p.id for p in packages.packages}


async def test_package_detail_uses_documented_package_id(client: TikTokClient, control: Control,
                                                         us_shop: Shop) -> None:
    shop, view = us_shop
    sku = await live_sku(client, control, shop, view["shop_id"])
    placed = await place_order(control, view["shop_id"], sku)
    order = (await client.orders.get_order_detail(shop, [placed["id"]])).orders[0]
    package = await client.fulfillment.get_package_detail(shop, order.packages[0].id)
    # The doc's field is `package_id` (the sandbox answered `id` until e48d987).
    assert package.package_id == order.packages[0].id
    assert package.package_status


async def test_mark_package_as_shipped_partial(client: TikTokClient, control: Control,
                                               us_shop: Shop) -> None:
    shop, view = us_shop
    sku = await live_sku(client, control, shop, view["shop_id"])
    placed = await place_order(control, view["shop_id"], sku, quantity=2)
    order = (await client.orders.get_order_detail(shop, [placed["id"]])).orders[0]
    assert order.delivery_option_id
    provider = (await client.logistics.get_shipping_providers(
        shop, order.delivery_option_id)).shipping_providers[0]
    first_unit = order.line_items[0].id
    result = await client.fulfillment.mark_package_as_shipped(
        shop, order.id, tracking_number="9400100000000000000001",
        shipping_provider_id=provider.id, order_line_item_ids=[first_unit])
    assert result.package_id
    assert first_unit in result.order_line_item_ids


async def test_cancellation_search(client: TikTokClient, control: Control,
                                   us_shop: Shop) -> None:
    shop, view = us_shop
    sku = await live_sku(client, control, shop, view["shop_id"])
    placed = await place_order(control, view["shop_id"], sku)
    await control("POST", f"/shops/{view['shop_id']}/orders/{placed['id']}/cancel",
                  {"initiator": "BUYER", "reason": "Changed my mind"})
    page = await client.returns.search_cancellations(
        shop, filters=CancellationSearchFilter(order_ids=[placed["id"]]))
    assert [c.order_id for c in page.cancellations] == [placed["id"]]
    order = (await client.orders.get_order_detail(shop, [placed["id"]])).orders[0]
    assert order.status == "CANCELLED"  # the order API says CANCELLED (webhook: CANCEL)


async def _deliveries(inbox: WebhookInbox, shop_id: str, want: int,
                      timeout: float = 10.0) -> list[tuple[dict[str, str], bytes]]:
    deadline = time.monotonic() + timeout
    while True:
        mine = [(h, b) for h, b in inbox.received if shop_id.encode() in b]
        if len(mine) >= want or time.monotonic() > deadline:
            return mine
        await asyncio.sleep(0.05)


async def test_webhooks_verify_and_parse(client: TikTokClient, control: Control, us_shop: Shop,
                                         webhook_inbox: tuple[WebhookInbox, str]) -> None:
    inbox, inbox_url = webhook_inbox
    await control("PUT", "/webhook", {"url": inbox_url + "/webhooks/tiktok"})
    try:
        shop, view = us_shop
        sku = await live_sku(client, control, shop, view["shop_id"])
        placed = await place_order(control, view["shop_id"], sku)
        await control("POST", f"/shops/{view['shop_id']}/orders/{placed['id']}/cancel", {})
        # Shipping one of two units splits the package: a type 4 PACKAGE_UPDATE.
        split = await place_order(control, view["shop_id"], sku, quantity=2)
        order = (await client.orders.get_order_detail(shop, [split["id"]])).orders[0]
        assert order.delivery_option_id
        provider = (await client.logistics.get_shipping_providers(
            shop, order.delivery_option_id)).shipping_providers[0]
        await client.fulfillment.mark_package_as_shipped(
            shop, order.id, tracking_number="9400100000000000000002",
            shipping_provider_id=provider.id, order_line_item_ids=[order.line_items[0].id])
        await control("POST", "/webhooks/drain", {"timeout_s": 5})
        got = await _deliveries(inbox, view["shop_id"], 6)
    finally:
        await control("PUT", "/webhook", {"url": None})
    events = []
    for headers, raw in got:
        assert client.verify_webhook(raw, headers.get("authorization"))
        assert not client.verify_webhook(raw + b" ", headers.get("authorization"))
        events.append(parse_webhook(raw))
    kinds = {type(e) for e in events}
    assert {wh.OrderStatusChange, wh.CancellationStatusChange, wh.PackageUpdate,
            wh.ProductStatusChange, wh.ProductAuditStatusChange} <= kinds
    cancels = [e for e in events if isinstance(e, wh.OrderStatusChange)
               and e.data.order_id == placed["id"] and e.data.order_status == "CANCEL"]
    assert cancels and cancels[0].data.api_status == "CANCELLED"
    packages = [e for e in events if isinstance(e, wh.PackageUpdate)]
    assert packages[0].data.sc_type == "SPLIT"
    assert all(split["id"] in p.order_id_list for p in packages[0].data.package_list)
    assert APP_KEY and APP_SECRET  # the sandbox signs with the same app credentials


async def test_authorization_webhooks_and_deauthorized_shop(
        client: TikTokClient, control: Control, us_shop: Shop,
        webhook_inbox: tuple[WebhookInbox, str]) -> None:
    inbox, inbox_url = webhook_inbox
    shop, view = us_shop
    await control("PUT", "/webhook", {"url": inbox_url + "/webhooks/tiktok"})
    try:
        await control("POST", f"/shops/{view['shop_id']}/authorization_expiring")
        await control("POST", f"/shops/{view['shop_id']}/deauthorize")
        await control("POST", "/webhooks/drain", {"timeout_s": 5})
        got = await _deliveries(inbox, view["shop_id"], 2)
    finally:
        await control("PUT", "/webhook", {"url": None})
    events = [parse_webhook(raw) for headers, raw in got
              if client.verify_webhook(raw, headers.get("authorization"))]
    expiring = [e for e in events if isinstance(e, wh.UpcomingAuthorizationExpiration)]
    assert expiring and expiring[0].data.expiration_time
    assert any(isinstance(e, wh.SellerDeauthorization) for e in events)
    with pytest.raises(AuthInvalid):
        await client.logistics.get_warehouses(shop)
