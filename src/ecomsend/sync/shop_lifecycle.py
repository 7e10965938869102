"""Install-lifecycle webhooks: Shopify app/uninstalled and the GDPR compliance topics, TikTok
seller deauthorization. Each runs inside the inbox's transaction (see `sync.inbox`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import update

from ecomsend.db.models import Shop, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.sync import compliance
from ecomsend.sync.inbox import InboundWebhook, Platform, WebhookHandler

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue


async def shopify_app_uninstalled(session: AsyncSession, _queue: JobQueue,
                                  webhook: InboundWebhook) -> str:
    """The merchant removed the app: forget its tokens at once (they are revoked anyway). The
    shop is the one the signed body names (`myshopify_domain`, set by the webhook route)."""
    result = await session.execute(
        update(Shop).where(Shop.domain == webhook.shop_key, Shop.uninstalled_at.is_(None)).values(
            uninstalled_at=utcnow(), access_token=None, refresh_token=None,
            access_token_expires_at=None, refresh_token_expires_at=None))
    return "shop marked uninstalled" if result.rowcount else "not an installed shop"  # type: ignore[attr-defined]


async def tiktok_seller_deauthorized(session: AsyncSession, _queue: JobQueue,
                                     webhook: InboundWebhook) -> str:
    """SELLER_DEAUTHORIZATION (type 6): the seller revoked us; drop the tokens, keep history."""
    result = await session.execute(
        update(TikTokShop).where(TikTokShop.tiktok_shop_id == webhook.shop_key).values(
            disconnected_at=utcnow(), access_token=None, refresh_token=None))
    return f"{result.rowcount} connection(s) marked disconnected"  # type: ignore[attr-defined]


#: TikTok webhook type id of SELLER_DEAUTHORIZATION (reference §5.3).
TIKTOK_SELLER_DEAUTHORIZATION = "6"

LIFECYCLE_HANDLERS: dict[tuple[Platform, str], WebhookHandler] = {
    (Platform.SHOPIFY, "app/uninstalled"): shopify_app_uninstalled,
    (Platform.SHOPIFY, "shop/redact"): compliance.shop_redact,
    (Platform.SHOPIFY, "customers/redact"): compliance.customers_redact,
    (Platform.SHOPIFY, "customers/data_request"): compliance.customers_data_request,
    (Platform.TIKTOK, TIKTOK_SELLER_DEAUTHORIZATION): tiktok_seller_deauthorized,
}
