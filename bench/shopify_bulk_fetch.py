"""Initial catalog fetch: Shopify bulk export → SQLite, variants/s and peak memory.

Starts the Shopify sandbox as a subprocess (so this process's RSS is the app's alone), seeds
`--products` products × `--variants` variants, then runs the app's real initial fetch
(`import_shop_catalog`: locations, the product bulk query with inline levels and the
collection-membership bulk query, streamed JSONL, batched upserts through the SQLite writer
process) into a fresh SQLite database. `peak_rss_mb` is the app's peak: this process's plus the
writer process's (added, although they need not peak at once).
Baseline (issue 12 §1), same run: the least work the task needs with nothing of ours in it.
The same JSONL files (the products export with its inline levels, and the collections export)
are streamed from the sandbox's file URLs of a second, finished export with the standard
library's urllib (1 MiB reads), split into lines, read with orjson, and the same rows (products,
variants, inventory levels, media, collection memberships) inserted with `sqlite3.executemany`
in one transaction into a fresh WAL database. `ratio_to_baseline` is the app's variants/s over
the baseline's for the same work: both start when the bulk operations have finished (the app's
`import_s` after `export_ready_s`, Shopify's time: the sandbox's process building the files) and
both download, parse and store the files (before 2026-12-04 the baseline read them from local
disk, so the app's time alone included the sandbox serving ~3 KB per product).
`ratio_to_baseline_incl_export` counts the app's whole fetch, export included.

`--repeat N` runs N (app, baseline) pairs, alternating, and reports the pair with the median
ratio (`ratio_to_baseline_runs` lists them all): on a shared machine the load swings between
an app run and its baseline.

Prints ONE JSON object as its last line:
{"products": N, "variants": N, "seconds": s, "variants_per_s": x, "export_ready_s",
 "import_s", "import_variants_per_s", "peak_rss_mb": m, "baseline_seconds": s,
 "baseline_variants_per_s": y, "ratio_to_baseline", "ratio_to_baseline_runs",
 "ratio_to_baseline_incl_export", "app_cpu_s", "baseline_cpu_s", "cpu_ratio_to_baseline",
 "cpu_calibration_ms": c}
(`peak_rss_mb` is taken before the baseline runs in this process; the CPU ratio — baseline CPU
seconds over the app's, its writer process included — varies less with the machine's load.)
Targets: ≥ 20,000 variants/s, ≤ 300 MB peak RSS (issue 3); ratio_to_baseline ≥ 0.6 (issue 12).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import orjson
from benchlib import cpu_calibration_ms, emit, ratio
from cryptography.fernet import Fernet

from ecomsend.config import Settings
from ecomsend.db.migrate import upgrade
from ecomsend.db.models import Shop
from ecomsend.db.session import Database
from ecomsend.integrations.shopify import ShopifyClient
from ecomsend.integrations.shopify.bulk import start_catalog_export, wait_for_bulk
from ecomsend.ratelimit import InProcessRateLimiter
from ecomsend.serving import free_port
from ecomsend.sync.catalog_import import import_export

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
            "--api-secret", API_SECRET, "--bulk-delay-s", "0.01",
            # Instant exports: the sandbox otherwise takes objects / 2000 s per export, like
            # Shopify's servers (minutes for this catalog); that time is not the app's.
            "--bulk-objects-per-s", "0"]


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
        # What import_shop_catalog does, with the moment the JSONL files are ready marked:
        # the export's run time is Shopify's (the sandbox's process), not the app's.
        export = await start_catalog_export(client)
        await export.wait_ready()
        ready = time.perf_counter()
        result = await import_export(db, shop_id, export, on_progress=progress)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    await db.dispose()
    return {"products": result.products, "variants": result.variants,
            "inventory_levels": result.inventory_levels, "seconds": seconds,
            "export_ready_s": ready - started, "import_s": seconds - (ready - started),
            "app_cpu_s": cpu}


async def export_urls(base: str, token: str) -> list[str]:
    """Run the app's catalog export once more and return its finished JSONL files' URLs (not
    timed: the baseline's input). Returns [products URL, collections URL]."""
    client = ShopifyClient(DOMAIN, token, limiter=InProcessRateLimiter(),
                           base_url=f"{base}/store/{DOMAIN}")
    async with client:
        export = await start_catalog_export(client)
        ops = [await wait_for_bulk(client, str(op_id))
               for op_id in (export.products_op, export.collections_op)]
    if not all(op.url for op in ops):
        raise RuntimeError("an export of the seeded shop has no file")
    return [str(op.url) for op in ops]


def _lines(url: str) -> Iterator[bytes]:
    """The non-empty lines of a bulk file, streamed over HTTP (urllib, 1 MiB reads)."""
    pending = b""
    with urllib.request.urlopen(url, timeout=600) as response:
        while chunk := response.read(1 << 20):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            yield from (line for line in lines if line)
    if pending:
        yield pending


BASELINE_SCHEMA = """
CREATE TABLE product (id TEXT PRIMARY KEY, title TEXT, handle TEXT, body TEXT, vendor TEXT,
  product_type TEXT, status TEXT, tags TEXT, updated_at TEXT, category TEXT, options TEXT);
CREATE TABLE variant (id TEXT PRIMARY KEY, product_id TEXT, title TEXT, sku TEXT, barcode TEXT,
  price TEXT, compare_at TEXT, position INT, policy TEXT, updated_at TEXT, options TEXT,
  item_id TEXT, tracked INT, weight TEXT);
CREATE TABLE level (item_id TEXT, location_id TEXT, available INT, PRIMARY KEY (item_id,
  location_id));
CREATE TABLE media (id TEXT PRIMARY KEY, product_id TEXT, alt TEXT, url TEXT);
CREATE TABLE collection (id TEXT PRIMARY KEY, title TEXT, handle TEXT);
CREATE TABLE membership (product_id TEXT, collection_id TEXT);
"""


def _baseline_rows(products: Iterable[bytes], collections: Iterable[bytes],
                   aliases: dict[str, str]) -> dict[str, list[tuple[object, ...]]]:
    """The rows of both files' lines, by table: orjson per line, no models, no validation."""
    rows: dict[str, list[tuple[object, ...]]] = {
        t: [] for t in ("product", "variant", "level", "media", "collection", "membership")}
    for line in products:
        o = orjson.loads(line)
        gid, parent = o.get("id", ""), o.get("__parentId")
        if parent is None:
            rows["product"].append((gid, o.get("title"), o.get("handle"),
                                    o.get("descriptionHtml"), o.get("vendor"),
                                    o.get("productType"), o.get("status"),
                                    orjson.dumps(o.get("tags")).decode(), o.get("updatedAt"),
                                    (o.get("category") or {}).get("fullName"),
                                    orjson.dumps(o.get("options")).decode()))
        elif "/ProductVariant/" in gid:
            item = o.get("inventoryItem") or {}
            rows["variant"].append((gid, parent, o.get("title"), o.get("sku"),
                                    o.get("barcode"), o.get("price"), o.get("compareAtPrice"),
                                    o.get("position"), o.get("inventoryPolicy"),
                                    o.get("updatedAt"),
                                    orjson.dumps(o.get("selectedOptions")).decode(),
                                    item.get("id"), item.get("tracked"),
                                    orjson.dumps(item.get("measurement")).decode()))
            for alias, location in aliases.items():
                level = item.get(alias)
                if level:
                    available = next((q["quantity"] for q in level["quantities"]
                                      if q["name"] == "available"), None)
                    rows["level"].append((item.get("id"), location, available))
        else:
            rows["media"].append((gid, parent, o.get("alt"),
                                  (o.get("image") or {}).get("url")))
    for line in collections:
        o = orjson.loads(line)
        if o.get("__parentId") is None:
            rows["collection"].append((o.get("id"), o.get("title"), o.get("handle")))
        else:
            rows["membership"].append((o.get("id"), o["__parentId"]))
    return rows


def baseline(urls: list[str], workdir: Path, aliases: dict[str, str]) -> dict[str, float]:
    """The floor: stream the JSONL files, read each line with orjson, sqlite3.executemany in one
    transaction (collections first, as the app reads them)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    collections = list(_lines(urls[1]))
    rows = _baseline_rows(_lines(urls[0]), collections, aliases)
    conn = sqlite3.connect(workdir / "baseline.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(BASELINE_SCHEMA)
    conn.execute("BEGIN")
    for table, values in rows.items():
        if values:
            marks = ",".join("?" * len(values[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    conn.execute("COMMIT")
    conn.close()
    return {"seconds": time.perf_counter() - started, "variants": len(rows["variant"]),
            "cpu_s": time.process_time() - cpu_started,
            "levels": len(rows["level"])}


async def location_aliases(base: str, token: str) -> dict[str, str]:
    """alias → location GID as the app's export query names them (level0, level1, …)."""
    client = ShopifyClient(DOMAIN, token, limiter=InProcessRateLimiter(),
                           base_url=f"{base}/store/{DOMAIN}")
    async with client:
        return {f"level{i}": loc.id for i, loc in enumerate(await client.locations())}


def measure(base: str, token: str, workdir: Path, repeat: int) -> list[dict[str, float]]:
    """`repeat` pairs of (app fetch, baseline), alternating, each into a fresh database; per
    pair the app's numbers, its writer process's CPU and the baseline's (`floor_*`)."""
    urls = asyncio.run(export_urls(base, token))
    aliases = asyncio.run(location_aliases(base, token))
    pairs = []
    for i in range(repeat):
        rundir = workdir / f"run{i}"
        rundir.mkdir()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = asyncio.run(fetch(base, token, rundir))
        # The writer process is the only child reaped meanwhile: its usage alone.
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result["writer_cpu_s"] = (after.ru_utime + after.ru_stime
                                  - before.ru_utime - before.ru_stime)
        if i == 0:  # the app's high-water marks, before a baseline holds its rows here
            result["own_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            result["writer_rss_mb"] = after.ru_maxrss / 1024  # KiB on Linux
        floor = baseline(urls, rundir, aliases)
        log(f"baseline: {floor['variants']} variants, {floor['levels']} levels in "
            f"{floor['seconds']:.2f}s")
        pairs.append(result | {f"floor_{k}": v for k, v in floor.items()})
    return pairs


def main() -> None:
    """Start the sandbox, seed, measure, print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--variants", type=int, default=3, help="variants per product")
    parser.add_argument("--repeat", type=int, default=1,
                        help="app and baseline runs, alternating; the figures are those of the "
                             "pair with the median ratio (a shared machine's load swings)")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="ecomsend-bench-"))
    calibration = cpu_calibration_ms()
    sandbox = subprocess.Popen(sandbox_command(port), stdout=subprocess.DEVNULL)
    try:
        asyncio.run(wait_until_up(base))
        token = asyncio.run(seed(base, args.products, args.variants))
        pairs = measure(base, token, workdir, max(1, args.repeat))
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    ratios = [p["floor_seconds"] / p["import_s"] for p in pairs]
    result = pairs[sorted(range(len(pairs)), key=ratios.__getitem__)[len(pairs) // 2]]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    writer_cpu = result["writer_cpu_s"]
    sandbox_cpu = children.ru_utime + children.ru_stime - sum(p["writer_cpu_s"] for p in pairs)
    # Diagnostics on stderr: on a shared machine wall time says little without the CPU spent.
    log(f"inventory levels: {result['inventory_levels']}; app CPU {result['app_cpu_s']:.1f}s "
        f"+ writer process {writer_cpu:.1f}s; RSS {pairs[0]['own_rss_mb']:.0f} + "
        f"{pairs[0]['writer_rss_mb']:.0f} MB; sandbox CPU (incl. seeding) {sandbox_cpu:.1f}s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    app_rate = result["variants"] / result["seconds"]
    import_rate = result["variants"] / result["import_s"]
    base_rate = result["floor_variants"] / result["floor_seconds"]
    emit({
        "products": int(result["products"]), "variants": int(result["variants"]),
        "seconds": round(result["seconds"], 2),
        "variants_per_s": round(app_rate, 1),
        "export_ready_s": round(result["export_ready_s"], 2),
        "import_s": round(result["import_s"], 2),
        "import_variants_per_s": round(import_rate, 1),
        "peak_rss_mb": round(pairs[0]["own_rss_mb"] + pairs[0]["writer_rss_mb"], 1),
        "baseline_seconds": round(result["floor_seconds"], 2),
        "baseline_variants_per_s": round(base_rate, 1),
        # Like for like: both from finished bulk operations, both download, parse and store
        # (issue 11 §1: our own time apart from the bulk run time).
        "ratio_to_baseline": ratio(import_rate, base_rate),
        "ratio_to_baseline_runs": [round(r, 3) for r in ratios],
        "ratio_to_baseline_incl_export": ratio(app_rate, base_rate),
        # CPU seconds rather than wall time: on a loaded machine this one travels better.
        "app_cpu_s": round(result["app_cpu_s"] + writer_cpu, 1),
        "baseline_cpu_s": round(result["floor_cpu_s"], 1),
        "cpu_ratio_to_baseline": ratio(result["floor_cpu_s"], result["app_cpu_s"] + writer_cpu),
        "cpu_calibration_ms": calibration,
    })


if __name__ == "__main__":
    main()
