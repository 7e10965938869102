"""A worker process for the crash tests: runs the real `sync_entity` job for one sync_state row
and SIGKILLs itself right after Shopify's `orderCreate` answered, before the order link is
committed (the seam where a crash used to mean a duplicate). Settings come from the
environment (`demo.stack.settings_env`), as for `ecomsend worker`.

Usage: python crash_worker.py SYNC_STATE_ID — prints the created Shopify order id, then dies.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from ecomsend.config import Settings
from ecomsend.db.session import Database
from ecomsend.integrations.shopify.models import Order
from ecomsend.jobs.registry import TaskContext
from ecomsend.jobs.runtime import build_queue
from ecomsend.jobs.tasks import build_registry
from ecomsend.services import Services
from ecomsend.sync.orders import push
from ecomsend.sync.state import SYNC_TASK


async def main(state_id: int) -> None:
    settings = Settings()
    db = Database(settings)
    services = Services.build(settings, db)
    registry = build_registry()
    queue = build_queue(settings, db, registry, services)
    real_create = push.create_with_intent

    async def create_then_die(*args: Any, **kw: Any) -> Order:
        order = await real_create(*args, **kw)
        print(order.id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")

    push.create_with_intent = create_then_die  # type: ignore[assignment]
    ctx = TaskContext(db, queue, "crash-worker", "crash-job", services=services)
    await registry.get(SYNC_TASK)(ctx, sync_state_id=state_id)
    print("job finished without creating", flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
