"""The /_sandbox market set-up: what a merchant does in Settings › Markets (a market per
country with its currency, rate and price-list adjustment, and fixed prices). CONTROL.md
"Markets". Mounted by `app.create_app`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, HTTPException, Request

from ecomsend.sandbox.shopify.control import sandbox_of, shop_of
from ecomsend.sandbox.shopify.markets import (
    MarketError,
    add_market,
    market_json,
    markets_of,
    set_fixed_prices,
)
from ecomsend.sandbox.shopify.util import loose_id

router = APIRouter(prefix="/_sandbox/shops/{domain}/markets", tags=["sandbox markets"])


@router.post("", status_code=201)
async def create_market(request: Request, domain: str,
                        body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """POST /_sandbox/shops/{domain}/markets: a market with its price list."""
    sandbox, shop = sandbox_of(request), shop_of(request, domain)
    try:
        prices = _variant_prices(shop, body.get("prices") or {})
        market = add_market(shop, sandbox.next_id(), sandbox.next_id(), body)
    except MarketError as exc:
        raise HTTPException(422, str(exc)) from None
    try:
        set_fixed_prices(market, prices)
    except MarketError as exc:
        markets_of(shop).pop(market.id, None)  # nothing half-made
        raise HTTPException(422, str(exc)) from None
    return market_json(market)


@router.get("")
async def list_markets(request: Request, domain: str) -> dict[str, Any]:
    """GET /_sandbox/shops/{domain}/markets."""
    shop = shop_of(request, domain)
    return {"markets": [market_json(m) for m in markets_of(shop).values()]}


@router.put("/{market_id}/prices")
async def put_prices(request: Request, domain: str, market_id: str,
                     body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """PUT …/markets/{id}/prices {variant id: {price, compare_at}}: fixed prices."""
    shop = shop_of(request, domain)
    market = markets_of(shop).get(loose_id(market_id, "Market") or 0)
    if market is None:
        raise HTTPException(404, f"unknown market {market_id}")
    try:
        set_fixed_prices(market, _variant_prices(shop, body))
    except MarketError as exc:
        raise HTTPException(422, str(exc)) from None
    return market_json(market)


@router.delete("/{market_id}")
async def delete_market(request: Request, domain: str, market_id: str) -> dict[str, Any]:
    """DELETE …/markets/{id}: the countries fall back to the store's own prices."""
    shop = shop_of(request, domain)
    if markets_of(shop).pop(loose_id(market_id, "Market") or 0, None) is None:
        raise HTTPException(404, f"unknown market {market_id}")
    return {"deleted": True}


def _variant_prices(shop: Any, raw: Any) -> dict[int, dict[str, Any]]:
    """{variant id or GID: {price, compare_at}} checked against the shop's variants."""
    if not isinstance(raw, dict):
        raise MarketError("prices must be an object {variant id: {price, compare_at}}")
    out = {}
    for key, row in raw.items():
        vid = loose_id(key, "ProductVariant") or 0
        if vid not in shop.variants:
            raise MarketError(f"unknown variant {key}")
        if not isinstance(row, dict):
            raise MarketError(f"prices[{key}] must be an object {{price, compare_at}}")
        out[vid] = row
    return out
