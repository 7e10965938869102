"""Webhooks acknowledged in a flood and processed right after (sync/inbox_batch.py,
sync/inbox_process.py) on real SQLite and PostgreSQL: each recorded delivery is processed
exactly once — however many processors try, after a failure, after its process stopped before
applying it — and one that keeps failing is logged as given up, not retried for ever."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from ecomsend.db.models import ActivityLog, WebhookReceipt
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.tasks import build_registry
from ecomsend.sync.inbox import InboundWebhook, IngestOutcome, Platform, record
from ecomsend.sync.inbox_batch import InboxBatcher
from ecomsend.sync.inbox_process import FLOOD_PER_S, MAX_ATTEMPTS, InboxProcessor
from ecomsend.web.webhooks import decode_stored

SHOP_ID = "7494049642642441621"
FAILING: set[str] = set()


async def _note(session: Any, queue: Any, webhook: InboundWebhook) -> str:
    if str(webhook.payload.data.product_id) in FAILING:
        raise RuntimeError("handler failed")
    return "handled"


HANDLERS = {(Platform.TIKTOK, "5"): _note}


def body(i: int) -> bytes:
    return json.dumps({"type": 5, "shop_id": SHOP_ID, "timestamp": 1764000000 + i,
                       "tts_notification_id": f"n{i}",
                       "data": {"product_id": str(1000 + i), "status": "FAILED",
                                "update_time": 1764000000}}).encode()


def hook(i: int) -> tuple[InboundWebhook, bytes]:
    raw = body(i)
    return decode_stored(Platform.TIKTOK, "", "5", SHOP_ID, None, raw), raw


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> Database:
    db: Database = request.getfixturevalue(f"{'pg' if request.param == 'postgres' else 'sqlite'}"
                                           "_db")
    return db


def processor(db: Database) -> InboxProcessor:
    return InboxProcessor(db, LocalQueue(db, build_registry()), HANDLERS, decode_stored)


async def _state(db: Database) -> tuple[int, int, dict[str, int]]:
    """(receipts waiting, receipts keeping a body, activity rows per delivery)."""
    async with db.sessionmaker() as session:
        waiting = (await session.execute(select(func.count()).select_from(WebhookReceipt)
                   .where(WebhookReceipt.processed_at.is_(None)))).scalar_one()
        bodies = (await session.execute(select(func.count()).select_from(WebhookReceipt)
                  .where(WebhookReceipt.body.is_not(None)))).scalar_one()
        logged = dict((await session.execute(select(ActivityLog.entity_id, func.count())
                       .where(ActivityLog.kind == "webhook")
                       .group_by(ActivityLog.entity_id))).all())
    return int(waiting), int(bodies), {str(k): int(v) for k, v in logged.items()}


async def test_a_flood_is_acknowledged_then_processed_once_each(any_db: Database) -> None:
    FAILING.clear()
    proc = processor(any_db)
    batcher = InboxBatcher(any_db, proc.queue, HANDLERS, proc, max_inline=2)
    hooks = [hook(i) for i in range(40)] + [hook(3)]  # n3 delivered twice
    outcomes = await asyncio.gather(*(batcher.ingest(w, raw) for w, raw in hooks))
    assert outcomes.count(IngestOutcome.PROCESSED) == 40
    assert outcomes[-1] is IngestOutcome.DUPLICATE
    assert batcher.deferred > 0  # some batches were acknowledged before processing
    await proc.wait_idle()
    waiting, bodies, logged = await _state(any_db)
    assert (waiting, bodies) == (0, 0)
    assert logged == {f"n{i}": 1 for i in range(40)}


async def test_two_processors_on_the_same_receipts_process_each_once(
        any_db: Database) -> None:
    FAILING.clear()
    hooks = [hook(i) for i in range(24)]
    async with any_db.unit_of_work() as session:
        ids = await record(session, [w for w, _ in hooks], [raw for _, raw in hooks])
    items = [(rid, w) for rid, (w, _) in zip(ids, hooks, strict=True) if rid is not None]
    first, second = processor(any_db), processor(any_db)
    await asyncio.gather(first.apply(items[:16]), second.apply(items[8:]),
                         first.apply(items[16:]), second.apply(items[:8]))
    assert first.processed + second.processed == 24
    assert (await _state(any_db))[2] == {f"n{i}": 1 for i in range(24)}


async def test_the_sweep_applies_what_a_stopped_process_left_and_gives_up_on_failures(
        any_db: Database) -> None:
    FAILING.clear()
    FAILING.add("1002")
    hooks = [hook(i) for i in range(5)]
    async with any_db.unit_of_work() as session:  # recorded, acknowledged, then the crash
        await record(session, [w for w, _ in hooks], [raw for _, raw in hooks])
    proc = processor(any_db)
    assert await proc.sweep(stale_s=0) == 5
    waiting, _, logged = await _state(any_db)
    assert waiting == 1 and logged == {f"n{i}": 1 for i in range(5) if i != 2}
    for _ in range(MAX_ATTEMPTS - 1):  # retried by each sweep while it keeps failing
        assert await proc.sweep(stale_s=0) == 1
    assert proc.failures == MAX_ATTEMPTS
    assert await proc.sweep(stale_s=0) == 1  # given up: logged, not handled
    waiting, bodies, logged = await _state(any_db)
    assert (waiting, bodies) == (0, 0) and logged["n2"] == 1
    async with any_db.sessionmaker() as session:
        gave_up = (await session.execute(select(ActivityLog).where(
            ActivityLog.entity_id == "n2"))).scalar_one()
    assert gave_up.status == "ignored" and "failed 5 times" in (gave_up.message or "")
    assert await proc.sweep(stale_s=0) == 0
    FAILING.clear()


async def test_receipts_beyond_the_memory_bound_are_read_back_from_the_database(
        any_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    FAILING.clear()
    monkeypatch.setattr("ecomsend.sync.inbox_process.MAX_BACKLOG", 3)
    monkeypatch.setattr("ecomsend.sync.inbox_process.READ_BACK", 2)  # 4 read-backs of the 7
    proc = processor(any_db)
    proc.batch = 2
    batcher = InboxBatcher(any_db, proc.queue, HANDLERS, proc, max_inline=0)
    hooks = [hook(i) for i in range(10)]
    outcomes = await asyncio.gather(*(batcher.ingest(w, raw) for w, raw in hooks))
    assert outcomes == [IngestOutcome.PROCESSED] * 10
    await proc.wait_idle()
    assert proc.processed == 10 and proc.idle
    waiting, bodies, logged = await _state(any_db)
    assert (waiting, bodies) == (0, 0) and logged == {f"n{i}": 1 for i in range(10)}


async def test_processing_rests_longer_only_for_slow_answers_in_a_flood(
        sqlite_db: Database) -> None:
    """`acknowledged` (from the web layer): a slow answer while deliveries come at
    FLOOD_PER_S or faster makes the processor rest SLOW_REST_FACTOR times its batches; a slow
    answer in a trickle, or fast answers in a flood, do not."""
    proc = processor(sqlite_db)
    webhook, _ = hook(0)
    proc.submit([(10_000 + i, webhook) for i in range(10)])  # no such receipts: none claimed
    proc.acknowledged(0.5)
    assert not proc._flooded()  # slow, but a trickle
    proc.submit([(20_000 + i, webhook) for i in range(FLOOD_PER_S)])
    assert proc._flooded()
    proc.acknowledged(0.001)  # a fast answer does not end the slow spell ...
    assert proc._flooded()
    fast = processor(sqlite_db)
    fast.submit([(30_000 + i, webhook) for i in range(FLOOD_PER_S)])
    fast.acknowledged(0.001)  # ... and fast answers in a flood never start one
    assert not fast._flooded()
    await proc.wait_idle()
    await fast.wait_idle()
