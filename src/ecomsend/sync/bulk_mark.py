"""Marking many entities changed at once (a template activation, turning order or fulfillment
auto sync on), a batch per transaction, so other shops' writes interleave."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ecomsend.sync import state

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue

#: Entities marked per write transaction. On SQLite each such transaction holds the one write
#: lock, which every webhook acknowledgement and every job's completion waits for: activating a
#: template over 1,000 products in one transaction (read and marks) held it ~2.5 s, every other
#: shop's stock push waiting behind it (bench/multi_tenant.py --embedded), and it grows with the
#: catalog or the order backlog.
MARK_BATCH = 200


async def mark_in_batches(db: Database, queue: JobQueue,
                          keys: Sequence[state.EntityKey]) -> int:
    """Mark every key changed, MARK_BATCH per transaction, each with its position as its backlog
    (so priorities and lanes run on across batches: state.job_priority). Called outside any
    transaction, after the keys were read, by template activation and by the order settings
    API when an auto sync is turned on. A crash part-way leaves the rest as they were (Not
    synced): doing it again, or Sync by hand, queues them. Returns how many were marked."""
    for start in range(0, len(keys), MARK_BATCH):
        async with db.unit_of_work() as session:
            for backlog, key in enumerate(keys[start:start + MARK_BATCH], start):
                await state.mark_changed(session, queue, key, backlog=backlog)
    return len(keys)
