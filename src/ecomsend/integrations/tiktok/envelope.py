"""Turn one HTTP response into TikTok `data` or a typed error (pure; called by the transport).

Envelope: `{"code": 0, "message": "Success", "request_id": "…", "data": {…}}`; `code != 0` is an
error, and `data` is often `null` then (reference §3.1). Gateway errors use non-200 statuses: 401
bad sign, 429 rate limit (code 36009002), 503 overload.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ecomsend.integrations.tiktok.errors import (
    AUTH_INVALID_CODES,
    CODE_RATE_LIMITED,
    CODE_TOKEN_EXPIRED,
    TRANSIENT_CODES,
    AuthExpired,
    AuthInvalid,
    PartialFailure,
    Permanent,
    ProtocolError,
    RateLimited,
    TikTokError,
    Transient,
    field_errors_from,
)

#: Wait after a 429 when no Retry-After is given: TikTok documents none (rate-limits guide),
#: and a 50/s bucket has room again within a few tens of milliseconds.
DEFAULT_RATE_LIMIT_WAIT_S = 0.2
#: HTTP statuses that mean "the platform is struggling, not your request" (5xx, 408).
_TRANSIENT_STATUSES = frozenset({408, 500, 502, 503, 504})


def _retry_after(headers: Mapping[str, str]) -> float:
    raw = headers.get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else DEFAULT_RATE_LIMIT_WAIT_S
    except ValueError:
        return DEFAULT_RATE_LIMIT_WAIT_S


def decode_envelope(content: bytes) -> dict[str, Any] | None:
    """The JSON object, or None when the body is not a TikTok envelope.

    `json.loads` keeps big integers exact (ids sent as numbers never become floats).
    """
    try:
        parsed = json.loads(content) if content else None
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(parsed, dict) and "code" in parsed:
        return parsed
    return None


def error_for(
    status: int, headers: Mapping[str, str], envelope: dict[str, Any] | None, api: str
) -> TikTokError | None:
    """The typed error this response stands for, or None on success (`code == 0`, 2xx)."""
    code = _code(envelope)
    message = str((envelope or {}).get("message") or f"HTTP {status}")
    kw: dict[str, Any] = {"code": code, "request_id": (envelope or {}).get("request_id"),
                          "http_status": status, "api": api}
    if status == 429 or code == CODE_RATE_LIMITED:
        return RateLimited(message, retry_after=_retry_after(headers), **kw)
    if envelope is None:
        if status in _TRANSIENT_STATUSES or status >= 500:
            return Transient(message, **kw)
        return ProtocolError(f"not a TikTok envelope (HTTP {status})", **kw)
    if code == 0 and 200 <= status < 300:
        return None
    if code == CODE_TOKEN_EXPIRED:
        return AuthExpired(message, **kw)
    if code in TRANSIENT_CODES or status in _TRANSIENT_STATUSES or status >= 500:
        return Transient(message, **kw)
    data = envelope.get("data")
    errors = field_errors_from(message, data, code)
    if code in AUTH_INVALID_CODES:
        return AuthInvalid(message, field_errors=errors, **kw)
    return Permanent(message, field_errors=errors, **kw)


def parse_response(
    status: int, headers: Mapping[str, str], content: bytes, api: str
) -> dict[str, Any]:
    """`data` of a successful response (`{}` when TikTok documents it empty) or raise."""
    envelope = decode_envelope(content)
    error = error_for(status, headers, envelope, api)
    if error is not None:
        raise error
    assert envelope is not None
    data = envelope.get("data")
    return data if isinstance(data, dict) else {}


def raise_on_item_errors(data: dict[str, Any], api: str, what: str) -> None:
    """Batch calls answer `code: 0` with `data.errors[]` on partial failure (reference §3.1):
    raise `PartialFailure` with each item's reason so nothing fails silently."""
    items = data.get("errors")
    if not items:
        return
    errors = field_errors_from("", data)
    first = errors[0].message if errors else "error"
    raise PartialFailure(f"{what}: {len(items)} item(s) failed: {first}", data=data,
                         field_errors=errors, api=api,
                         code=_code(items[0]) if isinstance(items[0], dict) else None)


def _code(obj: dict[str, Any] | None) -> int | None:
    if obj is None:
        return None
    try:
        return int(obj.get("code"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
