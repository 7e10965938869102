"""Order and fulfillment settings of one connection (`settings.order` / `settings.fulfillment`
JSON), typed, with their defaults. Read by the sync use-cases and the Settings API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from ecomsend.db.models import ShopSettings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

#: The tag every imported order carries, so merchants can filter TikTok orders in Shopify.
BASE_TAG = "TikTok Shop"


class OrderNumberFormat(BaseModel):
    """`shopify`: Shopify's own numbering (#1001…); `tiktok`: prefix + TikTok order id + suffix."""

    mode: Literal["shopify", "tiktok"] = "shopify"
    prefix: str = Field(default="TT-", max_length=20)
    suffix: str = Field(default="", max_length=20)


class OrderSettings(BaseModel):
    """How TikTok orders become Shopify orders."""

    auto_sync: bool = Field(default=False, description="Sync every eligible order automatically")
    backfill_days: int = Field(default=7, ge=0, le=60,
                               description="On connect, fetch orders updated in this many days")
    tags: list[str] = Field(default_factory=list, description="Extra tags on imported orders")
    order_number: OrderNumberFormat = Field(default_factory=OrderNumberFormat)
    restock_on_cancel: bool = Field(default=True,
                                    description="Restock when a TikTok cancellation cancels "
                                                "the Shopify order")
    restock_on_refund: bool = Field(default=True,
                                    description="Restock returned items when a TikTok return "
                                                "is refunded in Shopify (refund-only requests "
                                                "never restock: the buyer keeps the items)")
    cancel_on_tiktok: bool = Field(default=True,
                                   description="Cancel the TikTok order when the Shopify order "
                                               "is cancelled (only before it ships)")


class CarrierRule(BaseModel):
    """One carrier mapping: a Shopify tracking company ↔ a TikTok shipping provider name."""

    shopify_company: str = Field(min_length=1, max_length=255)
    tiktok_provider: str = Field(min_length=1, max_length=255)


class FulfillmentSettings(BaseModel):
    """How fulfillments travel between the two platforms."""

    auto_sync: bool = Field(default=False, description="Sync fulfillments automatically")
    carrier_rules: list[CarrierRule] = Field(default_factory=list)


class ConnectionSettings(BaseModel):
    order: OrderSettings
    fulfillment: FulfillmentSettings


def parse(raw_order: dict[str, Any] | None,
          raw_fulfillment: dict[str, Any] | None) -> ConnectionSettings:
    return ConnectionSettings(order=OrderSettings.model_validate(raw_order or {}),
                              fulfillment=FulfillmentSettings.model_validate(raw_fulfillment or {}))


async def load(session: AsyncSession, tiktok_shop_pk: int) -> ConnectionSettings:
    """The settings of a connection (defaults when the row is missing or partial)."""
    row = (await session.execute(select(ShopSettings).where(
        ShopSettings.tiktok_shop_id == tiktok_shop_pk))).scalar_one_or_none()
    return parse(row.order if row else None, row.fulfillment if row else None)
