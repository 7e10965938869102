"""Create intents on SQLite and PostgreSQL: committed before the create, a new attempt keeps
the marker and restarts the lag window, look-ups are counted, the link's transaction drops it."""

from __future__ import annotations

from datetime import timedelta

from conftest import add_connection  # the root conftest (tests/ on path)
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.sync import intents


async def test_intent_lifecycle(any_db: Database) -> None:
    _, tts = await add_connection(any_db, "intents.myshopify.com")
    kind = intents.SHOPIFY_ORDER
    assert await intents.load_intent(any_db, tts, kind, "576") is None

    await intents.record_intent(any_db, tts, kind, "576", "576")
    first = await intents.load_intent(any_db, tts, kind, "576")
    assert first is not None and (first.marker, first.attempts, first.lookups) == ("576", 1, 0)
    assert intents.lag_wait_s(first, 60.0) == 0.5

    await intents.note_lookup(any_db, tts, kind, "576")
    await intents.note_lookup(any_db, tts, kind, "576")
    looked = await intents.load_intent(any_db, tts, kind, "576")
    assert looked is not None and looked.lookups == 2
    assert intents.lag_wait_s(looked, 60.0) == 2.0
    assert intents.lag_wait_s(looked, 60.0, utcnow() + timedelta(seconds=61)) is None

    await intents.record_intent(any_db, tts, kind, "576", "another marker")
    again = await intents.load_intent(any_db, tts, kind, "576")
    assert again is not None
    assert (again.marker, again.attempts, again.lookups) == ("576", 2, 0)
    assert again.attempted_at >= first.attempted_at
    # Another kind of the same entity is another intent.
    assert await intents.load_intent(any_db, tts, intents.TIKTOK_PRODUCT, "576") is None

    async with any_db.unit_of_work() as session:
        await intents.clear_intent(session, tts, kind, "576")
    assert await intents.load_intent(any_db, tts, kind, "576") is None
