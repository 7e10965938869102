"""Shopify install (OAuth callback → stored shop → setup job) and the setup job itself:
webhook subscriptions, shop facts, and the initial catalog import by bulk operation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from sqlalchemy import select, update

from ecomsend.db.models import ActivityLog, Shop
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.sync.catalog_import import import_shop_catalog

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.integrations.shopify.client import ShopifyClient
    from ecomsend.integrations.shopify.oauth import AccessToken
    from ecomsend.jobs.port import JobQueue
    from ecomsend.jobs.registry import TaskContext

log = structlog.get_logger(__name__)

SETUP_TASK = "shopify_setup_shop"
WEBHOOKS_CHECK_TASK = "shopify_webhooks_check"
#: Shopify deletes an API-created subscription whose delivery failed its whole retry series
#: (reference §4.1) and says nothing; this often every installed shop's subscriptions are
#: listed (one query) and missing ones re-created. The change and order polls cover the gap.
WEBHOOKS_CHECK_EVERY_S = 600.0
#: Topics the app listens to (reference §4.3); compliance topics come from the app config.
SHOPIFY_WEBHOOK_TOPICS = (
    "PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE", "INVENTORY_LEVELS_UPDATE",
    "INVENTORY_ITEMS_UPDATE", "ORDERS_CANCELLED", "FULFILLMENTS_CREATE", "FULFILLMENTS_UPDATE",
    "APP_UNINSTALLED", "BULK_OPERATIONS_FINISH", "REFUNDS_CREATE",
)


async def save_install(session: AsyncSession, queue: JobQueue, domain: str,
                       token: AccessToken) -> int:
    """Store (or re-activate) the shop with its tokens and defer the setup job; returns its id.
    Called by the OAuth callback inside its unit of work."""
    values = {"access_token": token.access_token, "access_token_expires_at": token.expires_at,
              "refresh_token": token.refresh_token, "scopes": token.scope,
              "refresh_token_expires_at": token.refresh_token_expires_at,
              "installed_at": utcnow(), "uninstalled_at": None, "updated_at": utcnow()}
    stmt = dialect_insert(session, Shop).values(domain=domain, created_at=utcnow(), **values)
    stmt = stmt.on_conflict_do_update(index_elements=["domain"], set_=values)
    shop_id = int((await session.execute(stmt.returning(Shop.id))).scalar_one())
    await queue.defer(session, SETUP_TASK, {"shop_id": shop_id},
                      queueing_lock=f"{SETUP_TASK}:{shop_id}")
    return shop_id


async def subscribe_webhooks(client: ShopifyClient, callback_url: str) -> int:
    """Subscribe every topic the app needs to `callback_url`, skipping existing ones; returns
    how many were created (idempotent, so a re-install or a retried job is harmless)."""
    existing = {(s.topic, s.uri) for s in await client.webhook_subscriptions()}
    created = 0
    for topic in SHOPIFY_WEBHOOK_TOPICS:
        if (topic, callback_url) not in existing:
            await client.create_webhook_subscription(topic, callback_url)
            created += 1
    return created


def callback_url(base_url: str) -> str:
    """Where the app's Shopify subscriptions deliver (`/webhooks/shopify` on the public URL)."""
    return base_url.rstrip("/") + "/webhooks/shopify"


async def check_webhooks(ctx: TaskContext) -> None:
    """Periodic: re-create the subscriptions Shopify deleted, for every installed shop."""
    services = ctx.need_services()
    async with ctx.db.sessionmaker() as session:
        shops = list((await session.execute(select(Shop).where(
            Shop.uninstalled_at.is_(None), Shop.access_token.is_not(None)))).scalars())
    for shop in shops:
        try:
            async with services.shopify(shop) as client:
                created = await subscribe_webhooks(
                    client, callback_url(services.settings.public_base_url))
        except Exception:  # one shop's failure must not stop the others; next period retries
            log.exception("webhooks.check_failed", shop_id=shop.id)
            continue
        if created:
            log.warning("webhooks.recreated", shop_id=shop.id, created=created)
            async with ctx.db.unit_of_work() as session:
                session.add(ActivityLog(
                    shop_id=shop.id, kind="webhook", status="synced",
                    message=f"{created} missing Shopify webhook subscription(s) re-created"))


async def setup_shop(ctx: TaskContext, shop_id: int) -> None:
    """Job: webhooks, shop name/currency, then the full catalog import into the mirror."""
    services = ctx.need_services()
    async with ctx.db.sessionmaker() as session:
        shop = (await session.execute(select(Shop).where(Shop.id == shop_id))).scalar_one()
    async with services.shopify(shop) as client:
        created = await subscribe_webhooks(
            client, callback_url(services.settings.public_base_url))
        info = await client.shop_info()
        async with ctx.db.unit_of_work() as session:
            await session.execute(update(Shop).where(Shop.id == shop_id).values(
                name=info.name, currency=info.currency_code))
        progress = await import_shop_catalog(ctx.db, shop_id, client)
    async with ctx.db.unit_of_work() as session:
        session.add(ActivityLog(
            shop_id=shop_id, kind="catalog_import", status="synced",
            message=f"{created} webhook subscription(s) created; imported {progress.products} "
                    f"products, {progress.variants} variants in {progress.seconds:.1f}s"))
    log.info("shop.setup_done", shop_id=shop_id, products=progress.products)
