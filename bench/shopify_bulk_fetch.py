"""Initial catalog fetch: Shopify bulk export → SQLite, variants/s and peak memory.

Starts the Shopify sandbox as a subprocess (so this process's RSS is the app's alone), seeds
`--products` products × `--variants` variants, then runs the app's real initial fetch
(`import_shop_catalog`: locations, the product bulk query with inline levels and the
collection-membership bulk query, streamed JSONL, batched upserts through the SQLite writer
process) into a fresh SQLite database. `peak_rss_mb` is the app's peak: this process's plus the
writer process's (added, although they need not peak at once).
Prints ONE JSON object as its last line:
{"products": N, "variants": N, "seconds": s, "variants_per_s": x, "peak_rss_mb": m}
Targets (issue 3): ≥ 20,000 variants/s, ≤ 300 MB peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from ecomsend.config import Settings
from ecomsend.db.migrate import upgrade
from ecomsend.db.models import Shop
from ecomsend.db.session import Database
from ecomsend.integrations.shopify import ShopifyClient
from ecomsend.ratelimit import InProcessRateLimiter
from ecomsend.serving import free_port
from ecomsend.sync.catalog_import import import_shop_catalog

API_KEY, API_SECRET = "bench-key", "bench-secret"
DOMAIN = "bench.myshopify.com"
#: How long the sandbox subprocess may take to start (it builds the 2026-07 schema).
STARTUP_TIMEOUT_S = 60.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sandbox_command(port: int) -> list[str]:
    """`.venv/bin/ecomsend sandbox shopify …` (falls back to `python -m ecomsend.cli`)."""
    script = Path(sys.executable).with_name("ecomsend")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "ecomsend.cli"]
    return [*head, "sandbox", "shopify", "--port", str(port), "--api-key", API_KEY,
            "--api-secret", API_SECRET, "--bulk-delay-s", "0.01"]


async def wait_until_up(base: str) -> None:
    """Poll the sandbox until it answers HTTP."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    async with httpx.AsyncClient() as http:
        while True:
            try:
                await http.get(f"{base}/_sandbox/shops/{DOMAIN}")
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("sandbox did not start") from None
                await asyncio.sleep(0.2)


async def seed(base: str, products: int, variants: int) -> str:
    """Create the shop and its catalog; returns the access token."""
    async with httpx.AsyncClient(base_url=base, timeout=600) as http:
        shop = (await http.post("/_sandbox/shops", json={"domain": DOMAIN, "locations": 3})).json()
        started = time.perf_counter()
        counts = (await http.post(f"/_sandbox/shops/{DOMAIN}/seed", json={
            "products": products, "variants_per_product": variants, "seed": 42})).json()
        log(f"seeded {counts} in {time.perf_counter() - started:.1f}s")
        return str(shop["access_token"])


async def fetch(base: str, token: str, workdir: Path) -> dict[str, float]:
    """The measured part: bulk export into a fresh, migrated SQLite database."""
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{workdir}/bench.db",
                        var_dir=workdir, token_encryption_key=Fernet.generate_key().decode())
    await asyncio.to_thread(upgrade, settings)
    db = Database(settings)
    async with db.unit_of_work() as session:
        row = Shop(domain=DOMAIN, scopes="")
        session.add(row)
        await session.flush()
        shop_id = row.id
    client = ShopifyClient(DOMAIN, token, limiter=InProcessRateLimiter(),
                           base_url=f"{base}/store/{DOMAIN}")
    last = [0.0]

    def progress(p: object) -> None:
        now = time.perf_counter()
        if now - last[0] > 2:
            last[0] = now
            log(f"  {p}")

    started = time.perf_counter()
    cpu_started = time.process_time()
    async with client:
        result = await import_shop_catalog(db, shop_id, client, on_progress=progress)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    await db.dispose()
    return {"products": result.products, "variants": result.variants,
            "inventory_levels": result.inventory_levels, "seconds": seconds, "app_cpu_s": cpu}


def main() -> None:
    """Start the sandbox, seed, measure, print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--variants", type=int, default=3, help="variants per product")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="ecomsend-bench-"))
    sandbox = subprocess.Popen(sandbox_command(port), stdout=subprocess.DEVNULL)
    try:
        asyncio.run(wait_until_up(base))
        token = asyncio.run(seed(base, args.products, args.variants))
        result = asyncio.run(fetch(base, token, workdir))
        # The writer process is the only child reaped so far: its usage alone.
        writer = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    own_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    peak_rss_mb = own_rss_mb + writer.ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    writer_cpu = writer.ru_utime + writer.ru_stime
    sandbox_cpu = children.ru_utime + children.ru_stime - writer_cpu
    # Diagnostics on stderr: on a shared machine wall time says little without the CPU spent.
    log(f"inventory levels: {result['inventory_levels']}; app CPU {result['app_cpu_s']:.1f}s "
        f"+ writer process {writer_cpu:.1f}s; RSS {own_rss_mb:.0f} + "
        f"{writer.ru_maxrss / 1024:.0f} MB; sandbox CPU (incl. seeding) {sandbox_cpu:.1f}s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(json.dumps({
        "products": int(result["products"]), "variants": int(result["variants"]),
        "seconds": round(result["seconds"], 2),
        "variants_per_s": round(result["variants"] / result["seconds"], 1),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }))


if __name__ == "__main__":
    main()
