"""Group commit for the webhook inbox: deliveries that arrive while a commit is under way are
ingested together, in one transaction, and each is answered only after that commit (persist,
then acknowledge — never the other way round).

On SQLite every unit of work queues for the one write lock and pays its BEGIN IMMEDIATE and
COMMIT; in a flood of webhooks that queue, not the work, sets the pace. Here the first delivery
starts a batch at once (no added wait when the app is idle); those that arrive meanwhile form
the next batch. A batch runs each delivery's `ingest` in turn in one session, exactly as they
would run one after another. If any of them raises, the whole batch is rolled back and every
delivery is ingested again on its own, so one failing handler fails only its own delivery
(answered 500 as before; the platform retries it).

Called by the `/webhooks/*` routes (`ecomsend.web.webhooks`), one batcher per app and loop.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ecomsend.sync.inbox import InboundWebhook, IngestOutcome, WebhookHandlers, ingest

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue

#: Most deliveries in one transaction: bounds the work lost to a rollback and how long the
#: write lock is held (≈ 1–3 ms of statements per delivery).
MAX_BATCH = 64

Pending = tuple[InboundWebhook, "asyncio.Future[IngestOutcome]"]


class InboxBatcher:
    """Ingests webhooks in group-committed batches; `await ingest(webhook)` → its outcome."""

    def __init__(self, db: Database, queue: JobQueue, handlers: WebhookHandlers,
                 max_batch: int = MAX_BATCH) -> None:
        self.db, self.queue, self.handlers, self.max_batch = db, queue, handlers, max_batch
        self._pending: list[Pending] = []
        self._drainer: asyncio.Task[None] | None = None
        #: Batches committed and the deliveries in them (for tests and diagnostics).
        self.batches = 0
        self.delivered = 0

    async def ingest(self, webhook: InboundWebhook) -> IngestOutcome:
        """Queue `webhook` for the next batch; returns once its batch has committed (raises
        what its own ingest raised)."""
        future: asyncio.Future[IngestOutcome] = asyncio.get_running_loop().create_future()
        self._pending.append((webhook, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        # Shielded: a client that hangs up must not cancel the batch its delivery is in.
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        """Commit batches until nothing is pending (new arrivals join the next batch)."""
        try:
            while self._pending:
                batch = self._pending[:self.max_batch]
                del self._pending[:self.max_batch]
                await self._commit(batch)
        finally:
            self._drainer = None
            for _, future in self._pending:  # left only by a cancellation: none will drain
                future.cancel()
            self._pending.clear()

    async def _commit(self, batch: list[Pending]) -> None:
        """One transaction for the batch; on any error, each delivery in a transaction of its
        own (so only the failing one fails)."""
        try:
            outcomes = []
            async with self.db.unit_of_work() as session:
                for webhook, _ in batch:
                    outcomes.append(await ingest(session, self.queue, webhook, self.handlers))
                    await session.flush()
                    # Each delivery starts from the database as the previous one left it, not
                    # from ORM objects a previous handler loaded (Core updates bypass them).
                    session.expunge_all()
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc)
                return
            for webhook, future in batch:
                await self._commit([(webhook, future)])
            return
        except BaseException as exc:  # cancelled (shutdown): nobody is acknowledged
            for _, future in batch:
                _settle(future, exc)
            raise
        self.batches += 1
        self.delivered += len(batch)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            _settle(future, outcome)


def _settle(future: asyncio.Future[IngestOutcome],
            result: IngestOutcome | BaseException) -> None:
    """Resolve a delivery's future unless it already is."""
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)
