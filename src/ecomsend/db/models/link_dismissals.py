"""Link suggestions the merchant rejected on the Link products page, so they are not proposed
again: a variant ↔ TikTok SKU pair, or a product ↔ TikTok listing (title suggestions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin
from ecomsend.db.types import BigId, UTCDateTime, utcnow


class LinkDismissal(IdMixin, Base):
    """One rejected suggestion of one connection (insert-or-ignore on the unique key)."""

    __tablename__ = "link_dismissal"
    __table_args__ = (UniqueConstraint("tiktok_shop_id", "shopify_id", "tiktok_id"),)

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE")
    )
    #: A Shopify variant GID (pair) or product GID (title suggestion without a pair).
    shopify_id: Mapped[str] = mapped_column(String(64))
    #: The TikTok SKU id (pair) or product id (title suggestion without a pair).
    tiktok_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
