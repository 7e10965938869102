"""Document loads from Shopify admin (embedded app), handled the way Shopify's own server library
does (reference shopify-admin-ui.md §1.2):

1. no `embedded=1` → standalone (None);
2. `embedded=1` with a missing or malformed `shop` or `host` → standalone (nothing is trusted).
   The `hmac` is not required: the signed `id_token` is what authenticates an embedded load, and
   after a bounce App Bridge adds a fresh token the original `hmac` never covered (Shopify's
   library checks the same way);
3. `embedded=1` without a valid `id_token` → the bounce page: only App Bridge, which fetches a
   fresh token and reloads the URL given in `shopify-reload`;
4. a valid `id_token` for a shop with no offline token (first open after a managed install, or
   a re-install) → token exchange, then the shop is saved and its setup job deferred. No redirect
   OAuth ever runs inside the iframe.

Called by `web.ui` for every client route.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import structlog
from fastapi import HTTPException, Request
from sqlalchemy import select

from ecomsend.db.models import Shop
from ecomsend.integrations.shopify.errors import InvalidShopDomain, InvalidSignature, ShopifyError
from ecomsend.integrations.shopify.oauth import exchange_session_token, normalize_shop_domain
from ecomsend.integrations.shopify.session_token import verify_session_token
from ecomsend.sync.install import save_install

log = structlog.get_logger(__name__)
#: The query parameter App Bridge reads on the bounce page: where to go back with a token.
RELOAD_PARAM = "shopify-reload"


@dataclass(frozen=True)
class EmbeddedLoad:
    """A verified embedded load for `shop`; `bounce_to` set when a fresh token must be fetched."""

    shop: str
    bounce_to: str | None = None


#: Shopify's library calls this route the "bounce" page (reference §1.2 step 3).
BOUNCE_PATH = "/auth/session-token"


async def embedded_load(request: Request) -> EmbeddedLoad | None:
    """Classify a document request; installs the shop by token exchange when it must."""
    params = dict(request.query_params)
    if params.get("embedded") != "1":
        return None
    settings = request.app.state.settings
    secret = settings.shopify_api_secret.get_secret_value()
    try:
        shop = normalize_shop_domain(params.get("shop"))
    except InvalidShopDomain:
        return None
    if not params.get("host"):
        return None
    id_token = params.get("id_token", "")
    try:
        claims = verify_session_token(id_token, api_key=settings.shopify_api_key,
                                      api_secret=secret)
    except InvalidSignature:
        claims = None
    if claims is None or claims.shop != shop:
        keep = urlencode({k: v for k, v in params.items() if k != "id_token"})
        bounce = urlencode({"shop": shop, "host": params.get("host", ""),
                            RELOAD_PARAM: f"{request.url.path}?{keep}"})
        return EmbeddedLoad(shop, bounce_to=f"{BOUNCE_PATH}?{bounce}")
    await ensure_installed(request, shop, id_token)
    return EmbeddedLoad(shop)


def bounce_page(api_key: str) -> str:
    """Only App Bridge: it reads `shopify-reload` from this page's URL and loads that URL again
    with a fresh `id_token`."""
    from ecomsend.web.ui import app_bridge_head

    return (f"<!doctype html><html lang=en><head><meta charset=utf-8>{app_bridge_head(api_key)}"
            "<title>EcomSend Feed</title></head><body></body></html>")


async def ensure_installed(request: Request, shop: str, id_token: str) -> None:
    """Token exchange for a shop that has no offline token yet (or uninstalled and came back)."""
    state = request.app.state
    async with state.db.sessionmaker() as session:
        row = (await session.execute(select(Shop.id).where(
            Shop.domain == shop, Shop.uninstalled_at.is_(None),
            Shop.access_token.is_not(None)))).first()
    if row is not None:
        return
    settings = state.settings
    try:
        token = await exchange_session_token(
            state.services.http, state.services.shopify_base_url(shop),
            api_key=settings.shopify_api_key,
            api_secret=settings.shopify_api_secret.get_secret_value(), session_token=id_token)
    except ShopifyError as exc:
        log.warning("token_exchange_failed", shop=shop, error=type(exc).__name__)
        raise HTTPException(502, "Shopify did not complete the installation; reload the "
                                 "app from your Shopify admin.") from exc
    async with state.db.unit_of_work() as session:
        await save_install(session, state.queue, shop, token)
    log.info("installed_by_token_exchange", shop=shop)
