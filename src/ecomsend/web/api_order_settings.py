"""The Settings page's order and fulfillment sections (per TikTok connection), and the carrier
mapping with its defaults."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import select, update

from ecomsend.db.models import ShopSettings, TikTokOrder, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.services import tiktok_context
from ecomsend.sync import state
from ecomsend.sync.bulk_mark import mark_in_batches
from ecomsend.sync.errors import FieldError
from ecomsend.sync.fulfillments.carriers import default_rules, shopify_companies
from ecomsend.sync.orders import overview
from ecomsend.sync.orders import settings as settings_mod
from ecomsend.sync.orders.fetch import POLL_TASK
from ecomsend.sync.orders.settings import CarrierRule, FulfillmentSettings, OrderSettings
from ecomsend.web.api_common import tiktok_call, unprocessable
from ecomsend.web.api_orders import ConnectionQuery, connection
from ecomsend.web.deps import DbDep, QueueDep, ServicesDep
from ecomsend.web.session import CurrentShopDep

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue

router = APIRouter(prefix="/api/settings", tags=["settings"])


class OrderSettingsOut(OrderSettings):
    """The saved settings and how many orders turning auto sync on queued."""

    queued: int = 0


class FulfillmentSettingsOut(FulfillmentSettings):
    """The saved settings and how many fulfillments turning auto sync on queued."""

    queued: int = 0


class CarrierOptions(BaseModel):
    rules: list[CarrierRule]
    default_rules: list[CarrierRule]
    tiktok_providers: list[str]
    shopify_companies: list[str]


#: Shopify keeps tags up to 255 characters; a comma would split one tag into two.
TAG_MAX = 255


def tag_errors(tags: list[str]) -> list[FieldError]:
    """What Shopify would refuse (or silently split) in the extra order tags."""
    errors = []
    for i, tag in enumerate(tags):
        if not tag.strip():
            errors.append(FieldError(f"tags.{i}", "A tag cannot be empty.", "Remove it."))
        elif "," in tag:
            errors.append(FieldError(f"tags.{i}", f"\"{tag}\" contains a comma, which "
                                     "Shopify reads as two tags.",
                                     "Enter each tag separately."))
        elif len(tag) > TAG_MAX:
            errors.append(FieldError(f"tags.{i}", f"A tag is at most {TAG_MAX} characters.",
                                     "Shorten it."))
    return errors


async def _save(session: Any, tts_pk: int, column: str, value: BaseModel) -> None:
    await session.execute(update(ShopSettings).where(ShopSettings.tiktok_shop_id == tts_pk)
                          .values({column: value.model_dump(mode="json"), "updated_at": utcnow()}))


async def _queue_all(db: Database, queue: JobQueue, tts: TikTokShop,
                     keys_of: Callable[[AsyncSession, TikTokShop],
                                       Awaitable[list[state.EntityKey]]]) -> int:
    """After an auto sync was turned on (its own transaction, committed): read what it should
    queue, then mark it in batches, so a big backlog never holds SQLite's write lock at once."""
    async with db.sessionmaker() as session:
        keys = await keys_of(session, tts)
    return await mark_in_batches(db, queue, keys)


@router.get("/orders", response_model=OrderSettings)
async def get_order_settings(db: DbDep, current: CurrentShopDep,
                             connection_id: ConnectionQuery = None) -> OrderSettings:
    """Order settings: auto sync, backfill window, tags, order number format, cancellation."""
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        return (await settings_mod.load(session, tts.id)).order


@router.put("/orders", response_model=OrderSettingsOut)
async def put_order_settings(body: OrderSettings, db: DbDep, queue: QueueDep,
                             current: CurrentShopDep,
                             connection_id: ConnectionQuery = None) -> OrderSettingsOut:
    """Save the order settings; turning auto sync on queues every Not-synced order and
    fetches orders from TikTok at once (the backfill window, on a new connection)."""
    problems = tag_errors(body.tags)
    if problems:
        raise unprocessable(problems)
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        before = (await settings_mod.load(session, tts.id)).order
        await _save(session, tts.id, "order", body)
        turned_on = body.auto_sync and not before.auto_sync
        if turned_on:  # fetch now what TikTok has (on a new connection: the backfill window)
            await queue.defer(session, POLL_TASK, {"tiktok_shop_pk": tts.id},
                              queueing_lock=f"{POLL_TASK}:{tts.id}")
    queued = await _queue_all(db, queue, tts, overview.not_synced_order_keys) if turned_on else 0
    return OrderSettingsOut(**body.model_dump(), queued=queued)


@router.get("/fulfillment", response_model=FulfillmentSettings)
async def get_fulfillment_settings(db: DbDep, current: CurrentShopDep,
                                   connection_id: ConnectionQuery = None) -> FulfillmentSettings:
    """Fulfillment settings: auto sync and the carrier mapping rules."""
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        return (await settings_mod.load(session, tts.id)).fulfillment


@router.put("/fulfillment", response_model=FulfillmentSettingsOut)
async def put_fulfillment_settings(body: FulfillmentSettings, db: DbDep, queue: QueueDep,
                                   current: CurrentShopDep,
                                   connection_id: ConnectionQuery = None
                                   ) -> FulfillmentSettingsOut:
    """Save the fulfillment settings (rules replace the defaults for their carriers); turning
    auto sync on queues every fulfillment that was noted, not synced, while it was off."""
    async with db.unit_of_work() as session:
        tts = await connection(session, current.id, connection_id)
        before = (await settings_mod.load(session, tts.id)).fulfillment
        await _save(session, tts.id, "fulfillment", body)
        turned_on = body.auto_sync and not before.auto_sync
    queued = (await _queue_all(db, queue, tts, overview.unsynced_fulfillment_keys)
              if turned_on else 0)
    return FulfillmentSettingsOut(**body.model_dump(), queued=queued)


@router.get("/fulfillment/carriers", response_model=CarrierOptions)
async def carrier_options(db: DbDep, services: ServicesDep, current: CurrentShopDep,
                          connection_id: ConnectionQuery = None) -> CarrierOptions:
    """The merchant's rules, the default rules, TikTok's providers (for the latest order's
    delivery option) and Shopify's tracking companies for the region."""
    async with db.sessionmaker() as session:
        tts = await connection(session, current.id, connection_id)
        prefs = await settings_mod.load(session, tts.id)
        payload = (await session.execute(select(TikTokOrder.payload).where(
            TikTokOrder.tiktok_shop_id == tts.id).order_by(TikTokOrder.id.desc()).limit(1))
        ).scalar_one_or_none()
    option = (payload or {}).get("delivery_option_id")
    providers = []
    if option:
        if tts.disconnected_at is not None or not tts.access_token:
            raise HTTPException(409, "This TikTok Shop is disconnected; reconnect it in "
                                     "Settings › Connections.")
        found = await tiktok_call(services.tiktok.logistics.get_shipping_providers(
            tiktok_context(tts), str(option)))
        providers = list(found.shipping_providers)
    return CarrierOptions(rules=prefs.fulfillment.carrier_rules,
                          default_rules=default_rules(providers, tts.region),
                          tiktok_providers=[p.name or p.id for p in providers],
                          shopify_companies=list(shopify_companies(tts.region)))
