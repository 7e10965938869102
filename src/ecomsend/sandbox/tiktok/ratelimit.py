"""TikTok's API rate limit: 50 requests per second per API, counted per app + shop (reference
§6; official-docs-scraped/guides/rate-limits.md: "a default rate limit of 50 QPS for each API",
"based on the combination of the app and shop", excess → HTTP 429).

The doc is silent on the algorithm, so the sandbox takes the stricter reading: a **sliding
one-second window** — at most `qps` accepted requests in any rolling second. A token bucket of
50 refilled at 50/s would admit up to 100 requests within one second (the full bucket plus one
second of refill), and a fixed window up to 100 across a window boundary; the sliding window
never admits more than 50, so a client that passes it passes TikTok's limiter whichever it is.
Refused requests do not count (they are not executed). Limits per API can be changed at run
time (TikTok adjusts quotas per app): `PUT /_sandbox/ratelimit`.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field

#: TikTok's default quota: 50 QPS per API, counted per (app, shop).
DEFAULT_QPS = 50
#: The window the quota is counted over, in seconds.
WINDOW_S = 1.0
_VERSION = re.compile(r"/\d{6}/")


def api_key(api: str) -> str:
    """The per-API limit key with the version folded: `POST /product/{v}/products`."""
    return _VERSION.sub("/{v}/", api, count=1)


@dataclass
class RateLimiter:
    """A sliding-window log per key; `allow(key)` admits one request or says no."""

    default_qps: int = DEFAULT_QPS
    per_api: dict[str, int] = field(default_factory=dict)
    _log: dict[tuple[str, ...], deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def limit_for(self, api: str) -> int:
        """The QPS limit of an API (`"METHOD /template"`)."""
        return self.per_api.get(api_key(api), self.default_qps)

    def allow(self, key: tuple[str, ...], now: float | None = None) -> bool:
        """Admit one request for `key` (its last element is the API); False when the last
        second already holds the API's limit."""
        t = time.monotonic() if now is None else now
        limit = self.limit_for(key[-1])
        with self._lock:
            log = self._log.setdefault(key, deque())
            while log and log[0] <= t - WINDOW_S:
                log.popleft()
            if len(log) >= limit:
                return False
            log.append(t)
            return True

    def configure(self, default_qps: int | None = None,
                  per_api: dict[str, int] | None = None) -> None:
        """Change the default and per-API limits (ValueError when not positive)."""
        values = [default_qps] if default_qps is not None else []
        values += list((per_api or {}).values())
        if any(int(v) < 1 for v in values):
            raise ValueError("limits must be at least 1 request per second")
        if default_qps is not None:
            self.default_qps = int(default_qps)
        if per_api is not None:
            self.per_api = {api_key(k): int(v) for k, v in per_api.items()}

    def to_json(self) -> dict[str, object]:
        """The limits as the control API shows them."""
        return {"default_qps": self.default_qps, "per_api": dict(self.per_api),
                "window_s": WINDOW_S}

    def reset(self) -> None:
        """Forget every window (limits stay)."""
        with self._lock:
            self._log.clear()
