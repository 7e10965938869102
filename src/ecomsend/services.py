"""Process-wide services shared by the web app and the workers: the rate limiter, one HTTP pool,
the TikTok client, and factories that turn DB rows into ready platform clients.

Built once per process (`Services.build`), passed explicitly (app.state / TaskContext); the
clients hand refreshed tokens back here, and they are persisted in their own unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import update

from ecomsend.config import RateLimitBackend, Settings
from ecomsend.db.models import Shop, TikTokShop
from ecomsend.db.session import Database
from ecomsend.integrations.shopify.buckets import BucketBook
from ecomsend.integrations.shopify.client import ShopifyClient, shop_base_url
from ecomsend.integrations.shopify.oauth import AccessToken, ExpiringToken
from ecomsend.integrations.tiktok.client import TikTokClient
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.auth import TokenSet
from ecomsend.metrics import api_response_hook
from ecomsend.ratelimit import InProcessRateLimiter, RateLimiter
from ecomsend.sync.listing.images import placeholder_source, register_image_source
from ecomsend.sync.products.types import UploadedImage
from ecomsend.token_guard import RefreshGuard

#: One pool for every outbound call of the process; platform clients set their own timeouts.
HTTP_LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=50)


def build_limiter(settings: Settings, db: Database) -> RateLimiter:
    """The RateLimiter adapter Settings asks for (in-process, or shared through PostgreSQL)."""
    if settings.ratelimit_backend is RateLimitBackend.POSTGRES:
        from ecomsend.ratelimit.postgres import PostgresRateLimiter

        return PostgresRateLimiter(db.engine)
    return InProcessRateLimiter()


@dataclass
class Services:
    """What a request handler or a job needs beyond the database and the queue."""

    settings: Settings
    db: Database
    limiter: RateLimiter
    http: httpx.AsyncClient
    tiktok: TikTokClient = field(init=False)
    #: What each shop's Shopify cost bucket is known to be, shared by all clients of the process.
    shopify_buckets: BucketBook = field(init=False, default_factory=BucketBook)
    #: (TikTok shop id, Shopify image URL) → its upload, so a re-push uploads nothing
    #: (sync.listing.images; the mirror row keeps them across restarts).
    image_uploads: dict[tuple[str, str], UploadedImage] = field(init=False, default_factory=dict)
    #: One token source per shop in this process, so concurrent jobs refresh once, not N times.
    _shopify_tokens: dict[int, ExpiringToken] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.tiktok = TikTokClient.from_settings(self.settings, self.limiter,
                                                 self._save_tiktok_tokens, http=self.http,
                                                 refresh_guard=RefreshGuard(self.db))
        for prefix in self.settings.placeholder_image_prefixes:
            register_image_source(prefix, placeholder_source)

    @classmethod
    def build(cls, settings: Settings, db: Database) -> Services:
        # /metrics: every platform call counted by platform, endpoint and status
        hook = api_response_hook(settings.tiktok_api_base_url, settings.tiktok_auth_base_url)
        return cls(settings, db, build_limiter(settings, db), httpx.AsyncClient(
            limits=HTTP_LIMITS, event_hooks={"response": [hook]}))

    async def close(self) -> None:
        await self.http.aclose()
        await self.limiter.close()

    def shopify_base_url(self, shop_domain: str) -> str:
        return shop_base_url(self.settings.shopify_shop_url_template, shop_domain)

    def shopify(self, shop: Shop) -> ShopifyClient:
        """A client for `shop` whose expiring offline token refreshes and persists itself."""
        if not shop.access_token:
            raise PermissionError(f"{shop.domain} has no access token (uninstalled?)")
        source = self._shopify_tokens.get(shop.id)
        if source is None or _row_token_is_newer(source.current, shop):
            token = AccessToken(shop.access_token, shop.scopes, shop.access_token_expires_at,
                                shop.refresh_token, shop.refresh_token_expires_at)
            source = self._shopify_tokens[shop.id] = ExpiringToken(
                token, http=self.http, shop_base_url=self.shopify_base_url(shop.domain),
                api_key=self.settings.shopify_api_key,
                api_secret=self.settings.shopify_api_secret.get_secret_value(),
                save=lambda fresh: self._save_shopify_token(shop.id, fresh))
        return ShopifyClient.for_shop(self.settings, shop.domain, source, limiter=self.limiter,
                                      http=self.http, buckets=self.shopify_buckets)

    async def _save_shopify_token(self, shop_id: int, token: AccessToken) -> None:
        async with self.db.unit_of_work() as session:
            await session.execute(update(Shop).where(Shop.id == shop_id).values(
                access_token=token.access_token, access_token_expires_at=token.expires_at,
                refresh_token=token.refresh_token,
                refresh_token_expires_at=token.refresh_token_expires_at))

    async def _save_tiktok_tokens(self, shop: ShopContext, tokens: TokenSet) -> None:
        if shop.shop_id is None:
            return  # right after OAuth: the callback stores the tokens with the new shop
        async with self.db.unit_of_work() as session:
            await session.execute(
                update(TikTokShop).where(TikTokShop.tiktok_shop_id == shop.shop_id)
                .values(**tiktok_token_columns(tokens)))


def tiktok_context(shop: TikTokShop) -> ShopContext:
    """The client's explicit shop context from a `tiktok_shop` row."""
    if not shop.access_token or not shop.refresh_token:
        raise PermissionError(f"TikTok shop {shop.tiktok_shop_id} is disconnected")
    expiry = _epoch(shop.access_token_expires_at)
    refresh_expiry = _epoch(shop.refresh_token_expires_at)
    return ShopContext(TokenSet(shop.access_token, expiry, shop.refresh_token, refresh_expiry),
                       shop_id=shop.tiktok_shop_id, cipher=shop.cipher, region=shop.region)


def tiktok_token_columns(tokens: TokenSet) -> dict[str, object]:
    """The four `tiktok_shop` token columns for `tokens` (absolute expiries, UTC)."""
    return {"access_token": tokens.access_token,
            "access_token_expires_at": datetime.fromtimestamp(tokens.access_token_expires_at, UTC),
            "refresh_token": tokens.refresh_token,
            "refresh_token_expires_at": datetime.fromtimestamp(tokens.refresh_token_expires_at,
                                                               UTC)}


def _row_token_is_newer(current: AccessToken, shop: Shop) -> bool:
    """True when the row holds a token this process has not seen (a re-install, or another
    process refreshed): then the row wins over the cached token source."""
    if current.access_token == shop.access_token:
        return False
    far = datetime.max.replace(tzinfo=UTC)
    return (shop.access_token_expires_at or far) >= (current.expires_at or far)


def _epoch(value: datetime | None) -> int:
    return int(value.timestamp()) if value is not None else 0
