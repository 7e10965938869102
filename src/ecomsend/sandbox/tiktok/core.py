"""The sandbox instance: options, state, rate limiter, webhook dispatcher and background tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, fields
from typing import Any

from ecomsend.sandbox.tiktok.ratelimit import RateLimiter
from ecomsend.sandbox.tiktok.state import Store
from ecomsend.sandbox.tiktok.webhooks import WebhookDispatcher

#: Default access-token life: 7 days (reference §1.2 "default access-token life is 7 days").
ACCESS_TOKEN_TTL_S = 7 * 24 * 3600
#: Refresh-token life: lifetimes vary in the wild; one year is a safe middle (reference §1.2).
REFRESH_TOKEN_TTL_S = 365 * 24 * 3600
#: Sandbox audit delay: TikTok takes minutes to hours; tests want well under a second.
AUDIT_DELAY_S = 0.2
#: Webhook retry backoff, compressed from TikTok's 2 min / 30 min / 3 h / 12 h (reference §5.2).
WEBHOOK_RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0)
#: A receiver must answer within 3 s (reference §5.2).
WEBHOOK_TIMEOUT_S = 3.0


@dataclass
class Options:
    """create_app keyword options (documented in CONTROL.md)."""

    redirect_uri: str | None = None
    service_id: str | None = None
    audit_delay_s: float = AUDIT_DELAY_S
    audit_result: str = "ACTIVATE"
    webhook_url: str | None = None
    webhook_retry_delays_s: tuple[float, ...] = WEBHOOK_RETRY_DELAYS_S
    webhook_timeout_s: float = WEBHOOK_TIMEOUT_S
    access_token_ttl_s: int = ACCESS_TOKEN_TTL_S
    refresh_token_ttl_s: int = REFRESH_TOKEN_TTL_S
    allow_zero_inventory: bool = True
    seed: int = 0
    rate_limit_qps: int = 50

    @classmethod
    def build(cls, raw: dict[str, Any]) -> Options:
        """Options from keyword arguments; unknown names are an error."""
        names = {f.name for f in fields(cls)}
        unknown = set(raw) - names
        if unknown:
            raise TypeError(f"unknown create_app options: {sorted(unknown)}")
        opts = cls(**raw)
        if opts.audit_result not in ("ACTIVATE", "FAILED"):
            raise ValueError("audit_result must be ACTIVATE or FAILED")
        opts.webhook_retry_delays_s = tuple(opts.webhook_retry_delays_s)
        return opts


class Sandbox:
    """Everything one sandbox app owns."""

    def __init__(self, app_key: str, app_secret: str, options: Options) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.options = options
        self.store = Store(options.seed)
        self.store.webhook_url = options.webhook_url
        self.limiter = RateLimiter(default_qps=options.rate_limit_qps)
        self.webhooks = WebhookDispatcher(app_key, app_secret, self.store,
                                          options.webhook_retry_delays_s,
                                          options.webhook_timeout_s)
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a background coroutine on the server loop and keep a reference to it."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def pending_tasks(self) -> int:
        """How many background tasks (audits …) are still running."""
        return len(self._tasks)

    async def wait_tasks(self, timeout_s: float) -> int:
        """Wait for background tasks (audits) to finish; returns how many still run."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._tasks and loop.time() < deadline:
            await asyncio.wait(set(self._tasks), timeout=deadline - loop.time())
        return len(self._tasks)

    def reset(self) -> None:
        """Wipe all state (control API reset)."""
        for task in list(self._tasks):
            task.cancel()
        self.webhooks.reset()
        self.store.reset()
        self.store.webhook_url = self.options.webhook_url
        self.limiter.reset()

    async def close(self) -> None:
        """Stop background work (lifespan shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        await self.webhooks.close()
