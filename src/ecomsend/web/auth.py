"""OAuth routes: install from Shopify (authorization code grant) and connect TikTok Shop.

State nonces live in `oauth_state` and are consumed by a DELETE … RETURNING, so each can be
used once, for the shop it was issued to, before it expires.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import delete, select

from ecomsend.db.models import OAuthState, Shop
from ecomsend.db.types import utcnow
from ecomsend.integrations.shopify.errors import InvalidShopDomain, InvalidSignature, ShopifyError
from ecomsend.integrations.shopify.oauth import (
    authorization_url,
    new_state_nonce,
    normalize_shop_domain,
    request_access_token,
    verify_signed_query,
)
from ecomsend.integrations.tiktok.errors import TikTokError
from ecomsend.sync.connect import RegionAlreadyConnected, authorize, save_connections
from ecomsend.sync.install import save_install
from ecomsend.web.deps import DbDep, QueueDep, ServicesDep, SettingsDep
from ecomsend.web.session import CurrentShop, CurrentShopDep, issue_session, session_shop

router = APIRouter(prefix="/auth", tags=["auth"])
#: A merchant has this long to approve on Shopify / TikTok before the state nonce expires.
STATE_TTL = timedelta(minutes=10)
#: Where a merchant lands after installing or connecting: the admin UI's Home.
AFTER_LOGIN_PATH = "/"


async def _new_state(db: DbDep, platform: str, *, shop_domain: str | None = None,
                     shop_id: int | None = None) -> str:
    nonce = new_state_nonce()
    async with db.unit_of_work() as session:
        session.add(OAuthState(nonce=nonce, platform=platform, shop_domain=shop_domain,
                               shop_id=shop_id, expires_at=utcnow() + STATE_TTL))
    return nonce


async def _consume_state(db: DbDep, platform: str, nonce: str) -> OAuthState:
    async with db.unit_of_work() as session:
        row = (await session.execute(
            delete(OAuthState).where(OAuthState.nonce == nonce, OAuthState.platform == platform,
                                     OAuthState.expires_at > utcnow())
            .returning(OAuthState))).scalar_one_or_none()
    if row is None:
        raise HTTPException(400, "This sign-in link has expired or was already used; "
                                 "start again from the app.")
    return row


@router.get("/shopify/install", summary="Start the Shopify install (authorization code grant)")
async def shopify_install(request: Request, db: DbDep, settings: SettingsDep,
                          services: ServicesDep, shop: str) -> RedirectResponse:
    """Redirect to the shop's grant screen. A launch from Shopify admin carries `hmac`, which
    is verified; a bare `?shop=` (typed by the merchant) only has its domain validated."""
    params = dict(request.query_params)
    try:
        domain = (verify_signed_query(params, secret=settings.shopify_api_secret
                                      .get_secret_value())
                  if "hmac" in params else normalize_shop_domain(shop))
    except (InvalidSignature, InvalidShopDomain) as exc:
        raise HTTPException(400, f"Invalid install request: {exc}") from exc
    state = await _new_state(db, "shopify", shop_domain=domain)
    url = authorization_url(services.shopify_base_url(domain), api_key=settings.shopify_api_key,
                            scopes=settings.shopify_scopes, state=state,
                            redirect_uri=f"{settings.public_base_url}/auth/shopify/callback")
    return RedirectResponse(url, status_code=302)


@router.get("/shopify/callback", summary="Shopify OAuth callback")
async def shopify_callback(request: Request, db: DbDep, queue: QueueDep, settings: SettingsDep,
                           services: ServicesDep) -> RedirectResponse:
    """Verify hmac, shop, timestamp and the one-time state; trade the code for an expiring
    offline token; store the shop and start its setup job; open a session."""
    params = dict(request.query_params)
    secret = settings.shopify_api_secret.get_secret_value()
    try:
        domain = verify_signed_query(params, secret=secret)
    except (InvalidSignature, InvalidShopDomain) as exc:
        raise HTTPException(400, f"Invalid OAuth callback: {exc}") from exc
    state = await _consume_state(db, "shopify", params.get("state", ""))
    if state.shop_domain != domain:
        raise HTTPException(400, "The OAuth state was issued for another shop.")
    try:
        token = await request_access_token(services.http, services.shopify_base_url(domain),
                                           api_key=settings.shopify_api_key, api_secret=secret,
                                           code=params.get("code", ""))
    except ShopifyError as exc:
        raise HTTPException(502, f"Shopify refused the installation: {exc}") from exc
    async with db.unit_of_work() as session:
        shop_id = await save_install(session, queue, domain, token)
    response = RedirectResponse(AFTER_LOGIN_PATH, status_code=302)
    issue_session(response, settings, CurrentShop(shop_id, domain))
    return response


async def tiktok_authorize_url(db: DbDep, settings: SettingsDep, shop: CurrentShop) -> str:
    """TikTok Shop's authorization page for this app's service, with a one-time state bound to
    `shop` (used by the redirect below and by `POST /api/tiktok/connect` for the embedded UI)."""
    state = await _new_state(db, "tiktok", shop_id=shop.id)
    query = urlencode({"service_id": settings.tiktok_service_id, "state": state})
    return f"{settings.tiktok_authorize_url}?{query}"


@router.get("/tiktok/connect", summary="Start connecting a TikTok Shop")
async def tiktok_connect(db: DbDep, settings: SettingsDep,
                         shop: CurrentShopDep) -> RedirectResponse:
    """Redirect the merchant to TikTok Shop's authorization page for this app's service."""
    return RedirectResponse(await tiktok_authorize_url(db, settings, shop), status_code=302)


@router.get("/tiktok/callback", summary="TikTok Shop authorization callback")
async def tiktok_callback(request: Request, db: DbDep, queue: QueueDep, services: ServicesDep,
                          settings: SettingsDep, state: str, code: str | None = None,
                          error: str | None = None) -> RedirectResponse:
    """Consume the state, exchange the code, store one connection per authorized shop."""
    saved = await _consume_state(db, "tiktok", state)
    if error or not code or code == "null" or saved.shop_id is None:
        raise HTTPException(400, f"TikTok Shop authorization was not granted ({error}).")
    try:
        grant = await authorize(services, code)
    except TikTokError as exc:
        raise HTTPException(502, f"TikTok Shop refused the connection: {exc}") from exc
    try:
        async with db.unit_of_work() as session:
            await save_connections(session, queue, saved.shop_id, grant)
            domain = (await session.execute(select(Shop.domain).where(
                Shop.id == saved.shop_id))).scalar_one()
    except RegionAlreadyConnected as exc:
        raise HTTPException(409, str(exc)) from exc
    return RedirectResponse(_back_to_app(request, settings, domain), status_code=302)


def _back_to_app(request: Request, settings: SettingsDep, domain: str) -> str:
    """Where the merchant returns after TikTok's consent page: the standalone app when this
    browser has its session cookie, else the app inside Shopify admin (the embedded UI opened
    TikTok in the top window, so only the admin can frame the app again)."""
    if session_shop(request, settings) == domain:
        return AFTER_LOGIN_PATH
    store = domain.removesuffix(".myshopify.com")
    return f"https://admin.shopify.com/store/{store}/apps/{settings.shopify_api_key}"
