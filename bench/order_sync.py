"""Order sync throughput: N TikTok orders → Shopify through the whole app (webhooks, fetch jobs,
sync jobs, exactly-once lookup + orderCreate), on the local stack (both sandboxes + the app on
real ports, SQLite + LocalQueue: the embedded default; `--postgres URL` for PostgreSQL). Each
sandbox runs in its own process by default (`--in-process` puts them in this one, sharing the
app's interpreter, which then measures the simulators as much as the app).

Shopify's cost-based rate limit is the ceiling (issue 12 §1). The baseline, same run: the least
work an order needs with nothing of ours in it — one bare `orderCreate` per order (minimal
selection, the same line items) sent straight to the sandbox, whose `actualQueryCost` is
`order_create_cost`. `max_orders_per_min` is what the bucket allows in the run's time at that
cost ((bucket available at start + restore rate × seconds) / order_create_cost, per minute),
and `ratio_to_cost_max` = orders_per_min / max_orders_per_min. Unlike bucket utilisation
(`bucket_utilisation`, points spent over points available, kept for comparison) it does not
reward spending more points per order: every lookup the app adds lowers the ratio.
`p95_webhook_to_shopify_ms` runs from TikTok's first
webhook delivery attempt for an order to the committed order link; all N orders are placed as
one burst, so it is dominated by the wait in line behind Shopify's rate limit. `duplicates`
counts Shopify orders beyond one per TikTok order. `shopify_requests` and `shopify_throttled`
come from the sandbox's own counters: every GraphQL request it got during the run, and those it
answered THROTTLED (the client-side cost limiter should make these rare: each one is a wasted
call that a real store would see; `shopify_throttled_share` is their fraction).

Prints ONE JSON object as its last line:
{"orders": N, "seconds": s, "orders_per_min": x, "order_create_cost": c,
 "max_orders_per_min": y, "ratio_to_cost_max": x/y, "p95_webhook_to_shopify_ms": z,
 "duplicates": 0, "shopify_requests": r, "shopify_throttled": k, "cpu_calibration_ms": t, ...}
Targets: ratio_to_cost_max ≥ 0.8 (issue 12), duplicates 0 (issue 5), shopify_throttled ≤ 1 % of
shopify_requests (issue 12 §1).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from benchlib import cpu_calibration_ms, emit, ratio
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from ecomsend.db.migrate import upgrade
from ecomsend.db.models import OrderLink, ProductLink, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.stack import (
    LocalStack,
    Merchant,
)
from ecomsend.logging import configure_logging

DOMAIN = "bench-orders.myshopify.com"
PRODUCTS = 5
PLACE_CONCURRENCY = 16
#: The baseline's orderCreate: the least an order import needs (the new order's id back).
BARE_ORDER_CREATE = """mutation($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) { order { id } userErrors { field message } } }"""
#: Bare orderCreate calls measured (the bench's four line shapes, cycled).
BASELINE_CALLS = 8
API_VERSION = "2026-07"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def setup(stack: Any, db: Database, merchant: Merchant,
                world: dict[str, Any]) -> tuple[str, list[str]]:
    """Store + TikTok shop connected through OAuth; TikTok SKUs linked to Shopify variants.
    Puts the store's access token and variant GIDs into `world` (for the baseline)."""
    http, control = merchant.browser, f"{stack.shopify_url}/_sandbox/shops"
    made = await http.post(control, json={"domain": DOMAIN, "locations": 1})
    [location] = made.json()["location_ids"]
    world["token"] = made.json()["access_token"]
    for i in range(PRODUCTS):
        (await http.post(f"{control}/{DOMAIN}/products", json={
            "title": f"Bench product {i}", "variants": [
                {"sku": f"BENCH-{i}", "price": "20.00", "inventory": {location: 10**6}}]})
         ).raise_for_status()
    await merchant.install(DOMAIN)
    tts = await merchant.create_tiktok_shop("US")
    await merchant.connect_tiktok(tts["shop_id"])
    tiktok = f"{stack.tiktok_url}/_sandbox/shops/{tts['shop_id']}"
    variants = [v for p in (await http.get(f"{control}/{DOMAIN}/products")).json()["products"]
                for v in p["variants"]]
    world["variants"] = [v["admin_graphql_api_id"] for v in variants]
    async with db.sessionmaker() as session:
        tts_pk = (await session.execute(select(TikTokShop.id).where(
            TikTokShop.tiktok_shop_id == tts["shop_id"]))).scalar_one()
    skus = []
    for i, variant in enumerate(variants):
        sample = (await http.get(f"{tiktok}/sample_product", params={"skus": 1})).json()
        for sku in sample["skus"]:
            sku["seller_sku"] = f"BENCH-TT-{i}"
            for inv in sku.get("inventory", []):
                inv["quantity"] = 10**6
        product = (await http.post(f"{tiktok}/products", json=sample)).json()
        sku_id = product["skus"][0]["id"]
        skus.append(sku_id)
        async with db.unit_of_work() as session:
            session.add(ProductLink(tiktok_shop_id=tts_pk, shopify_product_id=variant[
                "product_id"], shopify_variant_id=variant["admin_graphql_api_id"],
                tiktok_product_id=product["id"], tiktok_sku_id=sku_id, origin="linked"))
    settings = (await http.get(f"{stack.app_url}/api/settings/orders")).json()
    (await http.put(f"{stack.app_url}/api/settings/orders",
                    json={**settings, "auto_sync": True})).raise_for_status()
    return tts["shop_id"], skus


async def place_orders(merchant: Merchant, tiktok: str, skus: list[str], n: int) -> list[str]:
    sem = asyncio.Semaphore(PLACE_CONCURRENCY)

    async def one(i: int) -> str:
        lines = [{"sku_id": skus[i % len(skus)], "quantity": 1 + i % 3}]
        if i % 4 == 0:
            lines.append({"sku_id": skus[(i + 1) % len(skus)], "quantity": 1})
        async with sem:
            response = await merchant.browser.post(f"{tiktok}/orders", json={
                "line_items": lines, "shipping_fee": "4.99", "tax": "1.20"})
        response.raise_for_status()
        return str(response.json()["id"])
    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def wait_synced(db: Database, n: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last = -1
    while True:
        async with db.sessionmaker() as session:
            done = int((await session.execute(select(func.count()).select_from(OrderLink))
                        ).scalar_one())
        if done >= n:
            return
        if done != last:
            log(f"  synced {done}/{n}")
            last = done
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {done}/{n} orders synced")
        await asyncio.sleep(1.0)


async def latencies(db: Database, merchant: Merchant, stack: Any,
                    shop_id: str) -> list[float]:
    hooks = (await merchant.browser.get(f"{stack.tiktok_url}/_sandbox/webhooks",
                                        params={"shop_id": shop_id, "type": 1})).json()
    first: dict[str, float] = {}
    for d in hooks["deliveries"]:
        oid = str(d["body"]["data"]["order_id"])
        if d["attempts"]:
            first[oid] = min(first.get(oid, float("inf")), d["attempts"][0]["at"])
    async with db.sessionmaker() as session:
        links = (await session.execute(select(OrderLink.tiktok_order_id, OrderLink.created_at))
                 ).all()
    return [(created.timestamp() - first[oid]) * 1000 for oid, created in links if oid in first]


async def bare_order_create_cost(stack: Any, world: dict[str, Any]) -> float:
    """The baseline: bare orderCreate calls with the bench's line shapes, straight to the
    sandbox with plain httpx; their mean actualQueryCost (what the bucket charges)."""
    variants, costs = world["variants"], []
    url = f"{stack.shopify_url}/store/{DOMAIN}/admin/api/{API_VERSION}/graphql.json"
    async with httpx.AsyncClient(headers={"X-Shopify-Access-Token": world["token"]},
                                 timeout=30) as http:
        for i in range(BASELINE_CALLS):
            lines = [{"variantId": variants[i % len(variants)], "quantity": 1 + i % 3}]
            if i % 4 == 0:
                lines.append({"variantId": variants[(i + 1) % len(variants)], "quantity": 1})
            while True:
                body = (await http.post(url, json={"query": BARE_ORDER_CREATE, "variables": {
                    "order": {"lineItems": lines, "currency": "USD"}}})).json()
                if not any(e.get("extensions", {}).get("code") == "THROTTLED"
                           for e in body.get("errors", [])):
                    break
                await asyncio.sleep(1.0)
            if body.get("errors") or body["data"]["orderCreate"]["userErrors"]:
                raise RuntimeError(f"bare orderCreate failed: {body}")
            costs.append(float(body["extensions"]["cost"]["actualQueryCost"]))
    return statistics.fmean(costs)


async def shopify_costs(merchant: Merchant, stack: Any) -> dict[str, Any]:
    info = (await merchant.browser.get(f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}")).json()
    return {"bucket": info["bucket"], "stats": info["stats"]}


def postgres_database(admin_url: str, drop: str | None = None) -> str:
    """A fresh, empty PostgreSQL database next to `admin_url`'s; with `drop` (a URL this
    returned), drop that database instead (`main` does, after the run)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(drop).database if drop else f"bench_orders_{uuid.uuid4().hex[:10]}"
    url = make_url(admin_url)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' if drop
                     else f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def make_stack(database_url: str | None = None, *, split: bool = False) -> LocalStack:
    """The stack to measure; `split` runs each sandbox in its own process. On PostgreSQL the
    rate limits are the scale-out ones too (one shared row per bucket, ratelimit/postgres)."""
    var = Path(tempfile.mkdtemp(prefix="bench-orders-"))
    overrides = {"token_encryption_key": Fernet.generate_key().decode(),
                 "session_secret": "bench-orders-" + "x" * 32, "log_level": "WARNING"}
    if database_url:
        overrides["ratelimit_backend"] = "postgres"
    stack = LocalStack(var, database_url=database_url or f"sqlite+aiosqlite:///{var / 'app.db'}",
                       settings_overrides=overrides, sandboxes_in_processes=split)
    upgrade(stack.settings)  # Alembic runs its own event loop: before ours starts
    configure_logging(stack.settings)  # the in-process app logs to stderr: stdout is the JSON
    return stack


async def run(stack: Any, n: int, timeout_s: float) -> dict[str, Any]:
    if True:
        db, merchant = Database(stack.settings), Merchant(stack)
        try:
            world: dict[str, Any] = {}
            shop_id, skus = await setup(stack, db, merchant, world)
            before = await shopify_costs(merchant, stack)
            log(f"placing {n} TikTok orders…")
            began = time.perf_counter()
            order_ids = await place_orders(merchant, f"{stack.tiktok_url}/_sandbox/shops/"
                                           f"{shop_id}", skus, n)
            await wait_synced(db, n, timeout_s)
            seconds = time.perf_counter() - began
            after = await shopify_costs(merchant, stack)
            lat = await latencies(db, merchant, stack, shop_id)
            orders = (await merchant.browser.get(
                f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}/orders")).json()["orders"]
            bare_cost = await bare_order_create_cost(stack, world)
        finally:
            await merchant.close()
            await db.dispose()
    per_source = Counter(o.get("source_identifier") for o in orders)
    duplicates = sum(c - 1 for oid, c in per_source.items() if oid in set(order_ids))
    cost = (after["stats"]["cost_spent"] - before["stats"]["cost_spent"]) / n
    bucket = before["bucket"]
    points = bucket["currently_available"] + bucket["restore_rate"] * seconds
    per_min = n / seconds * 60
    max_per_min = points / bare_cost / seconds * 60
    requests = after["stats"]["graphql_requests"] - before["stats"]["graphql_requests"]
    throttled = after["stats"]["throttled"] - before["stats"]["throttled"]
    p95 = statistics.quantiles(lat, n=20)[18] if len(lat) >= 20 else max(lat, default=0.0)
    return {"orders": n, "seconds": round(seconds, 2), "orders_per_min": round(per_min, 1),
            "order_create_cost": round(bare_cost, 2),
            "max_orders_per_min": round(max_per_min, 1),
            "ratio_to_cost_max": ratio(per_min, max_per_min),
            "bucket_utilisation": ratio(cost * n, points),
            "p95_webhook_to_shopify_ms": round(p95, 1),
            "duplicates": duplicates, "missing": sum(1 for o in order_ids if o not in per_source),
            "shopify_cost_per_order": round(cost, 2),
            "shopify_restore_rate": bucket["restore_rate"],
            "shopify_requests": requests, "shopify_throttled": throttled,
            "shopify_throttled_share": ratio(throttled, requests)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=1200.0)
    parser.add_argument("--postgres", metavar="ADMIN_URL", default=None,
                        help="run the app on a fresh PostgreSQL database (e.g. "
                             "postgresql+psycopg://postgres@127.0.0.1:5432/postgres), rate "
                             "limits shared through it, instead of the embedded SQLite default")
    parser.add_argument("--in-process", action="store_true",
                        help="run both sandboxes inside this process too (LocalStack); by "
                             "default each runs in its own process so only the app is measured")
    args = parser.parse_args()
    calibration = cpu_calibration_ms()
    database_url = postgres_database(args.postgres) if args.postgres else None
    try:
        with make_stack(database_url, split=not args.in_process) as stack:
            result = asyncio.run(run(stack, args.orders, args.timeout))
    finally:
        if database_url:
            postgres_database(args.postgres, drop=database_url)
    emit({**result, "cpu_calibration_ms": calibration})


if __name__ == "__main__":
    main()
