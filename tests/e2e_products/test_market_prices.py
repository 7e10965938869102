"""Prices from Shopify Markets, end to end (issue 13 §1): a USD store lists on TikTok UK with no
exchange rate typed, at the GBP prices its GB Market gives; a Shopify price change reaches
TikTok as the Market's new price; a stock change costs no Markets call."""

from __future__ import annotations

import asyncio
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .test_updates import INVENTORY_API
from .world import DOMAIN, World

RATE = Decimal("0.8")
CONTEXTUAL = "VariantsContextualPricing"


def _gbp(usd: Decimal) -> Decimal:
    return (usd * RATE).quantize(Decimal("0.01"), ROUND_HALF_UP)


async def _sku_price(world: World, product_id: str, sku_id: str) -> Decimal:
    product = await world.tiktok_product(product_id)
    [sku] = [s for s in product["skus"] if s["id"] == sku_id]
    price: dict[str, Any] = sku["price"]
    assert price["currency"] == "GBP"
    return Decimal(price.get("sale_price") or price["amount"])


async def _contextual_calls(world: World) -> int:
    got = (await world.http.get(
        f"{world.stack.shopify_url}/_sandbox/shops/{DOMAIN}/requests")).json()
    return sum(r["operation_name"] == CONTEXTUAL for r in got["requests"])


async def test_market_prices_list_and_follow_changes(world: World) -> None:
    await world.setup(8, seed=7, region="UK")
    await world.merchant.create_market(DOMAIN, "GB", "GBP", RATE)
    await world.default_template()
    counts = await world.settle()
    assert counts.get("synced"), (counts, await world.errors())
    _, link, variant = await world.listed()
    assert await _sku_price(world, link.tiktok_product_id, link.tiktok_sku_id) == \
        _gbp(variant.price)

    await world.edit_variant(variant.shopify_id, price="50.00")
    async with asyncio.timeout(30):
        while await _sku_price(world, link.tiktok_product_id, link.tiktok_sku_id) != Decimal(
                "40.00"):
            await asyncio.sleep(0.1)

    await world.settle()
    before = await _contextual_calls(world)
    await world.clear_tiktok_log()
    await world.set_stock(str(variant.inventory_item_id), await world.location(), 3)
    await world.settle()
    assert await world.tiktok_calls() == {INVENTORY_API: 1}
    assert await _contextual_calls(world) == before  # a stock push reads no price


async def test_shopify_down_is_a_503_with_a_reason_then_recovers(world: World) -> None:
    await world.setup(3, seed=7, region="UK")
    await world.merchant.create_market(DOMAIN, "GB", "GBP", RATE)
    source = f"{world.stack.app_url}/api/connections/{world.tts_id}/pricing/source"
    faults = f"{world.stack.shopify_url}/_sandbox/shops/{DOMAIN}/faults"
    (await world.http.put(faults, json={"error_rate": 1.0, "error_statuses": [503],
                                        "operations": [CONTEXTUAL]})).raise_for_status()
    down = await world.http.get(source)
    assert down.status_code == 503, down.text
    assert "market prices" in down.text and "Try again" in down.text
    (await world.http.put(faults, json={"error_rate": 0.0})).raise_for_status()
    up = await world.http.get(source)
    assert up.status_code == 200 and up.json()["source"] == "shopify_markets"
