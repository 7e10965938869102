"""Verify App Bridge session tokens (ID tokens) sent by the embedded admin UI (reference §3.3).

Called by the web layer on every embedded request (`Authorization: Bearer <JWT>`) and before a
token exchange. HS256 only, signed with the API secret, `aud` = API key, `exp`/`nbf` with a small
leeway, and `iss` and `dest` naming the same, valid shop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt

from ecomsend.integrations.shopify.errors import InvalidShopDomain, InvalidSignature
from ecomsend.integrations.shopify.oauth import normalize_shop_domain

#: Clock leeway for exp/nbf; the official libraries use 10 s (reference §3.3).
LEEWAY_S = 10
#: The only algorithm Shopify signs session tokens with; `none` and RS* are refused.
ALGORITHM = "HS256"
#: Claims that must be present (the Python library's list, reference §3.3).
REQUIRED_CLAIMS = ("iss", "dest", "aud", "sub", "exp", "nbf")


@dataclass(frozen=True, slots=True)
class SessionToken:
    """A verified session token: which shop and user it speaks for."""

    shop: str
    user_id: str
    session_id: str | None
    expires_at: int
    claims: dict[str, Any]


def verify_session_token(
    token: str, *, api_key: str, api_secret: str, now: float | None = None,
    leeway_s: float = LEEWAY_S,
) -> SessionToken:
    """Decode and check a session token; raise InvalidSignature on any failure."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidSignature(f"session token algorithm {header.get('alg')!r} refused")
        claims: dict[str, Any] = jwt.decode(
            token, api_secret, algorithms=[ALGORITHM], audience=api_key,
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                     "require": list(REQUIRED_CLAIMS)},
        )
    except jwt.PyJWTError as exc:
        raise InvalidSignature(f"session token rejected: {exc}") from exc
    _check_times(claims, time.time() if now is None else now, leeway_s)
    shop = _shop_of(claims)
    return SessionToken(shop=shop, user_id=str(claims["sub"]), session_id=claims.get("sid"),
                        expires_at=int(claims["exp"]), claims=claims)


def _check_times(claims: dict[str, Any], now: float, leeway_s: float) -> None:
    """exp/nbf checked against an injectable clock (PyJWT only knows the wall clock)."""
    try:
        exp, nbf = float(claims["exp"]), float(claims["nbf"])
    except (TypeError, ValueError):
        raise InvalidSignature("session token exp/nbf are not numbers") from None
    if now > exp + leeway_s:
        raise InvalidSignature("session token expired")
    if now < nbf - leeway_s:
        raise InvalidSignature("session token not yet valid")


def _shop_of(claims: dict[str, Any]) -> str:
    """The shop from `dest` (https://{shop}); `iss` (https://{shop}/admin) must agree."""
    dest = urlsplit(str(claims["dest"]))
    iss = urlsplit(str(claims["iss"]))
    if dest.scheme != "https" or iss.scheme != "https" or dest.hostname != iss.hostname:
        raise InvalidSignature("session token iss and dest name different shops")
    try:
        return normalize_shop_domain(dest.hostname)
    except InvalidShopDomain as exc:
        raise InvalidSignature(str(exc)) from exc
