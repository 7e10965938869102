"""One racing worker of tests/e2e/test_token_refresh_race.py (run as its own process):
`python refresh_racer.py <start-at epoch>` with the app's settings in ECOMSEND_* variables.
Waits until the start time, then makes one TikTok call for the connected shop with the
app's own Services (whose token is stale, so the call refreshes first) and prints a JSON line
with the access token it ended with, or the error."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from sqlalchemy import select

from ecomsend.config import Settings
from ecomsend.db.models import TikTokShop
from ecomsend.db.session import Database
from ecomsend.services import Services, tiktok_context


async def main(start_at: float) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    db = Database(settings)
    services = Services.build(settings, db)
    try:
        async with db.sessionmaker() as session:
            row = (await session.execute(select(TikTokShop))).scalar_one()
        shop = tiktok_context(row)
        await asyncio.sleep(max(0.0, start_at - time.time()))
        try:
            await services.tiktok.logistics.get_warehouses(shop)
            print(json.dumps({"ok": True, "access_token": shop.tokens.access_token}))
        except Exception as exc:
            print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
    finally:
        await services.close()
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1])))
