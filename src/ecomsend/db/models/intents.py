"""Create intents: a create about to be sent to a platform whose create is not idempotent
(Shopify `orderCreate`) or whose idempotency key must survive a crash (TikTok Create Product).

The row is committed in its own transaction *before* the create is sent and deleted in the same
transaction that stores the resulting link. So a row without a link means "a create may have
happened and we never saw the answer": the retry must find that object before it may create
again (sync.orders.intents).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin, TimestampMixin
from ecomsend.db.types import BigId, UTCDateTime


class CreateIntent(IdMixin, TimestampMixin, Base):
    """One pending create of one entity (`kind` + `entity_id`) for one TikTok connection."""

    __tablename__ = "create_intent"
    __table_args__ = (UniqueConstraint("tiktok_shop_id", "kind", "entity_id"),)

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE")
    )
    #: What is being created: "shopify_order", "tiktok_product".
    kind: Mapped[str] = mapped_column(String(32))
    #: Our id of the source entity (TikTok order id, Shopify product id).
    entity_id: Mapped[str] = mapped_column(String(64))
    #: What the platform carries to recognise the create: the order's sourceIdentifier, or the
    #: product's idempotency_key (reused verbatim by every retry of this intent).
    marker: Mapped[str] = mapped_column(String(128))
    #: Creates sent under this intent, and when the last one was sent.
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Look-ups made since `attempted_at` that did not find the object (bounded by the lag window).
    lookups: Mapped[int] = mapped_column(Integer, default=0)
