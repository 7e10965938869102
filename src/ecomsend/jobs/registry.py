"""Task and periodic-job definitions shared by both queue adapters.

A task is `async def fn(ctx: TaskContext, **args) -> None` with JSON-able args (ids only).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.db.session import Database
    from ecomsend.jobs.port import JobQueue
    from ecomsend.services import Services

JsonArgs = Mapping[str, Any]
TaskFn = Callable[..., Awaitable[None]]
#: `await hook(session, ctx, args)`: work a task wants done in the transaction that claims its
#: job (LocalQueue; see TaskRegistry.add). Its result is the job's `TaskContext.claimed`.
ClaimHook = Callable[["AsyncSession", "TaskContext", "JsonArgs"], Awaitable[Any]]

#: Unexpected errors are retried this many runs in all before a job is marked failed.
MAX_ATTEMPTS = 5
#: Backoff base (s) for unexpected errors: 2, 4, 8, 16 … capped at BACKOFF_CAP_S.
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0


class RetryJob(Exception):
    """Raised by a task to run again later (the queue reschedules it, nothing is lost)."""

    def __init__(self, after_s: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {after_s:.2f}s")
        self.after_s = max(0.0, after_s)


@dataclass
class TaskContext:
    """What a running task gets: the database, the queue (to defer more) and who runs it."""

    db: Database
    queue: JobQueue
    worker_id: str
    job_id: str
    attempt: int = 1
    services: Services | None = None
    #: What the task's claim hook returned, when the queue ran it in the claim's transaction
    #: (LocalQueue); None otherwise, and the task does that work itself.
    claimed: Any = None

    def need_services(self) -> Services:
        """The process's services; jobs that call a platform use this (tests may omit them)."""
        if self.services is None:
            raise RuntimeError("this worker was started without platform services")
        return self.services


@dataclass(frozen=True)
class PeriodicJob:
    """Defer `task` once per `every_s` period, across all workers together."""

    task: str
    every_s: float
    args: JsonArgs = field(default_factory=dict)


@dataclass
class TaskRegistry:
    """The tasks a worker can run and the periodic jobs it schedules."""

    tasks: dict[str, TaskFn] = field(default_factory=dict)
    periodic: list[PeriodicJob] = field(default_factory=list)
    claim_hooks: dict[str, ClaimHook] = field(default_factory=dict)

    def task(self, name: str) -> Callable[[TaskFn], TaskFn]:
        """Decorator registering `fn` under `name`."""

        def register(fn: TaskFn) -> TaskFn:
            self.add(name, fn)
            return fn

        return register

    def add(self, name: str, fn: TaskFn, *, on_claim: ClaimHook | None = None) -> None:
        """Register `fn` under `name`. `on_claim` is optional work done in the write
        transaction that claims each of its jobs, saving the task a write turn of its own
        (SQLite's single write lock); an adapter that does not run it leaves it to the task."""
        if name in self.tasks:
            raise ValueError(f"task {name!r} registered twice")
        self.tasks[name] = fn
        if on_claim is not None:
            self.claim_hooks[name] = on_claim

    def every(self, task: str, every_s: float, **args: Any) -> None:
        """Schedule `task` once per `every_s` seconds (period boundaries are wall-clock)."""
        if task not in self.tasks:
            raise ValueError(f"periodic job for unknown task {task!r}")
        self.periodic.append(PeriodicJob(task, every_s, args))

    def get(self, name: str) -> TaskFn:
        try:
            return self.tasks[name]
        except KeyError:
            raise LookupError(f"no task named {name!r} in this worker") from None


#: Job arguments that name a shop or an entity, copied onto every log line of the job.
LOG_CONTEXT_ARGS = ("shop_id", "tiktok_shop_pk", "tiktok_shop_id", "sync_state_id", "order_id")


def log_context(task: str, job_id: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """What the queue adapters bind in structlog's contextvars while a job runs, so every line
    it logs carries the job and its shop (the sync engine adds the shop once leased)."""
    bound: dict[str, Any] = {"task": task, "job_id": job_id}
    bound.update({k: args[k] for k in LOG_CONTEXT_ARGS if k in args})
    return bound


def backoff_s(attempt: int, base_s: float = BACKOFF_BASE_S) -> float:
    """Delay before re-running a job whose `attempt`-th run (1-based) raised unexpectedly:
    base, 2×base, 4×base … capped."""
    return float(min(BACKOFF_CAP_S, base_s * 2 ** (attempt - 1)))
