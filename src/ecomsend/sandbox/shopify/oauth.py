"""OAuth: the authorize redirect, /admin/oauth/access_token grants, session tokens (§3).

Grants: authorization code; token exchange (App Bridge ID token, HS256 with the api secret,
aud = api key, 10 s leeway; online or offline, `expiring=1` for expiring offline tokens; or
migrating a non-expiring offline token); refresh (rotation: the previous refresh token stops
working once the new access token has been used — changelog "More resilient refreshes").
Routes are mounted by `app`; `issue_token` is also used by the control API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt

from ecomsend.sandbox.shopify.store import ALL_SCOPES, Sandbox, Token
from ecomsend.sandbox.shopify.util import now

#: Expiring offline tokens last 1 hour (reference §3.3).
ACCESS_TOKEN_TTL_S = 3600
#: Refresh token lifetime; Shopify's exact value is not published (reference §14) — 90 days.
REFRESH_TOKEN_TTL_S = 90 * 24 * 3600
#: Online tokens last about a day (reference §3.2: expires_in 86399).
ONLINE_TOKEN_TTL_S = 86399
#: Authorization codes are single-use and short-lived.
CODE_TTL_S = 600
#: Session-token exp/nbf leeway (reference §3.3: 10 s).
JWT_LEEWAY_S = 10
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
OFFLINE_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE_TYPE = "urn:shopify:params:oauth:token-type:online-access-token"


class OAuthError(Exception):
    """A 400 from /admin/oauth/access_token: `{"error": code, "error_description": …}`."""

    def __init__(self, code: str, description: str) -> None:
        """Keep the OAuth error code and description."""
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass
class RefreshRecord:
    """A refresh token: its shop, scope, expiry and the token it was rotated into."""
    shop: str
    scope: str
    expires_at: float
    successor: str | None = None  # access token issued when this refresh token was used


def query_hmac(secret: str, params: dict[str, str]) -> str:
    """Hex HMAC-SHA256 of the sorted `k=v&…` query without hmac/signature (reference §3.2)."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items())
                       if k not in ("hmac", "signature"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def host_param(shop: str) -> str:
    """`host`: base64 of admin.shopify.com/store/{name}, unpadded."""
    raw = f"admin.shopify.com/store/{shop.split('.')[0]}".encode()
    return base64.b64encode(raw).decode().rstrip("=")


def redirect_allowed(sandbox: Sandbox, redirect_uri: str) -> bool:
    """Whether `redirect_uri` (its query ignored) is one of the app's allowed redirection URLs
    (`redirect_urls`: create_app option, `--redirect-url`, `PUT /_sandbox/app`). Sandbox
    choice, kinder than Shopify: with none configured any URL is accepted, because a sandbox
    started alone does not know the app's URL (LocalStack configures them)."""
    allowed = sandbox.options.get("redirect_urls") or []
    if not allowed:
        return True
    return redirect_uri.split("?", 1)[0].split("#", 1)[0] in allowed


def authorize_redirect(sandbox: Sandbox, shop: str, params: dict[str, str]) -> str:
    """The callback URL the merchant's browser is sent to after approving the grant screen."""
    if params.get("client_id") != sandbox.api_key:
        raise OAuthError("invalid_client", "The client_id is not the app's API key")
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        raise OAuthError("invalid_request", "redirect_uri is required")
    if not redirect_allowed(sandbox, redirect_uri):
        # Shopify's grant screen: "Oauth error invalid_request: The redirect_uri is not
        # whitelisted" when it is not one of the app's allowed redirection URLs.
        raise OAuthError("invalid_request", "The redirect_uri is not whitelisted")
    online = params.get("grant_options[]") == "per-user"
    code = secrets.token_hex(16)
    sandbox.codes[code] = (shop, params.get("scope") or ALL_SCOPES, online, now())
    query = {"code": code, "host": host_param(shop), "shop": shop,
             "state": params.get("state", ""), "timestamp": str(int(time.time()))}
    query["hmac"] = query_hmac(sandbox.api_secret, query)
    sep = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{sep}{urlencode(query)}"


def issue_token(sandbox: Sandbox, shop: str, scope: str, *, online: bool = False,
                expiring: bool = False, sub: str = "42") -> dict[str, Any]:
    """Create a token and return the access_token response body (reference §3.2 shapes)."""
    ttl = float(sandbox.options.get("access_token_ttl_s", ACCESS_TOKEN_TTL_S))
    value = ("shpua_" if online else "shpat_") + secrets.token_hex(16)
    token = Token(value=value, shop=shop, scope=scope, online=online)
    body: dict[str, Any] = {"access_token": value, "scope": scope}
    if online:
        token.expires_at = now() + ONLINE_TOKEN_TTL_S
        body.update(expires_in=ONLINE_TOKEN_TTL_S, associated_user_scope=scope,
                    associated_user={"id": int(sub) if sub.isdigit() else 1,
                                     "first_name": "Sandbox", "last_name": "Merchant",
                                     "email": f"owner@{shop}", "email_verified": True,
                                     "account_owner": True, "locale": "en",
                                     "collaborator": False})
    elif expiring:
        refresh = "shprt_" + secrets.token_hex(16)
        token.expires_at, token.refresh_token = now() + ttl, refresh
        sandbox.refresh_tokens[refresh] = RefreshRecord(shop, scope, now() + REFRESH_TOKEN_TTL_S)
        body.update(expires_in=int(ttl), refresh_token=refresh,
                    refresh_token_expires_in=REFRESH_TOKEN_TTL_S)
    sandbox.tokens[value] = token
    shop_obj = sandbox.shop(shop)
    if shop_obj is not None:
        shop_obj.installed = True
    return body


def session_token(sandbox: Sandbox, shop: str, sub: str = "42", exp_in: int = 60) -> str:
    """An App Bridge ID token for `shop` (control API helper for token-exchange tests)."""
    t = int(time.time())
    claims = {"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": sandbox.api_key,
              "sub": sub, "exp": t + exp_in, "nbf": t, "iat": t, "jti": str(uuid.uuid4()),
              "sid": secrets.token_hex(16)}
    return jwt.encode(claims, sandbox.api_secret, algorithm="HS256")


def launch_url(sandbox: Sandbox, shop: str, app_url: str, embedded: bool) -> str:
    """The URL Shopify's admin opens for the app (install request or embedded load, reference
    §3.2 step 1): host, shop, timestamp, and for embedded loads embedded=1, id_token, session
    and locale, all signed with a hex `hmac` of the sorted query."""
    query = {"host": host_param(shop), "shop": shop, "timestamp": str(int(time.time()))}
    if embedded:
        query.update(embedded="1", id_token=session_token(sandbox, shop), locale="en",
                     session=secrets.token_hex(16))
    query["hmac"] = query_hmac(sandbox.api_secret, query)
    sep = "&" if "?" in app_url else "?"
    return f"{app_url}{sep}{urlencode(query)}"


def _check_client(sandbox: Sandbox, body: dict[str, Any]) -> None:
    """client_id and client_secret must be the app's."""
    if body.get("client_id") != sandbox.api_key or not hmac.compare_digest(
            str(body.get("client_secret", "")), sandbox.api_secret):
        raise OAuthError("invalid_client", "Client authentication failed: wrong client_id or "
                         "client_secret")


def _code_grant(sandbox: Sandbox, shop: str, body: dict[str, Any]) -> dict[str, Any]:
    """Authorization code grant: single-use code, same shop, 10 minutes."""
    entry = sandbox.codes.pop(str(body.get("code", "")), None)
    if entry is None or entry[0] != shop or now() - entry[3] > CODE_TTL_S:
        raise OAuthError("invalid_request", "The authorization code was not found or was "
                         "already used")
    _, scope, online, _ = entry
    return issue_token(sandbox, shop, scope, online=online,
                       expiring=str(body.get("expiring", "0")) == "1")


def _verify_id_token(sandbox: Sandbox, shop: str, subject: str) -> dict[str, Any]:
    """Validate an App Bridge session token (HS256, aud, exp/nbf, dest)."""
    try:
        claims: dict[str, Any] = jwt.decode(
            subject, sandbox.api_secret, algorithms=["HS256"], audience=sandbox.api_key,
            leeway=JWT_LEEWAY_S, options={"require": ["exp", "nbf", "aud", "dest", "sub"]})
    except jwt.PyJWTError as exc:
        raise OAuthError("invalid_subject_token", f"Session token is invalid: {exc}") from exc
    if claims.get("dest") != f"https://{shop}":
        raise OAuthError("invalid_subject_token", "Session token is for another shop")
    return claims


def _exchange_grant(sandbox: Sandbox, shop: str, body: dict[str, Any]) -> dict[str, Any]:
    """Token exchange: ID token -> online/offline token, or migrate an old offline token."""
    subject_type = body.get("subject_token_type")
    requested = body.get("requested_token_type") or OFFLINE_TYPE
    expiring = str(body.get("expiring", "0")) == "1"
    subject = str(body.get("subject_token", ""))
    if subject_type == OFFLINE_TYPE:
        old = sandbox.tokens.get(subject)
        if old is None or old.shop != shop or old.online or old.expires_at is not None:
            raise OAuthError("invalid_subject_token", "Not a non-expiring offline token")
        del sandbox.tokens[subject]  # migrated: the old non-expiring token is revoked
        return issue_token(sandbox, shop, old.scope, expiring=True)
    if subject_type != ID_TOKEN:
        raise OAuthError("invalid_request", f"Unsupported subject_token_type {subject_type}")
    claims = _verify_id_token(sandbox, shop, subject)
    if requested not in (OFFLINE_TYPE, ONLINE_TYPE):
        raise OAuthError("invalid_request", f"Unsupported requested_token_type {requested}")
    return issue_token(sandbox, shop, ALL_SCOPES, online=requested == ONLINE_TYPE,
                       expiring=expiring, sub=str(claims.get("sub", "42")))


def _refresh_grant(sandbox: Sandbox, shop: str, body: dict[str, Any]) -> dict[str, Any]:
    """Refresh grant with rotation."""
    value = str(body.get("refresh_token", ""))
    record: RefreshRecord | None = sandbox.refresh_tokens.get(value)
    if record is None or record.shop != shop or record.expires_at < now():
        raise OAuthError("invalid_grant", "The refresh token is invalid or expired")
    if record.successor is not None:
        successor = sandbox.tokens.get(record.successor)
        if successor is None or successor.used:
            raise OAuthError("invalid_grant", "The refresh token was already rotated")
    response = issue_token(sandbox, shop, record.scope, expiring=True)
    record.successor = response["access_token"]
    return response


def access_token(sandbox: Sandbox, shop: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /admin/oauth/access_token: dispatch on grant_type."""
    _check_client(sandbox, body)
    if sandbox.shop(shop) is None:
        sandbox.add_shop(shop)
    grant = body.get("grant_type")
    if grant in (None, "", "authorization_code"):
        return _code_grant(sandbox, shop, body)
    if grant == TOKEN_EXCHANGE:
        return _exchange_grant(sandbox, shop, body)
    if grant == "refresh_token":
        return _refresh_grant(sandbox, shop, body)
    raise OAuthError("unsupported_grant_type", f"Unsupported grant_type {grant}")
