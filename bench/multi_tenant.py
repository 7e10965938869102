"""Benchmark: many shops on one deployment, fairly (issue 12 §3).

Scale-out (default): web + 3 workers on PostgreSQL with procrastinate and the shared rate
limiter; `--embedded`: one `ecomsend serve` on SQLite with its in-process worker. Both sandboxes
in their own processes. Shop 0 is the big shop (`--big-products`, imported but not listed); the
others are small shops with `--small-products` listed products each.

1. alone: every small shop receives `--rate` stock changes/s (Shopify `inventory/set`, which
   fires a real `inventory_levels/update` webhook) for `--seconds`;
2. with the big shop: the big shop's default template is activated (it lists all its products,
   one `sync_entity` job each) and the same small-shop load runs until that listing is done.

A change's latency is from just before the Shopify call to the first TikTok Update Inventory
call for that product that arrives after it (the sandbox's request log). Each product changes
once per `--small-products / --rate` s, so an earlier change's push can only be credited to a
later change when that earlier change took longer than this, and it is counted itself then.

Prints ONE JSON object as its last line: `shops`, `small_p99_ms`, `small_p99_alone_ms`,
`small_p99_ratio_to_alone` (target ≤ 2), `big_shop_ratio_to_limit` (calls/s of the listing's
busiest TikTok API — `big_shop_binding_api`, image upload or Create Product — over TikTok's 50
QPS per API; target ≥ 0.9), `throttled` (429s seen by the TikTok sandbox across all workers,
target 0), `per_shop`, `cpu_calibration_ms`, and `phases`: per phase its CPU seconds per process
role (`cpu_ms_per_small_change`: with the big shop, its listing's CPU is in there too), the
cores the machine as a whole kept busy (other work on a shared machine shows there), and with
`--breakdown` the stages of the small shops' changes (`_mt_probe.py`); `capacity`: the app's
CPU per small-shop change and per listed product, and the cores it needs to meet both targets
at once (`capacity`): a machine with fewer measures CPU contention, not the queue's fairness.

Run: .venv/bin/python bench/multi_tenant.py [--embedded] [--shops 20] [--big-products 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from _mt_probe import (
    cpu_delta,
    cpu_seconds,
    install_job_trace,
    machine_busy_s,
    postgres_backends,
    stages,
)
from benchlib import cpu_calibration_ms, emit, log, pct, ratio
from multi_tenant_world import Shop, World

INVENTORY_API = "POST /product/202309/products/{product_id}/inventory/update"
CREATE_API = "POST /product/202309/products"
#: TikTok's documented default: 50 QPS per API per app+shop (rate-limits guide).
LIMIT_QPS = 50
#: The processes that are the app (the sandboxes stand in for Shopify's and TikTok's servers).
APP_ROLES = ("web", "workers", "bulk_worker", "postgres")
#: The listing's target share of its limit (issue 12 §3).
BIG_TARGET = 0.9
Sent = tuple[float, str, str]  # (sent at, shop domain, TikTok product id)


async def drive(world: World, shops: list[Shop], rate: float, until: Any) -> list[Sent]:
    """`rate` stock changes/s per shop, each shop round robin over its targets, until
    `await until(elapsed_s)` is true; returns what was sent."""
    url = f"{world.stack.shopify_url}/_sandbox/shops/{{}}/inventory/set"
    began = time.perf_counter()
    tasks: list[asyncio.Task[Sent | None]] = []

    async def change(shop: Shop, tick: int) -> Sent | None:
        item, location, product_id = shop.targets[tick % len(shop.targets)]
        at = time.time()
        try:
            response = await shop.merchant.browser.post(url.format(shop.domain), json={
                "inventory_item_id": item, "location_id": location, "available": 1000 + tick})
            response.raise_for_status()
        except httpx.HTTPError as exc:  # the Shopify sandbox refused: not a change we made
            log(f"stock change not made ({shop.domain}): {exc!r}")
            return None
        return at, shop.domain, product_id

    tick = 0
    while not await until(time.perf_counter() - began):
        delay = began + tick / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.extend(asyncio.create_task(change(shop, tick)) for shop in shops)
        tick += 1
    return [s for s in await asyncio.gather(*tasks) if s is not None]


async def tiktok_log(world: World, http: Any) -> list[dict[str, Any]]:
    got = await http.get(f"{world.stack.tiktok_url}/_sandbox/requests")
    return list(got.json()["requests"])


def latencies(sent: list[Sent], entries: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Per shop domain: each change's latency (ms); a change never pushed is left out (and
    counted as lost by `lost`)."""
    arrivals: dict[str, list[float]] = {}
    for entry in entries:
        if entry["api"] == INVENTORY_API and entry["http_status"] == 200:
            product_id = entry["path"].split("/products/")[1].split("/")[0]
            arrivals.setdefault(product_id, []).append(float(entry["at"]))
    out: dict[str, list[float]] = {}
    for at, domain, product_id in sent:
        after = [t for t in arrivals.get(product_id, []) if t >= at]
        if after:
            out.setdefault(domain, []).append((min(after) - at) * 1000)
    return out


def big_rates(big: Shop, entries: list[dict[str, Any]]) -> dict[str, tuple[float, int]]:
    """Per API the big shop's listing called: (calls/s between its first and last, count).
    Seller-level APIs (image upload: no shop_cipher, so no shop in the log) count too: in
    phase 2 only the big shop lists, the small shops only push stock."""
    times: dict[str, list[float]] = {}
    for e in entries:
        if e["http_status"] == 200 and (str(e["shop_id"]) == big.tiktok_shop_id
                                        or e["shop_id"] is None):
            times.setdefault(e["api"], []).append(float(e["at"]))
    rates = {}
    for api, at in times.items():
        at.sort()
        rates[api] = ((len(at) - 1) / (at[-1] - at[0]) if len(at) > 1 else 0.0, len(at))
    return rates


def throttled(entries: list[dict[str, Any]]) -> int:
    return sum(1 for e in entries if e["http_status"] == 429)


async def phase(world: World, shops: list[Shop], rate: float, until: Any,
                before: Any = None) -> tuple[list[Sent], list[dict[str, Any]], dict[str, Any]]:
    """Clear the TikTok log, run `before()`, drive the small shops, settle; (sent, log, probe):
    the probe has the phase's CPU seconds per process role and its wall-clock window."""
    http = shops[0].merchant.browser
    await http.delete(f"{world.stack.tiktok_url}/_sandbox/requests")
    pids = world.pids()
    if world.mode == "scale-out":
        pids["postgres"] = await postgres_backends(world.db)
    cpu_before, machine, began = cpu_seconds(pids), machine_busy_s(), time.time()
    if before is not None:
        await before()
    sent = await drive(world, shops, rate, until)
    await world.settle(shops)
    cpu = cpu_delta(cpu_before, cpu_seconds(pids))
    probe = {"window": (began, time.time()), "cpu_s": cpu, "seconds": time.time() - began,
             "machine_cpu_s": machine_busy_s() - machine}
    return sent, await tiktok_log(world, http), probe


async def breakdown(world: World, small: list[Shop], probe: dict[str, Any],
                    changes: int) -> dict[str, Any]:
    """A phase's CPU per process role (seconds, and ms per small-shop stock change) and, with
    --breakdown, its stages (`_mt_probe.stages`)."""
    cpu = probe["cpu_s"]
    out: dict[str, Any] = {
        "seconds": round(probe["seconds"], 1), "cpu_s": cpu,
        "cpu_cores_busy": round(sum(cpu.values()) / probe["seconds"], 2),
        "machine_cores_busy": round(probe["machine_cpu_s"] / probe["seconds"], 2),
        "cpu_ms_per_small_change": {k: round(v * 1000 / changes, 2) for k, v in cpu.items()}
        if changes else {}}
    if probe.get("stages"):
        out["stages"] = await stages(world.db, [s.domain for s in small],
                                     [s.tts_pk for s in small], *probe["window"],
                                     jobs=world.mode == "scale-out")
    return out


async def run(args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    world = World("embedded" if args.embedded else "scale-out", var_dir)
    await asyncio.to_thread(world.start)
    await world.open()
    try:
        sizes = [args.big_products] + [args.small_products] * (args.shops - 1)
        shops = await world.add_shops(sizes)
        big, small = shops[0], shops[1:]
        log(f"{len(shops)} shops imported; listing the small shops")
        for shop in small:
            await world.activate(shop)
        await world.wait(lambda: _zero(world.unsettled(small)), 900)
        for shop in small:
            await world.load_targets(shop)
        if args.breakdown and world.mode == "scale-out":
            await install_job_trace(world.db)
        log("phase 1: small shops alone")
        alone_sent, alone_log, alone_probe = await phase(
            world, small, args.rate, lambda t: _true(t >= args.seconds))
        log("phase 2: with the big shop's listing")
        listing_began: list[float] = []

        async def start_listing() -> None:
            listing_began.append(time.perf_counter())
            await world.activate(big)

        async def listing_done(t: float) -> bool:
            return t >= args.max_seconds or (
                t >= 5 and await world.unsettled([big]) == 0)

        busy_sent, busy_log, busy_probe = await phase(world, small, args.rate, listing_done,
                                                      start_listing)
        listed_s = time.perf_counter() - listing_began[0]
        big_statuses = await world.statuses(big)
        big_failures = await world.failure_reasons(big)
        alone_probe["stages"] = busy_probe["stages"] = args.breakdown
        phases = {"alone": await breakdown(world, small, alone_probe, len(alone_sent)),
                  "with_big": await breakdown(world, small, busy_probe, len(busy_sent))}
    finally:
        for shop in locals().get("shops", []):
            await shop.merchant.close()
        await world.stop()
    result = summarise(args, small, big, (alone_sent, alone_log), (busy_sent, busy_log),
                       listed_s)
    result["phases"] = phases
    result["capacity"] = capacity(args, result, phases)
    result["cores_needed"] = result["capacity"]["cores_needed"]
    result["per_shop"]["big"]["statuses"] = big_statuses
    result["per_shop"]["big"]["failures"] = big_failures
    result["per_shop"]["big"]["calls"] = dict(Counter(
        e["api"] for e in busy_log if str(e["shop_id"]) == big.tiktok_shop_id))
    return result


def summarise(args: argparse.Namespace, small: list[Shop], big: Shop, alone: Any, busy: Any,
              listed_s: float) -> dict[str, Any]:
    alone_lat, busy_lat = latencies(*alone), latencies(*busy)
    all_alone = [v for values in alone_lat.values() for v in values]
    all_busy = [v for values in busy_lat.values() for v in values]
    rates = big_rates(big, busy[1])
    create_qps, creates = rates.get(CREATE_API, (0.0, 0))
    # The listing runs at its limit when its busiest API does (TikTok's limit is per API):
    # image uploads, several per product, bind before Create Product does.
    binding = max(rates, key=lambda api: rates[api][0] if rates[api][1] >= 10 else 0.0,
                  default=CREATE_API)
    per_shop: dict[str, Any] = {"big": {
        "domain": big.domain, "products": big.products, "created": creates,
        "create_per_s": round(create_qps, 2), "listing_seconds": round(listed_s, 1),
        "rates_per_s": {api: round(r, 2) for api, (r, n) in rates.items() if n >= 10},
        "calls_per_product": {api: round(n / creates, 2) for api, (_, n) in rates.items()
                              if n >= 10 and creates}}}
    for shop in small:
        sent_alone = sum(1 for s in alone[0] if s[1] == shop.domain)
        sent_busy = sum(1 for s in busy[0] if s[1] == shop.domain)
        per_shop[shop.domain] = {
            "p99_alone_ms": pct(alone_lat.get(shop.domain, []), 0.99),
            "p99_ms": pct(busy_lat.get(shop.domain, []), 0.99),
            "changes": sent_busy, "lost": sent_busy - len(busy_lat.get(shop.domain, [])),
            "lost_alone": sent_alone - len(alone_lat.get(shop.domain, []))}
    small_p99, alone_p99 = pct(all_busy, 0.99), pct(all_alone, 0.99)
    return {
        "mode": "embedded" if args.embedded else "scale-out", "shops": len(small) + 1,
        "rate_per_shop_per_s": args.rate, "small_changes": len(busy[0]),
        "small_p50_ms": pct(all_busy, 0.5), "small_p99_ms": small_p99,
        "small_p99_alone_ms": alone_p99, "small_p99_ratio_to_alone": ratio(small_p99, alone_p99),
        "big_shop_products": big.products, "big_shop_create_per_s": round(create_qps, 2),
        "big_shop_binding_api": binding,
        "big_shop_ratio_to_limit": ratio(rates.get(binding, (0.0, 0))[0], LIMIT_QPS),
        "throttled": throttled(alone[1]) + throttled(busy[1]),
        "lost": sum(v["lost"] for k, v in per_shop.items() if k != "big"),
        "per_shop": per_shop}


def capacity(args: argparse.Namespace, result: dict[str, Any],
             phases: dict[str, Any]) -> dict[str, Any]:
    """The load's CPU cost to the app, which travels between machines where latency does not:
    app CPU ms (APP_ROLES) per small-shop change (phase 1) and per product the big shop listed
    (phase 2's app CPU beyond its small-shop changes at phase 1's cost), and the cores the app
    needs to carry both at once at the targets: every small shop at `--rate`, the listing at
    BIG_TARGET of its binding API's limit. More than the app can use here (`cores_usable`): the
    ratio to alone measures CPU contention, not the queue's fairness."""
    alone, busy = phases["alone"], phases["with_big"]
    change_ms = sum(alone["cpu_ms_per_small_change"].get(r, 0.0) for r in APP_ROLES)
    busy_s = sum(busy["cpu_s"].get(r, 0.0) for r in APP_ROLES)
    big = result["per_shop"]["big"]
    listing_s = busy_s - change_ms * result["small_changes"] / 1000
    # None when the phase was too short to tell the listing's CPU from the noise.
    product_ms = listing_s * 1000 / big["created"] if big["created"] and listing_s > 0 else None
    calls = big["calls_per_product"].get(result["big_shop_binding_api"])
    small_cores = (result["shops"] - 1) * args.rate * change_ms / 1000
    listing_cores = (BIG_TARGET * LIMIT_QPS / calls * product_ms / 1000
                     if calls and product_ms else None)
    return {"app_cpu_ms_per_small_change": round(change_ms, 2),
            "app_cpu_ms_per_listed_product": None if product_ms is None else round(product_ms),
            "cores_for_small_shops": round(small_cores, 2),
            "cores_for_listing_at_target": None if listing_cores is None
            else round(listing_cores, 2),
            "cores_needed": None if listing_cores is None
            else round(small_cores + listing_cores, 2),
            "cores_here": os.cpu_count(),
            # Embedded, the app is one process whose Python code holds one core at a time.
            "cores_usable": 1 if args.embedded else os.cpu_count()}


async def _zero(count: Any) -> bool:
    return bool(await count == 0)


async def _true(value: bool) -> bool:
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedded", action="store_true")
    parser.add_argument("--shops", type=int, default=None, help="20 (scale-out), 5 (embedded)")
    parser.add_argument("--big-products", type=int, default=5000)
    parser.add_argument("--small-products", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0, help="stock changes/s per small shop")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of phase 1")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="cap of phase 2")
    parser.add_argument("--var-dir", type=Path, default=None, help="keep logs here")
    parser.add_argument("--breakdown", action="store_true",
                        help="time each stage of the small shops' changes (adds a trigger)")
    args = parser.parse_args()
    args.shops = args.shops or (5 if args.embedded else 20)
    logging.disable(logging.WARNING)
    calibration = cpu_calibration_ms()
    if args.var_dir:  # kept: the app's and workers' logs stay there
        args.var_dir.mkdir(parents=True, exist_ok=True)
        result = asyncio.run(run(args, args.var_dir))
    else:
        with tempfile.TemporaryDirectory(prefix="ecomsend-mt-") as tmp:
            result = asyncio.run(run(args, Path(tmp)))
    result["cpu_calibration_ms"] = calibration
    emit(result)


if __name__ == "__main__":
    main()
