"""The data model on both databases: migrations, constraints, encryption at rest, WAL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from ecomsend.db.models import CategoryTemplate, OrderLink, Shop, TikTokShop
from ecomsend.db.session import Database


async def _shop_pair(db: Database) -> tuple[int, int]:
    async with db.unit_of_work() as session:
        shop = Shop(domain="demo.myshopify.com", access_token="shpat_secret_AAAA",
                    refresh_token="shprt_secret_BBBB", scopes="read_products",
                    access_token_expires_at=datetime.now(UTC) + timedelta(hours=1))
        session.add(shop)
        await session.flush()
        tts = TikTokShop(shop_id=shop.id, tiktok_shop_id="7494", cipher="ROW_cipher",
                         region="US", access_token="TTP_access_CCCC",
                         refresh_token="TTP_refresh_DDDD")
        session.add(tts)
        await session.flush()
        return shop.id, tts.id


async def test_tokens_round_trip_and_are_encrypted_at_rest(any_db: Database) -> None:
    shop_id, _ = await _shop_pair(any_db)
    async with any_db.unit_of_work() as session:
        shop = await session.get(Shop, shop_id)
        assert shop is not None and shop.access_token == "shpat_secret_AAAA"
        assert shop.access_token_expires_at is not None
        assert shop.access_token_expires_at.tzinfo is not None
        raw = (await session.execute(text("SELECT access_token, refresh_token FROM shop"))).one()
        raw_tts = (await session.execute(text("SELECT access_token FROM tiktok_shop"))).one()
    assert "shpat_secret_AAAA" not in raw[0] and "shprt_secret_BBBB" not in raw[1]
    assert "TTP_access_CCCC" not in raw_tts[0]


async def test_no_token_in_plain_text_in_the_sqlite_file(sqlite_db: Database) -> None:
    await _shop_pair(sqlite_db)
    await sqlite_db.dispose()  # checkpoint the WAL into the main file
    db_file = Path(sqlite_db.engine.url.database or "")
    blobs = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    for secret in (b"shpat_secret_AAAA", b"shprt_secret_BBBB", b"TTP_access_CCCC",
                   b"TTP_refresh_DDDD"):
        assert secret not in blobs
    assert b"demo.myshopify.com" in blobs  # the file is really the one we wrote


async def test_sqlite_runs_in_wal_mode_with_busy_timeout(sqlite_db: Database) -> None:
    async with sqlite_db.engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() >= 5000


async def test_order_link_is_unique_per_tiktok_order(any_db: Database) -> None:
    _, tts_id = await _shop_pair(any_db)
    async with any_db.unit_of_work() as session:
        session.add(OrderLink(tiktok_shop_id=tts_id, tiktok_order_id="5770", shopify_order_id="1"))
    with pytest.raises(IntegrityError):
        async with any_db.unit_of_work() as session:
            session.add(OrderLink(tiktok_shop_id=tts_id, tiktok_order_id="5770",
                                  shopify_order_id="2"))
    async with any_db.unit_of_work() as session:
        links = (await session.execute(select(OrderLink))).scalars().all()
    assert [link.shopify_order_id for link in links] == ["1"]


async def test_one_default_template_per_tiktok_shop(any_db: Database) -> None:
    _, tts_id = await _shop_pair(any_db)

    def template(name: str, default: bool) -> CategoryTemplate:
        return CategoryTemplate(tiktok_shop_id=tts_id, name=name, region="US",
                                category_id="600001", is_default=default)

    async with any_db.unit_of_work() as session:
        session.add_all([template("default", True), template("other", False),
                         template("other2", False)])
    with pytest.raises(IntegrityError):
        async with any_db.unit_of_work() as session:
            session.add(template("second default", True))


async def test_sqlite_reads_do_not_wait_for_an_open_write(sqlite_db: Database) -> None:
    """WAL readers see the last commit while a unit of work holds the write lock."""
    import asyncio

    await _shop_pair(sqlite_db)
    async with sqlite_db.unit_of_work() as writer:
        await writer.execute(text("UPDATE shop SET name = 'uncommitted'"))
        async with sqlite_db.sessionmaker() as reader:
            name = await asyncio.wait_for(
                reader.execute(select(Shop.name)), timeout=5)
            assert name.scalar_one() is None  # the committed value, not the writer's
