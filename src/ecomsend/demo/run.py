"""`ecomsend demo`: the whole flow on local sandboxes, on the embedded default (SQLite +
LocalQueue): seed a Shopify store, install and connect through the real OAuth flows, import the
catalog by bulk operation, and report. Rich progress in a terminal; `--headless` for scripts."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select

from ecomsend.config import get_settings
from ecomsend.db.migrate import upgrade
from ecomsend.db.models import Shop, ShopifyProduct, SyncState, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.orders import run_order_demo
from ecomsend.demo.regions import DemoRegion, demo_region
from ecomsend.demo.returns import run_returns_demo
from ecomsend.demo.stack import LocalStack, Merchant
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.tasks import build_registry
from ecomsend.logging import configure_logging
from ecomsend.sync.listing.bootstrap import (
    activate_default_template,
    listing_failures,
    listing_progress,
)

DEMO_SHOP = "ecomsend-demo.myshopify.com"
#: The demo's own database file under var/, recreated on every run so runs are repeatable.
DEMO_DB_NAME = "demo.db"
#: How long each waiting step (catalog import, listing) may take; ECOMSEND_DEMO_LISTING_TIMEOUT_S
#: overrides it for the listing (tests make that step time out on purpose).
IMPORT_TIMEOUT_S = 600.0
LISTING_STATES = ("synced", "failed", "review_failed")


def _listing_timeout_s() -> float:
    return float(os.environ.get("ECOMSEND_DEMO_LISTING_TIMEOUT_S") or IMPORT_TIMEOUT_S)


class StepFailed(Exception):
    """A demo step that failed or timed out: the demo reports it and exits 1."""


def run_demo(*, headless: bool, products: int, report: Path | None,
             serve: bool | None = None, region: str = "US") -> int:
    """Run the demo for a TikTok shop of `region` (any of the nine; UK = GB); returns the
    process exit code (0 when every step succeeded). With `serve` (the default in a terminal,
    `--serve` for scripts) the three servers keep running after the report, with a sign-in link
    to the admin, until SIGINT/SIGTERM."""
    setup = demo_region(region)
    console = Console(quiet=headless)
    settings = get_settings()
    configure_logging(settings.model_copy(update={"log_level": "WARNING"}))
    var_dir = settings.var_dir
    var_dir.mkdir(parents=True, exist_ok=True)
    db_file = var_dir / DEMO_DB_NAME
    for stale in var_dir.glob(DEMO_DB_NAME + "*"):
        stale.unlink()
    stack = LocalStack(var_dir, database_url=f"sqlite+aiosqlite:///{db_file.as_posix()}")
    upgrade(stack.settings)
    began = time.perf_counter()
    with stack:
        result = asyncio.run(_flow(stack, console, products, setup))
        result["seconds"] = round(time.perf_counter() - began, 2)
        _print_summary(console, result)
        if report is not None:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(json.dumps(result, indent=2))
        if headless:
            print(json.dumps(result), flush=True)
        if (not headless) if serve is None else serve:
            serve_admin(stack, console, headless=headless)
    return 0 if all(step["ok"] for step in result["steps"]) else 1


def admin_sign_in_url(stack: LocalStack) -> str:
    """A link that signs a browser in as the demo shop (Shopify OAuth through the sandbox,
    which approves at once) and lands on Home."""
    return f"{stack.app_url}/auth/shopify/install?shop={DEMO_SHOP}"


def serve_admin(stack: LocalStack, console: Console, *, headless: bool) -> None:
    """Keep the servers up for a person (or a script) to use the admin until SIGINT/SIGTERM.
    Prints the sign-in link once the admin UI answers: a JSON line `{"admin_url": …}` headless,
    a sentence in a terminal."""
    _wait_for_admin(stack.app_url)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    url = admin_sign_in_url(stack)
    if headless:
        print(json.dumps({"admin_url": url}), flush=True)
    else:
        console.print(f"\n[bold]Admin:[/] open {url} in a browser (Ctrl-C to stop)")
    while not stop.wait(0.5):
        pass


def _wait_for_admin(app_url: str, timeout_s: float = 30.0) -> None:
    """Wait until the app serves the admin UI's document."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if 'id="root"' in httpx.get(f"{app_url}/", timeout=2).text:
                return
        time.sleep(0.2)
    raise RuntimeError("The admin UI was not served; was it built (scripts/demo.sh builds it)?")


async def _flow(stack: LocalStack, console: Console, products: int, setup: DemoRegion,
                domain: str = DEMO_SHOP) -> dict[str, Any]:
    """Every step in order for the store `domain`; the first that fails (or times out) stops
    the rest. The report lists the region and each step run with `ok` and its error, whatever
    happened. Counts are the store's and its connection's only (tests run several regions'
    flows on one stack)."""
    merchant = Merchant(stack)
    db = Database(stack.settings)
    steps: list[dict[str, Any]] = []
    seeded: dict[str, Any] = {"products": 0, "variants": 0}
    listing: dict[str, int] = {"listable": 0, "tts_pk": 0}
    orders: dict[str, Any] = {}

    async def seed() -> None:
        seeded.update(await merchant.create_store(domain, products))
        console.print(f"Seeded {domain}: {seeded['products']} products, "
                      f"{seeded['variants']} variants")
        if setup.market_rate is not None:
            await merchant.create_market(domain, setup.code, setup.currency,
                                         setup.market_rate)
            console.print(f"Shopify Market for {setup.code} sells in {setup.currency}")

    async def connect() -> None:
        await merchant.install(domain)
        console.print("Installed through Shopify OAuth (authorization code grant)")
        tiktok = await merchant.create_tiktok_shop(setup.code)
        session = await merchant.connect_tiktok(tiktok["shop_id"])
        seeded["tiktok_shop_id"] = tiktok["shop_id"]
        console.print(f"Connected TikTok Shop {tiktok['shop_id']} "
                      f"({session['connections'][0]['region']})")

    async def import_catalog() -> None:
        await _wait_with_progress(console, "Importing catalog (bulk operation)",
                                  seeded["products"], lambda: _count(db, domain))

    async def list_catalog() -> None:
        await _list_catalog(console, db, merchant, seeded["tiktok_shop_id"], listing)

    async def sync_orders() -> None:
        orders.update(await run_order_demo(console, db, merchant, seeded["tiktok_shop_id"],
                                           domain, setup))
        _check_orders(orders)

    async def sync_returns() -> None:
        orders.update(await run_returns_demo(console, db, merchant, seeded["tiktok_shop_id"]))
        _check_returns(orders)

    try:
        console.print(f"[bold]Shopify sandbox[/] {stack.shopify_url}   [bold]TikTok sandbox[/] "
                      f"{stack.tiktok_url}   [bold]app[/] {stack.app_url}")
        for name, step in (("seed", seed), ("install_and_connect", connect),
                           ("import_catalog", import_catalog), ("listing", list_catalog),
                           ("orders", sync_orders), ("returns", sync_returns)):
            if not await _run_step(console, steps, name, step):
                break
        try:
            report = await _report(db, merchant, domain, seeded, listing)
        except (httpx.HTTPError, KeyError, ValueError) as exc:  # a sandbox that is down
            report = {"products": {}, "catalog": {}, "api_calls": {}, "failures": [],
                      "report_error": str(exc)}
        return {"region": setup.code, **report, **orders, "steps": steps}
    finally:
        await merchant.close()
        await db.dispose()


async def _run_step(console: Console, steps: list[dict[str, Any]], name: str,
                    step: Callable[[], Awaitable[None]]) -> bool:
    """Run one step, record `{step, ok, error, seconds}`; False when it failed or timed out."""
    began = time.perf_counter()
    try:
        await step()
    except (StepFailed, TimeoutError, httpx.HTTPError, RuntimeError, ValueError, KeyError) as exc:
        error = str(exc) or type(exc).__name__
        if isinstance(exc, TimeoutError) and not str(exc):
            error = "timed out"
        console.print(f"[red]Step {name} failed:[/] {error}")
        steps.append({"step": name, "ok": False, "error": error,
                      "seconds": round(time.perf_counter() - began, 2)})
        return False
    steps.append({"step": name, "ok": True, "error": None,
                  "seconds": round(time.perf_counter() - began, 2)})
    return True


def _check_returns(result: dict[str, Any]) -> None:
    """The returns step succeeded only if returns were asked and each refund settled."""
    r = result.get("returns", {})
    if not r.get("total"):
        raise StepFailed("no return or refund was requested (no shipped order)")
    if r.get("synced", 0) + r.get("failed", 0) < r["total"]:
        raise StepFailed(f"{r['total'] - r['synced'] - r['failed']} refund(s) did not settle")


def _check_orders(orders: dict[str, Any]) -> None:
    """The orders step succeeded only if orders were placed and every one, and every synced
    order's fulfillment, settled (synced or failed with a reason)."""
    o, f = orders.get("orders", {}), orders.get("fulfillments", {})
    if not o.get("total"):
        raise StepFailed("no TikTok order was placed")
    if o.get("synced", 0) + o.get("failed", 0) < o["total"]:
        raise StepFailed(f"{o['total'] - o['synced'] - o['failed']} order(s) did not settle")
    if f.get("to_tiktok", 0) + f.get("to_shopify", 0) + f.get("failed", 0) < o["synced"]:
        raise StepFailed("some fulfillments did not settle")


async def _list_catalog(console: Console, db: Database, merchant: Merchant,
                        tiktok_shop_id: str, listing: dict[str, int]) -> None:
    """A default template from the TikTok sandbox's sample product (a leaf category with its
    required attributes), activated: every active product is pushed; wait until each is
    synced, failed or review_failed (TimeoutError past the step timeout)."""
    sample = (await merchant.browser.get(
        f"{merchant.stack.tiktok_url}/_sandbox/shops/{tiktok_shop_id}/sample_product")).json()
    async with db.sessionmaker() as session:
        tts_id = int((await session.execute(select(TikTokShop.id).where(
            TikTokShop.tiktok_shop_id == tiktok_shop_id))).scalar_one())
    _, marked = await activate_default_template(db, LocalQueue(db, build_registry()), tts_id,
                                                sample)
    listing["listable"], listing["tts_pk"] = marked, tts_id
    console.print(f"Default template activated: {marked} active products to list")

    async def settled() -> int:
        counts = await listing_progress(db, tts_id)
        return sum(counts.get(s, 0) for s in LISTING_STATES)

    try:
        await _wait_with_progress(console, "Listing on TikTok Shop", marked, settled,
                                  _listing_timeout_s())
    except TimeoutError:
        raise StepFailed(f"{marked - await settled()} of {marked} listable products did not "
                         f"settle in {_listing_timeout_s():g} s") from None


async def _count(db: Database, domain: str) -> int:
    """Products of the store in the app's mirror."""
    async with db.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(ShopifyProduct)
                                          .join(Shop, Shop.id == ShopifyProduct.shop_id)
                                          .where(Shop.domain == domain))).scalar_one())


async def _wait_with_progress(console: Console, label: str, total: int,
                              measure: Callable[[], Awaitable[int]],
                              timeout_s: float = IMPORT_TIMEOUT_S) -> None:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(label, total=total)
        async with asyncio.timeout(timeout_s):
            while (done := await measure()) < total:
                progress.update(task, completed=done)
                await asyncio.sleep(0.2)
        progress.update(task, completed=total)


async def _report(db: Database, merchant: Merchant, domain: str,
                  seeded: dict[str, Any], listing: dict[str, int]) -> dict[str, Any]:
    """Products by outcome: of the `listable` ones (active, selected by the template) those
    that settled (synced, failed, review_failed) and those that did not (`not_settled`), apart
    from those that cannot list (`not_listable`: drafts, archived, unlisted); where prices came
    from (the app's `pricing/source`)."""
    stack, listable, tts_pk = merchant.stack, listing["listable"], listing["tts_pk"]
    async with db.sessionmaker() as session:
        by_status = dict((await session.execute(
            select(SyncState.status, func.count()).where(
                SyncState.kind == "product", SyncState.tiktok_shop_id == tts_pk)
            .group_by(SyncState.status))).all())
    total = await _count(db, domain)
    shop_stats = (await merchant.browser.get(
        f"{stack.shopify_url}/_sandbox/shops/{domain}")).json()["stats"]
    tiktok_requests = (await merchant.browser.get(f"{stack.tiktok_url}/_sandbox/requests")
                       ).json()["total"]
    synced = int(by_status.get("synced", 0))
    failed = int(by_status.get("failed", 0))
    review_failed = int(by_status.get("review_failed", 0))
    return {
        "products": {"total": total, "listable": listable, "synced": synced, "failed": failed,
                     "review_failed": review_failed,
                     "not_settled": max(0, listable - synced - failed - review_failed),
                     "not_listable": max(0, total - listable)},
        "catalog": {"seeded_products": seeded["products"], "seeded_variants": seeded["variants"]},
        "api_calls": {"shopify": shop_stats["graphql_requests"], "tiktok": tiktok_requests},
        "failures": await listing_failures(db, tts_pk),
        "pricing": await _pricing(merchant, tts_pk),
    }


async def _pricing(merchant: Merchant, tts_pk: int) -> dict[str, Any]:
    """The connection's price source as the Products page shows it ({} before connecting)."""
    if not tts_pk:
        return {}
    response = await merchant.browser.get(
        f"{merchant.stack.app_url}/api/connections/{tts_pk}/pricing/source")
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return {k: found[k] for k in ("source", "currency", "store_currency")}


def _print_summary(console: Console, result: dict[str, Any]) -> None:
    table = Table(title=f"EcomSend Feed demo ({result.get('region', 'US')})")
    table.add_column("what")
    table.add_column("count", justify="right")
    pricing = result.get("pricing") or {}
    if pricing:
        table.add_row(f"prices ({pricing['currency']}) from", str(pricing["source"]))
    for key, value in result["products"].items():
        table.add_row(f"products {key}", str(value))
    for section in ("orders", "fulfillments", "returns"):
        for key, value in result.get(section, {}).items():
            table.add_row(f"{section} {key}", str(value))
    for key, value in result["api_calls"].items():
        table.add_row(f"{key} API calls", str(value))
    table.add_row("seconds", str(result["seconds"]))
    console.print(table)
    _print_failures(console, result.get("failures", []))


#: The demo lists this many failed products with their reasons (all are in the JSON report).
FAILURES_SHOWN = 8


def _print_failures(console: Console, failures: list[dict[str, Any]]) -> None:
    """What a merchant would fix: each failed product with TikTok's or preflight's reason."""
    if not failures:
        return
    table = Table(title=f"Why {len(failures)} product(s) did not list (first {FAILURES_SHOWN})")
    table.add_column("product")
    table.add_column("reason")
    for failure in failures[:FAILURES_SHOWN]:
        table.add_row(str(failure.get("product", "")), str(failure.get("reason", ""))[:160])
    console.print(table)
