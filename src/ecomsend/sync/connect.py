"""TikTok Shop connect (OAuth callback): trade the code for tokens, list the authorized shops
and store one connection per shop, with default settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ecomsend.db.models import ShopSettings, TikTokShop
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.auth import AuthorizedShop, TokenSet
from ecomsend.regions import canonical
from ecomsend.services import tiktok_token_columns
from ecomsend.sync.orders.fetch import POLL_TASK

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue
    from ecomsend.services import Services


class RegionAlreadyConnected(ValueError):
    """The Shopify shop already has a different TikTok shop connected for this region."""


class TikTokShopTaken(ValueError):
    """The TikTok shop is connected to another Shopify store (its orders, buyers and listings
    belong there); that store must disconnect it first."""


@dataclass(frozen=True)
class Authorization:
    """What TikTok granted: both tokens and the shops they act for."""

    tokens: TokenSet
    shops: list[AuthorizedShop]


async def authorize(services: Services, code: str) -> Authorization:
    """Exchange the consent code for tokens and fetch the shops (and ciphers) they cover.
    Network only; the caller stores the result with `save_connections`."""
    tokens = TokenSet.from_response(await services.tiktok.auth.get_access_token(code))
    shops = await services.tiktok.shops.get_authorized_shops(ShopContext(tokens))
    return Authorization(tokens, list(shops.shops))


async def save_connections(session: AsyncSession, queue: JobQueue, shop_id: int,
                           grant: Authorization) -> list[int]:
    """Upsert one `tiktok_shop` per authorized shop (re-connect refreshes the tokens), create
    its settings row and defer its first order poll, which backfills the window in the order
    settings (7 days by default); returns their ids. Raises RegionAlreadyConnected on a
    region clash."""
    ids = []
    await _refuse_shops_of_other_stores(session, shop_id, [str(s.id) for s in grant.shops])
    for shop in grant.shops:
        values = {"cipher": shop.cipher, "name": shop.name,
                  "region": canonical(shop.region or "US"), "seller_type": shop.seller_type,
                  "disconnected_at": None,
                  "updated_at": utcnow(), **tiktok_token_columns(grant.tokens)}
        stmt = dialect_insert(session, TikTokShop).values(
            shop_id=shop_id, tiktok_shop_id=str(shop.id), created_at=utcnow(), **values)
        stmt = stmt.on_conflict_do_update(index_elements=["shop_id", "tiktok_shop_id"],
                                          set_=values).returning(TikTokShop.id)
        try:
            async with session.begin_nested():
                tts_id = int((await session.execute(stmt)).scalar_one())
        except IntegrityError as exc:
            raise RegionAlreadyConnected(
                f"A TikTok shop for region {values['region']} is already connected; disconnect "
                "it before connecting another one for the same region.") from exc
        settings = dialect_insert(session, ShopSettings).values(
            tiktok_shop_id=tts_id, product={}, order={}, fulfillment={}, created_at=utcnow(),
            updated_at=utcnow())
        await session.execute(settings.on_conflict_do_nothing())
        await queue.defer(session, POLL_TASK, {"tiktok_shop_pk": tts_id},
                          queueing_lock=f"{POLL_TASK}:{tts_id}")
        ids.append(tts_id)
    return ids


async def _refuse_shops_of_other_stores(session: AsyncSession, shop_id: int,
                                        tiktok_shop_ids: list[str]) -> None:
    """Raise TikTokShopTaken when any of the shops is connected (not disconnected) to another
    Shopify store: a consent approved for someone else's store must not move a seller's shop."""
    taken = (await session.execute(select(TikTokShop.tiktok_shop_id).where(
        TikTokShop.tiktok_shop_id.in_(tiktok_shop_ids), TikTokShop.shop_id != shop_id,
        TikTokShop.disconnected_at.is_(None)))).scalars().first()
    if taken is not None:
        raise TikTokShopTaken(
            f"TikTok shop {taken} is connected to another Shopify store. Disconnect it there "
            "(Settings › Connections) before connecting it here.")
