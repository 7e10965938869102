"""Webhook delivery: headers, HMAC, timeouts, retries with backoff, faults, a delivery log.

Reference §4.1: POST the REST-shaped JSON with X-Shopify-* headers, HMAC-SHA256 of the exact
body bytes keyed with the app secret (base64); 5 s total timeout (1 s connect); only 2xx counts;
retries carry the original body, Webhook-Id and Triggered-At. Each delivery has its own retry
series (8 retries over 4 hours, exponential backoff; changelog "updates-to-webhook-retry-
mechanism", 2024-09-10): an API-created subscription is deleted only when one delivery's whole
series fails, not after failures spread over many deliveries that each got through.
`emit` is called by `merchant`; `flush` by the control API.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx

from ecomsend.sandbox.shopify.schema import API_VERSION
from ecomsend.sandbox.shopify.store import Sandbox, Shop, Subscription
from ecomsend.sandbox.shopify.util import iso, now

#: Shopify waits 5 s for a response and 1 s for the connection (reference §4.1).
DELIVERY_TIMEOUT = httpx.Timeout(5.0, connect=1.0)
#: Shopify retries a failed delivery 8 times over 4 hours (reference §4.1): 9 attempts in all.
DEFAULT_MAX_ATTEMPTS = 9
#: The span of Shopify's retries; the exact intervals are not published, so exponential
#: doubling fitted to it: 56 s, 113 s, 226 s … 2 h (sum of 8 doublings = 255 × the first).
SHOPIFY_RETRY_WINDOW_S = 4 * 3600.0
#: Real time per Shopify second of the retry schedule. 1.0 is Shopify's own (first retry after
#: ~56 s, the last after 4 h); the default compresses it so a failed delivery is retried within
#: seconds and a series that fails for ~2 minutes gives up, which makes the sandbox kinder in
#: latency than Shopify but quicker to delete a subscription (create_app `webhook_time_scale`).
DEFAULT_TIME_SCALE = 1 / 128
#: Delivery log rows kept per shop.
LOG_SIZE = 20_000
#: HTTP deliveries in flight at once (Shopify paces deliveries; a burst of 10,000 events
#: should not open 10,000 connections to the app). create_app option `webhook_concurrency`.
DEFAULT_CONCURRENCY = 20


def retry_delays(max_attempts: int, time_scale: float) -> list[float]:
    """The waits before retry 1, 2 … of one delivery: exponential doubling whose sum is Shopify's
    4-hour window (for 9 attempts), times `time_scale`. Called by `Dispatcher`."""
    retries = max(max_attempts - 1, 0)
    first = SHOPIFY_RETRY_WINDOW_S / (2 ** (DEFAULT_MAX_ATTEMPTS - 1) - 1)
    return [first * 2 ** i * time_scale for i in range(retries)]


def sign(secret: str, body: bytes) -> str:
    """X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body with the app secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Delivery:
    """One webhook for one subscription; retries and duplicates reuse it unchanged."""

    shop: str
    topic: str
    uri: str
    body: bytes
    event_id: str
    subscription_id: int | None
    name: str | None = None
    webhook_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    triggered_at: str = field(default_factory=lambda: iso(now()) or "")


class Dispatcher:
    """Queues deliveries as asyncio tasks on the server's loop and logs every attempt."""

    def __init__(self, sandbox: Sandbox, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
                 time_scale: float = DEFAULT_TIME_SCALE,
                 concurrency: int = DEFAULT_CONCURRENCY) -> None:
        """Empty queue and log; the HTTP client is created on first delivery."""
        self.sandbox = sandbox
        self.max_attempts = max_attempts
        self.delays_s = retry_delays(max_attempts, time_scale)
        self.concurrency = concurrency
        self._slots: asyncio.Semaphore | None = None
        self._given_up: set[int] = set()  # subscriptions deleted after a failed series
        self.log: dict[str, deque[dict[str, Any]]] = {}
        self.pending = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    def targets(self, shop: Shop, topic: str) -> list[tuple[str, Subscription | None]]:
        """(uri, subscription) pairs for a topic: API ones, the shop's app ones, global ones."""
        out: list[tuple[str, Subscription | None]] = [
            (s.uri, s) for s in shop.subscriptions.values() if s.topic == topic]
        out += [(uri, None) for t, uri in self.sandbox.app_subscriptions if t == topic]
        return out

    def emit(self, shop: Shop, topic: str, payload: dict[str, Any], event_id: str) -> None:
        """Schedule `topic` to every subscriber of `shop` (fire and forget)."""
        for uri, sub in self.targets(shop, topic):
            fields = sub.include_fields if sub is not None else []
            data = {k: v for k, v in payload.items() if k in fields} if fields else payload
            body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
            delivery = Delivery(shop=shop.domain, topic=topic, uri=uri, body=body,
                                event_id=event_id, subscription_id=sub.id if sub else None,
                                name=sub.name if sub else None)
            self._spawn(self._deliver(shop, delivery))

    def _spawn(self, coro: Any) -> None:
        """Run a delivery as a background task, counting it as pending."""
        self.pending += 1
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[None]) -> None:
            """Forget the finished task."""
            self._tasks.discard(t)
            self.pending -= 1

        task.add_done_callback(done)

    def headers(self, d: Delivery) -> dict[str, str]:
        """Every X-Shopify-* header of a delivery, HMAC included."""
        headers = {"Content-Type": "application/json", "User-Agent": "Shopify-Captain-Hook",
                   "X-Shopify-Topic": d.topic,
                   "X-Shopify-Hmac-Sha256": sign(self.sandbox.api_secret, d.body),
                   "X-Shopify-Shop-Domain": d.shop, "X-Shopify-API-Version": API_VERSION,
                   "X-Shopify-Webhook-Id": d.webhook_id, "X-Shopify-Event-Id": d.event_id,
                   "X-Shopify-Triggered-At": d.triggered_at}
        if d.name:
            headers["X-Shopify-Name"] = d.name
        return headers

    async def _deliver(self, shop: Shop, d: Delivery) -> None:
        """Deliver with faults (drop, delay, duplicate) and retries with backoff."""
        faults = shop.faults
        if faults.roll(faults.webhook_drop_rate):
            faults.count("webhook_drop")
            self._record(d, 0, None, "dropped", False)
            return
        hold = 0.0
        if faults.roll(faults.webhook_reorder_rate):
            faults.count("webhook_reorder")
            hold = faults.webhook_reorder_delay_s
        if faults.roll(faults.webhook_delay_rate):
            faults.count("webhook_delay")
            hold = max(hold, faults.webhook_delay_s)
        duplicate = faults.roll(faults.webhook_duplicate_rate)
        if duplicate:
            faults.count("webhook_duplicate")
        if hold:
            await asyncio.sleep(hold)
        for attempt in range(1, self.max_attempts + 1):
            if not self._subscription_alive(shop, d):
                return  # deleted after a failed series: no more attempts
            ok = await self._attempt(shop, d, attempt, False)
            if ok and duplicate:
                await self._attempt(shop, d, attempt, True)
            if ok or not self._subscription_alive(shop, d):
                return
            if attempt < self.max_attempts:
                await asyncio.sleep(self.delays_s[attempt - 1])
        self._give_up(shop, d)

    def _subscription_alive(self, shop: Shop, d: Delivery) -> bool:
        """False once the subscription was deleted for failing; retries then stop. (A
        subscription removed otherwise, e.g. at uninstall, still gets its pending events.)"""
        return d.subscription_id not in self._given_up

    def _give_up(self, shop: Shop, d: Delivery) -> None:
        """A delivery's whole retry series failed: Shopify deletes the subscription if it was
        created through the Admin API (reference §4.1); TOML ones stay."""
        sub = shop.subscriptions.get(d.subscription_id or 0)
        if sub is not None and sub.source == "api":
            shop.subscriptions.pop(sub.id, None)
            self._given_up.add(sub.id)

    async def _attempt(self, shop: Shop, d: Delivery, attempt: int, duplicate: bool) -> bool:
        """One HTTP POST; logs the outcome; True on a 2xx."""
        if self._client is None:
            limits = httpx.Limits(max_connections=self.concurrency)
            self._client = httpx.AsyncClient(timeout=DELIVERY_TIMEOUT, limits=limits)
            self._slots = asyncio.Semaphore(self.concurrency)
        assert self._slots is not None
        status, error = 0, None
        try:
            async with self._slots:
                response = await self._client.post(d.uri, content=d.body,
                                                   headers=self.headers(d))
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        ok = 200 <= status < 300
        self._record(d, attempt, status or None, error, duplicate)
        return ok

    def _record(self, d: Delivery, attempt: int, status: int | None, error: str | None,
                duplicate: bool) -> None:
        """Append one attempt to the shop's delivery log."""
        log = self.log.setdefault(d.shop, deque(maxlen=LOG_SIZE))
        log.append({"webhook_id": d.webhook_id, "event_id": d.event_id, "topic": d.topic,
                    "uri": d.uri, "attempt": attempt, "status_code": status, "error": error,
                    "triggered_at": d.triggered_at, "sent_at": iso(now()),
                    "duplicate": duplicate, "body": d.body})  # bytes, shared by retries

    async def flush(self, wait_s: float) -> int:
        """Wait until no delivery is pending (or `wait_s`); the number still pending."""
        deadline = asyncio.get_running_loop().time() + wait_s
        while self.pending and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        return self.pending

    async def close(self) -> None:
        """Cancel pending deliveries and close the HTTP client (app shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
