"""The order mirror keeps the newest read of an order, also within TikTok's one-second clock."""

from __future__ import annotations

from sqlalchemy import select

from conftest import add_connection  # the root conftest (tests/ on path)
from ecomsend.db.models import TikTokOrder
from ecomsend.db.session import Database
from ecomsend.integrations.tiktok.models.orders import Order
from ecomsend.sync.orders.mirror import upsert_order


def _order(status: str, update_time: int) -> Order:
    return Order.model_validate({"id": "576000000000000001", "status": status,
                                 "create_time": 1_700_000_000, "update_time": update_time,
                                 "fulfillment_type": "FULFILLMENT_BY_SELLER"})


async def _connection(db: Database) -> int:
    return (await add_connection(db, "mirror.myshopify.com"))[1]


async def _status_after(db: Database, tts_pk: int, *reads: Order) -> tuple[list[bool], str]:
    applied = []
    for order in reads:
        async with db.unit_of_work() as session:
            applied.append(await upsert_order(session, tts_pk, order))
    async with db.sessionmaker() as session:
        row = (await session.execute(select(TikTokOrder))).scalar_one()
    return applied, row.status


async def test_a_stale_read_in_the_same_second_does_not_regress_the_status(
        sqlite_db: Database) -> None:
    tts_pk = await _connection(sqlite_db)
    # The webhook's fetch saw AWAITING_SHIPMENT; a poll that read the order a moment earlier,
    # within the same second, commits after it with UNPAID.
    applied, status = await _status_after(sqlite_db, tts_pk, _order("AWAITING_SHIPMENT", 100),
                                          _order("UNPAID", 100))
    assert applied == [True, False] and status == "AWAITING_SHIPMENT"


async def test_newer_reads_win_and_older_ones_are_ignored(sqlite_db: Database) -> None:
    tts_pk = await _connection(sqlite_db)
    applied, status = await _status_after(sqlite_db, tts_pk, _order("UNPAID", 100),
                                          _order("AWAITING_SHIPMENT", 100),
                                          _order("CANCELLED", 101), _order("IN_TRANSIT", 99))
    assert applied == [True, True, True, False] and status == "CANCELLED"
