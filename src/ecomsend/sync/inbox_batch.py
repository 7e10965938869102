"""Group commit for the webhook inbox: deliveries that arrive while a commit is under way are
recorded together, in one transaction, and each is answered only after that commit (persist,
then acknowledge — never the other way round).

On SQLite every unit of work queues for the one write lock and pays its BEGIN IMMEDIATE and
COMMIT; in a flood of webhooks that queue, not the work, sets the pace. Here the first delivery
starts a batch at once (no added wait when the app is idle); those that arrive meanwhile form
the next batch, whose receipts are inserted in one statement (`inbox.record`). Then:

- a small batch while nothing waits to be processed (deliveries come slowly): each delivery's
  handler runs in the same transaction, one after another, before the answer — the state the
  webhook describes is applied when the platform gets its 200. If any handler raises, the
  batch is rolled back and every delivery is ingested again on its own, so one failing handler
  fails only its own delivery (answered 500; the platform retries it);
- a larger batch, or while earlier deliveries still wait (a flood): the receipts keep their
  bodies with `processed_at` NULL, the transaction commits, every delivery is answered, and the
  batch goes to `sync.inbox_process.InboxProcessor`, which applies it right after in batches
  of its own. Acknowledging then costs one INSERT per batch instead of the handlers' ~5
  statements per delivery, so a flood is answered well inside Shopify's 5 s and TikTok's 3 s.

Called by the `/webhooks/*` routes (`ecomsend.web.webhooks`), one batcher per app and loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecomsend.sync.inbox import InboundWebhook, IngestOutcome, WebhookHandlers, process, record

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue
    from ecomsend.sync.inbox_process import InboxProcessor

#: Most deliveries in one transaction: bounds the work lost to a rollback and how long the
#: write lock is held.
MAX_BATCH = 256
#: Largest batch processed before the answer (≈ 1–3 ms of statements per delivery); a larger
#: one means deliveries arrive faster than they are processed one by one.
MAX_INLINE = 4


@dataclass
class Pending:
    """A delivery waiting for its batch: the webhook, its signed body, who waits for it."""

    webhook: InboundWebhook
    body: bytes
    future: asyncio.Future[IngestOutcome]


class InboxBatcher:
    """Records webhooks in group-committed batches; `await ingest(webhook, body)` → outcome."""

    def __init__(self, db: Database, queue: JobQueue, handlers: WebhookHandlers,
                 processor: InboxProcessor | None = None, max_batch: int = MAX_BATCH,
                 max_inline: int = MAX_INLINE) -> None:
        self.db, self.queue, self.handlers, self.max_batch = db, queue, handlers, max_batch
        #: Without one, every batch is processed before its answer.
        self.processor, self.max_inline = processor, max_inline
        if processor is not None:  # acknowledgements first in a flood (see InboxProcessor)
            processor.busy = self.flooded
        self._pending: list[Pending] = []
        self._drainer: asyncio.Task[None] | None = None
        #: Batches committed and the deliveries in them (for tests and diagnostics).
        self.batches = 0
        self.delivered = 0
        self.deferred = 0

    async def ingest(self, webhook: InboundWebhook, body: bytes = b"") -> IngestOutcome:
        """Queue `webhook` (and its signed `body`, kept if its processing is deferred) for the
        next batch; returns once its batch has committed (raises what its own ingest
        raised): PROCESSED / IGNORED (handled, or recorded to be handled right after) or
        DUPLICATE."""
        future: asyncio.Future[IngestOutcome] = asyncio.get_running_loop().create_future()
        self._pending.append(Pending(webhook, body, future))
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
                if self._defers(batch):
                    await self._record(batch)
                else:
                    await self._commit(batch)
        finally:
            self._drainer = None
            for pending in self._pending:  # left only by a cancellation: none will drain
                pending.future.cancel()
            self._pending.clear()

    def flooded(self) -> bool:
        """Whether more deliveries wait for their commit than one small batch (MAX_INLINE):
        then the processor rests between its batches (`InboxProcessor.busy`). Not "any waits":
        at a steady 100 deliveries/s one or two nearly always wait, and a processor resting
        3/4 of the time then fell behind for good (bench/multi_tenant.py: 2,400 receipts
        waiting, growing by ~100/s, while the workers idled)."""
        return len(self._pending) > self.max_inline

    def _defers(self, batch: list[Pending]) -> bool:
        processor = self.processor
        return processor is not None and (len(batch) > self.max_inline or not processor.idle)

    async def _record(self, batch: list[Pending]) -> None:
        """Record the batch (bodies kept, processing deferred), commit, answer, hand the new
        receipts to the processor."""
        assert self.processor is not None
        try:
            async with self.db.unit_of_work() as session:
                ids = await record(session, [p.webhook for p in batch],
                                   [p.body for p in batch])
        except Exception as exc:  # nothing committed: each is answered 500 (and retried)
            for pending in batch:
                _settle(pending.future, exc)
            return
        except BaseException as exc:  # cancelled (shutdown): nobody is acknowledged
            for pending in batch:
                _settle(pending.future, exc)
            raise
        self.batches += 1
        self.delivered += len(batch)
        accepted = [(rid, p.webhook) for rid, p in zip(ids, batch, strict=True)
                    if rid is not None]
        self.deferred += len(accepted)
        self.processor.submit(accepted)
        for rid, pending in zip(ids, batch, strict=True):
            _settle(pending.future, IngestOutcome.DUPLICATE if rid is None else (
                IngestOutcome.PROCESSED if self.processor.handles(pending.webhook)
                else IngestOutcome.IGNORED))

    async def _commit(self, batch: list[Pending]) -> None:
        """One transaction records and processes the batch; on any error, each delivery in a
        transaction of its own (so only the failing one fails)."""
        try:
            outcomes = []
            async with self.db.unit_of_work() as session:
                ids = await record(session, [p.webhook for p in batch])
                for rid, pending in zip(ids, batch, strict=True):
                    if rid is None:
                        outcomes.append(IngestOutcome.DUPLICATE)
                        continue
                    outcomes.append(await process(session, self.queue, pending.webhook,
                                                  self.handlers))
                    await session.flush()
                    # Each delivery starts from the database as the previous one left it, not
                    # from ORM objects a previous handler loaded (Core updates bypass them).
                    session.expunge_all()
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0].future, exc)
                return
            for pending in batch:
                await self._commit([pending])
            return
        except BaseException as exc:  # cancelled (shutdown): nobody is acknowledged
            for pending in batch:
                _settle(pending.future, exc)
            raise
        self.batches += 1
        self.delivered += len(batch)
        for pending, outcome in zip(batch, outcomes, strict=True):
            _settle(pending.future, outcome)


def _settle(future: asyncio.Future[IngestOutcome],
            result: IngestOutcome | BaseException) -> None:
    """Resolve a delivery's future unless it already is."""
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)
