"""The `/_sandbox/` control API (documented in CONTROL.md): seed, drive, inspect, inject faults."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from ecomsend.sandbox.tiktok.audit import finish_audit
from ecomsend.sandbox.tiktok.control_base import NotFound, bind_routes, body_of, get_shop
from ecomsend.sandbox.tiktok.control_orders import order_routes
from ecomsend.sandbox.tiktok.control_returns import return_routes
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.faults import FaultSpec
from ecomsend.sandbox.tiktok.markets import MARKETS
from ecomsend.sandbox.tiktok.product_model import wire_product
from ecomsend.sandbox.tiktok.products import store_new_product
from ecomsend.sandbox.tiktok.refdata import catalog
from ecomsend.sandbox.tiktok.samples import sample_product
from ecomsend.sandbox.tiktok.shops import apply_settings, create_shop, shop_view
from ecomsend.sandbox.tiktok.state import Product, Shop, now

SHOP = "/_sandbox/shops/{shop_id}"


def _limited(items: list[Any], request: Request) -> list[Any]:
    """The last `?limit=N` items (all when absent or 0)."""
    limit = int(request.query_params.get("limit", "0"))
    return items[-limit:] if limit > 0 else items


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


# --- global -----------------------------------------------------------------------------------

async def reset(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/reset."""
    sb.reset()
    return {}


async def reference(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/reference/{region}: the market facts validation uses."""
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


async def requests_log(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/requests: the request log with counts per API."""
    q = request.query_params
    found = [e for e in sb.store.request_log
             if (not q.get("shop_id") or e["shop_id"] == q["shop_id"])
             and (not q.get("api") or e["api"] == q["api"])]
    return {"total": len(found), "counts": dict(Counter(e["api"] for e in found)),
            "requests": _limited(found, request)}


async def clear_requests(sb: Sandbox, request: Request) -> Any:
    """DELETE /_sandbox/requests."""
    sb.store.request_log.clear()
    return {}


async def put_global_faults(sb: Sandbox, request: Request) -> Any:
    """PUT /_sandbox/faults: app-wide faults."""
    sb.store.faults = FaultSpec.from_json(await body_of(request))
    return sb.store.faults.to_json()


async def delete_global_faults(sb: Sandbox, request: Request) -> Any:
    """DELETE /_sandbox/faults."""
    sb.store.faults = None
    return {}


async def get_global_faults(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/faults: the app-wide spec ({} when none)."""
    return sb.store.faults.to_json() if sb.store.faults else {}


async def faults_injected(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/faults/injected: injected faults, total, by kind and by shop."""
    by_shop = {k: dict(v) for k, v in sb.store.faults_injected.items() if v}
    by_kind: Counter[str] = Counter()
    for counts in sb.store.faults_injected.values():
        by_kind.update(counts)
    return {"total": sum(by_kind.values()), "by_kind": dict(by_kind), "by_shop": by_shop}


async def reset_faults_injected(sb: Sandbox, request: Request) -> Any:
    """DELETE /_sandbox/faults/injected: zero the counts."""
    sb.store.faults_injected.clear()
    return {"total": 0, "by_kind": {}, "by_shop": {}}


async def get_shop_faults(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/shops/{shop_id}/faults: the spec and this shop's injected counts."""
    shop = get_shop(sb, request)
    return {**(shop.faults.to_json() if shop.faults else {}),
            "faults_injected": dict(sb.store.faults_injected.get(shop.id, {}))}


async def get_ratelimit(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/ratelimit: the per-API limits."""
    return sb.limiter.to_json()


async def put_ratelimit(sb: Sandbox, request: Request) -> Any:
    """PUT /_sandbox/ratelimit `{"default_qps": 50, "per_api": {"METHOD /path": qps}}`."""
    body = await body_of(request)
    per_api = body.get("per_api")
    if per_api is not None and not isinstance(per_api, dict):
        raise ValueError("per_api must be an object of API -> requests per second")
    sb.limiter.configure(body.get("default_qps"), per_api)
    return sb.limiter.to_json()


async def expire_tokens(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/tokens/expire: expire access (and refresh) tokens now."""
    body = await body_of(request)
    tokens = [t for t in sb.store.tokens.values()
              if t.access_token == body.get("access_token")
              or (body.get("shop_id") and body["shop_id"] in t.shop_ids)]
    for token in tokens:
        token.access_expire = now() - 1
        if body.get("refresh"):
            token.refresh_expire = now() - 1
    return {"expired": len(tokens)}


async def set_webhook(sb: Sandbox, request: Request) -> Any:
    """PUT /_sandbox/webhook: the app-level webhook URL."""
    url = (await body_of(request)).get("url")
    if url is not None and not str(url).startswith(("http://", "https://")):
        raise ValueError("url must be an http(s) URL or null")
    sb.store.webhook_url = url
    return {"url": url}


async def set_consent(sb: Sandbox, request: Request) -> Any:
    """PUT /_sandbox/consent: the consent page's redirect_uri and expected service_id."""
    body = await body_of(request)
    for key in ("redirect_uri", "service_id"):
        if key in body:
            value = body[key]
            setattr(sb.options, key, None if value is None else str(value))
    if "scopes" in body:
        sb.store.app_scopes = _scopes(body) or []
    return {"redirect_uri": sb.options.redirect_uri, "service_id": sb.options.service_id,
            "scopes": sb.store.app_scopes}


async def list_webhooks(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/webhooks: deliveries and their attempts."""
    q = request.query_params
    found = [d.wire() for d in sb.webhooks.deliveries
             if (not q.get("shop_id") or d.shop_id == q["shop_id"])
             and (not q.get("type") or str(d.type) == q["type"])]
    return {"deliveries": _limited(found, request)}


async def drain(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/webhooks/drain: wait for audits and deliveries in flight."""
    timeout = float((await body_of(request)).get("timeout_s", 5))
    deadline = asyncio.get_running_loop().time() + timeout
    await sb.wait_tasks(timeout)
    left = max(0.0, deadline - asyncio.get_running_loop().time())
    return {"pending": await sb.webhooks.drain(left) + sb.pending_tasks()}


# --- shops ------------------------------------------------------------------------------------

async def create(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/shops: seed a shop and mint its auth code."""
    body = await body_of(request)
    scopes = _scopes(body)
    shop = create_shop(sb, body)
    return {**shop_view(sb, shop), "auth_code": sb.store.mint_auth_code([shop.id], scopes)}


async def read_shop(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/shops/{shop_id}."""
    return shop_view(sb, get_shop(sb, request))


async def patch_shop(sb: Sandbox, request: Request) -> Any:
    """PATCH /_sandbox/shops/{shop_id}: prerequisites, upload limit, audit settings."""
    shop = get_shop(sb, request)
    apply_settings(shop, await body_of(request))
    return shop_view(sb, shop)


async def auth_code(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/shops/{shop_id}/auth_code (optionally covering extra shops)."""
    shop = get_shop(sb, request)
    body = await body_of(request)
    extra = [str(s) for s in body.get("extra_shop_ids") or []]
    unknown = [s for s in extra if s not in sb.store.shops]
    if unknown:
        raise NotFound(f"unknown shops {unknown}")
    return {"code": sb.store.mint_auth_code([shop.id, *extra], _scopes(body))}


def _scopes(body: dict[str, Any]) -> list[str] | None:
    """An optional `scopes` list of a control body (None: the app's scopes)."""
    scopes = body.get("scopes")
    if scopes is None:
        return None
    if not isinstance(scopes, list) or not all(isinstance(x, str) for x in scopes):
        raise ValueError("scopes must be a list of scope names")
    return list(scopes)


async def put_shop_faults(sb: Sandbox, request: Request) -> Any:
    """PUT /_sandbox/shops/{shop_id}/faults."""
    shop = get_shop(sb, request)
    shop.faults = FaultSpec.from_json(await body_of(request))
    return shop.faults.to_json()


async def delete_shop_faults(sb: Sandbox, request: Request) -> Any:
    """DELETE /_sandbox/shops/{shop_id}/faults."""
    get_shop(sb, request).faults = None
    return {}


async def deauthorize(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/shops/{shop_id}/deauthorize (webhook 6)."""
    return {"revoked": revoke_shop(sb, get_shop(sb, request))}


async def expiring(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/shops/{shop_id}/authorization_expiring (webhook 7)."""
    shop = get_shop(sb, request)
    tokens = [t for t in sb.store.tokens.values() if shop.id in t.shop_ids]
    expiry = min((t.refresh_expire for t in tokens), default=now())
    sb.webhooks.emit(shop, 7, {"message": "The authorization of your app will expire soon.",
                               "expiration_time": expiry})
    return {"expiration_time": expiry}


async def sample(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/shops/{shop_id}/sample_product."""
    shop = get_shop(sb, request)
    q = request.query_params
    return sample_product(sb, shop, int(q.get("skus", "1")), q.get("category_id"))


# --- products ---------------------------------------------------------------------------------

async def list_products(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/shops/{shop_id}/products."""
    shop = get_shop(sb, request)
    return {"products": [product_state(sb, shop, p) for p in shop.products.values()]}


async def read_product(sb: Sandbox, request: Request) -> Any:
    """GET /_sandbox/shops/{shop_id}/products/{product_id}."""
    return product_state(sb, *get_product(sb, request))


async def seed_product(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/shops/{shop_id}/products: an existing listing, no validation."""
    shop = get_shop(sb, request)
    body = await body_of(request)
    status = body.pop("status", "ACTIVATE")
    return product_state(sb, shop, store_new_product(sb, shop, body, status))


async def force_audit(sb: Sandbox, request: Request) -> Any:
    """POST /_sandbox/shops/{shop_id}/products/{product_id}/audit."""
    shop, product = get_product(sb, request)
    body = await body_of(request)
    result = body.get("result", "ACTIVATE")
    if result not in ("ACTIVATE", "FAILED"):
        raise ValueError("result must be ACTIVATE or FAILED")
    finish_audit(sb, shop, product, result, [str(r) for r in body.get("reasons") or []])
    return product_state(sb, shop, product)


CONTROL_TABLE = [
    ("POST", "/_sandbox/reset", reset),
    ("GET", "/_sandbox/reference/{region}", reference),
    ("GET", "/_sandbox/requests", requests_log),
    ("DELETE", "/_sandbox/requests", clear_requests),
    ("GET", "/_sandbox/faults", get_global_faults),
    ("PUT", "/_sandbox/faults", put_global_faults),
    ("GET", "/_sandbox/faults/injected", faults_injected),
    ("DELETE", "/_sandbox/faults/injected", reset_faults_injected),
    ("DELETE", "/_sandbox/faults", delete_global_faults),
    ("POST", "/_sandbox/tokens/expire", expire_tokens),
    ("GET", "/_sandbox/ratelimit", get_ratelimit),
    ("PUT", "/_sandbox/ratelimit", put_ratelimit),
    ("PUT", "/_sandbox/webhook", set_webhook),
    ("PUT", "/_sandbox/consent", set_consent),
    ("GET", "/_sandbox/webhooks", list_webhooks),
    ("POST", "/_sandbox/webhooks/drain", drain),
    ("POST", "/_sandbox/shops", create),
    ("GET", SHOP, read_shop),
    ("PATCH", SHOP, patch_shop),
    ("POST", f"{SHOP}/auth_code", auth_code),
    ("GET", f"{SHOP}/faults", get_shop_faults),
    ("PUT", f"{SHOP}/faults", put_shop_faults),
    ("DELETE", f"{SHOP}/faults", delete_shop_faults),
    ("POST", f"{SHOP}/deauthorize", deauthorize),
    ("POST", f"{SHOP}/authorization_expiring", expiring),
    ("GET", f"{SHOP}/sample_product", sample),
    ("GET", f"{SHOP}/products", list_products),
    ("POST", f"{SHOP}/products", seed_product),
    ("GET", SHOP + "/products/{product_id}", read_product),
    ("POST", SHOP + "/products/{product_id}/audit", force_audit),
]


def control_routes(sb: Sandbox) -> list[Route]:
    """Every control route."""
    return [*bind_routes(sb, CONTROL_TABLE), *order_routes(sb), *return_routes(sb)]
