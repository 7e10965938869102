"""Links between the two platforms' entities. Unique constraints make them race-safe:
writers insert and handle the conflict, they never check-then-insert."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin, TimestampMixin
from ecomsend.db.types import BigId


class ProductLink(IdMixin, TimestampMixin, Base):
    """A Shopify variant ↔ a TikTok product SKU, within one TikTok shop."""

    __tablename__ = "product_link"
    __table_args__ = (
        UniqueConstraint("tiktok_shop_id", "shopify_variant_id"),
        UniqueConstraint("tiktok_shop_id", "tiktok_sku_id"),
    )

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE")
    )
    shopify_product_id: Mapped[str] = mapped_column(String(64))
    shopify_variant_id: Mapped[str] = mapped_column(String(64))
    tiktok_product_id: Mapped[str] = mapped_column(String(64), index=True)
    tiktok_sku_id: Mapped[str] = mapped_column(String(64))
    #: "created" (we listed it) or "linked" (an existing TikTok listing the merchant linked).
    origin: Mapped[str] = mapped_column(String(16), default="created")


class OrderLink(IdMixin, TimestampMixin, Base):
    """A TikTok order ↔ the Shopify order made from it: at most one per TikTok order."""

    __tablename__ = "order_link"
    __table_args__ = (UniqueConstraint("tiktok_shop_id", "tiktok_order_id"),)

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE")
    )
    tiktok_order_id: Mapped[str] = mapped_column(String(64))
    shopify_order_id: Mapped[str] = mapped_column(String(64), index=True)
    shopify_order_name: Mapped[str | None] = mapped_column(String(64))


class FulfillmentLink(IdMixin, TimestampMixin, Base):
    """A Shopify fulfillment ↔ a TikTok package shipment, in either direction."""

    __tablename__ = "fulfillment_link"
    __table_args__ = (
        UniqueConstraint("tiktok_shop_id", "shopify_fulfillment_id"),
        UniqueConstraint("tiktok_shop_id", "tiktok_package_id"),
    )

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE")
    )
    tiktok_order_id: Mapped[str] = mapped_column(String(64), index=True)
    shopify_fulfillment_id: Mapped[str] = mapped_column(String(64))
    tiktok_package_id: Mapped[str] = mapped_column(String(64))
    #: "to_tiktok" (seller shipping) or "to_shopify" (TikTok shipping).
    direction: Mapped[str] = mapped_column(String(16))
    tracking_number: Mapped[str | None] = mapped_column(String(255))
    carrier: Mapped[str | None] = mapped_column(String(255))
