"""The auth host: token get/refresh (unsigned GET) and the consent page (reference §1)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ecomsend.sandbox.tiktok import errors as E
from ecomsend.sandbox.tiktok.consent import authorize
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.state import Token, now

#: grant_type values: TikTok's literal `authorized_code` (not OAuth's authorization_code).
GRANT_AUTH_CODE = "authorized_code"
GRANT_REFRESH = "refresh_token"
#: Invalid refresh token: undocumented code; we reuse the token host's 36004004 family [INF].
INVALID_REFRESH_TOKEN = 36004005
#: user_type 0 = Seller (reference §1.2).
USER_TYPE_SELLER = 0


def _check_app(sb: Sandbox, query: dict[str, str], grant: str) -> None:
    """app_key, app_secret and the literal grant_type of the token host."""
    if query.get("app_key") != sb.app_key:
        raise ApiError(E.GATEWAY_PARAM, E.MSG_BAD_APP_KEY, 400)
    if query.get("app_secret") != sb.app_secret:
        raise ApiError(E.GATEWAY_PARAM, "Invalid credentials. The `app_secret` is invalid.", 400)
    if query.get("grant_type") != grant:
        raise ApiError(E.GATEWAY_PARAM, f"Invalid `grant_type`; expected `{grant}`.", 400)


def _issue(sb: Sandbox, shop_ids: list[str], open_id: str, scopes: list[str]) -> Token:
    """Mint and register a new access/refresh token pair."""
    t = now()
    token = Token(access_token="TTP_" + secrets.token_urlsafe(32),
                  refresh_token="TTP_" + secrets.token_urlsafe(32),
                  access_expire=t + sb.options.access_token_ttl_s,
                  refresh_expire=t + sb.options.refresh_token_ttl_s,
                  shop_ids=list(shop_ids), open_id=open_id, scopes=list(scopes))
    sb.store.tokens[token.access_token] = token
    sb.store.refresh_index[token.refresh_token] = token
    return token


def _token_data(sb: Sandbox, token: Token) -> dict[str, Any]:
    """Token response `data`; the *_expire_in fields are ABSOLUTE Unix seconds (reference §1.2)."""
    shop = sb.store.shops.get(token.shop_ids[0]) if token.shop_ids else None
    return {"access_token": token.access_token, "access_token_expire_in": token.access_expire,
            "refresh_token": token.refresh_token,
            "refresh_token_expire_in": token.refresh_expire, "open_id": token.open_id,
            "seller_name": shop.name if shop else "", "seller_base_region":
            shop.region if shop else "", "user_type": USER_TYPE_SELLER,
            "granted_scopes": list(token.scopes)}


def get_token(sb: Sandbox, query: dict[str, str]) -> dict[str, Any]:
    """GET /api/v2/token/get: exchange a single-use, 30-minute auth code."""
    _check_app(sb, query, GRANT_AUTH_CODE)
    code = sb.store.auth_codes.get(query.get("auth_code", ""))
    if code is None or code.used or code.expires <= now():
        raise ApiError(E.INVALID_AUTH_CODE, "Invalid auth code.")
    code.used = True
    return _token_data(sb, _issue(sb, code.shop_ids, sb.store.new_id("open_id"), code.scopes))


def refresh_token(sb: Sandbox, query: dict[str, str]) -> dict[str, Any]:
    """GET /api/v2/token/refresh: a new pair; the old refresh token stops working (rotation)."""
    _check_app(sb, query, GRANT_REFRESH)
    old = sb.store.refresh_index.get(query.get("refresh_token", ""))
    if old is None or old.refresh_used or old.refresh_expire <= now():
        raise ApiError(INVALID_REFRESH_TOKEN, "Invalid refresh token.")
    old.refresh_used = True
    del sb.store.refresh_index[old.refresh_token]
    return _token_data(sb, _issue(sb, old.shop_ids, old.open_id, old.scopes))


def _log_entry(sb: Sandbox, path: str, query: dict[str, str], is_get: bool,
               request_id: str) -> dict[str, Any]:
    """Request-log entry for a token call, attributed to the (first) shop it concerns."""
    shop_ids: list[str] = []
    if is_get:
        code = sb.store.auth_codes.get(query.get("auth_code", ""))
        shop_ids = code.shop_ids if code else []
    else:
        token = sb.store.refresh_index.get(query.get("refresh_token", ""))
        shop_ids = token.shop_ids if token else []
    entry: dict[str, Any] = {"at": time.time(), "method": "GET", "path": path,
                             "api": f"GET {path}", "shop_id": shop_ids[0] if shop_ids else None,
                             "http_status": 0, "code": None, "request_id": request_id}
    sb.store.request_log.append(entry)
    return entry


def token_routes(sb: Sandbox) -> list[Route]:
    """Starlette routes of the auth host and the consent page."""

    async def token_endpoint(request: Request) -> Response:
        request_id = E.new_request_id()
        query = dict(request.query_params)
        is_get = request.url.path.endswith("/get")
        entry = _log_entry(sb, request.url.path, query, is_get, request_id)
        action = get_token if is_get else refresh_token
        try:
            data = action(sb, query)
        except ApiError as err:
            entry["http_status"], entry["code"] = err.http_status, err.code
            return E.error_response(err, request_id)
        entry["http_status"], entry["code"] = 200, 0
        # The token host answers message "success" in lowercase (reference §1.2 example).
        return E.api_response(0, "success", data, request_id)

    async def consent(request: Request) -> Response:
        return authorize(sb, request.query_params)

    return [Route("/api/v2/token/get", token_endpoint, methods=["GET"]),
            Route("/api/v2/token/refresh", token_endpoint, methods=["GET"]),
            Route("/oauth/authorize", consent, methods=["GET"]),
            Route("/open/authorize", consent, methods=["GET"])]
