"""BulkOperation; bulkOperationRunQuery, bulkOperationCancel, bulkOperation(id),
bulkOperations(query) and the deprecated currentBulkOperation (reference §6).

Lifecycle: CREATED → RUNNING → COMPLETED in a background task (`bulk_delay_s` per step, then
work proportional to the size at `bulk_objects_per_s`, objectCount rising meanwhile), then
the bulk_operations/finish webhook. Up to 5 bulk queries may run at once (2026-01+).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from typing import Any

from ecomsend.sandbox.shopify.bulk import BulkQueryError, compile_query
from ecomsend.sandbox.shopify.bulk_project import Projector, jsonl_chunks
from ecomsend.sandbox.shopify.merchant import emit
from ecomsend.sandbox.shopify.resolvers.base import (
    Ctx,
    SandboxError,
    attr,
    const,
    paginate,
    query_matcher,
    register,
    user_error,
)
from ecomsend.sandbox.shopify.scopes import missing_for_bulk
from ecomsend.sandbox.shopify.store import BulkOp, Sandbox, Shop
from ecomsend.sandbox.shopify.util import gid, iso, iso_rest, now, parse_gid

#: Concurrent bulk queries per shop from 2026-01 (reference §6).
MAX_RUNNING = 5
#: Result URLs expire after 7 days (reference §6).
URL_TTL_S = 7 * 24 * 3600
#: Default pause between lifecycle steps (create_app option `bulk_delay_s`).
DEFAULT_STEP_DELAY_S = 0.05
#: Objects a bulk query writes per second while RUNNING (create_app option
#: `bulk_objects_per_s`; 0 = instant). Shopify documents no throughput; exports of ~100k
#: objects reportedly take about a minute, so 2000/s is the sandbox's realistic guess.
DEFAULT_OBJECTS_PER_S = 2000.0
#: How often objectCount moves while running.
PROGRESS_STEP_S = 0.1
_tasks: set[asyncio.Task[None]] = set()


def file_url(op: BulkOp) -> str | None:
    """The absolute result URL, or None when there is no data or it expired."""
    if op.status != "COMPLETED" or op.object_count == 0:
        return None
    if op.completed_at is not None and now() - op.completed_at > URL_TTL_S:
        return None
    return f"{op.url_base}/_sandbox/bulk/{op.id}.jsonl?token={op.token}"


register("BulkOperation", {
    "id": lambda o, c, a: gid("BulkOperation", o.id), "status": attr("status"),
    "errorCode": attr("error_code"), "objectCount": lambda o, c, a: str(o.object_count),
    "rootObjectCount": lambda o, c, a: str(o.root_count),
    "fileSize": lambda o, c, a: None if o.file_size is None else str(o.file_size),
    "url": lambda o, c, a: file_url(o), "partialDataUrl": const(None), "query": attr("query"),
    "type": const("QUERY"), "createdAt": lambda o, c, a: iso(o.created_at),
    "completedAt": lambda o, c, a: iso(o.completed_at),
}, BulkOp)


def finish_body(op: BulkOp) -> dict[str, Any]:
    """The bulk_operations/finish webhook body (reference §4.3)."""
    return {"admin_graphql_api_id": gid("BulkOperation", op.id),
            "completed_at": iso_rest(op.completed_at), "created_at": iso_rest(op.created_at),
            "error_code": op.error_code.lower() if op.error_code else None,
            "status": op.status.lower(), "type": "query"}


async def _lifecycle(sandbox: Sandbox, shop: Shop, op: BulkOp, delay: float) -> None:
    """CREATED -> RUNNING -> (work proportional to the size) -> COMPLETED, then
    bulk_operations/finish."""
    await asyncio.sleep(delay)
    if op.status != "CREATED":
        return
    op.status = "RUNNING"
    await asyncio.sleep(delay)
    if op.status != "RUNNING":
        return
    try:
        if op.error_code:
            raise PermissionError(op.error_code)
        roots, objects = Projector(Ctx(sandbox, shop)).count(op.plan)
    except PermissionError:  # out-of-scope data: FAILED with errorCode ACCESS_DENIED
        op.status = "FAILED"
    except Exception:  # a resolver failed: Shopify reports INTERNAL_SERVER_ERROR
        op.status, op.error_code = "FAILED", "INTERNAL_SERVER_ERROR"
    else:
        if not await _work(sandbox, op, roots, objects) or not await _write_file(
                sandbox, shop, op, objects):
            return  # canceled meanwhile
        op.root_count, op.object_count, op.status = roots, objects, "COMPLETED"
    op.completed_at = now()
    emit(sandbox, shop, "bulk_operations/finish", finish_body(op))


async def _work(sandbox: Sandbox, op: BulkOp, roots: int, objects: int) -> bool:
    """Take `objects / bulk_objects_per_s` seconds, raising objectCount as Shopify does while
    RUNNING; False when the operation was canceled meanwhile."""
    rate = float(sandbox.options.get("bulk_objects_per_s", DEFAULT_OBJECTS_PER_S))
    if rate <= 0 or objects == 0:
        return True
    started = now()
    while True:
        done = min(objects, int((now() - started) * rate))
        op.object_count, op.root_count = done, roots * done // objects
        if done >= objects:
            return True
        await asyncio.sleep(min(PROGRESS_STEP_S, (objects - done) / rate))
        if op.status != "RUNNING":
            return False


async def _write_file(sandbox: Sandbox, shop: Shop, op: BulkOp, objects: int) -> bool:
    """Write the JSONL result file before COMPLETED, as Shopify does (its `url` is a stored
    object and `fileSize` is known at completion), so a download costs the sandbox no more
    than serving a file; False when the operation was canceled meanwhile."""
    if objects == 0:
        return True  # no file: `url` is null (reference §6)
    path, sizes = sandbox.bulk_file_path(op.id), list[int]()
    with open(path, "wb") as out:  # noqa: ASYNC230 - page-cache writes of ready chunks
        # `lines` snapshots the root objects now; yielding between chunks keeps requests
        # flowing while a large export is written.
        for chunk in jsonl_chunks(Ctx(sandbox, shop), op.plan, sizes):
            out.write(chunk)
            await asyncio.sleep(0)
            if op.status != "RUNNING":
                return False
    op.file_path, op.file_size = path, sizes[0] if sizes else 0
    return True


def _dry_run(ctx: Ctx, plan: Any) -> None:
    """Project the first root object now, so unsupported fields fail the mutation clearly."""
    lines = Projector(Ctx(ctx.sandbox, ctx.shop)).lines(plan)
    for _ in zip(range(50), lines, strict=False):
        pass


def _plan_types(plan: Any) -> set[str]:
    """Every object type a compiled bulk plan reaches."""
    out = {plan.type_name} if plan.type_name else set()
    for _, sub in plan.sub:
        out |= _plan_types(sub)
    return out


def _root_field(query: str) -> str:
    """The top-level field name of a (valid) bulk query."""
    match = re.search(r"{\s*([A-Za-z_][A-Za-z0-9_]*)", query)
    return match.group(1) if match else ""


def _run_query(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """bulkOperationRunQuery: validate and dry-run the query, then start the lifecycle."""
    running = [o for o in ctx.shop.bulk_ops.values() if o.status in ("CREATED", "RUNNING")]
    if len(running) >= MAX_RUNNING:
        return {"bulkOperation": None, "userErrors": [user_error(
            None, f"A maximum of {MAX_RUNNING} bulk queries can run at the same time.",
            "LIMIT_REACHED")]}
    try:
        plan = compile_query(args["query"])
        _dry_run(ctx, plan)
    except BulkQueryError as exc:
        return {"bulkOperation": None, "userErrors": [user_error(["query"], str(exc),
                                                                 "INVALID")]}
    except SandboxError as exc:
        return {"bulkOperation": None, "userErrors": [user_error(["query"], exc.message,
                                                                 "INVALID")]}
    op = BulkOp(id=ctx.sandbox.next_id(), query=args["query"], token=secrets.token_urlsafe(16),
                url_base=ctx.base_url or ctx.sandbox.base_url, plan=plan)
    if missing_for_bulk(_root_field(args["query"]), _plan_types(plan), ctx.token):
        op.error_code = "ACCESS_DENIED"  # the lifecycle fails it (reference §6 errorCode)
    ctx.shop.bulk_ops[op.id] = op
    ctx.sandbox.bulk_index[op.id] = ctx.shop.domain
    delay = float(ctx.sandbox.options.get("bulk_delay_s", DEFAULT_STEP_DELAY_S))
    task = asyncio.get_running_loop().create_task(_lifecycle(ctx.sandbox, ctx.shop, op, delay))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return {"bulkOperation": op, "userErrors": []}


def _cancel(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """bulkOperationCancel."""
    op = ctx.shop.bulk_ops.get(parse_gid(args["id"], "BulkOperation") or 0)
    if op is None:
        return {"bulkOperation": None, "userErrors": [user_error(["id"], "Bulk operation does "
                                                                 "not exist")]}
    if op.status not in ("CREATED", "RUNNING"):
        return {"bulkOperation": op, "userErrors": [user_error(
            ["id"], f"A bulk operation cannot be canceled when it is {op.status.lower()}")]}
    op.status, op.completed_at = "CANCELED", now()
    emit(ctx.sandbox, ctx.shop, "bulk_operations/finish", finish_body(op))
    return {"bulkOperation": op, "userErrors": []}


def _list(root: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
    """bulkOperations(query:): status, type, id, created_at."""
    match = query_matcher(ctx, args, {
        "status": lambda o: o.status, "type": const_fn("query"), "id": lambda o: o.id,
        "created_at": lambda o: o.created_at})
    return paginate([o for o in ctx.shop.bulk_ops.values() if match(o)], args)


def const_fn(value: Any) -> Any:
    """A getter that always returns `value` (search field helper)."""
    return lambda o: value


def _current(root: Any, ctx: Ctx, args: dict[str, Any]) -> BulkOp | None:
    """currentBulkOperation: the latest query operation."""
    if args.get("type") == "MUTATION":
        return None
    return next(reversed(ctx.shop.bulk_ops.values()), None)


register("Mutation", {"bulkOperationRunQuery": _run_query, "bulkOperationCancel": _cancel})
register("QueryRoot", {
    "bulkOperation": lambda r, c, a: c.shop.bulk_ops.get(parse_gid(a["id"], "BulkOperation")
                                                         or 0),
    "bulkOperations": _list, "currentBulkOperation": _current,
})
