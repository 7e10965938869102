"""The inventory-latency baseline (issue 12 §1; a helper of bench/inventory_latency.py).

The least work the task needs, with nothing of ours in it: a bare ASGI endpoint (no framework,
no database, no queue) that receives Shopify's signed `inventory_levels/update` webhooks,
checks the HMAC (constant time), answers 200 and calls TikTok's Update Inventory for the
variant straight away (a hand-written request signer, plain httpx), retrying after a 429.
It serves its own Shopify store and TikTok shop (made here through the sandboxes' control
APIs, one TikTok product per Shopify variant), so the app's stack stays untouched.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

INVENTORY_PATH = "/product/202309/products/{product_id}/inventory/update"
#: Pause before retrying a push TikTok refused with 429 (its window is one second).
RETRY_429_S = 0.2


def tiktok_sign(secret: str, path: str, query: dict[str, str], body: bytes) -> str:
    """TikTok's request signature (reference §2): hex HMAC-SHA256 over secret + path + sorted
    k+v (minus sign, access_token) + body + secret."""
    base = path + "".join(f"{k}{query[k]}" for k in sorted(query)
                          if k not in ("sign", "access_token"))
    wrapped = secret.encode() + base.encode() + body + secret.encode()
    return hmac.new(secret.encode(), wrapped, hashlib.sha256).hexdigest()


@dataclass
class BareEndpoint:
    """The ASGI app; `targets` maps Shopify's numeric inventory item id to (TikTok product,
    SKU, warehouse). `pushes` counts TikTok calls, `throttled` the 429s among them."""

    shopify_secret: str
    tiktok_url: str
    app_key: str
    app_secret: str
    access_token: str
    cipher: str
    shop_id: str = ""
    targets: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    pushes: int = 0
    throttled: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _http: httpx.AsyncClient | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        digest = base64.b64encode(hmac.new(self.shopify_secret.encode(), body,
                                           hashlib.sha256).digest()).decode()
        ok = hmac.compare_digest(digest, headers.get("x-shopify-hmac-sha256", ""))
        await send({"type": "http.response.start", "status": 200 if ok else 401,
                    "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        if ok:
            payload = json.loads(body)
            target = self.targets.get(int(payload["inventory_item_id"]))
            if target is not None and payload.get("available") is not None:
                task = asyncio.create_task(self.push(target, int(payload["available"])))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def push(self, target: tuple[str, str, str], quantity: int) -> None:
        """TikTok Update Inventory for one SKU, signed by hand; retried after a 429."""
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.tiktok_url, timeout=30)
        product_id, sku_id, warehouse = target
        path = INVENTORY_PATH.format(product_id=product_id)
        body = json.dumps({"skus": [{"id": sku_id, "inventory": [
            {"warehouse_id": warehouse, "quantity": quantity}]}]}).encode()
        while True:
            query = {"app_key": self.app_key, "timestamp": str(int(time.time())),
                     "shop_cipher": self.cipher}
            query["sign"] = tiktok_sign(self.app_secret, path, query, body)
            self.pushes += 1
            response = await self._http.post(path, params=query, content=body, headers={
                "x-tts-access-token": self.access_token, "content-type": "application/json"})
            if response.status_code != 429:
                return
            self.throttled += 1
            await asyncio.sleep(RETRY_429_S)


async def make_world(http: httpx.AsyncClient, shopify_url: str, tiktok_url: str, domain: str,
                     products: int, keys: dict[str, str]) -> tuple[BareEndpoint, list[Any]]:
    """The baseline's own store and TikTok shop: `products` one-variant products on both sides,
    linked by position. Returns the endpoint (without its webhook subscription yet) and the
    driver's targets (inventory item GID, location GID, TikTok product id)."""
    control = f"{shopify_url}/_sandbox/shops"
    made = (await http.post(control, json={"domain": domain, "locations": 1})).json()
    location = made["location_ids"][0]
    for i in range(products):
        (await http.post(f"{control}/{domain}/products", json={
            "title": f"Baseline {i}", "variants": [
                {"sku": f"BASE-{i}", "price": "10.00", "inventory": {location: 10}}]})
         ).raise_for_status()
    variants = [v for p in (await http.get(f"{control}/{domain}/products")).json()["products"]
                for v in p["variants"]]
    view = (await http.post(f"{tiktok_url}/_sandbox/shops", json={"region": "US"})).json()
    token = (await http.get(f"{tiktok_url}/api/v2/token/get", params={
        "app_key": keys["app_key"], "app_secret": keys["app_secret"],
        "auth_code": view["auth_code"], "grant_type": "authorized_code"})).json()["data"]
    endpoint = BareEndpoint(keys["shopify_secret"], tiktok_url, keys["app_key"],
                            keys["app_secret"], token["access_token"], view["cipher"],
                            shop_id=str(view["shop_id"]))
    driver_targets = []
    for variant in variants:
        sample = (await http.get(f"{tiktok_url}/_sandbox/shops/{view['shop_id']}/"
                                 "sample_product", params={"skus": 1})).json()
        sample["status"] = "ACTIVATE"
        state = (await http.post(f"{tiktok_url}/_sandbox/shops/{view['shop_id']}/products",
                                 json=sample)).json()
        sku = state["skus"][0]
        item_gid = str(variant["inventory_item_id"])
        numeric = int(item_gid.rsplit("/", 1)[-1])
        endpoint.targets[numeric] = (state["id"], sku["id"], sku["inventory"][0]["warehouse_id"])
        driver_targets.append((f"gid://shopify/InventoryItem/{numeric}", str(location),
                               state["id"]))
    return endpoint, driver_targets


async def subscribe(http: httpx.AsyncClient, shopify_url: str, domain: str, uri: str) -> None:
    """Subscribe the bare endpoint to the store's inventory_levels/update webhooks."""
    (await http.post(f"{shopify_url}/_sandbox/shops/{domain}/webhooks", json={
        "topic": "inventory_levels/update", "uri": uri})).raise_for_status()
