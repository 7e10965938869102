"""The `JobQueue` port (DESIGN.md §1): what the app needs from a job queue."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.registry import JsonArgs, TaskRegistry

T = TypeVar("T")

#: A bulk mark's jobs are spread over this many lanes per connection (`JobQueue.defer`'s
#: `lane`, sync.state.bulk_lane): a 100,000-product listing holds at most this many workers,
#: the rest stay free for other shops, and this many concurrent pushes still fill TikTok's 50
#: QPS at local round trips.
BULK_LANES = 6


class JobQueue(Protocol):
    """Defers jobs inside the caller's transaction and runs them in workers.

    `defer` with a `queueing_lock` coalesces: while a job with that lock is still waiting, a
    second defer adds nothing (its run time becomes the earlier of the two). Jobs sharing a
    lock never run at the same time; a defer while one runs queues exactly one more run.

    Due jobs run highest `priority` first, then oldest first: this is how one shop's bulk
    listing cannot starve another shop's stock updates (`sync.state.job_priority`). Jobs
    sharing a `lane` run one at a time, in that order: a bulk mark spread over a few lanes holds
    at most that many workers however long it is (`sync.state.bulk_lane`).
    """

    registry: TaskRegistry

    async def defer(
        self,
        session: AsyncSession,
        task: str,
        args: JsonArgs | None = None,
        *,
        queueing_lock: str | None = None,
        run_at: datetime | None = None,
        priority: int = 0,
        lane: str | None = None,
    ) -> None:
        """Enqueue `task(**args)` in `session`'s transaction: it exists iff that commits.
        A coalesced defer raises the waiting job's priority to the higher of the two."""
        ...

    async def run_worker(self, stop: asyncio.Event, concurrency: int = 4) -> None:
        """Run jobs (and schedule periodic ones) until `stop` is set."""
        ...

    async def recover_orphans(self) -> int:
        """Put back jobs whose worker died mid-run; returns how many. Called on worker start
        and periodically by running workers."""
        ...

    async def complete_in(self, session: AsyncSession, job_id: str) -> None:
        """Mark the running job `job_id` done in `session`'s transaction, so a task's final
        state change and its job's completion commit together (one write instead of two).
        The task must return right after that transaction commits."""
        ...

    async def complete_with(self, job_id: str,
                            write: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `write` in a write transaction that also marks the running job `job_id` done,
        and return its result once that committed (raise what it raised, nothing committed).
        LocalQueue batches it with other jobs' completions and its next claim (one write turn
        of SQLite's lock for all of them): `write` must do nothing but its statements, since
        after a failed batch it runs again, alone. The task must return right after."""
        ...

    async def close(self) -> None: ...
