"""Shops: seeding (control API), authorized/active shops, shop webhooks, listing prerequisites."""

from __future__ import annotations

import string
from typing import Any

from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.markets import REGIONS, market
from ecomsend.sandbox.tiktok.state import (
    DEFAULT_FAILING,
    PREREQUISITE_ITEMS,
    Shop,
    ShopSettings,
    Warehouse,
    now,
)
from ecomsend.sandbox.tiktok.webhooks import EVENT_TYPES

SELLER_TYPES = ("LOCAL", "CROSS_BORDER")
#: Cipher body: 28 url-safe characters, like `ROW_xkMbgAAAeVAQra0eZWebFQq5aIKt` in the docs.
CIPHER_LENGTH = 28
_CIPHER_ALPHABET = string.ascii_letters + string.digits + "-_"
#: Event API: address at most 255 characters (reference §5.1).
WEBHOOK_ADDRESS_MAX = 255
#: Event API invalid-parameter code [INF: the Event API lists no error codes].
EVENT_INVALID_PARAM = 36009004
#: Why a failing prerequisite blocks listing (Check Listing Prerequisites doc wording).
_FAIL_REASONS = {
    "SHOP_STATUS": "Your shop is not active yet.",
    "SHOP_TAX": "Add your tax information in TikTok Shop Seller Center first and try again.",
    "PICKUP_WAREHOUSE": "Add a pickup warehouse in TikTok Shop Seller Center first.",
    "RETURN_WAREHOUSE": ("Couldn't publish this product as you haven't set the return warehouse "
                         "for your shop. Add the return warehouse information on TikTok Shop "
                         "Seller Center first and try again."),
    "DELIVERY_OPTION": "Set up at least one delivery option first.",
    "SHIPPING_TEMPLATE": "Add a shipping template in TikTok Shop Seller Center first.",
}
#: Create Product codes for a failing prerequisite (Create Product error list).
PREREQUISITE_CODES = {"RETURN_WAREHOUSE": (12052535, _FAIL_REASONS["RETURN_WAREHOUSE"]),
                      "SHIPPING_TEMPLATE": (12052402, "seller shipping template is empty"),
                      "SHOP_TAX": (12052703, "Invalid seller tax number"),
                      "PICKUP_WAREHOUSE": (12052115, "seller has no warehouse")}
#: Fallback refusal for other failing items.
PREREQUISITE_FALLBACK = (12052995, "seller has not finished onboarding to tts")


def _warehouses(sb: Sandbox, region: str) -> list[Warehouse]:
    """Two sales warehouses and one return warehouse for a new shop."""
    return [Warehouse(sb.store.new_id("warehouse"), f"{region} Main Warehouse", "SALES_WAREHOUSE",
                      True, region),
            Warehouse(sb.store.new_id("warehouse"), f"{region} Second Warehouse",
                      "SALES_WAREHOUSE", False, region),
            Warehouse(sb.store.new_id("warehouse"), f"{region} Returns Centre",
                      "RETURN_WAREHOUSE", True, region)]


def apply_settings(shop: Shop, body: dict[str, Any]) -> None:
    """Apply control-API shop settings (ValueError on bad input)."""
    s = shop.settings
    if "failing_prerequisites" in body:
        items = list(body["failing_prerequisites"] or [])
        bad = [i for i in items if i not in PREREQUISITE_ITEMS]
        if bad:
            raise ValueError(f"unknown prerequisite items {bad}; known: {PREREQUISITE_ITEMS}")
        s.failing_prerequisites = items
    elif "prerequisites_ok" in body:
        s.failing_prerequisites = [] if body["prerequisites_ok"] else list(DEFAULT_FAILING)
    if "upload_limit" in body:
        limit = body["upload_limit"]
        s.upload_limit = None if limit is None else int(limit)
    if "audit_result" in body:
        if body["audit_result"] not in (None, "ACTIVATE", "FAILED"):
            raise ValueError("audit_result must be ACTIVATE or FAILED")
        s.audit_result = body["audit_result"]
    if "audit_delay_s" in body:
        s.audit_delay_s = None if body["audit_delay_s"] is None else float(body["audit_delay_s"])
    if "audit_fail_reasons" in body:
        s.audit_fail_reasons = [str(r) for r in body["audit_fail_reasons"] or []]


def create_shop(sb: Sandbox, body: dict[str, Any]) -> Shop:
    """Seed a shop for a region (ValueError on bad input)."""
    region = str(body.get("region", "US")).upper()
    region = "GB" if region == "UK" else region
    if region not in REGIONS:
        raise ValueError(f"region must be one of {REGIONS}")
    seller_type = body.get("seller_type", "LOCAL")
    if seller_type not in SELLER_TYPES:
        raise ValueError(f"seller_type must be one of {SELLER_TYPES}")
    shop_id = sb.store.new_id("shop")
    prefix = "ROW" if region != "US" else "TTP"
    rng = sb.store.rng
    cipher = "".join(rng.choice(_CIPHER_ALPHABET) for _ in range(CIPHER_LENGTH))
    shop = Shop(id=shop_id, cipher=f"{prefix}_{cipher}",
                code=f"{region}LC{rng.randrange(16**8):08X}",
                name=body.get("name") or f"Sandbox {region} shop {len(sb.store.shops) + 1}",
                region=region, seller_type=seller_type, warehouses=_warehouses(sb, region),
                settings=ShopSettings(), seller=str(body.get("seller") or f"seller-{shop_id}"))
    apply_settings(shop, body)
    sb.store.add_shop(shop)
    return shop


def shop_view(sb: Sandbox, shop: Shop) -> dict[str, Any]:
    """Control API view of a shop."""
    s = shop.settings
    return {**shop.shop_info(), "shop_id": shop.id, "seller": shop.seller,
            "currency": market(shop.region).currency,
            "warehouses": [w.wire() for w in shop.warehouses],
            "settings": {"failing_prerequisites": s.failing_prerequisites,
                         "upload_limit": s.upload_limit, "audit_result": s.audit_result,
                         "audit_delay_s": s.audit_delay_s,
                         "audit_fail_reasons": s.audit_fail_reasons},
            "created_products": shop.created_products,
            "webhooks": list(shop.webhooks.values()),
            "faults": shop.faults.to_json() if shop.faults else None}


async def get_authorized_shops(ctx: Ctx) -> dict[str, Any]:
    """GET /authorization/202309/shops: the shops the token covers (no shop_cipher)."""
    shops = [ctx.sb.store.shops[s] for s in ctx.token.shop_ids if s in ctx.sb.store.shops]
    return {"shops": [s.shop_info() for s in shops]}


async def get_active_shops(ctx: Ctx) -> dict[str, Any]:
    """GET /seller/202309/shops."""
    shops = [ctx.sb.store.shops[s] for s in ctx.token.shop_ids if s in ctx.sb.store.shops]
    return {"shops": [{"id": s.id, "region": s.region} for s in shops]}


async def get_prerequisites(ctx: Ctx) -> dict[str, Any]:
    """GET /product/202312/prerequisites."""
    failing = ctx.shop.settings.failing_prerequisites
    return {"check_results": [
        {"check_item": item, "is_failed": item in failing,
         "fail_reasons": [_FAIL_REASONS[item]] if item in failing else []}
        for item in PREREQUISITE_ITEMS]}


def prerequisite_error(shop: Shop) -> ApiError | None:
    """The refusal Create Product gives when the shop fails a prerequisite."""
    if not shop.settings.failing_prerequisites:
        return None
    first = shop.settings.failing_prerequisites[0]
    code, message = PREREQUISITE_CODES.get(first, PREREQUISITE_FALLBACK)
    return ApiError(code, message)


def _event_type(body: dict[str, Any]) -> str:
    """A known Event API event_type from the body."""
    event_type = body.get("event_type")
    if event_type not in EVENT_TYPES.values():
        raise ApiError(EVENT_INVALID_PARAM, f"Invalid event_type {event_type!r}.")
    return str(event_type)


async def put_webhook(ctx: Ctx) -> dict[str, Any]:
    """PUT /event/202309/webhooks {address, event_type}.

    TikTok wants https on a domain without a port (reference §5.1); the sandbox also accepts
    http://127.0.0.1:PORT so tests can receive deliveries.
    """
    body = ctx.json()
    event_type = _event_type(body)
    address = body.get("address")
    if not isinstance(address, str) or not address.startswith(("http://", "https://")) \
            or len(address) > WEBHOOK_ADDRESS_MAX:
        raise ApiError(EVENT_INVALID_PARAM, "Invalid address. An http(s) URL of at most 255 "
                       "characters is required.")
    existing = ctx.shop.webhooks.get(event_type)
    t = now()
    ctx.shop.webhooks[event_type] = {"event_type": event_type, "address": address,
                                     "create_time": existing["create_time"] if existing else t,
                                     "update_time": t}
    return {}


async def get_webhooks(ctx: Ctx) -> dict[str, Any]:
    """GET /event/202309/webhooks."""
    hooks = list(ctx.shop.webhooks.values())
    return {"webhooks": hooks, "total_count": len(hooks)}


async def delete_webhook(ctx: Ctx) -> dict[str, Any]:
    """DELETE /event/202309/webhooks {event_type}."""
    ctx.shop.webhooks.pop(_event_type(ctx.json()), None)
    return {}
