"""Orders, fulfillments and webhook subscriptions against the Shopify sandbox (real HTTP)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ecomsend.integrations.shopify import Permanent, UserErrors
from ecomsend.integrations.shopify.models import TrackingInfo, Variant

from .conftest import SandboxShop


async def _stocked_variant(shop: SandboxShop) -> tuple[Variant, str, int]:
    """A variant with stock > 2 at some location: (variant, location, available)."""
    async with shop.client() as client:
        after = None
        while True:
            page = await client.products_page("status:active", after=after, first=10)
            for product in page.items:
                for variant in product.variants:
                    if not variant.inventory_item_id or variant.inventory_policy != "DENY":
                        continue
                    item = await client.inventory_item(variant.inventory_item_id)
                    for level in item.levels if item else ():
                        if (level.available or 0) > 2:
                            return variant, level.location_id, level.available or 0
            assert page.has_next_page, "no stocked variant in the seed"
            after = page.end_cursor


def tiktok_order(tiktok_id: str, variant: Variant, quantity: int = 2) -> dict[str, Any]:
    """An OrderCreateOrderInput as the order sync will build it (reference §9)."""
    total = f"{variant.price * quantity:.2f}"
    return {
        "currency": "USD", "email": "buyer@example.com", "sourceName": "tiktok",
        "sourceIdentifier": tiktok_id, "tags": ["TikTok Shop", f"TikTok-{tiktok_id}"],
        "customAttributes": [{"key": "tiktok_order_id", "value": tiktok_id}],
        "financialStatus": "PAID",
        "shippingAddress": {"firstName": "Jane", "lastName": "Doe", "address1": "1 Main St",
                            "city": "Austin", "provinceCode": "TX", "countryCode": "US",
                            "zip": "78701"},
        "lineItems": [{"variantId": variant.id, "quantity": quantity, "requiresShipping": True,
                       "priceSet": {"shopMoney": {"amount": f"{variant.price:.2f}",
                                                  "currencyCode": "USD"}}}],
        "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": "TikTok Shop",
                          "amountSet": {"shopMoney": {"amount": total, "currencyCode": "USD"}}}],
    }


async def _available(shop: SandboxShop, variant: Variant) -> int:
    """Total `available` of the variant's inventory item over all locations (control API)."""
    levels = (await shop.get("/inventory", inventory_item_id=variant.inventory_item_id))
    return sum(lv["available"] for lv in levels["inventory_levels"])


async def test_order_create_once_lookup_fulfil_track_cancel(sandbox_shop: SandboxShop) -> None:
    variant, _, _ = await _stocked_variant(sandbox_shop)
    before = await _available(sandbox_shop, variant)
    async with sandbox_shop.client() as client:
        order = await client.create_order_once(tiktok_order("576461413038785752", variant))
        assert order.source_identifier == "576461413038785752"
        assert "TikTok Shop" in order.tags
        assert order.custom_attributes == {"tiktok_order_id": "576461413038785752"}
        # Once the lagging search index shows the order, another call finds it (before then
        # only a durable intent can tell: sync.orders.push).
        for _ in range(100):
            if await client.find_order_by_source_identifier("576461413038785752"):
                break
            await asyncio.sleep(0.1)
        again = await client.create_order_once(tiktok_order("576461413038785752", variant))
        assert again.id == order.id
        orders = (await sandbox_shop.get("/orders"))["orders"]
        assert sum(o.get("source_identifier") == "576461413038785752" for o in orders) == 1
        # inventoryBehaviour DECREMENT_OBEYING_POLICY claimed the stock (reference §9)
        assert await _available(sandbox_shop, variant) == before - 2
        by_tag = await client.find_orders_by_tag("TikTok-576461413038785752")
        assert [o.id for o in by_tag] == [order.id]
        assert await client.find_order_by_source_identifier("no-such-order") is None

        full = await client.order(order.id)
        assert full is not None and full.line_items[0].variant_id == variant.id
        fo = full.fulfillment_orders[0]
        lines = {fo.id: [(li.id, li.remaining_quantity) for li in fo.line_items]}
        fulfillment = await client.create_fulfillment(
            lines, TrackingInfo("UPS", "1Z001985YW99744790"), notify_customer=False)
        assert fulfillment.tracking[0].number == "1Z001985YW99744790"
        updated = await client.update_tracking(fulfillment.id, TrackingInfo("USPS", "9400111"))
        assert (updated.tracking[0].company, updated.tracking[0].number) == ("USPS", "9400111")
        shipped = await client.order(order.id)
        assert shipped is not None and shipped.fulfillment_status == "FULFILLED"
        assert shipped.fulfillments[0].tracking[0].number == "9400111"
        with pytest.raises(UserErrors):  # nothing left to fulfil on that fulfillment order
            await client.create_fulfillment(lines, TrackingInfo("UPS", "1Z2"))

        other = await client.create_order_once(tiktok_order("576461413038785999", variant, 1))
        job = await client.cancel_order(other.id, reason="CUSTOMER", restock=True)
        assert job is None or job.startswith("gid://shopify/Job/")
        cancelled = await client.order(other.id)
        assert cancelled is not None and cancelled.cancelled_at is not None
        assert await client.order("gid://shopify/Order/999999999") is None


async def test_order_create_user_errors_carry_fields(sandbox_shop: SandboxShop) -> None:
    variant, _, _ = await _stocked_variant(sandbox_shop)
    bad = tiktok_order("1", variant)
    bad["lineItems"][0]["quantity"] = 100000
    async with sandbox_shop.client() as client:
        with pytest.raises(UserErrors) as err:
            await client.create_order(bad, inventory_behaviour="DECREMENT_OBEYING_POLICY")
    assert err.value.field_errors and err.value.field_errors[0].message
    with pytest.raises(Permanent, match="sourceIdentifier"):
        await sandbox_shop.client().create_order_once({"lineItems": []})


async def test_webhook_subscriptions_create_list_delete(sandbox_shop: SandboxShop) -> None:
    async with sandbox_shop.client() as client:
        created = await client.create_webhook_subscription(
            "PRODUCTS_UPDATE", "https://app.example.com/webhooks/shopify",
            include_fields=["id", "updated_at"])
        assert created.topic == "PRODUCTS_UPDATE"
        assert created.uri == "https://app.example.com/webhooks/shopify"
        listed = await client.webhook_subscriptions()
        assert [s.id for s in listed] == [created.id]
        with pytest.raises(UserErrors):  # same topic and address twice
            await client.create_webhook_subscription(
                "PRODUCTS_UPDATE", "https://app.example.com/webhooks/shopify")
        assert await client.delete_webhook_subscription(created.id) == created.id
        assert await client.webhook_subscriptions() == []
