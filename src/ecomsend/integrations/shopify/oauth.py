"""OAuth for Shopify apps: authorize URL, callback checks, code grant, token exchange, refresh.

Pure functions (URL building, query HMAC, shop-domain validation, token-response parsing) plus
small httpx helpers for `POST /admin/oauth/access_token`. Called by the web layer's install and
callback routes, by the App Bridge token-exchange middleware, and through `ExpiringToken` by the
client itself when an expiring offline token must be refreshed (reference §3).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from ecomsend.integrations.shopify.errors import (
    AuthenticationFailed,
    InvalidShopDomain,
    InvalidSignature,
    Permanent,
    Transient,
)

#: Shop hostnames we accept, after lower-casing (reference §3.2 shop domain validation).
#: One DNS label (at most 63 characters, RFC 1035) under myshopify.com.
SHOP_DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$")
#: Replay window for signed query strings; the JS library uses 90 s (reference §3.2).
CALLBACK_MAX_AGE_S = 90
#: Longest part of a refused token response kept in the error message.
MAX_ERROR_TEXT = 300
#: Refresh an expiring token this long before it expires, so no request carries a dead one.
REFRESH_MARGIN_S = 60
#: Token-exchange grant and token-type URNs (reference §3.3); identifiers, not secrets.
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"  # noqa: S105
ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token"  # noqa: S105

QueryParams = Mapping[str, str | Sequence[str]]


def normalize_shop_domain(shop: str | None) -> str:
    """`shop` lower-cased and stripped if it is a valid myshopify hostname; else raise."""
    value = (shop or "").strip().lower()
    if not SHOP_DOMAIN_RE.match(value):
        raise InvalidShopDomain(f"not a myshopify.com shop domain: {shop!r}")
    return value


def new_state_nonce() -> str:
    """A fresh OAuth `state`: 32 random bytes, hex (as the JS library does, reference §3.2)."""
    return secrets.token_hex(32)


def authorization_url(
    shop_base_url: str, *, api_key: str, scopes: str, redirect_uri: str, state: str,
    online: bool = False,
) -> str:
    """The grant-screen URL `{shop}/admin/oauth/authorize?...` (reference §3.2 step 2).
    `online=True` asks for a per-user token (`grant_options[]=per-user`)."""
    params = {"client_id": api_key, "scope": scopes, "redirect_uri": redirect_uri,
              "state": state, "grant_options[]": "per-user" if online else ""}
    return f"{shop_base_url.rstrip('/')}/admin/oauth/authorize?{urlencode(params)}"


def query_hmac_message(params: QueryParams) -> str:
    """The string Shopify signs for a query: every param but `hmac`/`signature`, escaped and
    sorted as shopify_python_api does (reference §3.2: `%`→`%25`, `=`→`%3D` in keys, `&`→`%26`,
    `k[]` arrays → `k=["a", "b"]`)."""
    pairs = []
    for key, value in params.items():
        if key in ("hmac", "signature"):
            continue
        if key.endswith("[]"):
            key = key[:-2]
            items = [value] if isinstance(value, str) else list(value)
            text = json.dumps([str(v) for v in items])
        else:
            text = value if isinstance(value, str) else ",".join(value)
        k = key.replace("%", "%25").replace("=", "%3D")
        pairs.append(f"{k}={text.replace('%', '%25')}".replace("&", "%26"))
    return "&".join(sorted(pairs))


def query_hmac(params: QueryParams, secret: str) -> str:
    """Lowercase hex HMAC-SHA256 of the query with the client secret."""
    message = query_hmac_message(params).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_query_hmac(params: QueryParams, secret: str) -> bool:
    """True if the query's `hmac` matches (constant-time compare)."""
    given = params.get("hmac")
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(query_hmac(params, secret), given.lower())


def verify_signed_query(
    params: QueryParams, *, secret: str, expected_state: str | None = None,
    now: float | None = None, max_age_s: float = CALLBACK_MAX_AGE_S,
) -> str:
    """Check an install request or OAuth callback; return the validated shop domain.

    HMAC (constant time), shop domain, `timestamp` within `max_age_s`, and, for the callback,
    `state` equal to the nonce stored for this browser (constant time). Raises InvalidSignature
    or InvalidShopDomain.
    """
    if not verify_query_hmac(params, secret):
        raise InvalidSignature("query hmac does not verify")
    shop = normalize_shop_domain(_single(params, "shop"))
    try:
        stamp = float(_single(params, "timestamp"))
    except ValueError:
        raise InvalidSignature("missing or bad timestamp") from None
    if abs((time.time() if now is None else now) - stamp) > max_age_s:
        raise InvalidSignature("timestamp outside the replay window")
    if expected_state is not None and not hmac.compare_digest(
        _single(params, "state").encode(), expected_state.encode()
    ):
        raise InvalidSignature("state does not match")
    return shop


def _single(params: QueryParams, key: str) -> str:
    value = params.get(key, "")
    return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class AccessToken:
    """What `/admin/oauth/access_token` returned (reference §3.2 response shapes)."""

    access_token: str
    scope: str
    expires_at: datetime | None = None
    refresh_token: str | None = None
    refresh_token_expires_at: datetime | None = None
    associated_user: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def online(self) -> bool:
        """Per-user token (the JS library's rule: `associated_user` present)."""
        return self.associated_user is not None

    def expires_within(self, seconds: float, now: datetime | None = None) -> bool:
        """True if the access token expires within `seconds` (never for legacy tokens)."""
        if self.expires_at is None:
            return False
        return self.expires_at - (now or datetime.now(UTC)) <= timedelta(seconds=seconds)


def parse_token_response(body: Mapping[str, Any], now: datetime | None = None) -> AccessToken:
    """The token JSON as AccessToken; `expires_in` seconds become absolute UTC times."""
    now = now or datetime.now(UTC)
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise Permanent(f"token response without access_token: {sorted(body)}")

    def at(key: str) -> datetime | None:
        value = body.get(key)
        return now + timedelta(seconds=float(value)) if value is not None else None

    return AccessToken(token, str(body.get("scope") or ""), at("expires_in"),
                       body.get("refresh_token"), at("refresh_token_expires_in"),
                       body.get("associated_user"))


async def _token_request(
    http: httpx.AsyncClient, shop_base_url: str, body: Mapping[str, str]
) -> AccessToken:
    """POST the JSON body to `/admin/oauth/access_token` (as the JS library does)."""
    url = f"{shop_base_url.rstrip('/')}/admin/oauth/access_token"
    try:
        response = await http.post(url, json=dict(body), headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise Transient(f"token request failed: {exc!r}", ambiguous=True) from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise Transient(f"token endpoint HTTP {response.status_code}")
    text = response.text[:MAX_ERROR_TEXT]
    if response.status_code in (400, 401, 403):
        raise AuthenticationFailed(f"token endpoint refused: {text}")
    if response.status_code != 200:
        raise Permanent(f"token endpoint HTTP {response.status_code}: {text}")
    return parse_token_response(response.json())


async def request_access_token(
    http: httpx.AsyncClient, shop_base_url: str, *, api_key: str, api_secret: str, code: str,
    expiring: bool = True,
) -> AccessToken:
    """Authorization-code grant: trade the callback's `code` for a token (reference §3.2)."""
    return await _token_request(http, shop_base_url, {
        "client_id": api_key, "client_secret": api_secret, "code": code,
        "expiring": "1" if expiring else "0"})


async def exchange_session_token(
    http: httpx.AsyncClient, shop_base_url: str, *, api_key: str, api_secret: str,
    session_token: str, online: bool = False, expiring: bool = True,
) -> AccessToken:
    """Token exchange: App Bridge session token → offline (or online) access token
    (reference §3.3). Verify the session token first (`session_token.verify_session_token`)."""
    return await _token_request(http, shop_base_url, {
        "client_id": api_key, "client_secret": api_secret, "grant_type": TOKEN_EXCHANGE_GRANT,
        "subject_token": session_token, "subject_token_type": ID_TOKEN_TYPE,
        "requested_token_type": ONLINE_TOKEN_TYPE if online else OFFLINE_TOKEN_TYPE,
        "expiring": "1" if expiring else "0"})


async def refresh_access_token(
    http: httpx.AsyncClient, shop_base_url: str, *, api_key: str, api_secret: str,
    refresh_token: str,
) -> AccessToken:
    """Refresh an expiring offline token; Shopify rotates the refresh token (reference §3.3)."""
    return await _token_request(http, shop_base_url, {
        "client_id": api_key, "client_secret": api_secret, "grant_type": "refresh_token",
        "refresh_token": refresh_token})


#: The caller's persistence hook: store the new access + refresh token pair atomically.
TokenSaver = Callable[[AccessToken], Awaitable[None]]


class ExpiringToken:
    """An `AccessTokenSource` for expiring offline tokens (1 h TTL, rotating refresh token).

    Refreshes shortly before expiry or after a 401, one refresh at a time. The new pair is
    handed to `save` (the caller's unit of work) *before* the new access token is used: until
    its first use Shopify still honours the previous refresh token (reference §3.3, changelog
    2026-08-28), so a failed save loses nothing. The client never touches the database.
    """

    def __init__(self, token: AccessToken, *, http: httpx.AsyncClient, shop_base_url: str,
                 api_key: str, api_secret: str, save: TokenSaver) -> None:
        self.current = token
        self._http = http
        self._base = shop_base_url
        self._key = api_key
        self._secret = api_secret
        self._save = save
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """The current token, refreshed first when it is about to expire."""
        if self.current.refresh_token and self.current.expires_within(REFRESH_MARGIN_S):
            await self._refresh(self.current.access_token)
        return self.current.access_token

    async def refresh(self, rejected: str) -> bool:
        """After a 401: refresh unless another caller already replaced `rejected`."""
        if not self.current.refresh_token:
            return False
        await self._refresh(rejected)
        return True

    async def _refresh(self, stale: str) -> None:
        async with self._lock:
            if self.current.access_token != stale:
                return  # another caller refreshed while we waited
            assert self.current.refresh_token is not None
            fresh = await refresh_access_token(self._http, self._base, api_key=self._key,
                                               api_secret=self._secret,
                                               refresh_token=self.current.refresh_token)
            await self._save(fresh)
            self.current = fresh
