"""Cost-aware limiting and fault tolerance against the sandbox over real HTTP."""

from __future__ import annotations

import asyncio
import random
import time
import uuid

import httpx

from ecomsend.integrations.shopify import (
    BucketBook,
    RetryPolicy,
    ShopifyClient,
    start_catalog_export,
)
from ecomsend.integrations.shopify.models import InventoryQuantity
from ecomsend.ratelimit import InProcessRateLimiter

from .conftest import SandboxShop
from .test_sandbox_orders import tiktok_order

#: A deliberately small bucket so 8 callers must queue: 300 points, 300/s.
SMALL_BUCKET = {"capacity": 300, "restore_rate": 300}
CALLERS = 8
ROUNDS = 4


async def _caller(client: ShopifyClient, rounds: int, rng: random.Random,
                  variant_ids: list[str], item_id: str) -> int:
    """A mixed workload of reads; returns the number of calls made."""
    for _ in range(rounds):
        op = rng.choice(("page", "item", "shop", "variants", "locations"))
        if op == "page":
            assert (await client.products_page("status:active", first=1)).items
        elif op == "item":
            assert await client.inventory_item(item_id) is not None
        elif op == "shop":
            await client.shop_info()
        elif op == "variants":
            assert len(await client.variants(variant_ids)) == len(variant_ids)
        else:
            assert await client.locations()
    return rounds


async def test_eight_concurrent_callers_never_throttled(sandbox_shop: SandboxShop) -> None:
    async with sandbox_shop.client() as setup:
        first = await setup.products_page(first=3)
    variant_ids = [v.id for p in first.items for v in p.variants][:5]
    item_id = first.items[0].variants[0].inventory_item_id or ""
    await sandbox_shop.post("/bucket", SMALL_BUCKET, "PUT")
    before = (await sandbox_shop.get(""))["stats"]
    limiter, book = InProcessRateLimiter(), BucketBook()
    async with httpx.AsyncClient() as http:
        clients = [sandbox_shop.client(limiter=limiter, buckets=book, http=http)
                   for _ in range(CALLERS)]
        started = time.monotonic()
        done = await asyncio.gather(*(_caller(c, ROUNDS, random.Random(i), variant_ids, item_id)
                                      for i, c in enumerate(clients)))
        elapsed = time.monotonic() - started
    stats = (await sandbox_shop.get(""))["stats"]
    assert sum(done) == CALLERS * ROUNDS
    assert stats["throttled"] == 0, stats
    # the bucket was the constraint: spending took at least (spent - capacity) / restore seconds
    spent = stats["cost_spent"] - before["cost_spent"]
    assert spent > SMALL_BUCKET["capacity"]
    assert elapsed >= (spent - SMALL_BUCKET["capacity"]) / SMALL_BUCKET["restore_rate"]


#: 20 % of requests fail: 5 % each of 5xx, 429, timeout (hang past the client timeout), reset.
FAULTS = {"seed": 3, "error_rate": 0.05, "throttle_429_rate": 0.05, "retry_after_s": 0.2,
          "timeout_rate": 0.05, "hang_s": 3.0, "reset_rate": 0.05,
          "routes": ["graphql", "bulk_file"]}


async def test_twenty_percent_faults_still_succeed(sandbox_shop: SandboxShop) -> None:
    await sandbox_shop.post("/faults", FAULTS, "PUT")
    retry = RetryPolicy(max_attempts=8, base_delay_s=0.05, max_delay_s=0.5)
    sent: list[httpx.Request] = []
    statuses: list[int] = []

    async def on_request(request: httpx.Request) -> None:
        sent.append(request)

    async def on_response(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    http = httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=1.0),
                             event_hooks={"request": [on_request], "response": [on_response]})
    async with http, sandbox_shop.client(retry=retry, http=http) as client:
        for _ in range(15):
            assert (await client.shop_info()).myshopify_domain == sandbox_shop.domain
        assert len(await client.locations()) == 3
        products = (await client.products_page("status:active", first=5)).items
        variant = next(v for p in products for v in p.variants
                       if v.inventory_item_id and v.inventory_policy == "DENY")
        assert variant.inventory_item_id is not None
        item = await client.inventory_item(variant.inventory_item_id)
        assert item is not None
        level = item.levels[0]
        key = str(uuid.uuid4())
        change = [InventoryQuantity(item.id, level.location_id, 50, level.available)]
        await client.set_inventory(change, idempotency_key=key)
        order = await client.create_order_once(tiktok_order(f"fault-{key}", variant, 1))
        assert order.source_identifier == f"fault-{key}"
        export = await start_catalog_export(client, with_collections=False)
        exported = [p async for p in export.products()]
        levels = [lv for p in exported for v in p.variants for lv in v.inventory_levels]
    await sandbox_shop.post("/faults", None, "DELETE")
    failed = len(sent) - statuses.count(200) - statuses.count(302)
    assert failed >= 4, (len(sent), statuses)  # faults did happen, and were absorbed
    shop = await sandbox_shop.get("")
    assert len(exported) == shop["counts"]["products"] and levels
    orders = (await sandbox_shop.get("/orders"))["orders"]
    assert sum(o.get("source_identifier") == f"fault-{key}" for o in orders) == 1
    stock = await sandbox_shop.get("/inventory", inventory_item_id=item.id)
    loc_num = int(level.location_id.rsplit("/", 1)[1])
    assert any(lv["available"] in (50, 49) for lv in stock["inventory_levels"]
               if lv["location_id"] in (loc_num, level.location_id))



async def test_throttled_answers_are_waited_out(sandbox_shop: SandboxShop) -> None:
    """Callers that do NOT share a limiter (e.g. two processes without the Postgres adapter)
    overrun the bucket; Shopify answers THROTTLED (HTTP 200) and every call still succeeds."""
    await sandbox_shop.post("/bucket", SMALL_BUCKET, "PUT")
    async with httpx.AsyncClient() as http:
        clients = [sandbox_shop.client(http=http) for _ in range(4)]  # private limiters

        async def pages(client: ShopifyClient) -> int:
            for _ in range(4):
                assert (await client.products_page("status:active", first=1)).items
            return 4

        assert sum(await asyncio.gather(*(pages(c) for c in clients))) == 16
    stats = (await sandbox_shop.get(""))["stats"]
    assert stats["throttled"] > 0, stats
