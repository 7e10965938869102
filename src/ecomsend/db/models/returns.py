"""After-sale requests mirrored from TikTok (returns, refunds, cancellation requests) and
refunds made in Shopify for TikTok orders, one row each, with what our sync did about them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin, TimestampMixin
from ecomsend.db.models.catalog import Money
from ecomsend.db.types import BigId, UTCDateTime


class AfterSale(IdMixin, TimestampMixin, Base):
    """A TikTok return/refund (`kind` return), a TikTok cancellation request (`cancellation`)
    or a refund made in Shopify for a TikTok order (`shopify_refund`)."""

    __tablename__ = "after_sale"
    __table_args__ = (
        UniqueConstraint("tiktok_shop_id", "kind", "external_id"),
        Index("ix_after_sale_shop_order", "tiktok_shop_id", "order_id"),
    )

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    #: TikTok return_id / cancel_id, or the Shopify refund GID.
    external_id: Mapped[str] = mapped_column(String(128))
    #: The TikTok order id.
    order_id: Mapped[str] = mapped_column(String(64))
    #: REFUND | RETURN_AND_REFUND | REPLACEMENT | CANCEL | SHOPIFY_REFUND.
    request_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(48))
    role: Mapped[str | None] = mapped_column(String(16))
    reason_text: Mapped[str | None] = mapped_column(String(512))
    currency: Mapped[str | None] = mapped_column(String(3))
    refund_total: Mapped[Decimal | None] = mapped_column(Money)
    #: TikTok order line item ids the request covers (one per unit).
    line_item_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    update_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The Shopify refund our sync made for it (None until made).
    shopify_refund_id: Mapped[str | None] = mapped_column(String(128))
