"""Shared by both fulfillment directions: reading both sides of an order and the
`fulfillment_link` rows that make each shipment travel once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ecomsend.db.models import FulfillmentLink, ProductLink
from ecomsend.db.types import utcnow
from ecomsend.db.upsert import dialect_insert
from ecomsend.integrations.shopify.models import Order as ShopifyOrder
from ecomsend.integrations.tiktok.models.orders import Order
from ecomsend.services import tiktok_context
from ecomsend.sync.errors import SyncPermanent
from ecomsend.sync.fulfillments.carriers import CarrierMap
from ecomsend.sync.orders.context import OrderContext, load_order, variant_gid
from ecomsend.sync.orders.errors import platform_errors

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.jobs.registry import TaskContext
    from ecomsend.sync.state import Lease


@dataclass
class Shipment:
    """Both sides of one synced order, fresh from the platforms."""

    oc: OrderContext
    shopify: ShopifyOrder
    tiktok: Order
    links: dict[str, FulfillmentLink]  # by shopify_fulfillment_id
    sku_by_variant: dict[str, str]
    carriers: CarrierMap

    @property
    def variant_by_sku(self) -> dict[str, str]:
        return {sku: variant for variant, sku in self.sku_by_variant.items()}


async def load_shipment(ctx: TaskContext, lease: Lease) -> Shipment:
    """Read the order context, the Shopify order, the TikTok order and the links."""
    async with ctx.db.sessionmaker() as session:
        oc = await load_order(session, lease.key)
        links = list((await session.execute(select(FulfillmentLink).where(
            FulfillmentLink.tiktok_shop_id == oc.tts.id,
            FulfillmentLink.tiktok_order_id == oc.order.id))).scalars())
        pairs = await session.execute(select(ProductLink.shopify_variant_id,
                                             ProductLink.tiktok_sku_id)
                                      .where(ProductLink.tiktok_shop_id == oc.tts.id))
        sku_by_variant = {variant_gid(v): s for v, s in pairs.all()}
    if oc.link is None:
        raise SyncPermanent("The order is not synced to Shopify yet: sync the order first.")
    services = ctx.need_services()
    async with platform_errors("Reading the order on both platforms"):
        shopify = await services.shopify(oc.shop).order(oc.link.shopify_order_id)
        details = await services.tiktok.orders.get_order_detail(tiktok_context(oc.tts),
                                                                [oc.order.id])
    if shopify is None:
        raise SyncPermanent(f"Shopify order {oc.link.shopify_order_name} no longer exists.")
    if not details.orders:
        raise SyncPermanent(f"TikTok order {oc.order.id} was not found.")
    return Shipment(oc, shopify, details.orders[0],
                    {link.shopify_fulfillment_id: link for link in links}, sku_by_variant,
                    CarrierMap(oc.prefs.fulfillment.carrier_rules, oc.tts.region))


async def save_link(db: Database, shipment: Shipment, *, fulfillment_id: str, package_id: str,
                    direction: str, number: str | None, carrier: str | None) -> None:
    """Record (or refresh) the link of one shipment."""
    async with db.unit_of_work() as session:
        stmt = dialect_insert(session, FulfillmentLink).values(
            tiktok_shop_id=shipment.oc.tts.id, tiktok_order_id=shipment.oc.order.id,
            shopify_fulfillment_id=fulfillment_id, tiktok_package_id=package_id,
            direction=direction, tracking_number=number, carrier=carrier,
            created_at=utcnow(), updated_at=utcnow())
        await session.execute(stmt.on_conflict_do_nothing())


async def update_link(db: Database, link_id: int, number: str | None,
                      carrier: str | None) -> None:
    async with db.unit_of_work() as session:
        await session.execute(update(FulfillmentLink).where(FulfillmentLink.id == link_id)
                              .values(tracking_number=number, carrier=carrier,
                                      updated_at=utcnow()))
