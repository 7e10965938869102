"""One merchant on a running LocalStack: a Shopify store and a TikTok shop connected through the
real OAuth flows, TikTok listings linked to Shopify variants, and helpers to act on both
sandboxes and read the app's Orders API — all over real HTTP."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select

from ecomsend.db.models import ProductLink, TikTokShop
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant

T = TypeVar("T")
_counter = itertools.count(1)


@dataclass
class Linked:
    sku_id: str
    seller_sku: str
    variant_gid: str
    product_gid: str
    tiktok_product_id: str


@dataclass
class Env:
    stack: LocalStack
    db: Database
    merchant: Merchant
    domain: str
    tiktok_shop_id: str
    tts_pk: int
    linked: list[Linked] = field(default_factory=list)
    unlinked: list[Linked] = field(default_factory=list)

    @property
    def http(self) -> Any:
        return self.merchant.browser

    # --- the app's API -----------------------------------------------------------------------
    async def api(self, method: str, path: str, **kw: Any) -> Any:
        response = await self.http.request(method, f"{self.stack.app_url}{path}", **kw)
        assert response.status_code < 300, (response.status_code, response.text)
        return response.json()

    async def app_order(self, order_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.api("GET", f"/api/orders/{order_id}")
        return result

    async def settings(self, orders: dict[str, Any] | None = None,
                       fulfillment: dict[str, Any] | None = None) -> None:
        if orders is not None:
            current = await self.api("GET", "/api/settings/orders")
            await self.api("PUT", "/api/settings/orders", json={**current, **orders})
        if fulfillment is not None:
            current = await self.api("GET", "/api/settings/fulfillment")
            await self.api("PUT", "/api/settings/fulfillment", json={**current, **fulfillment})

    # --- TikTok sandbox ----------------------------------------------------------------------
    async def tiktok(self, method: str, path: str, **kw: Any) -> Any:
        url = f"{self.stack.tiktok_url}/_sandbox/shops/{self.tiktok_shop_id}{path}"
        response = await self.http.request(method, url, **kw)
        assert response.status_code < 300, (response.status_code, response.text)
        return response.json()

    async def place_order(self, lines: list[tuple[Linked, int]], **body: Any) -> dict[str, Any]:
        items = [{"sku_id": item.sku_id, "quantity": qty} for item, qty in lines]
        order: dict[str, Any] = await self.tiktok("POST", "/orders",
                                                  json={"line_items": items, **body})
        return order

    async def tiktok_order(self, order_id: str) -> dict[str, Any]:
        order: dict[str, Any] = await self.tiktok("GET", f"/orders/{order_id}")
        return order

    # --- Shopify sandbox ---------------------------------------------------------------------
    async def shopify(self, method: str, path: str, **kw: Any) -> Any:
        url = f"{self.stack.shopify_url}/_sandbox/shops/{self.domain}{path}"
        response = await self.http.request(method, url, **kw)
        assert response.status_code < 300, (response.status_code, response.text)
        return response.json()

    async def shopify_orders_for(self, tiktok_order_id: str) -> list[dict[str, Any]]:
        orders = (await self.shopify("GET", "/orders"))["orders"]
        return [o for o in orders if o.get("source_identifier") == tiktok_order_id]

    async def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        async with self.db.sessionmaker() as session:
            from ecomsend.db.models import Shop
            token = (await session.execute(select(Shop.access_token).where(
                Shop.domain == self.domain))).scalar_one()
        response = await self.http.post(
            f"{self.stack.shopify_url}/store/{self.domain}/admin/api/2026-07/graphql.json",
            json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": token})
        body: dict[str, Any] = response.json()
        assert not body.get("errors"), body
        return body["data"]

    async def link(self, item: Linked) -> None:
        async with self.db.unit_of_work() as session:
            session.add(ProductLink(tiktok_shop_id=self.tts_pk,
                                    shopify_product_id=item.product_gid,
                                    shopify_variant_id=item.variant_gid,
                                    tiktok_product_id=item.tiktok_product_id,
                                    tiktok_sku_id=item.sku_id, origin="linked"))


async def until(probe: Callable[[], Awaitable[T | None]], timeout: float = 20,
                what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy."""
    last: T | None = None
    try:
        async with asyncio.timeout(timeout):
            while True:
                last = await probe()
                if last:
                    return last
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}; last={last!r}") from None


async def order_status(env: Env, order_id: str, want: set[str], key: str = "order_sync",
                       timeout: float = 20) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await env.http.get(f"{env.stack.app_url}/api/orders/{order_id}")
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body if (body[key] or {}).get("status") in want else None
    return await until(probe, timeout, f"{order_id} {key} in {want}")


async def create_store(merchant: Merchant, domain: str, products: int) -> None:
    """A Shopify store with one location and `products` one-variant products in stock."""
    control = f"{merchant.stack.shopify_url}/_sandbox/shops"
    shop = await merchant.browser.post(control, json={"domain": domain, "locations": 1})
    shop.raise_for_status()
    [location] = shop.json()["location_ids"]
    for i in range(products):
        made = await merchant.browser.post(f"{control}/{domain}/products", json={
            "title": f"E2E product {i}", "variants": [
                {"sku": f"SHOP-{domain[:12]}-{i}", "price": f"{19 + i}.00",
                 "inventory": {location: 100}}]})
        made.raise_for_status()


async def make_env(stack: LocalStack, db: Database, *, region: str = "US",
                   products: int = 3, unlinked: int = 1) -> Env:
    """A fresh Shopify store + TikTok shop, installed and connected; TikTok listings made from
    the sandbox's sample product, each SKU linked to a Shopify variant (`unlinked` left out)."""
    n = next(_counter)
    domain = f"orders-e2e-{n}.myshopify.com"
    merchant = Merchant(stack)
    await create_store(merchant, domain, products)
    await merchant.install(domain)
    tts = await merchant.create_tiktok_shop(region)
    await merchant.connect_tiktok(tts["shop_id"])
    async with db.sessionmaker() as session:
        tts_pk = (await session.execute(select(TikTokShop.id).where(
            TikTokShop.tiktok_shop_id == tts["shop_id"]))).scalar_one()
    env = Env(stack, db, merchant, domain, tts["shop_id"], tts_pk)
    variants = [(p["admin_graphql_api_id"], v["admin_graphql_api_id"])
                for p in (await env.shopify("GET", "/products"))["products"]
                for v in p["variants"]]
    items: list[Linked] = []
    for i in range(products):
        sample = await env.tiktok("GET", "/sample_product", params={"skus": 1})
        for sku in sample["skus"]:
            sku["seller_sku"] = f"E2E-{n}-{i}-{sku.get('seller_sku', '')}"[:50]
            for inv in sku.get("inventory", []):
                inv["quantity"] = 500
        product = await env.tiktok("POST", "/products", json=sample)
        for sku in product["skus"]:
            product_gid, variant_gid = variants[len(items) % len(variants)]
            items.append(Linked(sku["id"], sku["seller_sku"], variant_gid, product_gid,
                                product["id"]))
    env.unlinked = items[len(items) - unlinked:] if unlinked else []
    env.linked = items[:len(items) - unlinked] if unlinked else items
    for item in env.linked:
        await env.link(item)
    await until(lambda: _subscribed(env), 30, "Shopify webhook subscriptions")
    return env


async def _subscribed(env: Env) -> bool:
    subs = (await env.shopify("GET", "/webhooks"))["subscriptions"]
    return "fulfillments/create" in {s["topic"] for s in subs}
