"""The SQL of `LocalQueue` (jobs/local_queue.py): its inserts and its claim, built once each
(they run for every defer and every turn)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, exists, func, select, text, update

from ecomsend.db.models import LocalJob

WAITING, RUNNING, FAILED = "waiting", "running", "failed"


def insert_job(insert: Callable[..., Any]) -> Any:
    return insert(LocalJob.__table__)


def insert_or_coalesce_job(insert: Callable[..., Any]) -> Any:
    """Insert a waiting job, or keep the one waiting with the same lock (at the earlier time
    and the higher priority)."""
    table = LocalJob.__table__
    stmt = insert(table)
    earlier = case((stmt.excluded.scheduled_at < table.c.scheduled_at,
                    stmt.excluded.scheduled_at), else_=table.c.scheduled_at)
    higher = case((stmt.excluded.priority > table.c.priority, stmt.excluded.priority),
                  else_=table.c.priority)
    return stmt.on_conflict_do_update(index_elements=[table.c.queueing_lock],
                                      index_where=text("status = 'waiting'"),
                                      set_={"scheduled_at": earlier, "priority": higher})


@cache
def claimable_ids() -> Any:
    """The ids of the jobs a claim may take now, in claim order (bind parameters `b_now` and
    `b_lane_room`: how many lane jobs it may take)."""
    jobs = cast(Table, LocalJob.__table__)
    running = jobs.alias("running")
    now = bindparam("b_now", type_=jobs.c.scheduled_at.type)
    lock_busy = exists().where(and_(running.c.status == RUNNING,
                                    running.c.queueing_lock == jobs.c.queueing_lock))
    # A lane runs one job at a time: its head only (the first due job in claim order), and
    # only while none of its jobs runs.
    other = jobs.alias("other")
    earlier = (other.c.priority > jobs.c.priority) | and_(
        other.c.priority == jobs.c.priority,
        (other.c.scheduled_at < jobs.c.scheduled_at)
        | and_(other.c.scheduled_at == jobs.c.scheduled_at, other.c.id < jobs.c.id))
    ahead = and_(other.c.status == WAITING, other.c.scheduled_at <= now, earlier)
    lane_busy = exists().where(and_(other.c.lane == jobs.c.lane, other.c.id != jobs.c.id,
                                    (other.c.status == RUNNING) | ahead))
    order = (jobs.c.priority.desc(), jobs.c.scheduled_at, jobs.c.id)
    # Of the lane heads, only the first `b_lane_room` (the free lane slots: LocalQueue).
    due = (select(jobs.c.id, jobs.c.lane, jobs.c.priority, jobs.c.scheduled_at,
                  func.row_number().over(partition_by=jobs.c.lane.is_(None), order_by=order)
                  .label("nth"))
           .where(jobs.c.status == WAITING, jobs.c.scheduled_at <= now,
                  jobs.c.queueing_lock.is_(None) | ~lock_busy,
                  jobs.c.lane.is_(None) | ~lane_busy)
           .subquery("due"))
    return (select(due.c.id)
            .where(due.c.lane.is_(None) | (due.c.nth <= bindparam("b_lane_room")))
            .order_by(due.c.priority.desc(), due.c.scheduled_at, due.c.id))


@cache
def any_claimable_stmt() -> Any:
    """Whether a claim would take a job now: a read, so it waits for no writer."""
    return select(claimable_ids().limit(1).exists())


@cache
def claim_stmt() -> Any:
    """The claim's UPDATE with bind parameters, built once (it runs for every turn)."""
    jobs = cast(Table, LocalJob.__table__)
    now = bindparam("b_now", type_=jobs.c.scheduled_at.type)
    next_ids = claimable_ids().limit(bindparam("b_limit"))
    return (
        update(jobs).where(jobs.c.id.in_(next_ids), jobs.c.status == WAITING)
        .values(status=RUNNING, worker_id=bindparam("b_worker"), started_at=now,
                heartbeat_at=now, attempts=jobs.c.attempts + 1)
        .returning(jobs.c.id, jobs.c.task, jobs.c.args, jobs.c.attempts, jobs.c.lane)
    )
