"""A 100,000-product bulk export over real HTTP, the sandbox in its own process."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ecomsend.integrations.shopify import ShopifyClient, start_catalog_export
from ecomsend.ratelimit import InProcessRateLimiter
from ecomsend.serving import free_port

from .conftest import API_KEY, API_SECRET

PRODUCTS = 100_000
#: One variant each keeps the test near 30 s on 2 cores; the bench does 3 (and the DB write).
VARIANTS = 1
DOMAIN = "volume.myshopify.com"


@pytest.fixture
def sandbox_process() -> Iterator[str]:
    """The sandbox as a subprocess, so its CPU is not taken from the test's own process."""
    port = free_port()
    script = Path(sys.executable).with_name("ecomsend")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "ecomsend.cli"]
    proc = subprocess.Popen([*head, "sandbox", "shopify", "--port", str(port), "--api-key",
                             API_KEY, "--api-secret", API_SECRET, "--bulk-delay-s", "0.01",
                             # No simulated run time (2,000 objects/s would add 100 s): this
                             # test is about streaming the file, tests/sandbox_shopify about
                             # the lifecycle.
                             "--bulk-objects-per-s", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/_sandbox/shops/{DOMAIN}")
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline and proc.poll() is None, "sandbox did not start"
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_hundred_thousand_product_export(sandbox_process: str) -> None:
    async with httpx.AsyncClient(base_url=sandbox_process, timeout=300) as control:
        token = (await control.post("/_sandbox/shops", json={"domain": DOMAIN,
                                                             "locations": 3})).json()
        seeded = (await control.post(f"/_sandbox/shops/{DOMAIN}/seed", json={
            "products": PRODUCTS, "variants_per_product": VARIANTS, "seed": 1})).json()
    assert seeded["variants"] == PRODUCTS * VARIANTS
    products = variants = levels = 0
    async with ShopifyClient(DOMAIN, token["access_token"], limiter=InProcessRateLimiter(),
                             base_url=f"{sandbox_process}/store/{DOMAIN}") as client:
        export = await start_catalog_export(client, with_collections=False)
        async for product in export.products():
            products += 1
            variants += len(product.variants)
            levels += sum(len(v.inventory_levels) for v in product.variants)
    assert (products, variants, levels) == (PRODUCTS, PRODUCTS * VARIANTS,
                                            seeded["inventory_levels"])
    stats = export.stats
    assert stats is not None and stats.orphans == 0 and stats.flushed_incomplete == 0
    assert stats.peak_pending <= 10  # streamed: products leave memory as they complete
