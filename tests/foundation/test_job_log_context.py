"""Every log line a job writes carries its job id, task and shop (issue 12 §5): both queue
adapters bind them in structlog's contextvars around the task, and unbind them after."""

from __future__ import annotations

import io
import json
from typing import Any

import structlog
from test_queue_contract import Backend, backend, eventually, running  # noqa: F401 (fixture)

from ecomsend.jobs.registry import TaskContext, TaskRegistry


async def test_job_log_lines_carry_job_and_shop_ids(backend: Backend) -> None:  # noqa: F811
    seen: list[dict[str, Any]] = []
    out = io.StringIO()
    registry = TaskRegistry()

    @registry.task("log_something")
    async def log_something(ctx: TaskContext, shop_id: int, tiktok_shop_pk: int) -> None:
        seen.append({**structlog.contextvars.get_contextvars(), "ctx_job": ctx.job_id})
        structlog.wrap_logger(structlog.PrintLogger(out), processors=[
            structlog.contextvars.merge_contextvars, structlog.processors.JSONRenderer(),
        ]).info("pushing")

    queue = backend.queue(registry)
    async with backend.db.unit_of_work() as session:
        await queue.defer(session, "log_something", {"shop_id": 7, "tiktok_shop_pk": 9})
    async with running(queue, concurrency=1):
        await eventually(lambda: _true(bool(seen)))
    bound = seen[0]
    assert bound["job_id"] == bound["ctx_job"] and bound["task"] == "log_something"
    assert bound["shop_id"] == 7 and bound["tiktok_shop_pk"] == 9
    line = json.loads(out.getvalue().splitlines()[0])
    assert line["event"] == "pushing" and line["shop_id"] == 7 and line["job_id"]
    assert "job_id" not in structlog.contextvars.get_contextvars()  # unbound after the job


async def _true(value: bool) -> bool:
    return value
