"""What the chaos suite does on the platforms: a normalized catalog, the merchant's install and
connect, a default template, then changes, TikTok orders, fulfillments both ways and buyer
cancellations, all through the sandboxes' control APIs (the app only sees webhooks and its own
API calls). Faults on, faults off. Called by `bench/chaos.py`; `Plan` remembers what it did so
`chaos_check` knows what must be there."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from ecomsend.demo.stack import Merchant

DOMAIN = "chaos.myshopify.com"
TOML = Path(__file__).resolve().parents[1] / "shopify.app.toml"
SIZES: dict[str, dict[str, int]] = {
    "small": {"products": 30, "orders": 12, "cancellations": 4},
    "full": {"products": 500, "orders": 200, "cancellations": 30},
}
#: 20 % faults per platform API request, split over the kinds both sandboxes inject.
SHOPIFY_FAULTS = {"error_rate": 0.08, "throttle_429_rate": 0.06, "reset_rate": 0.04,
                  "timeout_rate": 0.02, "hang_s": 3.0, "retry_after_s": 1.0,
                  "webhook_duplicate_rate": 0.15, "webhook_reorder_rate": 0.15,
                  "webhook_reorder_delay_s": 1.0, "webhook_drop_rate": 0.05}
TIKTOK_FAULTS = {"error_rate": 0.08, "rate_limit_rate": 0.06, "reset_rate": 0.04,
                 "timeout_rate": 0.02, "timeout_s": 3.0,
                 "webhook_duplicate_rate": 0.15, "webhook_reorder_rate": 0.15,
                 "webhook_reorder_delay_s": 1.0}
#: Asked of the TikTok sandbox when it can drop deliveries (another engineer is adding it).
TIKTOK_DROP = {"webhook_drop_rate": 0.05}
CONCURRENCY = 8


@dataclass
class Plan:
    """What the run did to the platforms (ids as the sandboxes give them)."""

    tiktok_shop_id: str = ""
    location_id: str = ""
    skus: list[str] = field(default_factory=list)
    #: TikTok order id -> "seller" | "tiktok" (who ships) | "cancel" (the buyer cancels)
    orders: dict[str, str] = field(default_factory=dict)
    tracking: dict[str, str] = field(default_factory=dict)  # TikTok order id -> tracking number
    shopify_order: dict[str, str] = field(default_factory=dict)  # TikTok id -> Shopify id
    tiktok_drops: bool = False


async def gather_bounded(calls: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Run the calls at most CONCURRENCY at a time."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await call()
    return list(await asyncio.gather(*(one(c) for c in calls)))


async def ok(response: Awaitable[httpx.Response]) -> Any:
    """The JSON of a control-API response that must succeed (control routes are never faulted)."""
    r = await response
    r.raise_for_status()
    return r.json() if r.content else None


class Driver:
    """The merchant and the buyers, over real HTTP."""

    def __init__(self, merchant: Merchant, size: str, api_url: str) -> None:
        self.m, self.http = merchant, merchant.browser
        self.api_url = api_url  # the web process the merchant's admin calls go to
        self.n = SIZES[size]
        self.shop = f"{merchant.stack.shopify_url}/_sandbox/shops/{DOMAIN}"
        self.tiktok = merchant.stack.tiktok_url
        self.plan = Plan()

    @property
    def tts(self) -> str:
        return f"{self.tiktok}/_sandbox/shops/{self.plan.tiktok_shop_id}"

    async def catalog(self) -> None:
        """N one-variant active products with unique SKUs, a price and stock at one location."""
        made = await ok(self.http.post(f"{self.m.stack.shopify_url}/_sandbox/shops",
                                       json={"domain": DOMAIN, "locations": 1}))
        self.plan.location_id = made["location_ids"][0]
        await ok(self.http.post(f"{self.shop}/seed", json={
            "products": self.n["products"] * 5 // 4 + 5, "seed": 7, "variants_per_product": 1,
            "locations": 1}))
        products = (await ok(self.http.get(f"{self.shop}/products",
                                           params={"limit": 100000})))["products"]
        # The seed makes a few products without images, which TikTok cannot list (a listable
        # catalog is what is compared); the app is not installed yet, so no webhook fires.
        keep = [p for p in products if p.get("images")][:self.n["products"]]
        kept = {p["id"] for p in keep}
        await gather_bounded([self._delete(p["id"]) for p in products if p["id"] not in kept])
        self.plan.skus = [f"CHAOS-{i:04d}" for i in range(len(keep))]
        await gather_bounded([self._normalize(i, p) for i, p in enumerate(keep)])
        await self._toml_subscriptions()

    def _delete(self, product_id: int) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await ok(self.http.delete(f"{self.shop}/products/{product_id}"))
        return run

    async def _toml_subscriptions(self) -> None:
        """The app-level subscriptions `shopify app deploy` makes from shopify.app.toml (Shopify
        never deletes those for failing, unlike the API-created ones the install job adds)."""
        config = tomllib.loads(TOML.read_text())
        for block in config["webhooks"]["subscriptions"]:
            if block.get("topics"):
                await ok(self.http.post(f"{self.m.stack.shopify_url}/_sandbox/app/webhooks",
                                        json={"topics": block["topics"], "uri":
                                              f"{self.m.stack.app_url}{block['uri']}"}))

    def _normalize(self, i: int, product: dict[str, Any]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            variant = product["variants"][0]
            await ok(self.http.patch(f"{self.shop}/products/{product['id']}", json={
                "status": "active", "title": f"Chaos product {i:04d} first edition",
                "body_html": f"<p>Chaos product {i:04d}: a plain description.</p>"}))
            await ok(self.http.patch(f"{self.shop}/variants/{variant['id']}", json={
                "sku": self.plan.skus[i], "price": f"{20 + i % 50}.00",
                "compare_at_price": None}))
            await ok(self.http.post(f"{self.shop}/inventory/set", json={
                "inventory_item_id": variant["inventory_item_id"],
                "location_id": self.plan.location_id, "available": 60}))
        return run

    async def connect(self) -> int:
        """Install, connect a US TikTok shop, auto-sync orders and fulfillments; returns the
        connection id."""
        await self.m.install(DOMAIN)
        shop = await self.m.create_tiktok_shop("US")
        self.plan.tiktok_shop_id = shop["shop_id"]
        session = await self.m.connect_tiktok(shop["shop_id"])
        for path in ("/api/settings/orders", "/api/settings/fulfillment"):
            url = f"{self.api_url}{path}"
            current = await ok(self.http.get(url))
            await ok(self.http.put(url, json={**current, "auto_sync": True}))
        return int(session["connections"][0]["id"])

    async def activate_template(self, connection_id: int) -> int:
        """A default template from the sandbox's sample product, activated; products queued."""
        sample = await ok(self.http.get(f"{self.tts}/sample_product"))
        weight, dims = sample.get("package_weight") or {}, sample.get("package_dimensions") or {}
        body = {"name": "Chaos default", "category_id": str(sample["category_id"]),
                "is_default": True, "brand_id": sample.get("brand_id"),
                "attributes": [{"id": str(a["id"]), "values": [
                    {k: str(v[k]) for k in ("id", "name") if v.get(k)}
                    for v in a.get("values") or []]}
                    for a in sample.get("product_attributes") or []],
                "package_weight": str(weight.get("value") or "0.5"),
                "package_weight_unit": weight.get("unit") or "KILOGRAM",
                "package_dimensions": {k: dims.get(k, 10) for k in ("length", "width", "height")}
                | {"unit": dims.get("unit") or "CENTIMETER"}}
        base = f"{self.api_url}/api/connections/{connection_id}/templates"
        made = await ok(self.http.post(base, json=body))
        activated = await ok(self.http.post(f"{base}/{made['id']}/activate"))
        return int(activated["queued"])

    async def faults(self, on: bool) -> None:
        """Both platforms' faults on (seeded, reproducible) or off."""
        shopify, tiktok = f"{self.shop}/faults", f"{self.tts}/faults"
        if not on:
            await ok(self.http.delete(shopify))
            await ok(self.http.delete(tiktok))
            return
        await ok(self.http.put(shopify, json={"seed": 11, **SHOPIFY_FAULTS}))
        with_drop = await self.http.put(tiktok, json={"seed": 13, **TIKTOK_FAULTS, **TIKTOK_DROP})
        self.plan.tiktok_drops = with_drop.status_code < 300
        if not self.plan.tiktok_drops:
            await ok(self.http.put(tiktok, json={"seed": 13, **TIKTOK_FAULTS}))

    async def tiktok_products(self) -> list[dict[str, Any]]:
        return list((await ok(self.http.get(f"{self.tts}/products")))["products"])

    async def listed_skus(self) -> dict[str, str]:
        """seller_sku -> TikTok sku id of what is listed now."""
        out: dict[str, str] = {}
        for product in await self.tiktok_products():
            for sku_id, seller_sku in (product.get("seller_skus") or {}).items():
                out.setdefault(seller_sku, sku_id)
        return out

    async def change_catalog(self) -> None:
        """Every product: a new title, a new price, new stock (each fires its webhooks)."""
        products = (await ok(self.http.get(f"{self.shop}/products",
                                           params={"limit": 100000})))["products"]
        by_sku = {p["variants"][0]["sku"]: p for p in products}

        def change(i: int, sku: str) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                p = by_sku[sku]
                variant = p["variants"][0]
                await ok(self.http.patch(f"{self.shop}/products/{p['id']}", json={
                    "title": f"Chaos product {i:04d} second edition"}))
                await ok(self.http.patch(f"{self.shop}/variants/{variant['id']}", json={
                    "price": str(Decimal(variant["price"]) + Decimal("1.50"))}))
                await ok(self.http.post(f"{self.shop}/inventory/set", json={
                    "inventory_item_id": variant["inventory_item_id"],
                    "location_id": self.plan.location_id, "available": 40 + i % 17}))
            return run
        await gather_bounded([change(i, s) for i, s in enumerate(self.plan.skus)])

    async def place_orders(self, listed: dict[str, str]) -> None:
        """Orders + cancellations on listed SKUs; half the fulfilled ones shipped by TikTok."""
        skus = [listed[s] for s in self.plan.skus if s in listed]
        total = self.n["orders"] + self.n["cancellations"]

        def place(i: int) -> Callable[[], Awaitable[None]]:
            kind = "cancel" if i >= self.n["orders"] else ("seller" if i % 2 == 0 else "tiktok")

            async def run() -> None:
                body = {"line_items": [{"sku_id": skus[i % len(skus)], "quantity": 1 + i % 2}],
                        "shipping_fee": "4.99",
                        "shipping_type": "TIKTOK" if kind == "tiktok" else "SELLER"}
                order = await ok(self.http.post(f"{self.tts}/orders", json=body))
                self.plan.orders[str(order["id"])] = kind
            return run
        await gather_bounded([place(i) for i in range(total)])

    async def shopify_orders(self) -> list[dict[str, Any]]:
        return list((await ok(self.http.get(f"{self.shop}/orders")))["orders"])

    async def follow_up(self, deadline_s: float) -> None:
        """As each order reaches Shopify: fulfil it (either way) or have the buyer cancel it."""
        done: set[str] = set()
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline_s
        while len(done) < len(self.plan.orders) and loop.time() < end:
            for order in await self.shopify_orders():
                tid = str(order.get("source_identifier") or "")
                if tid in self.plan.orders and tid not in done:
                    self.plan.shopify_order.setdefault(tid, str(order["id"]))
                    await self._follow_one(tid, len(done))
                    done.add(tid)
            await asyncio.sleep(0.5)

    async def _follow_one(self, tid: str, i: int) -> None:
        kind = self.plan.orders[tid]
        if kind == "cancel":
            await ok(self.http.post(f"{self.tts}/orders/{tid}/cancel", json={
                "initiator": "BUYER", "reason": "chaos"}))
        elif kind == "seller":
            number = f"1Z999AA1{int(tid) % 10**10:010d}"
            self.plan.tracking[tid] = number
            await ok(self.http.post(f"{self.shop}/orders/{self.plan.shopify_order[tid]}/fulfill",
                                    json={"tracking": {"company": "UPS", "number": number}}))
        else:
            number = f"TT{int(tid) % 10**14:014d}"
            self.plan.tracking[tid] = number
            await ok(self.http.post(f"{self.tts}/orders/{tid}/ship",
                                    json={"tracking_number": number}))
