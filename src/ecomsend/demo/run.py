"""`ecomsend demo`: the whole flow on local sandboxes, on the embedded default (SQLite +
LocalQueue): seed a Shopify store, install and connect through the real OAuth flows, import the
catalog by bulk operation, and report. Rich progress in a terminal; `--headless` for scripts."""

from __future__ import annotations

import asyncio
import contextlib
import json
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
from ecomsend.db.models import ShopifyProduct, SyncState, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.orders import run_order_demo
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
IMPORT_TIMEOUT_S = 600.0


def run_demo(*, headless: bool, products: int, report: Path | None,
             serve: bool | None = None) -> int:
    """Run the demo; returns the process exit code (0 when every step succeeded). With `serve`
    (the default in a terminal, `--serve` for scripts) the three servers keep running after the
    report, with a sign-in link to the admin, until SIGINT/SIGTERM."""
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
        result = asyncio.run(_flow(stack, console, products))
        result["seconds"] = round(time.perf_counter() - began, 2)
        _print_summary(console, result)
        if report is not None:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(json.dumps(result, indent=2))
        if headless:
            print(json.dumps(result), flush=True)
        if (not headless) if serve is None else serve:
            serve_admin(stack, console, headless=headless)
    return 0 if result["products"]["total"] == result["catalog"]["seeded_products"] else 1


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


async def _flow(stack: LocalStack, console: Console, products: int) -> dict[str, Any]:
    merchant = Merchant(stack)
    db = Database(stack.settings)
    try:
        console.print(f"[bold]Shopify sandbox[/] {stack.shopify_url}   [bold]TikTok sandbox[/] "
                      f"{stack.tiktok_url}   [bold]app[/] {stack.app_url}")
        seeded = await merchant.create_store(DEMO_SHOP, products)
        console.print(f"Seeded {DEMO_SHOP}: {seeded['products']} products, "
                      f"{seeded['variants']} variants")
        await merchant.install(DEMO_SHOP)
        console.print("Installed through Shopify OAuth (authorization code grant)")
        tiktok = await merchant.create_tiktok_shop("US")
        session = await merchant.connect_tiktok(tiktok["shop_id"])
        console.print(f"Connected TikTok Shop {tiktok['shop_id']} "
                      f"({session['connections'][0]['region']})")
        await _wait_with_progress(console, "Importing catalog (bulk operation)",
                                  seeded["products"], lambda: _count(db, ShopifyProduct))
        await _list_catalog(console, db, merchant, tiktok["shop_id"])
        orders = await run_order_demo(console, db, merchant, tiktok["shop_id"], DEMO_SHOP)
        return {**await _report(db, merchant, stack, seeded), **orders}
    finally:
        await merchant.close()
        await db.dispose()


async def _list_catalog(console: Console, db: Database, merchant: Merchant,
                        tiktok_shop_id: str) -> None:
    """A default template from the TikTok sandbox's sample product (a leaf category with its
    required attributes), activated: every active product is pushed; wait until each is
    synced, failed or review_failed."""
    sample = (await merchant.browser.get(
        f"{merchant.stack.tiktok_url}/_sandbox/shops/{tiktok_shop_id}/sample_product")).json()
    async with db.sessionmaker() as session:
        tts_id = int((await session.execute(select(TikTokShop.id).where(
            TikTokShop.tiktok_shop_id == tiktok_shop_id))).scalar_one())
    _, marked = await activate_default_template(db, LocalQueue(db, build_registry()), tts_id,
                                                sample)
    console.print(f"Default template activated: {marked} active products to list")

    async def settled() -> int:
        counts = await listing_progress(db)
        return sum(counts.get(s, 0) for s in ("synced", "failed", "review_failed"))

    with contextlib.suppress(TimeoutError):
        await _wait_with_progress(console, "Listing on TikTok Shop", marked, settled)


async def _count(db: Database, model: Any) -> int:
    async with db.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _wait_with_progress(console: Console, label: str, total: int,
                              measure: Callable[[], Awaitable[int]]) -> None:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(label, total=total)
        async with asyncio.timeout(IMPORT_TIMEOUT_S):
            while (done := await measure()) < total:
                progress.update(task, completed=done)
                await asyncio.sleep(0.2)
        progress.update(task, completed=total)


async def _report(db: Database, merchant: Merchant, stack: LocalStack,
                  seeded: dict[str, Any]) -> dict[str, Any]:
    async with db.sessionmaker() as session:
        by_status = dict((await session.execute(
            select(SyncState.status, func.count()).where(SyncState.kind == "product")
            .group_by(SyncState.status))).all())
    total = await _count(db, ShopifyProduct)
    shop_stats = (await merchant.browser.get(
        f"{stack.shopify_url}/_sandbox/shops/{DEMO_SHOP}")).json()["stats"]
    tiktok_requests = (await merchant.browser.get(f"{stack.tiktok_url}/_sandbox/requests")
                       ).json()["total"]
    synced = int(by_status.get("synced", 0))
    failed = int(by_status.get("failed", 0))
    review_failed = int(by_status.get("review_failed", 0))
    return {
        "products": {"total": total, "synced": synced, "failed": failed,
                     "review_failed": review_failed,
                     "not_synced": total - synced - failed - review_failed},
        "catalog": {"seeded_products": seeded["products"], "seeded_variants": seeded["variants"]},
        "api_calls": {"shopify": shop_stats["graphql_requests"], "tiktok": tiktok_requests},
        "failures": await listing_failures(db),
    }


def _print_summary(console: Console, result: dict[str, Any]) -> None:
    table = Table(title="EcomSend Feed demo")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in result["products"].items():
        table.add_row(f"products {key}", str(value))
    for section in ("orders", "fulfillments"):
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
