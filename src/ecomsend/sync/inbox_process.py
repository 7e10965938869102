"""Processing of webhooks acknowledged before they were handled (a flood: `sync.inbox_batch`).

`InboxProcessor.submit` takes the receipts a batch just committed (id, parsed webhook) and a
background task applies them in order, `PROCESS_BATCH` per transaction: the transaction first
claims its receipts (`processed_at` set, body dropped, only where still NULL), then runs each
claimed delivery's handler (`inbox.process`, which logs it). A delivery is so processed exactly
once, whoever tries: claim and effects commit together, and a second claim finds nothing (on
PostgreSQL it waits for the first's row lock, then sees `processed_at` set).

In a flood the acknowledgements come first: while deliveries wait for their receipt's commit
(`busy`, given by the batcher), the processor rests after each batch `REST_FACTOR` times as
long as the batch took, and `SLOW_REST_FACTOR` times for a second after an acknowledgement
took longer than `ACK_SLOW_S` (`acknowledged`, from the web layer). At most `MAX_BACKLOG`
deliveries wait in memory; of those beyond only the receipt id is kept, and they are read
back from the database (body kept) in order.

If a batch fails, each delivery is retried alone; one that still fails gets `attempts` + 1 and
stays waiting. `sweep` (every `SWEEP_EVERY_S`, from `run`) takes receipts that have waited
longer than `STALE_S` — failed ones, and those of a process that stopped or crashed after the
acknowledgement — rebuilds each webhook from its stored body (`decode`, given by the web layer)
and applies them the same way; after `MAX_ATTEMPTS` a delivery is logged as given up.

Made and run by the web app (`ecomsend.web.webhooks.start_inbox`), one per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import structlog
from sqlalchemy import Table, bindparam, select, update

from ecomsend.db.models import WebhookReceipt
from ecomsend.db.types import utcnow
from ecomsend.sync.inbox import InboundWebhook, Platform, WebhookHandlers, process

if TYPE_CHECKING:
    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue

log = structlog.get_logger(__name__)

#: Deliveries per processing transaction: bounds how long it holds SQLite's write lock (the
#: acknowledgements' commits wait for it) to ≈ 8 × 1–3 ms. bench/webhook_ingest.py at 1,000/s
#: (load ≈ 3): 16 gave an acknowledgement p99 of 687 ms, 8 gave 180 ms.
PROCESS_BATCH = 8
#: A receipt still waiting after this long is taken by the sweep (its process stopped, or its
#: processing failed).
STALE_S = 30.0
SWEEP_EVERY_S = 10.0
#: Failed processing runs after which a delivery is logged as given up.
MAX_ATTEMPTS = 5
#: Receipts one sweep takes.
SWEEP_LIMIT = 500
#: Spilled receipts read back into memory at a time (each rebuilt from its body on the loop).
READ_BACK = 64
#: While acknowledgements wait (`busy`), the processor rests this many times as long as its
#: last batch took: in a flood most of the time goes to answering, so deliveries are
#: acknowledged within the platforms' deadlines, and processed once the flood ebbs.
REST_FACTOR = 3.0
#: An acknowledgement slower than this (`acknowledged`, from the web layer) means processing
#: is taking CPU the acknowledgements need (in scale-out, another web process's too): for
#: `SLOW_HOLD_S` after it the processor rests `SLOW_REST_FACTOR` times as long as its batches.
ACK_SLOW_S = 0.025
SLOW_HOLD_S = 1.0
SLOW_REST_FACTOR = 8.0
#: Or when the event loop had more than this much ready to run before a batch (requests read
#: and waiting their turn: latency the web layer's own timing of an answer does not see).
LOOP_LAG_S = 0.004
#: ... but only while deliveries come at least this fast (per second, into this process): a
#: steady trickle with slow answers for other reasons (SQLite's write lock held by jobs) must
#: not starve the processing (bench/multi_tenant.py: ~100/s across 19 shops).
FLOOD_PER_S = 400
#: Deliveries held in memory for processing, parsed; of those beyond, only the receipt id is
#: kept, and they are read back from the database (`READ_BACK` at a time) once these are
#: done. Kept small for the garbage collector: 10,000 parsed payloads (≈ 15 tracked objects
#: each) made every full collection of a web process in a flood walk 150,000 more objects,
#: a pause of every acknowledgement under way (bench/webhook_ingest.py).
MAX_BACKLOG = 1_000

#: `decode(platform, delivery_id, topic, shop_key, body_sha256, body)` → the webhook again.
Decode = Callable[[Platform, str, str, str, "str | None", bytes], InboundWebhook]
Item = tuple[int, InboundWebhook]

_TABLE = cast(Table, WebhookReceipt.__table__)
_CLAIM = (update(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True)),
                               _TABLE.c.processed_at.is_(None))
          .values(processed_at=bindparam("now", type_=_TABLE.c.processed_at.type), body=None)
          .returning(_TABLE.c.id))
_FAILED = (update(_TABLE).where(_TABLE.c.id == bindparam("rid"))
           .values(attempts=_TABLE.c.attempts + 1))


class InboxProcessor:
    """Applies acknowledged, recorded webhooks in the background (see the module docstring)."""

    def __init__(self, db: Database, queue: JobQueue, handlers: WebhookHandlers,
                 decode: Decode, batch: int = PROCESS_BATCH) -> None:
        self.db, self.queue, self.handlers, self.decode = db, queue, handlers, decode
        self.batch = batch
        #: Whether acknowledgements are waiting (set by `InboxBatcher`).
        self.busy: Callable[[], bool] = lambda: False
        #: Until when (time.monotonic) acknowledgements count as slow (`acknowledged`).
        self._slow_until = 0.0
        #: Deliveries submitted in the current second and the one before (`_flooded`).
        self._second, self._this_second, self._last_second = 0, 0, 0
        self._waiting: deque[Item] = deque()
        #: Ids of receipts submitted while memory was full: read back from the database later.
        self._spilled: deque[int] = deque()
        self._task: asyncio.Task[None] | None = None
        #: Deliveries this processor applied, and failed runs (for tests and diagnostics).
        self.processed = 0
        self.failures = 0

    @property
    def idle(self) -> bool:
        """Nothing submitted is waiting or being applied."""
        return not self._waiting and not self._spilled and self._task is None

    def handles(self, webhook: InboundWebhook) -> bool:
        """Whether `webhook` has a handler (else it is only logged: IGNORED)."""
        return not webhook.rejected and (webhook.platform, webhook.topic) in self.handlers

    def submit(self, items: Iterable[Item]) -> None:
        """Queue committed receipts for processing, in order (called by `InboxBatcher`)."""
        self._count_submitted()
        for item in items:
            self._this_second += 1
            if self._spilled or len(self._waiting) >= MAX_BACKLOG:
                self._spilled.append(item[0])  # in order: after one spilled, all are
            else:
                self._waiting.append(item)
        if (self._waiting or self._spilled) and self._task is None:
            self._task = asyncio.create_task(self._drain())

    async def wait_idle(self) -> None:
        """Return once everything submitted so far has been applied (tests, shutdown)."""
        while self._task is not None:
            await asyncio.shield(self._task)

    async def _drain(self) -> None:
        try:
            while self._waiting or (self._spilled and await self._read_back()):
                count = min(self.batch, len(self._waiting))
                await self._apply_rested([self._waiting.popleft() for _ in range(count)])
        finally:
            self._task = None

    async def _apply_rested(self, items: list[Item]) -> None:
        """`apply`, then, while acknowledgements wait, rest REST_FACTOR times as long (the
        backlog's and the sweep's batches alike)."""
        began = time.perf_counter()
        await asyncio.sleep(0)  # behind what the loop has ready: requests read meanwhile
        if time.perf_counter() - began > LOOP_LAG_S:
            self.acknowledged(ACK_SLOW_S * 2)  # they wait for the loop: as slow answers
        began = time.perf_counter()
        await self.apply(items)
        factor = (SLOW_REST_FACTOR if self._flooded() else REST_FACTOR if self.busy()
                  else 0.0)
        if factor:
            await asyncio.sleep((time.perf_counter() - began) * factor)

    def _count_submitted(self) -> None:
        """Roll the per-second submission counts over (called by `submit`, `_flooded`)."""
        now = int(time.monotonic())
        if now != self._second:
            self._last_second = self._this_second if now == self._second + 1 else 0
            self._second, self._this_second = now, 0

    def _flooded(self) -> bool:
        """Acknowledgements were slow within SLOW_HOLD_S and deliveries come FLOOD_PER_S or
        faster."""
        if time.monotonic() >= self._slow_until:
            return False
        self._count_submitted()
        return max(self._this_second, self._last_second) >= FLOOD_PER_S

    def acknowledged(self, seconds: float) -> None:
        """Note how long a delivery took from its request to its answer (called by
        `web.webhook_ingress` for every one): a slow one makes the processor rest longer for
        a while (ACK_SLOW_S). The acknowledgements have the platforms' deadlines; processing
        has none and catches up once the flood ebbs."""
        if seconds > ACK_SLOW_S:
            self._slow_until = time.monotonic() + SLOW_HOLD_S

    async def _read_back(self) -> bool:
        """Load the next spilled receipts that still wait into memory; True (go on). A few at a
        time: rebuilding each from its body runs on the event loop, between acknowledgements."""
        ids = [self._spilled.popleft() for _ in range(min(READ_BACK, len(self._spilled)))]
        self._waiting.extend(await self._waiting_receipts(None, READ_BACK, ids))
        return True

    async def apply(self, items: list[Item]) -> None:
        """Claim and process `items` in one transaction; on an error, each alone, and one that
        fails alone counts a failed attempt (the sweep retries it)."""
        try:
            async with self.db.unit_of_work() as session:
                conn = await session.connection()
                claimed = set((await conn.execute(_CLAIM, {
                    "ids": [rid for rid, _ in items], "now": utcnow()})).scalars())
                for rid, webhook in items:
                    if rid in claimed:
                        await process(session, self.queue, webhook, self.handlers)
                        await session.flush()
                        session.expunge_all()  # see inbox_batch._commit
        except Exception as exc:
            if len(items) > 1:
                for item in items:
                    await self.apply([item])
                return
            await self._failed(items[0], exc)
            return
        self.processed += len(claimed)

    async def _failed(self, item: Item, exc: Exception) -> None:
        self.failures += 1
        rid, webhook = item
        log.error("webhook.processing_failed", platform=webhook.platform.value,
                  topic=webhook.topic[:128], receipt=rid, error=repr(exc)[:300])
        with contextlib.suppress(Exception):  # unrecorded: the sweep retries it all the same
            async with self.db.unit_of_work() as session:
                await (await session.connection()).execute(_FAILED, {"rid": rid})

    async def sweep(self, stale_s: float = STALE_S) -> int:
        """Apply receipts waiting longer than `stale_s`; how many were taken. Called by `run`
        only while this processor has no backlog of its own: in a flood its own receipts grow
        stale in order, and sweeping them as well (taking 500 at once, read back and rebuilt
        on the event loop) competed with their processing and with the acknowledgements — the
        acknowledgement latency grew from the 30th second of a flood on (bench/webhook_ingest
        .py). Stale receipts of a process that stopped wait until this backlog is done."""
        items = await self._waiting_receipts(stale_s, SWEEP_LIMIT)
        for start in range(0, len(items), self.batch):
            await self._apply_rested(items[start:start + self.batch])
        return len(items)

    async def _waiting_receipts(self, stale_s: float | None, limit: int,
                                ids: list[int] | None = None) -> list[Item]:
        """The oldest receipts waiting to be processed (longer than `stale_s`; among `ids`),
        rebuilt."""
        query = (select(_TABLE.c.id, _TABLE.c.platform, _TABLE.c.delivery_id, _TABLE.c.topic,
                        _TABLE.c.shop_key, _TABLE.c.body_sha256, _TABLE.c.body,
                        _TABLE.c.attempts)
                 .where(_TABLE.c.processed_at.is_(None))
                 .order_by(_TABLE.c.received_at, _TABLE.c.id).limit(limit))
        if stale_s is not None:
            query = query.where(_TABLE.c.received_at < utcnow() - timedelta(seconds=stale_s))
        if ids is not None:
            query = query.where(_TABLE.c.id.in_(ids))
        async with self.db.sessionmaker() as session:
            rows = (await session.execute(query)).all()
        return [self._rebuilt(row) for row in rows]

    def _rebuilt(self, row: Any) -> Item:
        rid, platform, delivery, topic, shop, digest, body, attempts = row
        try:
            webhook = self.decode(Platform(platform), delivery, topic, shop or "", digest,
                                  body or b"")
        except Exception as exc:  # it parsed when it came: logged, not handled
            webhook = InboundWebhook(Platform(platform), delivery, topic, shop or "", None,
                                     digest, rejected=f"stored body unreadable: {exc!r}"[:300])
        if attempts >= MAX_ATTEMPTS:
            webhook = replace(webhook, rejected=f"not handled: failed {attempts} times")
        return int(rid), webhook

    async def run(self, stop: asyncio.Event, every_s: float = SWEEP_EVERY_S) -> None:
        """Sweep every `every_s` until `stop` (the app's lifespan), then let the batch under
        way finish and leave the rest to the next start's sweep (it is recorded); a sweep
        that fails is logged and tried again next time."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every_s)
            if stop.is_set():
                break
            if not self.idle:  # its own backlog first (see `sweep`)
                continue
            try:
                await self.sweep()
            except Exception as exc:
                log.warning("webhook.sweep_failed", error=repr(exc)[:300])
        self._waiting.clear()
        self._spilled.clear()
        await self.wait_idle()
