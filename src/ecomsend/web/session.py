"""Who is calling: a signed session cookie (standalone mode: self-hosted, sandbox) or an App
Bridge session token (embedded in Shopify admin; JWT HS256, aud = API key)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy import select

from ecomsend.config import Settings
from ecomsend.db.models import Shop
from ecomsend.integrations.shopify.errors import InvalidSignature
from ecomsend.integrations.shopify.session_token import verify_session_token
from ecomsend.web.deps import DbDep, SettingsDep

COOKIE_NAME = "ecomsend_session"
#: A standalone session lasts a working day; the merchant re-opens the app after that.
SESSION_TTL_S = 12 * 3600


@dataclass(frozen=True)
class CurrentShop:
    id: int
    domain: str


def issue_session(response: Response, settings: Settings, shop: CurrentShop) -> None:
    """Set the signed, HttpOnly session cookie for `shop` (called by the install callback)."""
    token = jwt.encode({"sub": str(shop.id), "shop": shop.domain,
                        "exp": int(time.time()) + SESSION_TTL_S},
                       settings.session_key(), algorithm="HS256")
    response.set_cookie(COOKIE_NAME, token, max_age=SESSION_TTL_S, httponly=True,
                        samesite="lax", secure=settings.public_base_url.startswith("https"))


def session_shop(request: Request, settings: Settings) -> str | None:
    """The shop domain of this browser's standalone session cookie, if it has a valid one."""
    return _from_cookie(request, settings)


def _from_cookie(request: Request, settings: Settings) -> str | None:
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        # A session without an expiry is refused (ours always carry one: SESSION_TTL_S).
        claims = jwt.decode(raw, settings.session_key(), algorithms=["HS256"],
                            options={"require": ["exp", "shop"]})
    except jwt.PyJWTError:
        return None
    return str(claims.get("shop") or "") or None


#: Tells App Bridge to fetch a new session token and retry the request (reference
#: shopify-admin-ui.md §1.2 step 4).
RETRY_HEADER = {"X-Shopify-Retry-Invalid-Session-Request": "1"}


def _from_bearer(request: Request, settings: Settings) -> str | None:
    """The shop of a valid App Bridge session token; 401 (retryable) for a bad one."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    try:
        return verify_session_token(
            header[7:], api_key=settings.shopify_api_key,
            api_secret=settings.shopify_api_secret.get_secret_value()).shop
    except InvalidSignature:
        raise HTTPException(401, "Your session expired; the app will reload it.",
                            headers=RETRY_HEADER) from None


async def current_shop(request: Request, db: DbDep, settings: SettingsDep) -> CurrentShop:
    """The installed shop this request acts for, or 401."""
    domain = _from_bearer(request, settings) or _from_cookie(request, settings)
    if domain is None:
        raise HTTPException(401, "Open the app from your Shopify admin (no valid session).")
    async with db.sessionmaker() as session:
        row = (await session.execute(select(Shop.id).where(
            Shop.domain == domain, Shop.uninstalled_at.is_(None)))).first()
    if row is None:
        raise HTTPException(401, f"{domain} has not installed EcomSend Feed.")
    return CurrentShop(int(row[0]), domain)


CurrentShopDep = Annotated[CurrentShop, Depends(current_shop)]
