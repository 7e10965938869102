"""Installed Shopify shops, the TikTok shops they connect and their per-TikTok-shop settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin, TimestampMixin
from ecomsend.db.types import BigId, EncryptedString, UTCDateTime


class Shop(IdMixin, TimestampMixin, Base):
    """A Shopify shop that installed the app (offline token, encrypted)."""

    __tablename__ = "shop"

    domain: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    currency: Mapped[str | None] = mapped_column(String(3))
    access_token: Mapped[str | None] = mapped_column(EncryptedString(1024))
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedString(1024))
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scopes: Mapped[str] = mapped_column(String(1024), default="")
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TikTokShop(IdMixin, TimestampMixin, Base):
    """A TikTok Shop connected to a Shopify shop; at most one *connected* per region per
    Shopify shop (a disconnected one keeps its history beside the shop that replaced it)."""

    __tablename__ = "tiktok_shop"
    __table_args__ = (
        Index("uq_tiktok_shop_live_region", "shop_id", "region", unique=True,
              sqlite_where=text("disconnected_at IS NULL"),
              postgresql_where=text("disconnected_at IS NULL")),
        UniqueConstraint("shop_id", "tiktok_shop_id"),
        #: TikTok webhooks name the shop by TikTok's id (activity rows, order fetches).
        Index("ix_tiktok_shop_tiktok_shop_id", "tiktok_shop_id"),
    )

    shop_id: Mapped[int] = mapped_column(BigId, ForeignKey("shop.id", ondelete="CASCADE"))
    tiktok_shop_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    cipher: Mapped[str] = mapped_column(String(255))
    region: Mapped[str] = mapped_column(String(8))
    seller_type: Mapped[str | None] = mapped_column(String(32))
    open_id: Mapped[str | None] = mapped_column(String(255))
    access_token: Mapped[str | None] = mapped_column(EncryptedString(2048))
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedString(2048))
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disconnected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when TikTok's new-shop upload limit pauses auto sync; cleared when it resumes.
    listing_paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listing_paused_reason: Mapped[str | None] = mapped_column(String(1024))


class ShopSettings(IdMixin, TimestampMixin, Base):
    """Product, order and fulfillment settings of one Shopify ↔ TikTok connection."""

    __tablename__ = "settings"

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE"), unique=True
    )
    product: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    order: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fulfillment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OAuthState(Base):
    """A one-time OAuth `state` nonce (both platforms); consumed by deleting it."""

    __tablename__ = "oauth_state"

    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    shop_domain: Mapped[str | None] = mapped_column(String(255))
    shop_id: Mapped[int | None] = mapped_column(BigId)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
