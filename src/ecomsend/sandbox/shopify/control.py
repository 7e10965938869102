"""The /_sandbox control API: shops, tokens, seeding, faults, buckets and state reads.

Not part of Shopify; documented in CONTROL.md. Merchant edits live in `control_edits`.
Mounted by `app.create_app`; used by tests, the demo and benchmarks.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request

from ecomsend.sandbox.shopify import generator, oauth, payloads
from ecomsend.sandbox.shopify.faults import FaultConfig
from ecomsend.sandbox.shopify.merchant import emit
from ecomsend.sandbox.shopify.resolvers.bulk import DEFAULT_OBJECTS_PER_S, DEFAULT_STEP_DELAY_S
from ecomsend.sandbox.shopify.store import ALL_SCOPES, Sandbox, Shop, Subscription
from ecomsend.sandbox.shopify.topics import is_known
from ecomsend.sandbox.shopify.util import gid, iso_rest, loose_id

router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])


def sandbox_of(request: Request) -> Sandbox:
    """The Sandbox behind a control request."""
    return request.app.state.sandbox  # type: ignore[no-any-return]


def shop_of(request: Request, domain: str) -> Shop:
    """The shop named in the path, or 404."""
    shop = sandbox_of(request).shop(domain)
    if shop is None:
        raise HTTPException(404, f"unknown shop {domain}")
    return shop


def bucket_json(shop: Shop) -> dict[str, Any]:
    """A shop's bucket as the control API reports it."""
    status = shop.bucket.status()
    return {"capacity": status["maximumAvailable"], "restore_rate": status["restoreRate"],
            "currently_available": status["currentlyAvailable"]}


@router.post("/shops", status_code=201)
async def create_shop(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """Create a shop with the app installed (offline token), optionally expiring."""
    sandbox = sandbox_of(request)
    domain = str(body.get("domain", "")).lower()
    if not domain.endswith(".myshopify.com"):
        raise HTTPException(422, "domain must be a myshopify.com domain")
    shop = sandbox.add_shop(domain, body.get("name"), body.get("currency") or "USD")
    while len(shop.locations) < int(body.get("locations", 1)):
        sandbox.add_location(shop)
    if body.get("bucket"):
        shop.bucket.configure(body["bucket"].get("capacity", 2000),
                              body["bucket"].get("restore_rate", 100))
    token = oauth.issue_token(sandbox, domain, body.get("scopes") or ALL_SCOPES,
                              expiring=bool(body.get("expiring")))
    return {"domain": domain, **token,
            "location_ids": [gid("Location", i) for i in shop.locations]}


@router.get("/shops/{domain}")
async def get_shop(request: Request, domain: str) -> dict[str, Any]:
    """GET /_sandbox/shops/{domain}: summary, counts, bucket and request stats."""
    shop = shop_of(request, domain)
    return {"domain": shop.domain, "name": shop.name, "currency": shop.currency,
            "installed": shop.installed,
            "locations": [{"id": loc.id, "admin_graphql_api_id": gid("Location", loc.id),
                           "name": loc.name} for loc in shop.locations.values()],
            "counts": {"products": len(shop.products), "variants": len(shop.variants),
                       "orders": len(shop.orders),
                       "webhook_subscriptions": len(shop.subscriptions)},
            "bucket": bucket_json(shop), "stats": dict(shop.stats)}


@router.delete("/shops/{domain}")
async def delete_shop(request: Request, domain: str) -> dict[str, Any]:
    """DELETE /_sandbox/shops/{domain}: forget the shop and its tokens."""
    sandbox = sandbox_of(request)
    shop = shop_of(request, domain)
    del sandbox.shops[shop.domain]
    for value in [v for v, t in sandbox.tokens.items() if t.shop == shop.domain]:
        del sandbox.tokens[value]
    return {"deleted": shop.domain}


@router.put("/shops/{domain}/bucket")
async def set_bucket(request: Request, domain: str, body: dict[str, Any] = Body(...)
               ) -> dict[str, Any]:
    """PUT /_sandbox/shops/{domain}/bucket: change the plan's bucket (starts full)."""
    shop = shop_of(request, domain)
    shop.bucket.configure(body.get("capacity", 2000), body.get("restore_rate", 100))
    return bucket_json(shop)


@router.post("/shops/{domain}/session-token")
async def make_session_token(request: Request, domain: str,
                       body: dict[str, Any] = Body(default={})) -> dict[str, Any]:
    """POST /_sandbox/shops/{domain}/session-token: an App Bridge ID token."""
    shop = shop_of(request, domain)
    return {"id_token": oauth.session_token(sandbox_of(request), shop.domain,
                                            str(body.get("sub", "42")),
                                            int(body.get("exp_in", 60)))}


@router.post("/shops/{domain}/launch")
async def launch(request: Request, domain: str, body: dict[str, Any] = Body(...)
                 ) -> dict[str, Any]:
    """POST: the signed URL the Shopify admin would open for the app (install or embedded)."""
    shop = shop_of(request, domain)
    if not body.get("url"):
        raise HTTPException(422, "url (the app URL) is required")
    return {"url": oauth.launch_url(sandbox_of(request), shop.domain, str(body["url"]),
                                    bool(body.get("embedded", True)))}


@router.post("/shops/{domain}/uninstall")
async def uninstall(request: Request, domain: str) -> dict[str, Any]:
    """Fire app/uninstalled, then revoke the app's tokens and its API subscriptions."""
    sandbox = sandbox_of(request)
    shop = shop_of(request, domain)
    emit(sandbox, shop, "app/uninstalled", payloads.shop_json(shop))
    shop.installed = False
    for sub_id in [s.id for s in shop.subscriptions.values() if s.source == "api"]:
        del shop.subscriptions[sub_id]
    for value in [v for v, t in sandbox.tokens.items() if t.shop == shop.domain]:
        del sandbox.tokens[value]
    return {"domain": shop.domain, "installed": False}


@router.post("/shops/{domain}/seed")
async def seed(request: Request, domain: str, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """Deterministic realistic catalog (see generator)."""
    try:
        return generator.seed_shop(sandbox_of(request), shop_of(request, domain), **body)
    except (TypeError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/shops/{domain}/faults")
async def get_faults(request: Request, domain: str) -> dict[str, Any]:
    """GET the shop's fault configuration."""
    return shop_of(request, domain).faults.to_json()


@router.put("/shops/{domain}/faults")
async def put_faults(request: Request, domain: str, body: dict[str, Any] = Body(...)
               ) -> dict[str, Any]:
    """PUT a new fault configuration (replaces the old one, RNG reseeded)."""
    shop = shop_of(request, domain)
    try:
        config = FaultConfig.from_json(body)
    except (TypeError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from exc
    config.injected = shop.faults.injected  # counts survive a new configuration
    shop.faults = config
    return shop.faults.to_json()


@router.delete("/shops/{domain}/faults")
async def clear_faults(request: Request, domain: str) -> dict[str, Any]:
    """DELETE: no faults (the counts of injected faults are kept)."""
    shop = shop_of(request, domain)
    counts = shop.faults.injected
    shop.faults = FaultConfig()
    shop.faults.injected = counts
    return shop.faults.to_json()


@router.get("/faults/injected")
async def faults_injected(request: Request) -> dict[str, Any]:
    """GET every fault injected so far: total, by kind and by shop (chaos reports)."""
    by_shop = {s.domain: dict(s.faults.injected) for s in sandbox_of(request).shops.values()
               if s.faults.injected}
    by_kind: dict[str, int] = {}
    for counts in by_shop.values():
        for kind, n in counts.items():
            by_kind[kind] = by_kind.get(kind, 0) + n
    return {"total": sum(by_kind.values()), "by_kind": by_kind, "by_shop": by_shop}


@router.delete("/faults/injected")
async def reset_faults_injected(request: Request) -> dict[str, Any]:
    """DELETE: zero every shop's counts of injected faults."""
    for shop in sandbox_of(request).shops.values():
        shop.faults.injected.clear()
    return {"total": 0, "by_kind": {}, "by_shop": {}}


@router.get("/shops/{domain}/products")
async def list_products(request: Request, domain: str, limit: int = 50, offset: int = 0
                  ) -> dict[str, Any]:
    """GET products in REST shape (offset/limit)."""
    shop = shop_of(request, domain)
    products = list(shop.products.values())[offset: offset + limit]
    return {"products": [payloads.product_json(p) for p in products],
            "count": len(shop.products)}


@router.get("/shops/{domain}/products/{product_id:path}")
async def get_product(request: Request, domain: str, product_id: str) -> dict[str, Any]:
    """GET one product in REST shape."""
    shop = shop_of(request, domain)
    product = shop.products.get(loose_id(product_id, "Product") or 0)
    if product is None:
        raise HTTPException(404, "unknown product")
    return {"product": payloads.product_json(product)}


@router.get("/shops/{domain}/inventory")
async def inventory(request: Request, domain: str, inventory_item_id: str | None = None,
              location_id: str | None = None, sku: str | None = None) -> dict[str, Any]:
    """GET inventory levels, filtered by item, location or SKU."""
    shop = shop_of(request, domain)
    item_id = loose_id(inventory_item_id, "InventoryItem") if inventory_item_id else None
    loc_id = loose_id(location_id, "Location") if location_id else None
    items = [shop.items[item_id]] if item_id in shop.items else (
        [] if item_id else list(shop.items.values()))
    rows = []
    for item in items:
        if sku is not None and item.sku != sku:
            continue
        for loc, level in item.levels.items():
            if loc_id is None or loc == loc_id:
                rows.append({**payloads.inventory_level_json(item, loc),
                             "on_hand": level.available + level.committed,
                             "committed": level.committed, "sku": item.sku})
    return {"inventory_levels": rows}


@router.get("/shops/{domain}/orders")
async def list_orders(request: Request, domain: str) -> dict[str, Any]:
    """GET all orders in REST shape."""
    shop = shop_of(request, domain)
    return {"orders": [payloads.order_json(shop, o) for o in shop.orders.values()]}


@router.get("/shops/{domain}/orders/{order_id:path}")
async def get_order(request: Request, domain: str, order_id: str) -> dict[str, Any]:
    """GET one order in REST shape."""
    shop = shop_of(request, domain)
    order = shop.orders.get(loose_id(order_id, "Order") or 0)
    if order is None:
        raise HTTPException(404, "unknown order")
    return {"order": payloads.order_json(shop, order)}


@router.get("/shops/{domain}/webhooks")
async def list_subscriptions(request: Request, domain: str) -> dict[str, Any]:
    """GET the shop's webhook subscriptions (API and TOML-style)."""
    shop = shop_of(request, domain)
    subs = [{"id": s.id, "topic": s.topic, "uri": s.uri, "source": s.source,
             "created_at": iso_rest(s.created_at)} for s in shop.subscriptions.values()]
    subs += [{"id": None, "topic": t, "uri": u, "source": "app"}
             for t, u in sandbox_of(request).app_subscriptions]
    return {"subscriptions": subs}


@router.post("/shops/{domain}/webhooks", status_code=201)
async def add_subscription(request: Request, domain: str, body: dict[str, Any] = Body(...)
                     ) -> dict[str, Any]:
    """A TOML-style subscription for one shop (any topic, compliance topics included)."""
    shop = shop_of(request, domain)
    topic, uri = str(body.get("topic", "")), str(body.get("uri", ""))
    if not is_known(topic) or not uri:
        raise HTTPException(422, f"unknown topic {topic!r} or empty uri")
    sub = Subscription(id=sandbox_of(request).next_id(), topic=topic, uri=uri, source="app")
    shop.subscriptions[sub.id] = sub
    return {"id": sub.id, "topic": topic, "uri": uri, "source": "app"}


@router.post("/app/webhooks", status_code=201)
async def add_app_subscriptions(request: Request, body: dict[str, Any] = Body(...)
                          ) -> dict[str, Any]:
    """TOML-style subscriptions for every shop, like [[webhooks.subscriptions]]."""
    sandbox = sandbox_of(request)
    topics = list(body.get("topics") or [])
    unknown = [t for t in topics if not is_known(t)]
    if unknown or not body.get("uri"):
        raise HTTPException(422, f"unknown topics {unknown} or empty uri")
    for topic in topics:
        if (topic, str(body["uri"])) not in sandbox.app_subscriptions:
            sandbox.app_subscriptions.append((topic, str(body["uri"])))
    return {"topics": topics, "uri": body["uri"]}


@router.get("/shops/{domain}/webhooks/deliveries")
async def deliveries(request: Request, domain: str, topic: str | None = None,
                     limit: int | None = None) -> dict[str, Any]:
    """GET the webhook delivery log (one row per HTTP attempt; the last `limit` rows)."""
    shop = shop_of(request, domain)
    rows = [r for r in sandbox_of(request).dispatcher.log.get(shop.domain, [])
            if topic is None or r["topic"] == topic]
    if limit is not None:
        rows = rows[-limit:] if limit > 0 else []
    return {"deliveries": [{**r, "body": json.loads(r["body"])} for r in rows]}


@router.post("/webhooks/flush")
async def flush(request: Request, timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
    """POST: wait until no webhook delivery is pending (tests call it before asserting)."""
    return {"pending": await sandbox_of(request).dispatcher.flush(timeout)}


@router.get("/shops/{domain}/requests")
async def requests_log(request: Request, domain: str) -> dict[str, Any]:
    """GET the last GraphQL requests with their costs."""
    return {"requests": list(shop_of(request, domain).requests)}


#: Run-time settings (create_app option name, bound): PUT /_sandbox/settings.
SETTINGS = {"search_lag_s": 3600.0, "bulk_objects_per_s": 1e9, "bulk_delay_s": 60.0}


def _settings(sandbox: Sandbox) -> dict[str, float]:
    """The current run-time settings."""
    return {"search_lag_s": sandbox.search_lag_s,
            "bulk_objects_per_s": float(sandbox.options.get("bulk_objects_per_s",
                                                            DEFAULT_OBJECTS_PER_S)),
            "bulk_delay_s": float(sandbox.options.get("bulk_delay_s", DEFAULT_STEP_DELAY_S))}


@router.get("/settings")
async def get_settings(request: Request) -> dict[str, Any]:
    """GET the run-time settings: search lag and bulk pace."""
    return _settings(sandbox_of(request))


@router.put("/settings")
async def put_settings(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """PUT any of `search_lag_s` (orders search index lag; 0 = instant), `bulk_objects_per_s`
    (0 = instant) and `bulk_delay_s` (pause per bulk state)."""
    sandbox = sandbox_of(request)
    unknown = set(body) - set(SETTINGS)
    if unknown:
        raise HTTPException(422, f"unknown settings: {sorted(unknown)}")
    values: dict[str, float] = {}
    for key, value in body.items():
        try:
            values[key] = float(value)
        except (TypeError, ValueError) as exc:
            raise HTTPException(422, f"{key} must be a number") from exc
        if not 0 <= values[key] <= SETTINGS[key]:
            raise HTTPException(422, f"{key} must be within 0..{SETTINGS[key]:g}")
    for key, value in values.items():
        if key == "search_lag_s":
            sandbox.search_lag_s = value
        else:
            sandbox.options[key] = value
    return _settings(sandbox)


@router.get("/app")
async def get_app_config(request: Request) -> dict[str, Any]:
    """GET the app configuration the sandbox enforces (allowed OAuth redirection URLs)."""
    return {"redirect_urls": list(sandbox_of(request).options.get("redirect_urls") or [])}


@router.put("/app")
async def put_app_config(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """PUT `{"redirect_urls": ["http://app/auth/shopify/callback"]}` (empty: accept any)."""
    urls = body.get("redirect_urls")
    if not isinstance(urls, list) or not all(isinstance(u, str) and u.startswith(
            ("http://", "https://")) for u in urls):
        raise HTTPException(422, "redirect_urls must be a list of http(s) URLs")
    sandbox_of(request).options["redirect_urls"] = list(urls)
    return {"redirect_urls": list(urls)}
