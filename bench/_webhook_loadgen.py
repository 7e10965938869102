"""The load generator of `bench/webhook_ingest.py`, run in its own process (not a benchmark).

    python bench/_webhook_loadgen.py SPEC.json RESULT.json

Sends signed Shopify `inventory_levels/update` and TikTok type 5 (product status change)
deliveries, alternately, to the app's `/webhooks/*` over keep-alive HTTP/1.1 connections
(plain asyncio streams on uvloop when installed: a Python HTTP client would cost more CPU than
the app on 2 cores). Every request is built and signed before the clock starts (unique ids,
increasing timestamps), so during the run the generator only writes and reads. Open loop:
delivery i is due at start + i / rate and its latency runs from that moment to the response,
so a server that falls behind is charged for the wait (no coordinated omission). With `rate` 0
it is closed loop (each connection sends as soon as it has its answer).
Writes the acknowledged deliveries, their latencies and the failures to RESULT.json.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: After the planned seconds, requests still unsent are dropped and in-flight ones get this long.
GRACE_S = 10.0


@dataclass
class Spec:
    """What to send where; written by webhook_ingest.py."""

    targets: list[str]
    seconds: float
    rate: float
    connections: int
    shop_domain: str
    shopify_secret: str
    tiktok_key: str
    tiktok_secret: str
    tiktok_shop_id: str
    inventory_items: list[int]
    location_id: int
    acked: list[list[Any]] = field(default_factory=list)


def shopify_delivery(spec: Spec, i: int) -> tuple[str, str, bytes, dict[str, str]]:
    """(platform, delivery id, body, headers) of Shopify's inventory_levels/update number i."""
    webhook_id = str(uuid.uuid4())
    body = json.dumps({
        "inventory_item_id": spec.inventory_items[i % len(spec.inventory_items)],
        "location_id": spec.location_id, "available": i,
        "updated_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{spec.location_id}"}).encode()
    digest = hmac.new(spec.shopify_secret.encode(), body, hashlib.sha256).digest()
    return "shopify", webhook_id, body, {
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Topic": "inventory_levels/update", "X-Shopify-Shop-Domain": spec.shop_domain,
        "X-Shopify-Webhook-Id": webhook_id, "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat()}


def tiktok_delivery(spec: Spec, i: int) -> tuple[str, str, bytes, dict[str, str]]:
    """(platform, delivery id, body, headers) of TikTok's product status change number i."""
    notification = str(7_000_000_000_000_000_000 + i * 7919 + int(time.time() * 1000) % 7919)
    body = json.dumps({"type": 5, "shop_id": spec.tiktok_shop_id,
                       "timestamp": int(time.time()), "tts_notification_id": notification,
                       "data": {"product_id": str(1_729_000_000_000_000_000 + i),
                                "status": "PRODUCT_FIRST_PASS_REVIEW",
                                "update_time": int(time.time())}}).encode()
    signature = hmac.new(spec.tiktok_secret.encode(), spec.tiktok_key.encode() + body,
                         hashlib.sha256).hexdigest()
    return "tiktok", notification, body, {"Authorization": signature}


def request_bytes(host: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; its status code (the body is read and dropped)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


def delivery_request(spec: Spec, i: int) -> tuple[str, str, bytes]:
    """(platform, delivery id, request bytes) of delivery i (Host: the first target; the app
    does not route on it)."""
    parts = urlsplit(spec.targets[0])
    build = shopify_delivery if i % 2 == 0 else tiktok_delivery
    platform, delivery_id, body, headers = build(spec, i)
    return platform, delivery_id, request_bytes(
        f"{parts.hostname or '127.0.0.1'}:{parts.port or 80}", f"/webhooks/{platform}", body,
        headers)


class LoadGen:
    """Connections pull the next delivery number, wait for its due time, send, read."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.next = 0
        # Closed loop: as many as 3,000/s could take (more are built on the way if needed).
        planned = int(spec.rate * spec.seconds) if spec.rate else int(3000 * spec.seconds)
        self.requests = [delivery_request(spec, i) for i in range(planned)]
        self.started = time.perf_counter() + 0.2
        self.end_due = self.started + spec.seconds
        #: (platform, delivery id, latency ms, due time s from the start) per acknowledgement.
        self.acked: list[tuple[str, str, float, float]] = []
        self.failed: dict[str, int] = {}
        self.retries = 0
        self.last_ack = self.started

    def claim(self) -> tuple[int, float] | None:
        i = self.next
        due = self.started + i / self.spec.rate if self.spec.rate else time.perf_counter()
        if due >= self.end_due or time.perf_counter() > self.end_due + GRACE_S:
            return None
        self.next += 1
        return i, due

    async def connection(self, target: str) -> None:
        """One keep-alive connection to `target`, until the planned seconds are over."""
        parts = urlsplit(target)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while (claimed := self.claim()) is not None:
                i, due = claimed
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                platform, delivery_id, raw = (self.requests[i] if i < len(self.requests)
                                              else delivery_request(self.spec, i))
                for _attempt in range(5):  # like the platforms: a failed delivery is retried
                    try:
                        writer.write(raw)
                        status = await read_response(reader)
                    except (OSError, asyncio.IncompleteReadError) as exc:
                        self.failed[type(exc).__name__] = self.failed.get(
                            type(exc).__name__, 0) + 1
                        writer.close()
                        reader, writer = await asyncio.open_connection(host, port)
                        self.retries += 1
                        continue
                    if status == 200:
                        now = time.perf_counter()
                        self.acked.append((platform, delivery_id, (now - due) * 1000,
                                           round(due - self.started, 3)))
                        self.last_ack = max(self.last_ack, now)
                        break
                    self.failed[str(status)] = self.failed.get(str(status), 0) + 1
                    self.retries += 1
        finally:
            writer.close()

    async def run(self) -> dict[str, Any]:
        spec = self.spec
        self.started = time.perf_counter() + 0.2  # the requests were built before this
        self.end_due = self.started + spec.seconds
        self.last_ack = self.started
        await asyncio.gather(*(self.connection(spec.targets[c % len(spec.targets)])
                               for c in range(spec.connections)))
        return {"sent": self.next, "acked": self.acked, "failed": self.failed,
                "retries": self.retries, "seconds": self.last_ack - self.started}


def main() -> None:
    spec = Spec(**json.loads(Path(sys.argv[1]).read_text()))
    loadgen = LoadGen(spec)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(loadgen.run())
    else:
        result = uvloop.run(loadgen.run())
    Path(sys.argv[2]).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
