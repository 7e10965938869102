"""TikTok product status webhooks (types 5 / 37) through the inbox on real SQLite and
PostgreSQL: an approval puts back to synced exactly the review-failed product sync rows of the
listing it names in the TikTok shop it came from — nothing of another shop, another listing or
another status — and an event of an unknown shop changes nothing (sync/listing/webhooks.py)."""

from __future__ import annotations

import json

from sqlalchemy import select

from ecomsend.db.models import ActivityLog, ProductLink, SyncState
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.tasks import build_registry
from ecomsend.sync.handlers import build_webhook_handlers
from ecomsend.sync.inbox import IngestOutcome, Platform, ingest
from ecomsend.web.webhooks import decode_stored

from .home_activity_seed import Seeded, add_products, seed_shop, sync_row


def _event(tiktok_shop_id: str, product_id: str, status: str, n: int) -> bytes:
    return json.dumps({"type": 5, "shop_id": tiktok_shop_id, "timestamp": 1764000000 + n,
                       "tts_notification_id": f"audit-{n}",
                       "data": {"product_id": product_id, "status": status,
                                "update_time": 1764000000}}).encode()


async def _link(db: Database, seeded: Seeded, product_gid: str, tiktok_product: str) -> None:
    async with db.unit_of_work() as s:
        s.add(ProductLink(tiktok_shop_id=seeded.tts_id, shopify_product_id=product_gid,
                          shopify_variant_id=f"{product_gid}/v", tiktok_product_id=tiktok_product,
                          tiktok_sku_id=f"sku-{tiktok_product}"))


async def _deliver(db: Database, body: bytes) -> IngestOutcome:
    webhook = decode_stored(Platform.TIKTOK, "", "5", "", None, body)
    async with db.unit_of_work() as session:
        return await ingest(session, LocalQueue(db, build_registry()), webhook,
                            build_webhook_handlers())


async def _statuses(db: Database) -> dict[tuple[int, str], tuple[str, bool]]:
    async with db.sessionmaker() as session:
        rows = (await session.execute(select(SyncState.tiktok_shop_id, SyncState.entity_id,
                                             SyncState.status, SyncState.last_error))).all()
    return {(int(t), str(e)): (str(s), err is not None) for t, e, s, err in rows}


async def test_an_approval_clears_only_its_listings_review_failure(db: Database) -> None:
    alice = await seed_shop(db, "alice-audit.myshopify.com", "7001")
    bob = await seed_shop(db, "bob-audit.myshopify.com", "7002")
    failed, other, synced_one = await add_products(db, alice, ["review_failed", "review_failed",
                                                               "synced"])
    (bobs,) = await add_products(db, bob, [None])
    async with db.unit_of_work() as s:
        s.add(sync_row(bob, "product", bobs, "to_tiktok", "review_failed"))
    await _link(db, alice, failed, "tp-1")
    await _link(db, alice, other, "tp-2")
    await _link(db, alice, synced_one, "tp-3")
    await _link(db, bob, bobs, "tp-1")  # the same TikTok product id in another shop
    before = await _statuses(db)

    assert await _deliver(db, _event("7001", "tp-1", "PRODUCT_FIRST_PASS_REVIEW", 1)) is \
        IngestOutcome.PROCESSED
    after = await _statuses(db)
    assert after[(alice.tts_id, failed)] == ("synced", False)
    assert {k: v for k, v in after.items() if k != (alice.tts_id, failed)} == \
        {k: v for k, v in before.items() if k != (alice.tts_id, failed)}
    assert before[(bob.tts_id, bobs)] == ("review_failed", True)

    # Another shop's id in the body (signed by TikTok, but naming a shop we do not know).
    assert await _deliver(db, _event("7999", "tp-2", "APPROVED", 2)) is IngestOutcome.PROCESSED
    assert await _statuses(db) == after
    async with db.sessionmaker() as session:
        notes = dict((await session.execute(select(ActivityLog.entity_id, ActivityLog.message)
                                             .where(ActivityLog.kind == "webhook"))).all())
    assert notes == {"audit-1": "5: audit approved", "audit-2": "5: unknown TikTok shop"}
