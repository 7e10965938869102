"""Mirrors of the Shopify catalog we sync from (DESIGN.md §3): products, variants, stock."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin, TimestampMixin
from ecomsend.db.types import BigId, UTCDateTime

#: Money as exact decimals; 18 digits, 4 decimals covers every currency Shopify supports.
Money = Numeric(18, 4, asdecimal=True)


class ShopifyProduct(IdMixin, TimestampMixin, Base):
    """A Shopify product as last read from Shopify (source `updated_at` + content hash)."""

    __tablename__ = "shopify_product"
    __table_args__ = (
        UniqueConstraint("shop_id", "shopify_id"),
        #: Which shop owns a product id (webhook bodies name none; see listing.webhooks).
        Index("ix_shopify_product_shopify_id", "shopify_id"),
    )

    shop_id: Mapped[int] = mapped_column(BigId, ForeignKey("shop.id", ondelete="CASCADE"))
    shopify_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(512))
    handle: Mapped[str | None] = mapped_column(String(512))
    body_html: Mapped[str | None] = mapped_column(Text)
    vendor: Mapped[str | None] = mapped_column(String(255))
    product_type: Mapped[str | None] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    collections: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ShopifyVariant(IdMixin, TimestampMixin, Base):
    """A Shopify variant: the unit that maps to one TikTok SKU."""

    __tablename__ = "shopify_variant"
    __table_args__ = (
        UniqueConstraint("shop_id", "shopify_id"),
        Index("ix_shopify_variant_shop_sku", "shop_id", "sku"),
        Index("ix_shopify_variant_shop_item", "shop_id", "inventory_item_id"),
    )

    shop_id: Mapped[int] = mapped_column(BigId, ForeignKey("shop.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("shopify_product.id", ondelete="CASCADE"), index=True
    )
    shopify_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(512))
    sku: Mapped[str | None] = mapped_column(String(255))
    barcode: Mapped[str | None] = mapped_column(String(255))
    price: Mapped[Decimal] = mapped_column(Money)
    compare_at_price: Mapped[Decimal | None] = mapped_column(Money)
    inventory_item_id: Mapped[str | None] = mapped_column(String(64))
    weight: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    weight_unit: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=1)
    selected_options: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    image_url: Mapped[str | None] = mapped_column(String(2048))
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))


class InventoryLevel(IdMixin, Base):
    """Available quantity of one inventory item at one Shopify location."""

    __tablename__ = "inventory_level"
    __table_args__ = (UniqueConstraint("shop_id", "inventory_item_id", "location_id"),)

    shop_id: Mapped[int] = mapped_column(BigId, ForeignKey("shop.id", ondelete="CASCADE"))
    inventory_item_id: Mapped[str] = mapped_column(String(64))
    location_id: Mapped[str] = mapped_column(String(64))
    available: Mapped[int] = mapped_column(Integer, default=0)
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ShopifyCollection(IdMixin, TimestampMixin, Base):
    """A Shopify collection's id and title, for the Products page's collection filter.

    Memberships live on `shopify_product.collections` (GIDs); this table gives them names.
    Written by the catalog import (bulk export and one-product refresh)."""

    __tablename__ = "shopify_collection"
    __table_args__ = (UniqueConstraint("shop_id", "shopify_id"),)

    shop_id: Mapped[int] = mapped_column(BigId, ForeignKey("shop.id", ondelete="CASCADE"))
    shopify_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(512))
    handle: Mapped[str | None] = mapped_column(String(512))
