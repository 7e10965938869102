"""Group commit of the webhook inbox (sync/inbox_batch.py) on real SQLite and PostgreSQL:
deliveries arriving together share a transaction, each is answered after the commit with its
own outcome, and a failing handler fails only its own delivery (nothing of it persisted, so
the retry works)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from ecomsend.db.models import ActivityLog, WebhookReceipt
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.tasks import build_registry
from ecomsend.sync.inbox import InboundWebhook, IngestOutcome, Platform
from ecomsend.sync.inbox_batch import InboxBatcher


class Boom(RuntimeError):
    pass


async def _note(session: Any, queue: Any, webhook: InboundWebhook) -> str:
    await asyncio.sleep(0)  # let other deliveries queue up behind this batch
    return "handled"


async def _fail(session: Any, queue: Any, webhook: InboundWebhook) -> str:
    raise Boom(webhook.delivery_id)


HANDLERS = {(Platform.TIKTOK, "5"): _note, (Platform.TIKTOK, "99"): _fail}


def hook(i: int, topic: str = "5", delivery: str | None = None) -> InboundWebhook:
    return InboundWebhook(Platform.TIKTOK, delivery or f"d{i}", topic, "7494049642642441621",
                          None, body_sha256=f"{i:064x}")


async def _receipts(db: Database) -> set[str]:
    async with db.sessionmaker() as session:
        return set((await session.execute(select(WebhookReceipt.delivery_id))).scalars())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> Database:
    """The test's database on both engines."""
    db: Database = request.getfixturevalue(f"{'pg' if request.param == 'postgres' else 'sqlite'}"
                                           "_db")
    return db


async def test_concurrent_deliveries_share_commits_and_keep_their_own_outcomes(
        any_db: Database) -> None:
    sqlite_db = any_db
    batcher = InboxBatcher(sqlite_db, LocalQueue(sqlite_db, build_registry()), HANDLERS)
    webhooks = [hook(i) for i in range(40)] + [hook(100, delivery="d3")]  # d3 sent twice
    outcomes = await asyncio.gather(*(batcher.ingest(w) for w in webhooks))
    assert outcomes.count(IngestOutcome.PROCESSED) == 40
    assert outcomes[-1] is IngestOutcome.DUPLICATE
    assert batcher.delivered == 41 and batcher.batches < 41  # group-committed
    assert await _receipts(sqlite_db) == {f"d{i}" for i in range(40)}
    async with sqlite_db.sessionmaker() as session:
        logged = (await session.execute(select(func.count()).select_from(ActivityLog).where(
            ActivityLog.kind == "webhook"))).scalar_one()
    assert logged == 40  # processed once each


async def test_a_failing_handler_fails_only_its_own_delivery(any_db: Database) -> None:
    sqlite_db = any_db
    batcher = InboxBatcher(sqlite_db, LocalQueue(sqlite_db, build_registry()), HANDLERS)
    webhooks = [hook(i, topic="99" if i == 7 else "5") for i in range(20)]
    results = await asyncio.gather(*(batcher.ingest(w) for w in webhooks),
                                   return_exceptions=True)
    assert isinstance(results[7], Boom)
    assert all(r is IngestOutcome.PROCESSED for i, r in enumerate(results) if i != 7)
    assert await _receipts(sqlite_db) == {f"d{i}" for i in range(20) if i != 7}
    # The platform's retry of the failed delivery is not mistaken for a duplicate.
    with pytest.raises(Boom):
        await batcher.ingest(hook(7, topic="99"))
    assert await batcher.ingest(hook(7, topic="5")) is IngestOutcome.PROCESSED
