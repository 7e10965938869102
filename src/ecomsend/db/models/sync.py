"""Sync bookkeeping: per-entity sync state, the idempotent webhook inbox and the activity log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin, TimestampMixin
from ecomsend.db.types import BigId, UTCDateTime, utcnow


class SyncState(IdMixin, TimestampMixin, Base):
    """Desired vs synced version of one entity in one direction, with its lease (DESIGN.md §4)."""

    __tablename__ = "sync_state"
    __table_args__ = (
        UniqueConstraint("tiktok_shop_id", "kind", "entity_id", "direction"),
        Index("ix_sync_state_due", "status", "not_before"),
    )

    shop_id: Mapped[int] = mapped_column(BigId, ForeignKey("shop.id", ondelete="CASCADE"))
    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(16))
    desired_version: Mapped[int] = mapped_column(Integer, default=0)
    synced_version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="not_synced")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_pushed_hash: Mapped[str | None] = mapped_column(String(64))
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookReceipt(IdMixin, Base):
    """The idempotent inbox: a delivery id seen once is acknowledged and ignored after."""

    __tablename__ = "webhook_receipt"
    __table_args__ = (
        UniqueConstraint("platform", "delivery_id"),
        #: Home's "last webhook received" per shop.
        Index("ix_webhook_receipt_shop_time", "platform", "shop_key", "received_at"),
        #: A signed body is acted on once whatever headers it comes with (HMAC covers the body).
        Index("uq_webhook_receipt_body", "platform", "body_sha256", unique=True),
        #: Retention pruning.
        Index("ix_webhook_receipt_received", "received_at"),
        #: Deliveries acknowledged and not yet processed (sync/inbox_process.py's sweep).
        Index("ix_webhook_receipt_waiting", "received_at",
              postgresql_where=text("processed_at IS NULL"),
              sqlite_where=text("processed_at IS NULL")),
    )

    platform: Mapped[str] = mapped_column(String(16))
    delivery_id: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(128))
    shop_key: Mapped[str | None] = mapped_column(String(255))
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When its handler ran (in that transaction); NULL while it waits (acknowledged in a
    #: flood, processed after: sync/inbox_process.py).
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The signed body, kept only while the delivery waits to be processed.
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Processing runs that failed (retried by the sweep, given up after a few).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ActivityLog(IdMixin, Base):
    """One row per sync attempt and per webhook; failures kept, successes pruned after N days."""

    __tablename__ = "activity_log"
    __table_args__ = (Index("ix_activity_log_shop_time", "shop_id", "created_at"),)

    shop_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("shop.id", ondelete="CASCADE"))
    tiktok_shop_id: Mapped[int | None] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    direction: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    request_excerpt: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
