"""Benchmark: a flood of signed Shopify and TikTok webhooks against the app's `/webhooks/*`.

Starts both sandboxes and the app each in its own process (embedded default: one `ecomsend
serve` on SQLite with its embedded worker; `--postgres`: a fresh PostgreSQL database, two
`ecomsend serve` web processes and one `ecomsend worker`, procrastinate queue), installs a
store with `--products` products and connects a TikTok shop through the real OAuth flows, waits
for the import, then runs the load generator (`bench/_webhook_loadgen.py`) in another process
for `--seconds`: Shopify `inventory_levels/update` for the store's inventory items and TikTok
type 5 events, alternately, each signed and unique, offered open-loop at `--rate` per second
(0: as fast as the connections allow) over `--connections` keep-alive connections.

In a flood the app acknowledges a delivery once it is recorded and processes it right after
(sync/inbox_process.py); once the load is over the benchmark waits until no receipt waits
(`drain_s`: seconds from the last acknowledgement until everything was processed). Then the
database says what happened: `lost` counts acknowledged deliveries without a
`webhook_receipt`, `processed_twice` those with more than one webhook row in the activity log
(the inbox writes exactly one per delivery it handles), `unprocessed` those with none.

Baseline (issue 12 §1): the same load generator at the same rate against a bare ASGI endpoint
(bench/_bare_webhook.py: same uvicorn settings, HMAC check, 200, nothing recorded) for
`--baseline-seconds` → `baseline_rate_per_s`, `baseline_p99_ms`, `baseline_cpu_ms_per_webhook`
and `rate_ratio_to_baseline`, `cpu_ratio_to_baseline`.

Prints ONE JSON object as its last line:
{"seconds", "webhooks", "rate_per_s", "p50_ms", "p99_ms", "p9999_ms", "lost",
 "processed_twice", "unprocessed", "drain_s", "offered_rate_per_s", "mode", "web_processes",
 "web_cpu_ms_per_webhook", "baseline_rate_per_s", "rate_ratio_to_baseline",
 "cpu_calibration_ms", ...}
Targets (issue 12 §2): embedded ≥ 1,000/s with p99 ≤ 100 ms; `--postgres` ≥ 2,500/s; lost 0,
processed_twice 0; p99.99 within TikTok's 3 s (and Shopify's 5 s) delivery deadline.

Run: .venv/bin/python bench/webhook_ingest.py [--seconds 60] [--rate 1000] [--postgres]
     [--baseline-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
from benchlib import cpu_calibration_ms, emit, log, pct, ratio
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ecomsend.db.migrate import upgrade
from ecomsend.db.models import ActivityLog, ShopifyProduct, ShopifyVariant, WebhookReceipt
from ecomsend.db.session import Database
from ecomsend.demo.stack import (
    SHOPIFY_SECRET,
    TIKTOK_KEY,
    TIKTOK_SECRET,
    LocalStack,
    Merchant,
    _wait_until_up,
    settings_env,
)
from ecomsend.serving import free_port

DOMAIN = "bench-webhooks.myshopify.com"
LOADGEN = Path(__file__).with_name("_webhook_loadgen.py")
BARE = Path(__file__).with_name("_bare_webhook.py")
#: Longest wait for the deliveries acknowledged in the flood to be processed.
DRAIN_TIMEOUT_S = 1800.0
POSTGRES_ADMIN_URL = os.environ.get("ECOMSEND_TEST_POSTGRES_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: Delivery deadlines: Shopify waits 5 s for the answer, TikTok 3 s (reference §4.1, §5.2).
DEADLINE_MS = {"shopify": 5000, "tiktok": 3000}


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Deployment:
    """The processes under test: the stack (sandboxes + first web) and, scale-out, one more web
    process and a worker on a fresh PostgreSQL database (dropped by `stop`)."""

    def __init__(self, var_dir: Path, postgres: bool) -> None:
        self.var_dir, self.postgres = var_dir, postgres
        overrides: dict[str, Any] = {"session_secret": "bench-webhooks-" + "s" * 32,
                                     "token_encryption_key": Fernet.generate_key().decode(),
                                     "log_level": "WARNING"}
        url = f"sqlite+aiosqlite:///{(var_dir / 'bench.db').as_posix()}"
        self.pg_name: str | None = None
        if postgres:
            self.pg_name = f"bench_webhooks_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            url = make_url(POSTGRES_ADMIN_URL).set(database=self.pg_name).render_as_string(
                hide_password=False)
            overrides.update(queue_backend="procrastinate", ratelimit_backend="postgres")
        self.stack = LocalStack(var_dir, database_url=url, settings_overrides=overrides,
                                sandboxes_in_processes=True, app_in_process=False,
                                app_log=var_dir / "app.log")
        self.extra: list[subprocess.Popen[bytes]] = []
        self.web_urls = [self.stack.app_url]

    def start(self) -> None:
        upgrade(self.stack.settings)
        self.stack.start()
        if self.postgres:
            port = free_port()
            self._spawn(["serve", "--port", str(port), "--no-migrate"], "web2")
            self.web_urls.append(f"http://127.0.0.1:{port}")
            _wait_until_up(self.web_urls[-1], "/healthz")
            self._spawn(["worker", "--concurrency", "8"], "worker")

    def _spawn(self, args: list[str], name: str) -> None:
        out = (self.var_dir / f"{name}.log").open("ab")
        self.extra.append(subprocess.Popen(
            [sys.executable, "-m", "ecomsend", *args], env=settings_env(self.stack.settings),
            stdout=out, stderr=subprocess.STDOUT))

    def web_pids(self) -> list[int]:
        """Process ids of the web processes (the first is the stack's app process)."""
        first = self.stack._app_proc
        return [p.pid for p in ([first] if first else []) + self.extra[:len(self.web_urls) - 1]]

    def stop(self) -> None:
        for proc in self.extra:
            proc.terminate()
        for proc in self.extra:
            proc.wait(timeout=20)
        self.stack.stop()
        if self.pg_name:
            with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


async def setup(stack: LocalStack, db: Database, products: int) -> dict[str, Any]:
    """Install a store, connect TikTok, wait for the import; what the load generator signs."""
    merchant = Merchant(stack)
    try:
        await merchant.create_store(DOMAIN, products, seed=3)
        await merchant.install(DOMAIN)
        tts = await merchant.create_tiktok_shop("US")
        await merchant.connect_tiktok(tts["shop_id"])
        info = (await merchant.browser.get(f"{stack.shopify_url}/_sandbox/shops/{DOMAIN}")
                ).json()
    finally:
        await merchant.close()
    async with asyncio.timeout(300):
        while True:
            async with db.sessionmaker() as session:
                count = (await session.execute(select(func.count()).select_from(
                    ShopifyProduct))).scalar_one()
            if count >= info["counts"]["products"]:
                break
            await asyncio.sleep(0.5)
    async with db.sessionmaker() as session:
        items = (await session.execute(select(ShopifyVariant.inventory_item_id).where(
            ShopifyVariant.inventory_item_id.is_not(None)))).scalars().all()
    location = info["locations"][0]["admin_graphql_api_id"]
    return {"shop_domain": DOMAIN, "shopify_secret": SHOPIFY_SECRET, "tiktok_key": TIKTOK_KEY,
            "tiktok_secret": TIKTOK_SECRET, "tiktok_shop_id": str(tts["shop_id"]),
            "inventory_items": [int(str(i).rsplit("/", 1)[1]) for i in items],
            "location_id": int(str(location).rsplit("/", 1)[1])}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


def run_loadgen(spec: dict[str, Any], var_dir: Path) -> dict[str, Any]:
    """Run the load generator in its own process; its result file."""
    spec_file, result_file = var_dir / "loadgen-spec.json", var_dir / "loadgen-result.json"
    spec_file.write_text(json.dumps(spec))
    subprocess.run([sys.executable, str(LOADGEN), str(spec_file), str(result_file)],
                   check=True)
    result: dict[str, Any] = json.loads(result_file.read_text())
    return result


async def drain(db: Database, timeout_s: float = DRAIN_TIMEOUT_S) -> float:
    """Seconds until no receipt waits to be processed (the flood was acknowledged first)."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout_s:
        async with db.sessionmaker() as session:
            waiting = (await session.execute(select(func.count()).select_from(
                WebhookReceipt).where(WebhookReceipt.processed_at.is_(None)))).scalar_one()
        if not waiting:
            break
        await asyncio.sleep(0.5)
    return round(time.perf_counter() - began, 1)


def baseline(spec: dict[str, Any], var_dir: Path, seconds: float) -> dict[str, Any]:
    """The load generator against the bare endpoint (bench/_bare_webhook.py), same rate and
    connections (`spec`: the flood's)."""
    port = free_port()
    server = subprocess.Popen([sys.executable, str(BARE), str(port), spec["shopify_secret"],
                               spec["tiktok_key"], spec["tiktok_secret"]])
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, "/")
        before = cpu_seconds([server.pid])
        run = run_loadgen({**spec, "targets": [url], "seconds": seconds}, var_dir)
        run["web_cpu_s"] = cpu_seconds([server.pid]) - before
    finally:
        server.terminate()
        server.wait(timeout=20)
    latencies = [float(a[2]) for a in run["acked"]]
    rate = len(latencies) / run["seconds"] if run["seconds"] > 0 else 0.0
    return {"baseline_rate_per_s": round(rate, 1), "baseline_p99_ms": pct(latencies, 0.99),
            "baseline_cpu_ms_per_webhook": round(run["web_cpu_s"] * 1000 / len(latencies), 3)
            if latencies else None}


async def audit(db: Database, acked: list[list[Any]]) -> dict[str, int]:
    """lost / processed_twice / unprocessed of the acknowledged deliveries, from the database."""
    async with db.sessionmaker() as session:
        receipts = {tuple(r) for r in (await session.execute(select(
            WebhookReceipt.platform, WebhookReceipt.delivery_id))).all()}
        activity = Counter(tuple(r) for r in (await session.execute(select(
            ActivityLog.direction, ActivityLog.entity_id).where(
            ActivityLog.kind == "webhook"))).all())
    lost = sum(1 for platform, delivery, *_ in acked if (platform, delivery) not in receipts)
    handled = [activity.get((platform, delivery[:64]), 0) for platform, delivery, *_ in acked]
    return {"lost": lost, "processed_twice": sum(1 for n in handled if n > 1),
            "unprocessed": sum(1 for n in handled if n == 0)}


def p99_timeline(acked: list[list[Any]], window_s: float = 10.0) -> list[float | None]:
    """The acknowledgement p99 of the deliveries due in each `window_s` of the run, in order
    (shows whether the latency degrades as the flood goes on)."""
    windows: dict[int, list[float]] = {}
    for ack in acked:
        windows.setdefault(int(float(ack[3]) // window_s), []).append(float(ack[2]))
    return [pct(windows.get(w, []), 0.99) for w in range(max(windows, default=-1) + 1)]


def summarise(args: argparse.Namespace, run: dict[str, Any], checks: dict[str, Any],
              calibration: float, web_processes: int, base: dict[str, Any]) -> dict[str, Any]:
    latencies = [float(a[2]) for a in run["acked"]]
    by_platform = {p: [float(a[2]) for a in run["acked"] if a[0] == p] for p in DEADLINE_MS}
    seconds = float(run["seconds"])
    rate = len(latencies) / seconds if seconds > 0 else 0.0
    target_rate = 2500 if args.postgres else 1000
    return {
        "seconds": round(seconds, 2), "webhooks": len(latencies),
        "rate_per_s": round(rate, 1), "p50_ms": pct(latencies, 0.5),
        "p99_ms": pct(latencies, 0.99), "p9999_ms": pct(latencies, 0.9999),
        "p99_ms_by_10s": p99_timeline(run["acked"]), **checks,
        "offered_rate_per_s": args.rate or None, "mode": "scale-out" if args.postgres
        else "embedded", "web_processes": web_processes, "connections": args.connections,
        "rate_ratio_to_target": ratio(rate, target_rate),
        "deadline_misses": sum(1 for p, values in by_platform.items()
                               for v in values if v > DEADLINE_MS[p]),
        # Portable across machines: CPU the web processes spent per acknowledged webhook.
        "web_cpu_ms_per_webhook": round(run["web_cpu_s"] * 1000 / len(latencies), 2)
        if latencies else None,
        "failed_attempts": run["failed"], "unsent": 0 if not args.rate else max(
            0, int(args.rate * args.seconds) - int(run["sent"])),
        **base, "rate_ratio_to_baseline": ratio(rate, base.get("baseline_rate_per_s")),
        "cpu_ratio_to_baseline": ratio(run["web_cpu_s"] * 1000 / len(latencies), base.get(
            "baseline_cpu_ms_per_webhook"), 1) if latencies else None,
        "cpu_calibration_ms": calibration,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=None,
                        help="offered webhooks/s (default: the target, 1,000 or 2,500 with "
                             "--postgres; 0 = closed loop, as fast as answered)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--postgres", action="store_true",
                        help="scale-out: PostgreSQL, 2 web processes + 1 worker")
    parser.add_argument("--baseline-seconds", type=float, default=20.0,
                        help="how long the bare-endpoint baseline runs (0: not at all)")
    args = parser.parse_args()
    if args.rate is None:
        args.rate = 2500.0 if args.postgres else 1000.0
    calibration = cpu_calibration_ms()
    var_dir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    deployment = Deployment(var_dir, args.postgres)
    try:
        deployment.start()

        async def prepare() -> dict[str, Any]:
            db = Database(deployment.stack.settings)
            try:
                return await setup(deployment.stack, db, args.products)
            finally:
                await db.dispose()

        spec = asyncio.run(prepare())
        log(f"flooding {deployment.web_urls} for {args.seconds:.0f}s at "
            f"{args.rate or 'max'}/s")
        began, cpu_before = time.perf_counter(), cpu_seconds(deployment.web_pids())
        spec.update(rate=args.rate, connections=args.connections)
        run = run_loadgen({**spec, "targets": deployment.web_urls, "seconds": args.seconds},
                          var_dir)
        log(f"load done in {time.perf_counter() - began:.1f}s: {len(run['acked'])} acked, "
            f"failures {run['failed']}")
        run["web_cpu_s"] = cpu_seconds(deployment.web_pids()) - cpu_before

        async def check() -> dict[str, Any]:
            db = Database(deployment.stack.settings)
            try:
                drained = await drain(db)
                return {**await audit(db, run["acked"]), "drain_s": drained}
            finally:
                await db.dispose()

        checks = asyncio.run(check())
        log(f"drained in {checks['drain_s']}s: {checks}")
        # Acknowledging and processing: all the CPU the flood cost the web processes.
        checks["web_cpu_ms_per_webhook_processed"] = round(
            (cpu_seconds(deployment.web_pids()) - cpu_before) * 1000 / max(1, len(run["acked"])),
            2)
    finally:
        deployment.stop()
    try:
        base = baseline(spec, var_dir, args.baseline_seconds) if args.baseline_seconds else {}
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    emit(summarise(args, run, checks, calibration, len(deployment.web_urls), base))


if __name__ == "__main__":
    main()
