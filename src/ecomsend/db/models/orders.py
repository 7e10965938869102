"""Mirror of TikTok orders we sync into Shopify (one line item per unit, as TikTok sends them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin, TimestampMixin
from ecomsend.db.models.catalog import Money
from ecomsend.db.types import BigId, UTCDateTime


class TikTokOrder(IdMixin, TimestampMixin, Base):
    """A TikTok order as last read from TikTok."""

    __tablename__ = "tiktok_order"
    __table_args__ = (
        UniqueConstraint("tiktok_shop_id", "order_id"),
        Index("ix_tiktok_order_shop_status", "tiktok_shop_id", "status"),
    )

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE")
    )
    #: TikTok order ids are 64-bit+ numbers: kept as strings, never floats.
    order_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    fulfillment_type: Mapped[str | None] = mapped_column(String(32))
    shipping_type: Mapped[str | None] = mapped_column(String(16))
    currency: Mapped[str | None] = mapped_column(String(3))
    total_amount: Mapped[Decimal | None] = mapped_column(Money)
    create_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    update_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str | None] = mapped_column(String(64))


class TikTokOrderLine(IdMixin, Base):
    """One TikTok order line item (one unit; TikTok line items carry no quantity)."""

    __tablename__ = "tiktok_order_line"
    __table_args__ = (UniqueConstraint("order_id", "line_id"),)

    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_order.id", ondelete="CASCADE"), index=True
    )
    line_id: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[str | None] = mapped_column(String(64))
    sku_id: Mapped[str | None] = mapped_column(String(64))
    seller_sku: Mapped[str | None] = mapped_column(String(255))
    product_name: Mapped[str | None] = mapped_column(String(512))
    sale_price: Mapped[Decimal | None] = mapped_column(Money)
    original_price: Mapped[Decimal | None] = mapped_column(Money)
    seller_discount: Mapped[Decimal | None] = mapped_column(Money)
    platform_discount: Mapped[Decimal | None] = mapped_column(Money)
    package_id: Mapped[str | None] = mapped_column(String(64))
    display_status: Mapped[str | None] = mapped_column(String(32))
