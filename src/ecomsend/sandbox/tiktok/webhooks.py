"""Webhook delivery: signed POSTs with bounded retries, duplicates and reordering faults.

Auth header: `Authorization: hex(HMAC_SHA256(app_secret, app_key + raw_body))`, no "Bearer",
no timestamp (reference §5.2). The receiver must answer 2xx within 3 s or TikTok retries.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from ecomsend.sandbox.tiktok.errors import json_bytes
from ecomsend.sandbox.tiktok.signing import webhook_signature
from ecomsend.sandbox.tiktok.state import Shop, Store, now

#: Webhook type id → Event API event_type (reference §5.3).
EVENT_TYPES = {
    1: "ORDER_STATUS_CHANGE", 3: "RECIPIENT_ADDRESS_UPDATE", 4: "PACKAGE_UPDATE",
    5: "PRODUCT_STATUS_CHANGE", 6: "SELLER_DEAUTHORIZATION",
    7: "UPCOMING_AUTHORIZATION_EXPIRATION", 11: "CANCELLATION_STATUS_CHANGE",
    12: "RETURN_STATUS_CHANGE", 15: "PRODUCT_INFORMATION_CHANGE", 16: "PRODUCT_CREATION",
    37: "PRODUCT_AUDIT_STATUS_CHANGE",
}
#: A receiver answering 401 rejected the signature: TikTok expects "200 (or 401 for an auth
#: failure)" and retries anything else (reference §5.2), so 401 ends the delivery.
AUTH_FAILURE_STATUS = 401
#: Max deliveries remembered for the control API (oldest dropped first).
MAX_DELIVERIES = 20_000


@dataclass
class Delivery:
    """One webhook notification and its delivery attempts."""

    notification_id: str
    type: int
    shop_id: str
    url: str | None
    body: dict[str, Any]
    raw: bytes
    attempts: list[dict[str, Any]] = field(default_factory=list)
    state: str = "pending"
    copies: int = 1

    def wire(self) -> dict[str, Any]:
        """Control API view."""
        return {"notification_id": self.notification_id, "type": self.type,
                "shop_id": self.shop_id, "url": self.url, "body": self.body,
                "raw": self.raw.decode(), "attempts": self.attempts, "state": self.state,
                "copies": self.copies}


class WebhookDispatcher:
    """Builds, signs and sends webhooks in background tasks."""

    def __init__(self, app_key: str, app_secret: str, store: Store,
                 retry_delays_s: tuple[float, ...], timeout_s: float) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.store = store
        self.retry_delays_s = retry_delays_s
        self.timeout_s = timeout_s
        self.deliveries: list[Delivery] = []
        self._pending: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None

    def reset(self) -> None:
        """Forget deliveries and cancel the ones in flight."""
        for task in list(self._pending):
            task.cancel()
        self.deliveries.clear()

    def url_for(self, shop: Shop, type_id: int) -> str | None:
        """Shop-level subscription (Event API) first, then the app-level URL."""
        sub = shop.webhooks.get(EVENT_TYPES.get(type_id, ""))
        if sub:
            return str(sub["address"])
        return self.store.webhook_url

    def emit(self, shop: Shop, type_id: int, data: dict[str, Any]) -> Delivery:
        """Queue one notification (must run on the server's event loop)."""
        notification_id = self.store.new_id("notification")
        body = {"type": type_id, "tts_notification_id": notification_id,
                "shop_id": shop.id, "timestamp": now(), "data": data}
        delivery = Delivery(notification_id, type_id, shop.id,
                            self.url_for(shop, type_id), body, json_bytes(body))
        self.deliveries.append(delivery)
        del self.deliveries[:-MAX_DELIVERIES]
        if delivery.url is None:
            delivery.state = "no_url"
            return delivery
        delay = self._draw_faults(shop, delivery)
        if delivery.state == "dropped":
            return delivery
        for _ in range(delivery.copies):
            self._start(self._deliver(delivery, delay))
        return delivery

    def _draw_faults(self, shop: Shop, delivery: Delivery) -> float:
        """Apply the webhook faults: drop (state "dropped"), duplicate (copies 2), and the
        hold before the first attempt (reorder / delay); counted per shop."""
        delay = 0.0
        for spec in [f for f in (self.store.faults, shop.faults) if f is not None]:
            if spec.hit(spec.webhook_drop_rate):
                delivery.state = "dropped"
                self.store.count_fault(shop.id, "webhook_drop")
                return 0.0
            if spec.hit(spec.webhook_reorder_rate):
                delay = max(delay, spec.webhook_reorder_delay_s)
                self.store.count_fault(shop.id, "webhook_reorder")
            if spec.hit(spec.webhook_delay_rate):
                delay = max(delay, spec.webhook_delay_s)
                self.store.count_fault(shop.id, "webhook_delay")
            if spec.hit(spec.webhook_duplicate_rate) and delivery.copies == 1:
                delivery.copies = 2
                self.store.count_fault(shop.id, "webhook_duplicate")
        return delay

    def _start(self, coro: Any) -> None:
        """Run a delivery coroutine in the background."""
        task = asyncio.get_running_loop().create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _client_get(self) -> httpx.AsyncClient:
        """The shared HTTP client (created on the server loop)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout_s)
        return self._client

    async def _attempt(self, delivery: Delivery) -> bool | None:
        """POST once; True on 2xx, None on 401 (final), False to retry."""
        assert delivery.url is not None
        headers = {"Content-Type": "application/json",
                   "Authorization": webhook_signature(self.app_key, self.app_secret,
                                                      delivery.raw)}
        record: dict[str, Any] = {"at": time.time(), "status": None, "error": None}
        delivery.attempts.append(record)
        try:
            client = await self._client_get()
            resp = await client.post(delivery.url, content=delivery.raw, headers=headers)
            record["status"] = resp.status_code
            if resp.status_code == AUTH_FAILURE_STATUS:
                return None
            return 200 <= resp.status_code < 300
        except httpx.HTTPError as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"
            return False

    async def _deliver(self, delivery: Delivery, delay: float) -> None:
        """First attempt (after an optional reorder delay), then bounded retries."""
        if delay:
            await asyncio.sleep(delay)
        for backoff in (*self.retry_delays_s, None):
            outcome = await self._attempt(delivery)
            if outcome is None:
                delivery.state = "rejected"
                return
            if outcome:
                delivery.state = "delivered"
                return
            if backoff is None:
                break
            delivery.state = "retrying"
            await asyncio.sleep(backoff)
        if delivery.state != "delivered":
            delivery.state = "failed"

    async def drain(self, timeout_s: float) -> int:
        """Wait until nothing is in flight (or the timeout); returns how many still are."""
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            await asyncio.wait(set(self._pending), timeout=deadline - time.monotonic())
        return len(self._pending)

    async def close(self) -> None:
        """Cancel deliveries in flight and close the HTTP client."""
        for task in list(self._pending):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
