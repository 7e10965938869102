"""Tables of the embedded adapters: the LocalQueue's jobs and periodic runs, shared rate buckets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin
from ecomsend.db.types import UTCDateTime, utcnow


class LocalJob(IdMixin, Base):
    """A job of the embedded `LocalQueue`; written in the caller's transaction."""

    __tablename__ = "local_job"
    __table_args__ = (
        # At most one *waiting* job per queueing key: a repeated defer coalesces.
        Index(
            "uq_local_job_waiting_lock",
            "queueing_lock",
            unique=True,
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
        Index("ix_local_job_due", "status", "scheduled_at"),
        # The claim's order: highest priority first, then oldest (see LocalQueue._claim).
        Index("ix_local_job_claim", "status", text("priority DESC"), "scheduled_at"),
        Index("ix_local_job_lane", "lane", "status"),
    )

    task: Mapped[str] = mapped_column(String(128))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    queueing_lock: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    #: Higher runs first (JobQueue.defer): a stock push never waits behind a bulk listing.
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Jobs sharing a lane run one at a time, highest priority first (JobQueue.defer).
    lane: Mapped[str | None] = mapped_column(String(255))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(128))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Renewed by the running worker; a running job whose heartbeat is stale was orphaned by a
    #: crash and goes back to waiting.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PeriodicRun(IdMixin, Base):
    """One row per (periodic task, period): the unique key makes a period fire once."""

    __tablename__ = "periodic_run"
    __table_args__ = (UniqueConstraint("task", "period_start"),)

    task: Mapped[str] = mapped_column(String(128))
    period_start: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RateBucket(Base):
    """A token bucket shared by every process (PostgreSQL rate-limit backend)."""

    __tablename__ = "rate_bucket"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    capacity: Mapped[float] = mapped_column(Float)
    refill_per_s: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
