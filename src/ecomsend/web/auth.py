"""OAuth routes: install from Shopify (authorization code grant) and connect TikTok Shop.

State nonces live in `oauth_state` and are consumed by a DELETE … RETURNING, so each can be
used once, for the shop it was issued to, before it expires.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
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
from ecomsend.sync.connect import (
    RegionAlreadyConnected,
    TikTokShopTaken,
    authorize,
    save_connections,
)
from ecomsend.sync.install import save_install
from ecomsend.web.deps import DbDep, QueueDep, ServicesDep, SettingsDep
from ecomsend.web.session import CurrentShop, CurrentShopDep, issue_session, session_shop

router = APIRouter(prefix="/auth", tags=["auth"])
#: A merchant has this long to approve on Shopify / TikTok before the state nonce expires.
STATE_TTL = timedelta(minutes=10)
#: Where a merchant lands after installing or connecting: the admin UI's Home.
AFTER_LOGIN_PATH = "/"


#: The cookie that binds an OAuth flow to the browser that started it (one per platform).
STATE_COOKIE = "ecomsend_oauth_{platform}"


async def _new_state(db: DbDep, platform: str, *, shop_domain: str | None = None,
                     shop_id: int | None = None, ttl: timedelta = STATE_TTL) -> str:
    nonce = new_state_nonce()
    async with db.unit_of_work() as session:
        session.add(OAuthState(nonce=nonce, platform=platform, shop_domain=shop_domain,
                               shop_id=shop_id, expires_at=utcnow() + ttl))
    return nonce


def _state_binding(settings: SettingsDep, nonce: str) -> str:
    """What the browser that started a flow holds for its state: an HMAC of the nonce under the
    session key (so the cookie alone is useless, and a state alone is not enough)."""
    return hmac.new(settings.session_key(), nonce.encode(), hashlib.sha256).hexdigest()


def _bind_to_browser(response: Response, settings: SettingsDep, platform: str,
                     nonce: str) -> None:
    """Set the flow's binding cookie on the redirect to the platform. SameSite=Lax: it comes
    back on the platform's top-level redirect to our callback, never on a cross-site POST."""
    response.set_cookie(STATE_COOKIE.format(platform=platform),
                        _state_binding(settings, nonce), max_age=int(STATE_TTL.total_seconds()),
                        httponly=True, samesite="lax", path="/auth",
                        secure=settings.public_base_url.startswith("https"))


async def _consume_state(request: Request, db: DbDep, settings: SettingsDep, platform: str,
                         nonce: str) -> OAuthState:
    """The flow's state, used once, for the browser that started it; else 400. A callback
    opened in another browser (a link an attacker sent) leaves the state unused."""
    held = request.cookies.get(STATE_COOKIE.format(platform=platform), "")
    if not hmac.compare_digest(held.encode(), _state_binding(settings, nonce).encode()):
        raise HTTPException(400, "This sign-in did not start in this browser; start again "
                                 "from the app.")
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
    response = RedirectResponse(url, status_code=302)
    _bind_to_browser(response, settings, "shopify", state)
    return response


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
    state = await _consume_state(request, db, settings, "shopify", params.get("state", ""))
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


def tiktok_authorize_url(settings: SettingsDep, state: str) -> str:
    """TikTok Shop's authorization page for this app's service, carrying `state`."""
    query = urlencode({"service_id": settings.tiktok_service_id, "state": state})
    return f"{settings.tiktok_authorize_url}?{query}"


async def _redirect_to_tiktok(db: DbDep, settings: SettingsDep, shop_id: int) -> Response:
    """A new state for `shop_id`, bound to this browser, and the redirect to TikTok's page."""
    state = await _new_state(db, "tiktok", shop_id=shop_id)
    response = RedirectResponse(tiktok_authorize_url(settings, state), status_code=302)
    _bind_to_browser(response, settings, "tiktok", state)
    return response


@router.get("/tiktok/connect", summary="Start connecting a TikTok Shop")
async def tiktok_connect(db: DbDep, settings: SettingsDep, shop: CurrentShopDep) -> Response:
    """Redirect the merchant to TikTok Shop's authorization page for this app's service."""
    return await _redirect_to_tiktok(db, settings, shop.id)


#: A start ticket from the embedded UI is good for this long (it is opened at once).
TICKET_TTL = timedelta(seconds=120)


async def new_connect_ticket(db: DbDep, shop: CurrentShop) -> str:
    """A one-time ticket for `/auth/tiktok/start` (called by `POST /api/tiktok/connect`): the
    embedded UI authenticates with a bearer token the top window cannot send, so it trades
    one for this ticket and opens the start URL in the top window."""
    return await _new_state(db, "tiktok-ticket", shop_id=shop.id, ttl=TICKET_TTL)


@router.get("/tiktok/start", summary="Start connecting a TikTok Shop with a one-time ticket")
async def tiktok_start(db: DbDep, settings: SettingsDep, ticket: str) -> Response:
    """Use up the ticket, then continue as `/auth/tiktok/connect` does, binding the flow to this
    (top-level) browser window."""
    async with db.unit_of_work() as session:
        row = (await session.execute(
            delete(OAuthState).where(OAuthState.nonce == ticket,
                                     OAuthState.platform == "tiktok-ticket",
                                     OAuthState.expires_at > utcnow())
            .returning(OAuthState.shop_id))).first()
    if row is None or row[0] is None:
        raise HTTPException(400, "This link has expired or was already used; start again "
                                 "from the app.")
    return await _redirect_to_tiktok(db, settings, int(row[0]))


@router.get("/tiktok/callback", summary="TikTok Shop authorization callback")
async def tiktok_callback(request: Request, db: DbDep, queue: QueueDep, services: ServicesDep,
                          settings: SettingsDep, state: str, code: str | None = None,
                          error: str | None = None) -> RedirectResponse:
    """Consume the state, exchange the code, store one connection per authorized shop."""
    saved = await _consume_state(request, db, settings, "tiktok", state)
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
    except (RegionAlreadyConnected, TikTokShopTaken) as exc:
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
