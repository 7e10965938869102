"""Benchmark: Shopify inventory change → TikTok inventory updated, on the embedded default.

Starts the app on the embedded default (SQLite, embedded LocalQueue worker) and both sandboxes
each in its own process (like the real platforms, they do not share the app's interpreter),
all on real localhost ports; seeds a store, installs and connects through the real OAuth flows,
imports the catalog, lists it through an activated default template, then:

1. changes stock in the Shopify sandbox (`inventory/set`, which fires a real
   `inventory_levels/update` webhook) at `--rate` changes per second, each on a listed
   variant, round robin, each to a quantity no other change uses; the latency of a change is
   the time from just before the Shopify call to the arrival at the TikTok sandbox of the
   Update Inventory call that carries that very quantity (its request log keeps the body). A
   change overtaken by a later one on the same product before it was pushed (the app pushes
   the current stock once: coalesced) is timed to the push that carried the later quantity and
   counted in `coalesced`; a change whose quantity never reached TikTok is `lost`. The sandbox
   logs request bodies up to 1 KB only: the changes of a product whose Update Inventory is
   bigger (a dozen variants or more) cannot be timed and are counted in `unverified`; every
   changed product's final TikTok stock is checked on the sandbox's product state instead
   (`final_mismatches`, counted as lost);
2. makes changes TikTok cannot see — the same stock again, then tag-only product edits
   (`products/update` webhooks) — and counts the TikTok product calls they caused;
3. baseline (issue 12 §1), same run: `bench/_bare_inventory.py`, a bare endpoint that
   receives the same signed webhooks and calls TikTok's inventory update directly, gets the
   same number of changes at the same rate (its own store and TikTok shop).

Prints ONE JSON object as its last line:
{"changes", "rate_per_s", "p50_ms", "p95_ms", "p99_ms", "baseline_p50_ms", "baseline_p99_ms",
 "p99_ratio_to_baseline", "calls_per_product_initial", "calls_per_noop_update",
 "calls_per_tag_edit", "listed_products", "lost", "coalesced", "cpu_calibration_ms"}
plus "timed", "unverified", "final_mismatches"
(targets: p99 ≤ 1000 ms, p99_ratio_to_baseline ≤ 3, calls per no-op/tag edit = 0, lost 0).

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
from _bare_inventory import make_world, subscribe
from benchlib import cpu_calibration_ms, emit, pct, ratio
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
    SHOPIFY_SECRET,
    TIKTOK_KEY,
    TIKTOK_SECRET,
    LocalStack,
    Merchant,
)
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.tasks import build_registry
from ecomsend.logging import configure_logging
from ecomsend.serving import BackgroundServer
from ecomsend.sync.listing.bootstrap import activate_default_template, listing_progress

DOMAIN = "bench-inventory.myshopify.com"
BASELINE_DOMAIN = "bench-inventory-bare.myshopify.com"
INVENTORY_API = "POST /product/202309/products/{product_id}/inventory/update"
SETTLED = ("synced", "failed", "review_failed")
Target = tuple[str, str, str]  # (inventory item gid, location gid, TikTok product id)
Sent = tuple[float, str, int]  # (sent at, TikTok product id, quantity)


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
    return [t[:3] for t in await _linked(stack, http, db)]


async def _zero_other_locations(stack: LocalStack, http: httpx.AsyncClient, db: Database,
                                targets: list[Target]) -> None:
    """Stock 0 at every location but the one the changes use, so the quantity TikTok gets
    (the sum over the shop's locations, sync/products/inventory.py) is the changed one."""
    locations = [loc["admin_graphql_api_id"] for loc in (await http.get(
        f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}")).json()["locations"]]
    url = f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}/inventory/set"
    for item, used, _ in targets:
        for location in locations:
            if location != used:  # a location not stocking the item refuses: nothing to zero
                await http.post(url, json={"inventory_item_id": item, "location_id": location,
                                           "available": 0})
    await _settle(stack, http, db)


async def _shopify_products(db: Database) -> list[str]:
    """GIDs of the listed Shopify products (for the tag-only edits)."""
    async with db.sessionmaker() as session:
        rows = (await session.execute(select(ProductLink.shopify_product_id).distinct())).all()
    return [str(r[0]) for r in rows]


async def _linked(stack: LocalStack, http: httpx.AsyncClient,
                  db: Database) -> list[tuple[str, str, str, str]]:
    """(inventory item gid, location gid, TikTok product id, TikTok SKU id), one per listed
    product."""
    location = (await http.get(f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}")
                ).json()["locations"][0]["admin_graphql_api_id"]
    async with db.sessionmaker() as session:
        rows = (await session.execute(
            select(ShopifyVariant.inventory_item_id, ProductLink.tiktok_product_id,
                   ProductLink.tiktok_sku_id)
            .join(ProductLink, ProductLink.shopify_variant_id == ShopifyVariant.shopify_id)
            .where(ShopifyVariant.inventory_item_id.is_not(None)))).all()
    seen: dict[str, tuple[str, str, str, str]] = {}
    for item, product_id, sku_id in rows:
        seen.setdefault(str(product_id), (str(item), str(location), str(product_id),
                                          str(sku_id)))
    return list(seen.values())


#: Stock changes in flight at once: beyond this the driver itself (httpx's pool scans its
#: queue per request) would eat the CPU the app is measured with.
DRIVE_CONCURRENCY = 32


async def _drive(stack: LocalStack, http: httpx.AsyncClient, targets: list[Target],
                 changes: int, rate: float, value: Any, domain: str = DOMAIN) -> list[Sent]:
    """Send `changes` stock changes at `rate`/s (at most DRIVE_CONCURRENCY in flight: a slow
    sandbox lowers the rate achieved, logged); returns (sent at, TikTok product id, qty)."""
    url = f"{stack.shopify_url}/_sandbox/shops/{domain}/inventory/set"
    sent: list[Sent] = []
    began = time.perf_counter()
    slots = asyncio.Semaphore(DRIVE_CONCURRENCY)

    async def change(i: int) -> None:
        item, location, product_id = targets[i % len(targets)]
        sent.append((time.time(), product_id, int(value(i))))
        try:
            for attempt in range(3):  # a keep-alive connection the sandbox just closed
                try:
                    response = await http.post(url, json={
                        "inventory_item_id": item, "location_id": location,
                        "available": value(i)})
                    break
                except httpx.TransportError:
                    if attempt == 2:
                        raise
            response.raise_for_status()
        finally:
            slots.release()

    tasks = []
    for i in range(changes):
        delay = began + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await slots.acquire()
        tasks.append(asyncio.create_task(change(i)))
    await asyncio.gather(*tasks)
    achieved = changes / (time.perf_counter() - began)
    if achieved < 0.95 * rate:
        print(f"driver: {achieved:.1f} changes/s achieved of {rate:.1f} offered",
              file=sys.stderr)
    return sent


async def _pushes(stack: LocalStack, http: httpx.AsyncClient, shop_id: str
                  ) -> tuple[dict[str, list[tuple[float, int]]], set[str]]:
    """From the TikTok sandbox's request log: (arrival, quantity) of every Update Inventory
    the sandbox answered 200, by TikTok product; and the products some of whose pushes it
    kept no body of. The sandbox keeps bodies up to 1 KB (sandbox/tiktok/gateway.py
    LOGGED_BODY_MAX): a product with a dozen variants or more pushes more (every SKU of it),
    and those quantities cannot be read back from the log."""
    log = (await http.get(f"{stack.tiktok_url}/_sandbox/requests", params={
        "api": INVENTORY_API, "shop_id": shop_id, "limit": 1_000_000})).json()["requests"]
    pushes: dict[str, list[tuple[float, int]]] = {}
    unlogged: set[str] = set()
    for entry in log:
        if entry.get("http_status") != 200:
            continue
        product_id = entry["path"].split("/products/")[1].split("/")[0]
        if not entry.get("body"):
            unlogged.add(product_id)
            continue
        for sku in json.loads(entry["body"]).get("skus", []):
            for inv in sku.get("inventory", []):
                pushes.setdefault(product_id, []).append((float(entry["at"]),
                                                          int(inv["quantity"])))
    return pushes, unlogged


async def _final_mismatches(stack: LocalStack, http: httpx.AsyncClient, shop_id: str,
                            sent: list[Sent], skus: dict[str, str]) -> set[str]:
    """TikTok products whose changed SKU does not hold, at the end, the quantity of the last
    change sent to it (the sandbox's product state, not its request log): changes lost."""
    last: dict[str, int] = {}
    for _, product_id, quantity in sorted(sent):
        last[product_id] = quantity
    wrong = set()
    for product_id, quantity in last.items():
        state = (await http.get(
            f"{stack.tiktok_url}/_sandbox/shops/{shop_id}/products/{product_id}")).json()
        held = sum((state.get("inventory") or {}).get(skus.get(product_id, ""), {}).values())
        if held != quantity:
            wrong.add(product_id)
            print(f"final: {product_id} holds {held}, last change sent {quantity}",
                  file=sys.stderr)
    return wrong


async def _latencies(stack: LocalStack, http: httpx.AsyncClient, sent: list[Sent],
                     shop_id: str, skus: dict[str, str] | None = None) -> dict[str, Any]:
    """Each change timed to the first push to its product that carries its own quantity; a
    change overtaken before its push (coalesced) to the first push after it that carries a
    later change's quantity for that product. A change with neither is `lost`, unless its
    product's pushes were not logged in full (`unverified`: not timed); with `skus` (TikTok
    SKU of the changed variant by product) the sandbox's final state is checked too, and a
    product not holding its last change counts its untimed changes as lost.
    Returns {"latencies" (ms), "lost", "coalesced", "unverified", "final_mismatches"}."""
    pushes, unlogged = await _pushes(stack, http, shop_id)
    wrong = set() if skus is None else await _final_mismatches(stack, http, shop_id, sent,
                                                                skus)
    later: dict[str, list[Sent]] = {}
    for change in sent:
        later.setdefault(change[1], []).append(change)
    latencies, lost, coalesced, unverified = [], 0, 0, 0
    lost_on: set[str] = set()
    for at, product_id, quantity in sent:
        arrivals = sorted(pushes.get(product_id, []))
        own = [t for t, q in arrivals if q == quantity and t >= at]
        if own:
            latencies.append((own[0] - at) * 1000)
            continue
        newer = {q for t, _, q in later[product_id] if t > at}
        carried = [t for t, q in arrivals if q in newer and t >= at]
        if carried:
            latencies.append((carried[0] - at) * 1000)
            coalesced += 1
        elif product_id in unlogged and product_id not in wrong:
            unverified += 1
        else:
            lost += 1
            lost_on.add(product_id)
            print(f"lost: {quantity} to {product_id} at {at:.3f}; pushes "
                  f"{[(round(t - at, 3), q) for t, q in arrivals][-4:]}", file=sys.stderr)
    lost += len(wrong - lost_on)  # every change timed, but a stale push came last
    if unverified:
        print(f"unverified: {unverified} changes to {len(unlogged)} products whose pushes "
              "the sandbox logged without a body (> 1 KB); their final TikTok stock was "
              "checked instead", file=sys.stderr)
    return {"latencies": latencies, "lost": lost, "coalesced": coalesced,
            "unverified": unverified, "final_mismatches": len(wrong)}


async def _noop_calls(stack: LocalStack, http: httpx.AsyncClient, db: Database,
                      targets: list[Target], rate: float) -> tuple[float, float]:
    """Changes TikTok cannot see: (TikTok product calls per same-stock-again change, per
    tag-only product edit). Tags are not mapped to TikTok, so an edit of them alone must push
    nothing (the app compares the mapped payload's hash with the last one pushed)."""
    await http.delete(f"{stack.tiktok_url}/_sandbox/requests")
    n = min(len(targets), 50)
    await _drive(stack, http, targets[:n], n, rate, lambda i: 5000 + i)
    await _settle(stack, http, db)
    await http.delete(f"{stack.tiktok_url}/_sandbox/requests")
    await _drive(stack, http, targets[:n], n, rate, lambda i: 5000 + i)
    await _settle(stack, http, db)
    same_stock = _product_calls(await _tiktok_counts(stack, http)) / n
    products = (await _shopify_products(db))[:n]
    await http.delete(f"{stack.tiktok_url}/_sandbox/requests")
    for k, product in enumerate(products):
        (await http.patch(f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}/products/{product}",
                          json={"tags": f"bench-tag-{k}, edited"})).raise_for_status()
        await asyncio.sleep(1 / rate)
    await _settle(stack, http, db)
    tag_only = _product_calls(await _tiktok_counts(stack, http)) / max(1, len(products))
    return same_stock, tag_only


async def _baseline(stack: LocalStack, http: httpx.AsyncClient, products: int, changes: int,
                    rate: float) -> dict[str, Any]:
    """The bare endpoint's latencies for the same changes at the same rate."""
    keys = {"app_key": TIKTOK_KEY, "app_secret": TIKTOK_SECRET,
            "shopify_secret": SHOPIFY_SECRET}
    endpoint, targets = await make_world(http, stack.shopify_url, stack.tiktok_url,
                                         BASELINE_DOMAIN, products, keys)
    with BackgroundServer(endpoint) as url:
        await subscribe(http, stack.shopify_url, BASELINE_DOMAIN, url)
        sent = await _drive(stack, http, targets, changes, rate, lambda i: 1000 + i,
                            domain=BASELINE_DOMAIN)
        deadline = time.monotonic() + 60
        while endpoint.pushes - endpoint.throttled < changes and time.monotonic() < deadline:
            await http.post(f"{stack.shopify_url}/_sandbox/webhooks/flush")
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
    matched = await _latencies(stack, http, sent, endpoint.shop_id)
    return {"latencies": matched["latencies"], "lost": matched["lost"],
            "throttled": endpoint.throttled}


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
            linked = await _linked(stack, merchant.browser, db)
            targets = [t[:3] for t in linked]
            await _zero_other_locations(stack, merchant.browser, db, targets)
            await merchant.browser.delete(f"{stack.tiktok_url}/_sandbox/requests")
            sent = await _drive(stack, merchant.browser, targets, changes, rate,
                                lambda i: 1000 + i)
            await _settle(stack, merchant.browser, db)
            matched = await _latencies(stack, merchant.browser, sent, tiktok_shop_id,
                                       {t[2]: t[3] for t in linked})
            latencies = matched["latencies"]
            noop, tag_only = await _noop_calls(stack, merchant.browser, db, targets, rate)
            floor = await _baseline(stack, merchant.browser, len(targets), changes, rate)
        finally:
            await merchant.close()
            await db.dispose()
    p99, base_p99 = pct(latencies, 0.99), pct(floor["latencies"], 0.99)
    return {"changes": changes, "rate_per_s": rate, "p50_ms": pct(latencies, 0.50),
            "p95_ms": pct(latencies, 0.95), "p99_ms": p99,
            "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
            "baseline_p50_ms": pct(floor["latencies"], 0.50), "baseline_p99_ms": base_p99,
            "p99_ratio_to_baseline": ratio(p99, base_p99, 2),
            "calls_per_product_initial": round(per_product, 2),
            "calls_per_noop_update": round(noop, 3), "calls_per_tag_edit": round(tag_only, 3),
            "listed_products": listed, "targets": len(targets), "lost": matched["lost"],
            "coalesced": matched["coalesced"], "timed": len(latencies),
            "unverified": matched["unverified"],
            "final_mismatches": matched["final_mismatches"], "baseline_lost": floor["lost"],
            "baseline_throttled": floor["throttled"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=150)
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    calibration = cpu_calibration_ms()
    with tempfile.TemporaryDirectory(prefix="ecomsend-bench-") as tmp:
        result = asyncio.run(run(args.products, args.changes, args.rate, Path(tmp)))
    result["rate_per_s"] = int(args.rate) if float(args.rate).is_integer() else args.rate
    emit({**result, "cpu_calibration_ms": calibration})


if __name__ == "__main__":
    main()
