"""Listing webhooks through the inbox on real SQLite and PostgreSQL (sync/listing/webhooks.py):
a TikTok approval (type 5 / 37) puts back to synced exactly the review-failed product sync rows
of the listing it names in the TikTok shop it came from — nothing of another shop, another
listing or another status — and an event of an unknown shop changes nothing; the shops looked
up once per processing transaction are looked up again after an uninstall in it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from ecomsend.db.models import ActivityLog, InventoryLevel, ProductLink, SyncState
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.tasks import build_registry
from ecomsend.sync.handlers import build_webhook_handlers
from ecomsend.sync.inbox import IngestOutcome, Platform, ingest, record
from ecomsend.sync.inbox_process import InboxProcessor
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


def _shopify(topic: str, domain: str, payload: dict[str, object], n: int) -> tuple[int, Any]:
    raw = json.dumps(payload).encode()
    return n, decode_stored(Platform.SHOPIFY, f"d-{n}", topic, domain, None, raw)


async def test_an_uninstall_within_a_processing_batch_stops_the_shops_later_deliveries(
        db: Database) -> None:
    """The shop looked up once per processing transaction (`inbox.shop_lookups`) is looked up
    again after a handler that may change it: a stock update right after app/uninstalled in
    the same batch is not applied."""
    domain = "carol-batch.myshopify.com"
    await seed_shop(db, domain, "7003")
    level = {"inventory_item_id": 501, "location_id": 9, "available": 4,
             "updated_at": "2026-12-04T07:00:00+00:00"}
    items = [_shopify("inventory_levels/update", domain, level, 1),
             _shopify("app/uninstalled", domain, {"id": 1, "myshopify_domain": domain,
                                                  "domain": domain}, 2),
             _shopify("inventory_levels/update", domain, {**level, "inventory_item_id": 502}, 3)]
    async with db.unit_of_work() as session:
        ids = await record(session, [w for _, w in items], [b"{}"] * len(items))
    proc = InboxProcessor(db, LocalQueue(db, build_registry()), build_webhook_handlers(),
                          decode_stored)
    await proc.apply([(rid, w) for rid, (_, w) in zip(ids, items, strict=True)
                      if rid is not None])  # one transaction
    assert proc.processed == 3
    async with db.sessionmaker() as session:
        levels = (await session.execute(select(InventoryLevel.inventory_item_id))).scalars()
        notes = dict((await session.execute(select(ActivityLog.entity_id, ActivityLog.message)
                                             .where(ActivityLog.kind == "webhook"))).all())
    assert list(levels) == ["gid://shopify/InventoryItem/501"]
    assert notes["d-2"] == "app/uninstalled: shop marked uninstalled"
    assert notes["d-3"] == "inventory_levels/update: unknown shop"
