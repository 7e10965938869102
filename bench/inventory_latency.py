"""Benchmark: Shopify inventory change → TikTok inventory updated, on the embedded default.

Starts the app on the embedded default (SQLite, embedded LocalQueue worker) in this process and
both sandboxes as separate processes (`ecomsend sandbox …`: like the real platforms, they do not
share the app's interpreter and GIL), all on real localhost ports; seeds a store, installs and
connects through the real OAuth flows, imports the catalog, lists it through an activated
default template, then:

1. changes stock in the Shopify sandbox (`inventory/set`, which fires a real
   `inventory_levels/update` webhook) at `--rate` changes per second, each on a listed
   variant, round robin; the latency of a change is the time from just before the Shopify
   call to the arrival of the matching Update Inventory call at the TikTok sandbox (its
   request log, first call for that product after the change);
2. repeats changes that alter nothing TikTok sees (same stock, tag-only edits) and counts the
   TikTok product calls they caused.

Prints ONE JSON object as its last line:
{"changes", "rate_per_s", "p50_ms", "p95_ms", "p99_ms", "calls_per_product_initial",
 "calls_per_noop_update", "listed_products", "lost"}
(targets: p99 ≤ 1000 ms, calls_per_noop_update = 0; `lost` counts changes that never
reached TikTok).

Run: .venv/bin/python bench/inventory_latency.py [--products 150] [--changes 500] [--rate 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from ecomsend.db.migrate import upgrade
from ecomsend.db.models import (
    ProductLink,
    ShopifyProduct,
    ShopifyVariant,
    SyncState,
    TikTokShop,
)
from ecomsend.db.session import Database
from ecomsend.demo.stack import (
    LocalStack,
    Merchant,
)
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.tasks import build_registry
from ecomsend.logging import configure_logging
from ecomsend.sync.listing.bootstrap import activate_default_template, listing_progress

DOMAIN = "bench-inventory.myshopify.com"
INVENTORY_API = "POST /product/202309/products/{product_id}/inventory/update"
SETTLED = ("synced", "failed", "review_failed")
Target = tuple[str, str, str]  # (inventory item gid, location gid, TikTok product id)


async def _wait(check: Any, timeout: float, every: float = 0.1) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(every)


async def _busy(db: Database) -> int:
    async with db.sessionmaker() as session:
        rows = await session.execute(select(SyncState.id).where(
            SyncState.status.not_in([*SETTLED, "not_synced"])))
        return len(rows.all())


async def _settle(stack: LocalStack, http: httpx.AsyncClient, db: Database) -> None:
    calm = 0
    async with asyncio.timeout(300):
        while calm < 3:
            await http.post(f"{stack.shopify_url}/_sandbox/webhooks/flush")
            await http.post(f"{stack.tiktok_url}/_sandbox/webhooks/drain", json={"timeout_s": 5})
            calm = calm + 1 if await _busy(db) == 0 else 0
            await asyncio.sleep(0.1)


def _product_calls(counts: dict[str, int]) -> int:
    return sum(n for api, n in counts.items() if " /product/" in api or " /logistics/" in api)


async def _tiktok_counts(stack: LocalStack, http: httpx.AsyncClient) -> dict[str, int]:
    got = (await http.get(f"{stack.tiktok_url}/_sandbox/requests", params={"limit": 1})).json()
    return {k: int(v) for k, v in got["counts"].items()}


async def _setup(stack: LocalStack, merchant: Merchant, db: Database, products: int) -> str:
    await merchant.create_store(DOMAIN, products, seed=5)
    await merchant.install(DOMAIN)
    shop = await merchant.create_tiktok_shop("US")
    await merchant.connect_tiktok(shop["shop_id"])
    seeded = (await merchant.browser.get(f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}")
              ).json()["counts"]["products"]

    async def imported() -> bool:
        async with db.sessionmaker() as session:
            return len((await session.execute(select(ShopifyProduct.id))).all()) >= seeded

    await _wait(imported, 120)
    return str(shop["shop_id"])


async def _list(stack: LocalStack, merchant: Merchant, db: Database,
                tiktok_shop_id: str) -> tuple[int, float]:
    """Activate the default template and wait; (listed products, TikTok calls per product)."""
    await merchant.browser.delete(f"{stack.tiktok_url}/_sandbox/requests")
    sample = (await merchant.browser.get(
        f"{stack.tiktok_url}/_sandbox/shops/{tiktok_shop_id}/sample_product")).json()
    async with db.sessionmaker() as session:
        tts_id = (await session.execute(select(TikTokShop.id))).scalar_one()
    _, marked = await activate_default_template(db, LocalQueue(db, build_registry()), tts_id,
                                                sample)

    async def done() -> bool:
        counts = await listing_progress(db)
        return sum(counts.get(s, 0) for s in SETTLED) >= marked

    await _wait(done, 600)
    await _settle(stack, merchant.browser, db)
    listed = (await listing_progress(db)).get("synced", 0)
    calls = _product_calls(await _tiktok_counts(stack, merchant.browser))
    return listed, calls / max(1, listed)


async def _targets(stack: LocalStack, http: httpx.AsyncClient, db: Database) -> list[Target]:
    """One variant per listed product, with a Shopify location to change its stock at."""
    location = (await http.get(f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}")
                ).json()["locations"][0]["admin_graphql_api_id"]
    async with db.sessionmaker() as session:
        rows = (await session.execute(
            select(ShopifyVariant.inventory_item_id, ProductLink.tiktok_product_id)
            .join(ProductLink, ProductLink.shopify_variant_id == ShopifyVariant.shopify_id)
            .where(ShopifyVariant.inventory_item_id.is_not(None)))).all()
    seen: dict[str, Target] = {}
    for item, product_id in rows:
        seen.setdefault(str(product_id), (str(item), str(location), str(product_id)))
    return list(seen.values())


async def _drive(stack: LocalStack, http: httpx.AsyncClient, targets: list[Target],
                 changes: int, rate: float, value: Any) -> list[tuple[float, str]]:
    """Send `changes` stock changes at `rate`/s; returns (sent at, TikTok product id)."""
    url = f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}/inventory/set"
    sent: list[tuple[float, str]] = []
    began = time.perf_counter()
    tasks = []
    for i in range(changes):
        delay = began + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        item, location, product_id = targets[i % len(targets)]
        sent.append((time.time(), product_id))
        tasks.append(asyncio.create_task(http.post(url, json={
            "inventory_item_id": item, "location_id": location, "available": value(i)})))
    for response in await asyncio.gather(*tasks):
        response.raise_for_status()
    return sent


async def _latencies(stack: LocalStack, http: httpx.AsyncClient,
                     sent: list[tuple[float, str]]) -> tuple[list[float], int]:
    log = (await http.get(f"{stack.tiktok_url}/_sandbox/requests", params={
        "api": INVENTORY_API, "limit": 1_000_000})).json()["requests"]
    arrivals: dict[str, list[float]] = {}
    for entry in log:
        product_id = entry["path"].split("/products/")[1].split("/")[0]
        arrivals.setdefault(product_id, []).append(float(entry["at"]))
    latencies, lost = [], 0
    for at, product_id in sent:
        after = [t for t in arrivals.get(product_id, []) if t >= at]
        if after:
            latencies.append((min(after) - at) * 1000)
        else:
            lost += 1
    return latencies, lost


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def _noop_calls(stack: LocalStack, http: httpx.AsyncClient, db: Database,
                      targets: list[Target], rate: float) -> float:
    """Changes TikTok cannot see: the same stock again, and tag-only product edits."""
    await http.delete(f"{stack.tiktok_url}/_sandbox/requests")
    n = min(len(targets), 50)
    await _drive(stack, http, targets[:n], n, rate, lambda i: 5000 + i)
    await _settle(stack, http, db)
    await http.delete(f"{stack.tiktok_url}/_sandbox/requests")
    await _drive(stack, http, targets[:n], n, rate, lambda i: 5000 + i)
    await _settle(stack, http, db)
    return _product_calls(await _tiktok_counts(stack, http)) / n


async def run(products: int, changes: int, rate: float, var_dir: Path) -> dict[str, Any]:
    stack = LocalStack(var_dir, database_url=f"sqlite+aiosqlite:///{var_dir / 'bench.db'}",
                       sandboxes_in_processes=True, app_in_process=False)
    await asyncio.to_thread(upgrade, stack.settings)
    configure_logging(stack.settings.model_copy(update={"log_level": "WARNING"}))
    with stack:
        db = Database(stack.settings)
        merchant = Merchant(stack)
        try:
            tiktok_shop_id = await _setup(stack, merchant, db, products)
            listed, per_product = await _list(stack, merchant, db, tiktok_shop_id)
            targets = await _targets(stack, merchant.browser, db)
            await merchant.browser.delete(f"{stack.tiktok_url}/_sandbox/requests")
            sent = await _drive(stack, merchant.browser, targets, changes, rate,
                                lambda i: 1000 + i)
            await _settle(stack, merchant.browser, db)
            latencies, lost = await _latencies(stack, merchant.browser, sent)
            noop = await _noop_calls(stack, merchant.browser, db, targets, rate)
        finally:
            await merchant.close()
            await db.dispose()
    return {"changes": changes, "rate_per_s": rate, "p50_ms": _pct(latencies, 0.50),
            "p95_ms": _pct(latencies, 0.95), "p99_ms": _pct(latencies, 0.99),
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
            "calls_per_product_initial": round(per_product, 2),
            "calls_per_noop_update": round(noop, 3), "listed_products": listed,
            "targets": len(targets), "lost": lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=150)
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ecomsend-bench-") as tmp:
        result = asyncio.run(run(args.products, args.changes, args.rate, Path(tmp)))
    result["rate_per_s"] = int(args.rate) if float(args.rate).is_integer() else args.rate
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
