"""A price change made while a full edit of the same product is in flight to TikTok ends on
TikTok (issue 11: the chaos suite's lost price). The edit carries every SKU's price as it read
the mirror, before the change; a price push that landed first was put back by the slower edit,
and nothing pushed again. The price push now waits for the edit under way and lands after it.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from .world import World

#: TikTok's side of every full edit takes this long (sandbox latency fault, applied after the
#: request is logged and before it is handled): the edit is surely in flight when the price
#: changes.
EDIT_LATENCY_MS = 4000


async def _edit_in_flight(world: World) -> bool:
    """Whether TikTok has received a full edit (logged on arrival, answered 4 s later)."""
    got = (await world.http.get(f"{world.stack.tiktok_url}/_sandbox/requests",
                                params={"limit": 20})).json()
    # Logged with its concrete path on arrival; the API template is filled in once handled.
    return any(entry["method"] == "PUT" and entry["path"].startswith("/product/202509/products/")
               for entry in got["requests"])


async def test_price_changed_during_a_slow_edit_is_what_tiktok_keeps(world: World) -> None:
    await world.setup(products=4, seed=7)
    await world.default_template()
    counts = await world.settle(timeout=120)
    assert counts.get("synced"), (counts, await world.errors())
    product, link, variant = await world.listed()
    faults = f"{world.stack.tiktok_url}/_sandbox/shops/{world.tiktok_shop_id}/faults"
    (await world.http.put(faults, json={"latency_ms": EDIT_LATENCY_MS, "latency_rate": 1.0,
                                        "paths": ["/product/202509/products/*"]})
     ).raise_for_status()
    await world.clear_tiktok_log()

    await world.edit_product(product, title="Edited while its price changes")
    async with asyncio.timeout(30):  # the edit has read the mirror and is on its way
        while not await _edit_in_flight(world):
            await world.http.post(f"{world.stack.shopify_url}/_sandbox/webhooks/flush")
            await asyncio.sleep(0.05)
    new_price = Decimal(variant.price) + Decimal("3.25")
    await world.edit_variant(variant.shopify_id, price=str(new_price))
    await world.http.post(f"{world.stack.shopify_url}/_sandbox/webhooks/flush")
    await world.settle(timeout=60)

    listing = await world.tiktok_product(link.tiktok_product_id)
    assert Decimal(listing["prices"][link.tiktok_sku_id]) == new_price, listing["prices"]
