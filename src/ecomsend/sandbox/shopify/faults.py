"""Per-shop fault injection (CONTROL.md "Fault injection"): latency, 5xx, 429, hangs, resets.

`FaultConfig` lives on each `store.Shop`; `FaultMiddleware` (wrapped around the app by
`app.create_app`) applies it to the Shopify routes under /store/{shop}/ and to bulk files.
The webhook faults (duplicate, reorder, drop) are applied by `webhooks.Dispatcher`.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from dataclasses import asdict, dataclass, field
from typing import Any

#: The 429 body Shopify sends for REST-style rate limiting (reference §2 error shapes).
THROTTLE_429_BODY = ("Exceeded 2 calls per second for api client. "
                     "Reduce request rates to resume uninterrupted service.")
#: Shop routes: /store/{shop}/admin/... ; group 2 says which API a request belongs to.
STORE_PATH_RE = re.compile(r"^/store/([^/]+)/admin/(api/[^/]+/graphql\.json|oauth/.*)$")
BULK_PATH_RE = re.compile(r"^/_sandbox/bulk/")


@dataclass
class FaultConfig:
    """Fault rates (0..1) for one shop, drawn from a seeded RNG so a run is reproducible."""

    seed: int = 0
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 502, 503, 504])
    throttle_429_rate: float = 0.0
    retry_after_s: float = 1.0
    timeout_rate: float = 0.0
    hang_s: float = 30.0
    reset_rate: float = 0.0
    webhook_duplicate_rate: float = 0.0
    webhook_reorder_rate: float = 0.0
    webhook_reorder_delay_s: float = 1.0
    webhook_drop_rate: float = 0.0
    routes: list[str] = field(default_factory=lambda: ["graphql", "oauth", "bulk_file"])
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultConfig:
        """Build from a control-API body; unknown keys are a ValueError."""
        known = {k for k in cls.__dataclass_fields__ if k != "rng"}
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        config = cls(**body)
        config.rng = random.Random(config.seed)
        return config

    def to_json(self) -> dict[str, Any]:
        """The configuration as the control API returns it."""
        data = asdict(self)
        data.pop("rng", None)
        return data

    def roll(self, rate: float) -> bool:
        """True with probability `rate` (never touches the RNG when rate is 0)."""
        return rate > 0 and self.rng.random() < rate


def _route_kind(path: str) -> tuple[str | None, str | None]:
    """(shop domain or None, route kind) for a request path, or (None, None) if not faultable."""
    match = STORE_PATH_RE.match(path)
    if match:
        kind = "graphql" if match.group(2).startswith("api/") else "oauth"
        return match.group(1).lower(), kind
    if BULK_PATH_RE.match(path):
        return None, "bulk_file"
    return None, None


class FaultMiddleware:
    """ASGI middleware that applies a shop's FaultConfig before the request executes."""

    def __init__(self, app: Any, sandbox: Any) -> None:
        """Wrap `app`; faults are looked up on `sandbox`'s shops."""
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Apply the shop's faults to Shopify routes, then pass the request on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        domain, kind = _route_kind(scope["path"])
        if kind == "bulk_file":
            domain = self.sandbox.bulk_shop(scope["path"])
        shop = self.sandbox.shop(domain) if domain else None
        config: FaultConfig | None = shop.faults if shop is not None else None
        if config is None or kind not in config.routes:
            await self.app(scope, receive, send)
            return
        if await self._inject(config, send):
            return
        await self.app(scope, receive, send)

    async def _inject(self, config: FaultConfig, send: Any) -> bool:
        """Apply latency, then at most one failure; True when the response was faulted."""
        delay = config.latency_ms + config.latency_jitter_ms * config.rng.random() \
            if config.latency_ms or config.latency_jitter_ms else 0.0
        if delay:
            await asyncio.sleep(delay / 1000)
        if config.roll(config.error_rate):
            status = config.rng.choice(config.error_statuses or [500])
            await _respond(send, status, {"errors": "Internal Server Error"})
            return True
        if config.roll(config.throttle_429_rate):
            await _respond(send, 429, {"errors": THROTTLE_429_BODY},
                           [(b"retry-after", str(config.retry_after_s).encode())])
            return True
        if config.roll(config.timeout_rate):
            await asyncio.sleep(config.hang_s)
            await _respond(send, 504, {"errors": "Gateway Timeout"})
            return True
        if config.roll(config.reset_rate):
            # Start a response, send part of it and return: uvicorn then closes the
            # connection mid-body, which the client sees as a dropped connection.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", b"1000")]})
            await send({"type": "http.response.body", "body": b'{"data":', "more_body": True})
            return True
        return False


async def _respond(send: Any, status: int, body: dict[str, Any],
                   headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send a complete JSON response from the middleware."""
    raw = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(raw)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": raw})
