"""Benchmark: Web Vitals of the admin's Products page in Chromium, with a large catalog.

Starts both sandboxes and the app (embedded default, SQLite) each in its own process, seeds a
store with `--products` products (default 10,000), installs and connects through the real OAuth
flows, waits for the bulk import, then loads `/products` `--loads` times (default 20), each in a
fresh browser context (cold cache), in Debian's Chromium driven by Playwright:

- LCP: the last `largest-contentful-paint` entry once the table's rows are shown;
- CLS: the sum of `layout-shift` values without recent input, until the page settled;
- INP: the longest `event` timing entry with an interactionId while the merchant opens the
  filter menu and selects three rows (what Chrome reports as INP for so few interactions);
- transfer: bytes of JS and CSS on the first load (`transferSize`, gzip as served; the
  merchant signs in through the context's request client, so the page's cache starts cold);
- the p50 latency of the page's two first API calls, to tell the server's share from the UI's.

Baseline, same run, same browser: the least work the task needs with nothing of ours in it —
a static HTML document with the same first 50 rows (thumbnail, title, status, variants) in a
plain `<table>` with a checkbox per row, served by the standard library's http.server. Its LCP
and INP are the floor of this machine and browser; the ratios say how far above it we are.

Prints ONE JSON object as its last line:
{"products", "loads", "lcp_p75_ms", "cls", "inp_p75_ms", "transfer_kb_gz",
 "baseline_lcp_p75_ms", "baseline_inp_p75_ms", "lcp_ratio_to_baseline",
 "inp_ratio_to_baseline", "inp_filter_p75_ms", "inp_select_p75_ms",
 "api_products_p50_ms", "api_filters_p50_ms", "cpu_calibration_ms"}
(targets: LCP p75 ≤ 1000 ms, CLS ≤ 0.05, INP p75 ≤ 100 ms, transfer ≤ 450 KB).

Run: .venv/bin/python bench/ui_products_page.py [--products 10000] [--loads 20]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import statistics
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from benchlib import cpu_calibration_ms
from playwright.async_api import Browser, Page, async_playwright

from ecomsend.db.migrate import upgrade
from ecomsend.demo.stack import LocalStack, Merchant

DOMAIN = "bench-ui.myshopify.com"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
#: Collects the Web Vitals entries from the first paint on (buffered observers).
VITALS_INIT = """
window.__vitals = {lcp: 0, cls: 0, inp: 0, phases: null};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__vitals.lcp = e.startTime;
}).observe({type: 'largest-contentful-paint', buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__vitals.cls += e.value;
}).observe({type: 'layout-shift', buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (!e.interactionId) continue;
    window.__vitals.inp = Math.max(window.__vitals.inp, e.duration);
    // Diagnostics (stderr): the longest interaction's input delay, processing (its first
    // handler's start to its last one's end: pointerdown to click) and presentation delay.
    const all = (window.__ix = window.__ix || {});
    const ix = all[e.interactionId] || (all[e.interactionId] = {start: e.startTime,
      first: e.processingStart, last: e.processingEnd, end: e.startTime + e.duration});
    ix.last = Math.max(ix.last, e.processingEnd);
    ix.end = Math.max(ix.end, e.startTime + e.duration);
    if (ix.end - ix.start >= window.__vitals.inp)
      window.__vitals.phases = [ix.first - ix.start, ix.last - ix.first, ix.end - ix.last];
  }
}).observe({type: 'event', buffered: true, durationThreshold: 16});
"""
ROW = "table tbody tr"
SETTLE_MS = 600


def p75(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=4)[2], 1) if len(values) > 1 else values[0]


async def _seed(stack: LocalStack, products: int) -> None:
    """Store with `products` products, installed and connected; waits for the import."""
    merchant = Merchant(stack)
    try:
        await merchant.create_store(DOMAIN, products=products)
        await merchant.install(DOMAIN)
        tts = await merchant.create_tiktok_shop("US")
        session = await merchant.connect_tiktok(tts["shop_id"])
        conn = session["connections"][0]["id"]
        async with asyncio.timeout(600):
            while True:
                page = (await merchant.browser.get(
                    f"{stack.app_url}/api/connections/{conn}/products",
                    params={"page_size": 1})).json()
                if page.get("total", 0) >= products:
                    return
                await asyncio.sleep(1)
    finally:
        await merchant.close()


async def _vitals(page: Page) -> dict[str, Any]:
    await page.wait_for_timeout(SETTLE_MS)
    vitals: dict[str, Any] = await page.evaluate("() => window.__vitals")
    return vitals


async def _measure_app(browser: Browser, stack: LocalStack, loads: int) -> dict[str, Any]:
    lcp: list[float] = []
    cls: list[float] = []
    inp: list[float] = []
    filters: list[float] = []
    selects: list[float] = []
    phases: dict[str, list[list[float]]] = {"filter": [], "select": []}
    transfer = 0.0
    for i in range(loads):
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        await context.add_init_script(VITALS_INIT)
        # Sign in through the context's request client (it shares the cookie jar, not the
        # HTTP cache): the measured load below starts with a cold cache.
        await context.request.get(f"{stack.app_url}/auth/shopify/install?shop={DOMAIN}")
        page = await context.new_page()
        await page.goto(f"{stack.app_url}/products")
        await page.locator(ROW).first.wait_for()
        vitals = await _vitals(page)
        lcp.append(vitals["lcp"])
        filter_ms, select_ms = await _interact_app(page, phases)
        cls.append((await _vitals(page))["cls"])
        inp.append(max(filter_ms, select_ms))
        filters.append(filter_ms)
        selects.append(select_ms)
        if i == 0:
            transfer = await page.evaluate("""() => performance.getEntriesByType('resource')
                .filter(r => /\\.(js|css)(\\?|$)/.test(r.name))
                .reduce((sum, r) => sum + r.transferSize, 0)""")
        await context.close()
    for name, rows in phases.items():
        if rows:
            delay, processing, presentation = (p75([row[i] for row in rows]) for i in range(3))
            print(f"INP {name} p75 of its phases (ms): input delay {delay}, processing "
                  f"{processing}, presentation delay {presentation}", file=sys.stderr)
    return {"lcp": lcp, "cls": cls, "inp": inp, "transfer_bytes": transfer,
            "inp_filter": filters, "inp_select": selects}


async def _interact_app(page: Page, phases: dict[str, list[list[float]]]) -> tuple[float, float]:
    """Open the filter menu, then select three rows, as a merchant would; returns the longest
    interaction of each (ms) and adds its phases (input delay, processing, presentation delay)
    to `phases`."""
    await page.evaluate("() => { window.__vitals.inp = 0; window.__vitals.phases = null; }")
    await page.get_by_role("button", name="Search and filter results").click()
    await page.wait_for_timeout(300)
    vitals = await _vitals(page)
    filter_ms: float = vitals["inp"]
    if vitals.get("phases"):
        phases["filter"].append(vitals["phases"])
    await page.keyboard.press("Escape")
    cancel = page.get_by_role("button", name="Cancel")
    if await cancel.count():
        await cancel.click()
    await page.wait_for_timeout(300)
    await page.evaluate("() => { window.__vitals.inp = 0; window.__vitals.phases = null; }")
    boxes = page.locator(f"{ROW} input[type=checkbox]")
    for n in range(3):
        await boxes.nth(n).click(force=True)
        await page.wait_for_timeout(50)
    vitals = await _vitals(page)
    select_ms: float = vitals["inp"]
    if vitals.get("phases"):
        phases["select"].append(vitals["phases"])
    return filter_ms, select_ms


async def _api_timings(stack: LocalStack) -> dict[str, float]:
    """p50 of the two calls the Products page makes first (list page, filter values)."""
    async with httpx.AsyncClient(base_url=stack.app_url, follow_redirects=True,
                                 timeout=30) as client:
        await client.get(f"/auth/shopify/install?shop={DOMAIN}")
        conn = (await client.get("/api/session")).json()["connections"][0]["id"]
        out = {}
        for name, path in (("products", f"/api/connections/{conn}/products?page_size=50"),
                           ("filters", f"/api/connections/{conn}/products/filters")):
            times = []
            for _ in range(10):
                began = time.perf_counter()
                (await client.get(path)).raise_for_status()
                times.append((time.perf_counter() - began) * 1000)
            out[f"api_{name}_p50_ms"] = round(statistics.median(times), 1)
    return out


def _baseline_document(titles: list[str]) -> str:
    rows = "".join(
        f"<tr><td><input type=checkbox aria-label='Select {html.escape(t)}'></td>"
        f"<td><img alt='' width=40 height=40 src='data:image/gif;base64,"
        f"R0lGODlhAQABAAAAACw='></td><td>{html.escape(t)}</td><td>Not synced</td>"
        f"<td>3</td></tr>" for t in titles)
    return ("<!doctype html><html lang=en><meta charset=utf-8><title>Products</title>"
            "<h1>Products</h1><button>Filter</button><table><thead><tr><th></th><th></th>"
            f"<th>Title</th><th>Status</th><th>Variants</th></tr></thead><tbody>{rows}"
            "</tbody></table></html>")


async def _measure_baseline(browser: Browser, titles: list[str], loads: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="ui-baseline-"))
    (folder / "products.html").write_text(_baseline_document(titles))
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/products.html"
    lcp, inp = [], []
    try:
        for _ in range(loads):
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            await context.add_init_script(VITALS_INIT)
            page = await context.new_page()
            await page.goto(url)
            await page.get_by_role("button", name="Filter").click()
            boxes = page.locator(f"{ROW} input[type=checkbox]")
            for n in range(3):
                await boxes.nth(n).click()
                await page.wait_for_timeout(50)
            vitals = await _vitals(page)
            lcp.append(vitals["lcp"])
            inp.append(vitals["inp"])
            await context.close()
    finally:
        server.shutdown()
    return {"lcp": lcp, "inp": inp}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


async def _titles(stack: LocalStack) -> list[str]:
    """The first page of titles as the app lists them (for the baseline document)."""
    async with httpx.AsyncClient(base_url=stack.app_url, follow_redirects=True) as client:
        await client.get(f"/auth/shopify/install?shop={DOMAIN}")
        conn = (await client.get("/api/session")).json()["connections"][0]["id"]
        body = (await client.get(f"/api/connections/{conn}/products",
                                 params={"page_size": 50})).json()
    return [str(item["title"]) for item in body["items"]]


async def _run(stack: LocalStack, args: argparse.Namespace) -> tuple[dict[str, Any],
                                                                     dict[str, Any]]:
    await _seed(stack, args.products)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
        app = await _measure_app(browser, stack, args.loads)
        app["api"] = await _api_timings(stack)
        baseline = await _measure_baseline(browser, await _titles(stack), args.loads)
        await browser.close()
    return app, baseline


def main(args: argparse.Namespace) -> dict[str, Any]:
    calibration = cpu_calibration_ms()
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        stack = LocalStack(Path(tmp), sandboxes_in_processes=True, app_in_process=False)
        upgrade(stack.settings)
        with stack:
            app, baseline = asyncio.run(_run(stack, args))
    lcp, base_lcp = p75(app["lcp"]), p75(baseline["lcp"])
    inp, base_inp = p75(app["inp"]), p75(baseline["inp"])
    return {
        "products": args.products, "loads": args.loads,
        "lcp_p75_ms": lcp, "cls": round(max(app["cls"]), 4), "inp_p75_ms": inp,
        "transfer_kb_gz": round(app["transfer_bytes"] / 1024, 1),
        "baseline_lcp_p75_ms": base_lcp, "baseline_inp_p75_ms": base_inp,
        "lcp_ratio_to_baseline": round(lcp / base_lcp, 2) if base_lcp else None,
        "inp_ratio_to_baseline": round(inp / base_inp, 2) if base_inp else None,
        "inp_filter_p75_ms": p75(app["inp_filter"]), "inp_select_p75_ms": p75(app["inp_select"]),
        **app["api"],
        "cpu_calibration_ms": calibration,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=20)
    result = main(parser.parse_args())
    print(json.dumps(result), file=sys.stdout)
