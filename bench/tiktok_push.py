"""Benchmark: push 2,000 inventory updates through the TikTok client against the sandbox.

Starts the TikTok sandbox in-process on a real port (BackgroundServer), seeds one US shop with
products, connects it through OAuth like the app does, then pushes inventory updates with many
concurrent callers (more demand than TikTok's 50 QPS per API). The client's bucket paces them.

Prints ONE JSON object as its last line:
{"requests": N, "seconds": s, "achieved_qps": x, "limit_qps": 50, "ratio": x/50, "throttled": k}
where `throttled` counts 429s seen by the sandbox or the client (target 0, ratio ≥ 0.9).

Run: .venv/bin/python bench/tiktok_push.py [--updates 2000] [--products 20] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from typing import Any

import httpx

from ecomsend.integrations.tiktok import ClientConfig, ShopContext, TikTokClient, TokenSet
from ecomsend.integrations.tiktok.models.products import InventoryInput, SkuInventoryUpdate
from ecomsend.ratelimit import InProcessRateLimiter
from ecomsend.sandbox.tiktok.app import create_app
from ecomsend.serving import BackgroundServer

APP_KEY = "bench-app-key"
APP_SECRET = "bench-app-secret"
#: TikTok's documented default: 50 QPS per API per app+shop (rate-limits guide).
LIMIT_QPS = 50
INVENTORY_API = "POST /product/202309/products/{product_id}/inventory/update"


async def _persist(shop: ShopContext, tokens: TokenSet) -> None:
    """The bench has no DB: refreshed tokens live in the ShopContext only."""


async def seed(control: httpx.AsyncClient, products: int) -> tuple[dict[str, Any], list[Any]]:
    """One US shop with `products` live listings; returns the shop view and (pid, sku, wh)."""
    view = (await control.post("/_sandbox/shops", json={"region": "US"})).json()
    targets = []
    for _ in range(products):
        body = (await control.get(f"/_sandbox/shops/{view['shop_id']}/sample_product",
                                  params={"skus": 1})).json()
        body["status"] = "ACTIVATE"
        resp = await control.post(f"/_sandbox/shops/{view['shop_id']}/products", json=body)
        resp.raise_for_status()
        state = resp.json()
        sku = state["skus"][0]
        targets.append((state["id"], sku["id"], sku["inventory"][0]["warehouse_id"]))
    return view, targets


async def push(client: TikTokClient, shop: ShopContext, targets: list[Any], updates: int,
               concurrency: int) -> float:
    """Push `updates` inventory updates with `concurrency` callers; returns elapsed seconds."""
    jobs = iter(zip(range(updates), itertools.cycle(targets), strict=False))

    async def worker() -> None:
        for i, (pid, sku, wh) in jobs:
            await client.products.update_inventory(shop, pid, [SkuInventoryUpdate(
                id=sku, inventory=[InventoryInput(warehouse_id=wh, quantity=1 + i % 500)])])

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start


async def run(args: argparse.Namespace) -> dict[str, Any]:
    app = create_app(APP_KEY, APP_SECRET, audit_delay_s=0.05)
    with BackgroundServer(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as control:
            view, targets = await seed(control, args.products)
            config = ClientConfig(app_key=APP_KEY, app_secret=APP_SECRET, api_base_url=url,
                                  auth_base_url=url)
            async with TikTokClient(config, InProcessRateLimiter(), _persist) as client:
                tokens = TokenSet.from_response(
                    await client.auth.get_access_token(view["auth_code"]))
                shops = await client.shops.get_authorized_shops(ShopContext(tokens=tokens))
                mine = next(s for s in shops.shops if s.id == view["shop_id"])
                shop = ShopContext(tokens=tokens, shop_id=mine.id, cipher=mine.cipher,
                                   region=mine.region)
                await control.delete("/_sandbox/requests")
                seconds = await push(client, shop, targets, args.updates, args.concurrency)
                client_429 = client.rate_limited_seen
            log = (await control.get("/_sandbox/requests",
                                     params={"shop_id": view["shop_id"]})).json()
    pushes = [r for r in log["requests"] if r["api"] == INVENTORY_API]
    server_429 = sum(1 for r in pushes if r["http_status"] == 429)
    ok = sum(1 for r in pushes if r["http_status"] == 200 and r["code"] == 0)
    qps = args.updates / seconds
    print(f"sandbox saw {len(pushes)} inventory requests ({ok} ok, {server_429} × 429); "
          f"client saw {client_429} × 429", file=sys.stderr)
    return {"requests": args.updates, "seconds": round(seconds, 3),
            "achieved_qps": round(qps, 2), "limit_qps": LIMIT_QPS,
            "ratio": round(qps / LIMIT_QPS, 4), "throttled": max(server_429, client_429)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    result = asyncio.run(run(parser.parse_args()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
