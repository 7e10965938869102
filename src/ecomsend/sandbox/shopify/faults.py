"""Per-shop fault injection (CONTROL.md "Fault injection"): latency, 5xx, 429, THROTTLED,
hangs, resets, per route kind, path pattern and GraphQL operation, with counters.

`FaultConfig` lives on each `store.Shop`; `FaultMiddleware` (wrapped around the app by
`app.create_app`) applies it to the Shopify routes under /store/{shop}/ and to bulk files.
The webhook faults (duplicate, reorder, delay, drop) are applied by `webhooks.Dispatcher`.
Every injected fault is counted in `FaultConfig.injected` (the chaos report's
`faults_injected`); the counter survives a new configuration (control API).
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: The 429 body Shopify sends for REST-style rate limiting (reference §2 error shapes).
THROTTLE_429_BODY = ("Exceeded 2 calls per second for api client. "
                     "Reduce request rates to resume uninterrupted service.")
#: Shop routes: /store/{shop}/admin/... ; group 2 says which API a request belongs to.
STORE_PATH_RE = re.compile(r"^/store/([^/]+)/admin/(api/[^/]+/graphql\.json|oauth/.*)$")
BULK_PATH_RE = re.compile(r"^/_sandbox/bulk/")
#: The operation name of a GraphQL document (`query Name`, `mutation Name(...)`).
OPERATION_RE = re.compile(r"\b(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)")
RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"
#: Settings that are probabilities.
RATE_KEYS = ("latency_rate", "error_rate", "throttle_429_rate", "throttled_rate", "timeout_rate",
             "reset_rate", "webhook_duplicate_rate", "webhook_reorder_rate",
             "webhook_delay_rate", "webhook_drop_rate")


@dataclass
class FaultConfig:
    """Fault rates (0..1) for one shop, drawn from a seeded RNG so a run is reproducible."""

    seed: int = 0
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    latency_rate: float = 1.0
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 502, 503, 504])
    throttle_429_rate: float = 0.0
    retry_after_s: float = 1.0
    throttled_rate: float = 0.0
    timeout_rate: float = 0.0
    hang_s: float = 30.0
    reset_rate: float = 0.0
    webhook_duplicate_rate: float = 0.0
    webhook_reorder_rate: float = 0.0
    webhook_reorder_delay_s: float = 1.0
    webhook_delay_rate: float = 0.0
    webhook_delay_s: float = 5.0
    webhook_drop_rate: float = 0.0
    routes: list[str] = field(default_factory=lambda: ["graphql", "oauth", "bulk_file"])
    paths: list[str] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)
    injected: Counter[str] = field(default_factory=Counter, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultConfig:
        """Build from a control-API body; unknown keys or rates outside 0..1 are a ValueError."""
        known = {k for k in cls.__dataclass_fields__ if k not in ("rng", "injected")}
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        config = cls(**body)
        for key in RATE_KEYS:
            value = float(getattr(config, key))
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{key} must be within 0..1")
            setattr(config, key, value)
        config.rng = random.Random(config.seed)
        return config

    def to_json(self) -> dict[str, Any]:
        """The configuration as the control API returns it, with `faults_injected` counts."""
        data = {k: getattr(self, k) for k in self.__dataclass_fields__
                if k not in ("rng", "injected")}
        data["faults_injected"] = dict(self.injected)
        return data

    def roll(self, rate: float) -> bool:
        """True with probability `rate` (never touches the RNG when rate is 0)."""
        return rate > 0 and self.rng.random() < rate

    def count(self, kind: str) -> None:
        """Count one injected fault of `kind` (e.g. "error", "webhook_drop")."""
        self.injected[kind] += 1

    def matches(self, path: str, operation: str | None) -> bool:
        """Whether `paths` (prefixes, or globs with `*`) and `operations` select a request."""
        if self.paths and not any(fnmatch.fnmatchcase(path, p) if "*" in p
                                  else path.startswith(p) for p in self.paths):
            return False
        return not self.operations or operation in self.operations


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
        operation = None
        if config.operations and kind == "graphql":
            body = await _read_body(receive)
            operation = _operation_name(body)
            receive = _replay(body)
        if config.matches(scope["path"], operation) and await self._inject(config, kind, send):
            return
        await self.app(scope, receive, send)

    async def _inject(self, config: FaultConfig, kind: str, send: Any) -> bool:
        """Apply latency, then at most one failure; True when the response was faulted."""
        delay = config.latency_ms + config.latency_jitter_ms * config.rng.random() \
            if config.latency_ms or config.latency_jitter_ms else 0.0
        if delay and config.roll(config.latency_rate):
            config.count("latency")
            await asyncio.sleep(delay / 1000)
        if config.roll(config.error_rate):
            config.count("error")
            status = config.rng.choice(config.error_statuses or [500])
            await _respond(send, status, {"errors": "Internal Server Error"})
            return True
        if config.roll(config.throttle_429_rate):
            config.count("throttle_429")
            await _respond(send, 429, {"errors": THROTTLE_429_BODY},
                           [(b"retry-after", str(config.retry_after_s).encode())])
            return True
        if kind == "graphql" and config.roll(config.throttled_rate):
            config.count("throttled")
            await _respond(send, 200, self._throttled_body(config))
            return True
        if config.roll(config.timeout_rate):
            config.count("timeout")
            await asyncio.sleep(config.hang_s)
            await _respond(send, 504, {"errors": "Gateway Timeout"})
            return True
        if config.roll(config.reset_rate):
            config.count("reset")
            # Start a response, send part of it and return: uvicorn then closes the
            # connection mid-body, which the client sees as a dropped connection.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", b"1000")]})
            await send({"type": "http.response.body", "body": b'{"data":', "more_body": True})
            return True
        return False

    @staticmethod
    def _throttled_body(config: FaultConfig) -> dict[str, Any]:
        """Shopify's HTTP 200 THROTTLED answer (reference §5) with an empty-looking bucket, so
        a client waiting (requested - available) / restoreRate waits about `retry_after_s`."""
        return {"errors": [{"message": "Throttled", "extensions": {
                    "code": "THROTTLED", "documentation": RATE_LIMIT_DOCS}}],
                "extensions": {"cost": {
                    "requestedQueryCost": 100, "actualQueryCost": None,
                    "throttleStatus": {"maximumAvailable": 2000.0,
                                       "currentlyAvailable": max(0, int(
                                           100 - 100 * config.retry_after_s)),
                                       "restoreRate": 100.0}}}}


async def _read_body(receive: Any) -> bytes:
    """The whole request body from an ASGI receive callable."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Any:
    """A receive callable that hands `body` to the app again."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _operation_name(body: bytes) -> str | None:
    """operationName, or the first operation's name in the document."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("operationName"), str):
        return str(data["operationName"])
    match = OPERATION_RE.search(str(data.get("query") or ""))
    return match.group(1) if match else None


async def _respond(send: Any, status: int, body: dict[str, Any],
                   headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send a complete JSON response from the middleware."""
    raw = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(raw)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": raw})
