"""The `/_sandbox/` control API (documented in CONTROL.md): seed, drive, inspect, inject faults."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from ecomsend.sandbox.tiktok.audit import finish_audit
from ecomsend.sandbox.tiktok.control_base import NotFound, body_of, endpoint, get_shop
from ecomsend.sandbox.tiktok.control_orders import order_routes
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.faults import FaultSpec
from ecomsend.sandbox.tiktok.markets import MARKETS
from ecomsend.sandbox.tiktok.product_model import wire_product
from ecomsend.sandbox.tiktok.products import store_new_product
from ecomsend.sandbox.tiktok.refdata import catalog
from ecomsend.sandbox.tiktok.samples import sample_product
from ecomsend.sandbox.tiktok.shops import apply_settings, create_shop, shop_view
from ecomsend.sandbox.tiktok.state import Product, Shop, now


def get_product(sb: Sandbox, request: Request) -> tuple[Shop, Product]:
    """The shop and the product named in the path."""
    shop = get_shop(sb, request)
    product = shop.products.get(request.path_params["product_id"])
    if product is None:
        raise NotFound(f"unknown product {request.path_params['product_id']}")
    return shop, product


def product_state(sb: Sandbox, shop: Shop, product: Product) -> dict[str, Any]:
    """Get Product shape plus inventory/price/seller_sku maps for assertions."""
    return {**wire_product(sb, shop, product),
            "inventory": {s["id"]: {i["warehouse_id"]: i["quantity"] for i in s["inventory"]}
                          for s in product.skus},
            "committed": {s["id"]: dict(s.get("committed") or {}) for s in product.skus},
            "prices": {s["id"]: s["price"]["amount"] for s in product.skus},
            "seller_skus": {s["id"]: s["seller_sku"] for s in product.skus}}


def global_routes(sb: Sandbox) -> list[Route]:
    """Reset, webhooks, request log, app-wide faults, token expiry."""

    async def reference(request: Request) -> Any:
        region = request.path_params["region"].upper()
        if region not in MARKETS:
            raise NotFound(f"unknown region {region}")
        m = MARKETS[region]
        cat = catalog(region, m.category_version)
        return {"region": region, "currency": m.currency, "locale": m.locale,
                "price_min": str(m.price_min), "price_max": str(m.price_max),
                "cross_border_price_max": str(m.cb_price_max), "title_max": m.title_max,
                "category_version": m.category_version, "weight_units": list(m.weight_units),
                "dimension_units": list(m.dimension_units), "max_skus": m.max_skus,
                "categories": len(cat.categories), "leaf_categories": len(cat.leaves()),
                "brands": len(cat.brands)}

    async def reset(request: Request) -> Any:
        sb.reset()
        return {}

    async def requests_log(request: Request) -> Any:
        q = request.query_params
        found = [e for e in sb.store.request_log
                 if (not q.get("shop_id") or e["shop_id"] == q["shop_id"])
                 and (not q.get("api") or e["api"] == q["api"])]
        limit = int(q.get("limit", "0"))
        return {"total": len(found), "counts": dict(Counter(e["api"] for e in found)),
                "requests": found[-limit:] if limit > 0 else found}

    async def clear_requests(request: Request) -> Any:
        sb.store.request_log.clear()
        return {}

    async def put_faults(request: Request) -> Any:
        sb.store.faults = FaultSpec.from_json(await body_of(request))
        return sb.store.faults.to_json()

    async def delete_faults(request: Request) -> Any:
        sb.store.faults = None
        return {}

    async def expire_tokens(request: Request) -> Any:
        body = await body_of(request)
        tokens = [t for t in sb.store.tokens.values()
                  if t.access_token == body.get("access_token")
                  or (body.get("shop_id") and body["shop_id"] in t.shop_ids)]
        for token in tokens:
            token.access_expire = now() - 1
            if body.get("refresh"):
                token.refresh_expire = now() - 1
        return {"expired": len(tokens)}

    e = endpoint
    return [*webhook_routes(sb),
            Route("/_sandbox/reset", e(reset), methods=["POST"]),
            Route("/_sandbox/reference/{region}", e(reference), methods=["GET"]),
            Route("/_sandbox/requests", e(requests_log), methods=["GET"]),
            Route("/_sandbox/requests", e(clear_requests), methods=["DELETE"]),
            Route("/_sandbox/faults", e(put_faults), methods=["PUT"]),
            Route("/_sandbox/faults", e(delete_faults), methods=["DELETE"]),
            Route("/_sandbox/tokens/expire", e(expire_tokens), methods=["POST"])]


def webhook_routes(sb: Sandbox) -> list[Route]:
    """App-level webhook URL, the delivery log and drain."""

    async def set_webhook(request: Request) -> Any:
        url = (await body_of(request)).get("url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            raise ValueError("url must be an http(s) URL or null")
        sb.store.webhook_url = url
        return {"url": url}

    async def list_webhooks(request: Request) -> Any:
        q = request.query_params
        found = [d.wire() for d in sb.webhooks.deliveries
                 if (not q.get("shop_id") or d.shop_id == q["shop_id"])
                 and (not q.get("type") or str(d.type) == q["type"])]
        limit = int(q.get("limit", "0"))
        return {"deliveries": found[-limit:] if limit > 0 else found}

    async def drain(request: Request) -> Any:
        timeout = float((await body_of(request)).get("timeout_s", 5))
        deadline = asyncio.get_running_loop().time() + timeout
        await sb.wait_tasks(timeout)
        left = max(0.0, deadline - asyncio.get_running_loop().time())
        return {"pending": await sb.webhooks.drain(left) + sb.pending_tasks()}

    e = endpoint
    return [Route("/_sandbox/webhook", e(set_webhook), methods=["PUT"]),
            Route("/_sandbox/webhooks", e(list_webhooks), methods=["GET"]),
            Route("/_sandbox/webhooks/drain", e(drain), methods=["POST"])]


def revoke_shop(sb: Sandbox, shop: Shop) -> int:
    """The seller removes the app: tokens stop covering the shop; webhook 6 is sent."""
    revoked = 0
    for token in list(sb.store.tokens.values()):
        if shop.id not in token.shop_ids:
            continue
        token.shop_ids.remove(shop.id)
        revoked += 1
        if not token.shop_ids:
            sb.store.tokens.pop(token.access_token, None)
            sb.store.refresh_index.pop(token.refresh_token, None)
    sb.webhooks.emit(shop, 6, {"message": "The seller has deauthorized your app."})
    return revoked


def shop_routes(sb: Sandbox) -> list[Route]:
    """Shops, auth codes, shop faults and sample products."""

    async def create(request: Request) -> Any:
        shop = create_shop(sb, await body_of(request))
        return {**shop_view(sb, shop), "auth_code": sb.store.mint_auth_code([shop.id])}

    async def read(request: Request) -> Any:
        return shop_view(sb, get_shop(sb, request))

    async def patch(request: Request) -> Any:
        shop = get_shop(sb, request)
        apply_settings(shop, await body_of(request))
        return shop_view(sb, shop)

    async def auth_code(request: Request) -> Any:
        shop = get_shop(sb, request)
        extra = [str(s) for s in (await body_of(request)).get("extra_shop_ids") or []]
        unknown = [s for s in extra if s not in sb.store.shops]
        if unknown:
            raise NotFound(f"unknown shops {unknown}")
        return {"code": sb.store.mint_auth_code([shop.id, *extra])}

    async def put_faults(request: Request) -> Any:
        shop = get_shop(sb, request)
        shop.faults = FaultSpec.from_json(await body_of(request))
        return shop.faults.to_json()

    async def delete_faults(request: Request) -> Any:
        get_shop(sb, request).faults = None
        return {}

    async def deauthorize(request: Request) -> Any:
        shop = get_shop(sb, request)
        return {"revoked": revoke_shop(sb, shop)}

    async def expiring(request: Request) -> Any:
        shop = get_shop(sb, request)
        tokens = [t for t in sb.store.tokens.values() if shop.id in t.shop_ids]
        expiry = min((t.refresh_expire for t in tokens), default=now())
        sb.webhooks.emit(shop, 7, {"message": "The authorization of your app will expire soon.",
                                   "expiration_time": expiry})
        return {"expiration_time": expiry}

    async def sample(request: Request) -> Any:
        shop = get_shop(sb, request)
        q = request.query_params
        return sample_product(sb, shop, int(q.get("skus", "1")), q.get("category_id"))

    e, base = endpoint, "/_sandbox/shops/{shop_id}"
    return [Route("/_sandbox/shops", e(create), methods=["POST"]),
            Route(base, e(read), methods=["GET"]),
            Route(base, e(patch), methods=["PATCH"]),
            Route(f"{base}/auth_code", e(auth_code), methods=["POST"]),
            Route(f"{base}/faults", e(put_faults), methods=["PUT"]),
            Route(f"{base}/faults", e(delete_faults), methods=["DELETE"]),
            Route(f"{base}/sample_product", e(sample), methods=["GET"]),
            Route(f"{base}/deauthorize", e(deauthorize), methods=["POST"]),
            Route(f"{base}/authorization_expiring", e(expiring), methods=["POST"])]


def product_routes(sb: Sandbox) -> list[Route]:
    """Inspect, seed and audit products."""

    async def list_products(request: Request) -> Any:
        shop = get_shop(sb, request)
        return {"products": [product_state(sb, shop, p) for p in shop.products.values()]}

    async def read(request: Request) -> Any:
        return product_state(sb, *get_product(sb, request))

    async def seed(request: Request) -> Any:
        shop = get_shop(sb, request)
        body = await body_of(request)
        status = body.pop("status", "ACTIVATE")
        product = store_new_product(sb, shop, body, status)
        return product_state(sb, shop, product)

    async def audit(request: Request) -> Any:
        shop, product = get_product(sb, request)
        body = await body_of(request)
        result = body.get("result", "ACTIVATE")
        if result not in ("ACTIVATE", "FAILED"):
            raise ValueError("result must be ACTIVATE or FAILED")
        finish_audit(sb, shop, product, result, [str(r) for r in body.get("reasons") or []])
        return product_state(sb, shop, product)

    e, base = endpoint, "/_sandbox/shops/{shop_id}/products"
    return [Route(base, e(list_products), methods=["GET"]),
            Route(base, e(seed), methods=["POST"]),
            Route(base + "/{product_id}", e(read), methods=["GET"]),
            Route(base + "/{product_id}/audit", e(audit), methods=["POST"])]


def control_routes(sb: Sandbox) -> list[Route]:
    """Every control route."""
    return [*global_routes(sb), *shop_routes(sb), *product_routes(sb),
            *order_routes(sb)]
