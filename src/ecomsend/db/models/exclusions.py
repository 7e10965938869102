"""Products a merchant excluded from one TikTok connection (Products page, Exclude/Include).

An excluded product is never claimed by a category template (activation, product webhooks)
and never marked by the catalog reconciliation; a merchant can still sync it by hand. Stock
keeps flowing to a listing that already exists, so TikTok never oversells it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin
from ecomsend.db.types import BigId, UTCDateTime, utcnow


class ProductExclusion(IdMixin, Base):
    """One (connection, mirrored product) pair the merchant excluded."""

    __tablename__ = "product_exclusion"
    __table_args__ = (UniqueConstraint("tiktok_shop_id", "product_id"),)

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("shopify_product.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
