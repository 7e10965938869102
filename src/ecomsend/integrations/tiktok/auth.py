"""Token get/refresh on the auth host and the per-shop refresh policy.

`AuthApi` is called by the OAuth callback (get) and by `TokenKeeper` (refresh). `TokenKeeper` is
called by the transport before each shop call (refresh shortly before expiry) and after a 105002
(refresh once, then the call is retried). New tokens reach the DB only through the caller's
`TokenPersister`; the client never touches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext, TokenPersister
from ecomsend.integrations.tiktok.errors import AuthInvalid, Permanent
from ecomsend.integrations.tiktok.models.auth import AuthorizedShops, TokenResponse, TokenSet

if TYPE_CHECKING:
    from ecomsend.integrations.tiktok.transport import TikTokTransport

#: Refresh this long before the access token's absolute expiry, so no call races the deadline.
REFRESH_MARGIN_S = 300
#: `grant_type` for the auth code exchange is literally "authorized_code" (Get access token doc),
#: not OAuth's "authorization_code".
GRANT_AUTHORIZED_CODE = "authorized_code"
GRANT_REFRESH_TOKEN = "refresh_token"  # noqa: S105 - a grant type, not a secret


class AuthApi:
    """Unsigned GETs on the auth host; app_secret travels in the query (Get access token doc)."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def get_access_token(self, auth_code: str) -> TokenResponse:
        """Exchange the consent redirect's single-use `code` (30 min) for both tokens."""
        data = await self._t.call_auth(ep.TOKEN_GET, {
            "app_key": self._t.config.app_key, "app_secret": self._t.config.app_secret,
            "auth_code": auth_code, "grant_type": GRANT_AUTHORIZED_CODE,
        })
        return TokenResponse.model_validate(data)

    async def refresh_access_token(self, refresh_token: str) -> TokenResponse:
        """A new access token AND a new refresh token (persist both)."""
        data = await self._t.call_auth(ep.TOKEN_REFRESH, {
            "app_key": self._t.config.app_key, "app_secret": self._t.config.app_secret,
            "refresh_token": refresh_token, "grant_type": GRANT_REFRESH_TOKEN,
        })
        return TokenResponse.model_validate(data)


#: `async with guard(shop, stale_access_token) as newer:` held around a refresh: the caller's
#: cross-process lock for this shop (the app's: a PostgreSQL advisory lock or a file lock).
#: `newer` is the stored tokens when another process already replaced the stale access token
#: (adopt them, refresh nothing), else None (refresh and persist inside the guard).
RefreshGuard = Callable[[ShopContext, str], AbstractAsyncContextManager[TokenSet | None]]


@contextlib.asynccontextmanager
async def no_guard(_shop: ShopContext, _stale: str) -> AsyncIterator[TokenSet | None]:
    """The default guard: this process only (its asyncio lock is the whole single flight)."""
    yield None


class TokenKeeper:
    """Single-flight refresh per shop, persisted through the caller's callback.

    Keeps the newest tokens it has seen per shop, so two contexts loaded for one shop in this
    process don't both spend the same refresh token; `guard` extends that across processes
    (TikTok rotates refresh tokens: a second refresh with the same one is refused).
    """

    def __init__(self, refresh: Callable[[str], Awaitable[TokenResponse]],
                 persist: TokenPersister, clock: Callable[[], float] = time.time,
                 margin_s: float = REFRESH_MARGIN_S, guard: RefreshGuard = no_guard) -> None:
        self._refresh = refresh
        self._persist = persist
        self._guard = guard
        self._clock = clock
        self._margin = margin_s
        self._locks: dict[str, asyncio.Lock] = {}
        self._latest: dict[str, TokenSet] = {}

    def _adopt_latest(self, shop: ShopContext) -> None:
        latest = self._latest.get(shop.limiter_identity)
        if latest and latest.access_token_expires_at > shop.tokens.access_token_expires_at:
            shop.tokens = latest

    async def ensure_fresh(self, shop: ShopContext) -> None:
        """Refresh now if the access token expires within the margin."""
        self._adopt_latest(shop)
        if shop.tokens.access_token_expires_at - self._clock() > self._margin:
            return
        await self.refresh(shop, stale_access_token=shop.tokens.access_token)

    async def refresh(self, shop: ShopContext, stale_access_token: str) -> None:
        """Refresh unless someone already replaced `stale_access_token` (then adopt theirs)."""
        key = shop.limiter_identity
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            self._adopt_latest(shop)
            if shop.tokens.access_token != stale_access_token:
                return
            async with self._guard(shop, stale_access_token) as newer:
                if newer is not None and newer.access_token != stale_access_token:
                    shop.tokens = self._latest[key] = newer  # another process refreshed
                    return
                fresh = await self._spend(shop)
                await self._persist(shop, fresh)
            shop.tokens = fresh
            self._latest[key] = fresh

    async def _spend(self, shop: ShopContext) -> TokenSet:
        """Exchange the refresh token (once: it rotates) for new tokens."""
        if shop.tokens.refresh_token_expires_at <= self._clock():
            raise AuthInvalid("The TikTok Shop authorization has expired: the merchant "
                              "must reconnect the shop.", api=ep.TOKEN_REFRESH.api)
        try:
            return TokenSet.from_response(await self._refresh(shop.tokens.refresh_token))
        except Permanent as exc:
            raise AuthInvalid(f"TikTok refused the refresh token ({exc.message}): the "
                              "merchant must reconnect the shop.", code=exc.code,
                              request_id=exc.request_id, http_status=exc.http_status,
                              api=ep.TOKEN_REFRESH.api) from exc


class ShopsApi:
    """Get Authorized Shops: the shops (and ciphers) a token covers. Called right after OAuth."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def get_authorized_shops(self, shop: ShopContext) -> AuthorizedShops:
        """Shops the context's token may act for; no shop_cipher is sent (doc: 36009004)."""
        return AuthorizedShops.model_validate(await self._t.call(ep.AUTHORIZED_SHOPS, shop))
