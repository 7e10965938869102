"""A worker process for the crash-recovery test: `python queue_worker.py BACKEND DB_URL VAR`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from queue_tasks import build_test_registry

from conftest import make_settings
from ecomsend.db.session import Database
from ecomsend.jobs.local_queue import LocalQueue
from ecomsend.jobs.port import JobQueue
from ecomsend.jobs.procrastinate_queue import ProcrastinateQueue
from ecomsend.jobs.runtime import run_until_signalled

#: Short timings so the test sees a dead worker's job recovered within seconds.
FAST = {"heartbeat_s": 0.3}


async def main(backend: str, url: str, var_dir: str) -> None:
    db = Database(make_settings(url, Path(var_dir)))
    queue: JobQueue
    if backend == "local":
        queue = LocalQueue(db, build_test_registry(), orphan_after_s=1.5, **FAST)
    else:
        queue = ProcrastinateQueue(db, build_test_registry(), stalled_after_s=1.5,
                                   fetch_job_polling_interval_s=0.1, **FAST)
    await run_until_signalled(queue, concurrency=2)
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
