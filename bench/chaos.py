"""Chaos suite (issue 11 §3): list, change, order, fulfil and cancel under faults on both
platforms, duplicated/reordered/dropped webhooks and process kills, then check that the
platforms converge to exactly what must be there.

    .venv/bin/python bench/chaos.py --mode embedded|scale-out [--size small|full]

Embedded: `ecomsend serve` (SQLite, embedded worker) SIGKILLed and restarted 3 times.
Scale-out: 2 `ecomsend serve` + 3 `ecomsend worker` on a fresh PostgreSQL database, 5 worker
SIGKILLs. Faults stop after the last fulfillment; the platforms' state (control APIs) is then
polled until it matches or 5 minutes pass. Prints ONE JSON line (diagnostics go to stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from benchlib import cpu_calibration_ms
from chaos_check import check
from chaos_drive import SIZES, Driver, ok
from chaos_world import ChaosWorld
from sqlalchemy import func, select

from ecomsend.db.models import ShopifyProduct
from ecomsend.db.session import Database
from ecomsend.demo.stack import Merchant

KILLS = {"embedded": (1, 1, 1), "scale-out": (2, 1, 2)}  # kills in listing, changes, follow-up
CONVERGE_S = 300.0
#: Bounds of the phases run under faults (a phase that overruns moves on; the check counts).
PHASE_S = {"small": 300.0, "full": 900.0}


def log(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def with_kills(work: Awaitable[Any], world: ChaosWorld, kills: int,
                     every_s: float) -> Any:
    """Run `work` while killing (and restarting) `kills` times, `every_s` apart."""
    task = asyncio.ensure_future(work)
    for _ in range(kills):
        await asyncio.sleep(every_s)
        await asyncio.to_thread(world.kill)
        log(f"kill {world.kills} done")
    return await task


async def until(probe: Any, timeout_s: float, what: str) -> bool:
    """Poll `probe()` until truthy or the time is up (then say so and carry on)."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if await probe():
            return True
        await asyncio.sleep(1.0)
    log(f"{what}: not done after {timeout_s:.0f}s, moving on")
    return False


async def imported(db: Database, n: int) -> bool:
    async with db.sessionmaker() as session:
        count = (await session.execute(select(func.count()).select_from(ShopifyProduct)))
        return int(count.scalar_one()) >= n


async def faults_injected(d: Driver) -> int:
    """Faults the two sandboxes report having injected (API faults and webhook faults)."""
    shopify = (await ok(d.http.get(f"{d.shop}/faults")) or {}).get("faults_injected") or {}
    tiktok = await ok(d.http.get(f"{d.tiktok}/_sandbox/requests", params={
        "shop_id": d.plan.tiktok_shop_id, "limit": 10**7}))
    api = sum(1 for r in tiktok["requests"] if r.get("fault"))
    deliveries = (await ok(d.http.get(f"{d.tiktok}/_sandbox/webhooks", params={
        "shop_id": d.plan.tiktok_shop_id})))["deliveries"]
    webhook = sum(max(int(w.get("copies") or 1) - 1, 0) for w in deliveries)
    return int(sum(shopify.values())) + api + webhook


async def _diagnostics(d: Driver, var_dir: Path) -> None:
    """Webhook delivery outcomes of both sandboxes, counted, to stderr (what to look at first
    when something did not converge)."""
    shopify = (await ok(d.http.get(f"{d.shop}/webhooks/deliveries")))["deliveries"]
    outcomes: dict[str, int] = {}
    for row in shopify:
        key = f"{row['topic']} {row['status_code']} {row['error'] or ''}".strip()
        outcomes[key] = outcomes.get(key, 0) + 1
    tiktok = (await ok(d.http.get(f"{d.tiktok}/_sandbox/webhooks", params={
        "shop_id": d.plan.tiktok_shop_id})))["deliveries"]
    states: dict[str, int] = {}
    for row in tiktok:
        states[row["state"]] = states.get(row["state"], 0) + 1
    log(f"shopify webhook attempts: {json.dumps(outcomes, sort_keys=True)}")
    log(f"tiktok webhook deliveries: {json.dumps(states, sort_keys=True)}")
    (var_dir / "shopify_deliveries.json").write_text(json.dumps(shopify))


async def run(mode: str, size: str, var_dir: Path,
              database_url: str | None = None) -> dict[str, Any]:
    """The whole run; the report (one JSON object)."""
    calibration = cpu_calibration_ms()  # the machine's speed now, to compare runs by
    began = time.monotonic()
    world = await asyncio.to_thread(ChaosWorld(mode, var_dir, database_url).start)
    merchant = Merchant(world.stack)
    db = Database(world.stack.settings)
    d = Driver(merchant, size, api_url=world.web_urls[-1])
    kills, phase_s = KILLS[mode], PHASE_S[size]
    try:
        await d.catalog()
        connection = await d.connect()
        await until(lambda: imported(db, SIZES[size]["products"]), phase_s, "catalog import")
        queued = await d.activate_template(connection)
        log(f"{mode}: template activated, {queued} products queued; faults on")
        await d.faults(True)

        async def listed() -> bool:
            return set(d.plan.skus) <= set(await d.listed_skus())
        await with_kills(until(listed, phase_s, "listing"), world, kills[0], 3.0)
        log("listing done; changes and orders")
        await with_kills(asyncio.gather(d.change_catalog(), d.place_orders(
            await d.listed_skus())), world, kills[1], 2.0)
        log(f"{len(d.plan.orders)} orders placed; following them up")
        await with_kills(d.follow_up(phase_s), world, kills[2], 3.0)
        injected = await faults_injected(d)
        await d.faults(False)
        stopped = time.monotonic()
        log("faults off; waiting for convergence")
        report: dict[str, Any] = {}

        async def converged() -> bool:
            nonlocal report
            report = await check(d)
            return bool(report["converged"])
        await until(converged, CONVERGE_S, "convergence")
        await _diagnostics(d, var_dir)
        for key in ("product_examples", "order_examples"):
            for line in report.pop(key):
                log(line)
        return {"mode": mode, "size": size, "faults_injected": injected,
                "kills": world.kills, **report,
                "tiktok_webhook_drops": d.plan.tiktok_drops,
                "seconds": round(time.monotonic() - began, 1),
                "converged_s": round(time.monotonic() - stopped, 1),
                "cpu_calibration_ms": calibration}
    finally:
        await merchant.close()
        await db.dispose()
        await asyncio.to_thread(world.stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("embedded", "scale-out"), required=True)
    parser.add_argument("--size", choices=tuple(SIZES), default="small")
    parser.add_argument("--var-dir", type=Path, default=None,
                        help="where the database and the process logs go (default: a temp dir)")
    parser.add_argument("--database-url", default=None,
                        help="scale-out: an empty PostgreSQL database (default: a fresh one)")
    args = parser.parse_args()
    if args.var_dir is not None:
        result = asyncio.run(run(args.mode, args.size, args.var_dir, args.database_url))
    else:
        with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
            result = asyncio.run(run(args.mode, args.size, Path(tmp), args.database_url))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
