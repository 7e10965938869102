"""Turn one HTTP answer from the Admin GraphQL endpoint into data or a typed error (pure).

Called by `transport.GraphQLTransport` for every response; kept free of I/O so each Shopify
error shape of reference §2 and §5 is unit-tested on its own.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ecomsend.integrations.shopify.cost import ThrottleStatus, throttle_wait
from ecomsend.integrations.shopify.errors import (
    AuthenticationFailed,
    FieldError,
    Permanent,
    RateLimited,
    TokenRejected,
    Transient,
    UserErrors,
)
from ecomsend.metrics import API_THROTTLES, GRAPHQL_ENDPOINT

#: Wait when a 429 carries no usable Retry-After; the official clients use 1000 ms (reference §2).
DEFAULT_RETRY_AFTER_S = 1.0
#: Longest raw (non-JSON) error body kept in a message: 5xx pages can be large HTML.
MAX_ERROR_TEXT = 300
#: GraphQL error codes that mean "try again later" rather than "your request is wrong".
_TRANSIENT_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"})


def parse_retry_after(value: str | None, now: float | None = None) -> float:
    """Seconds from a `Retry-After` header (delta-seconds or HTTP date); the default if absent."""
    if not value:
        return DEFAULT_RETRY_AFTER_S
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_S
    return max(0.0, when - (time.time() if now is None else now))


def check_http_status(
    status: int, headers: Mapping[str, str], body: Any, request_id: str | None
) -> None:
    """Raise the typed error for a non-200 answer (reference §2 error envelopes)."""
    if status == 200:
        return
    message = _text_of(body) or f"HTTP {status}"
    if status == 429:
        raise RateLimited(parse_retry_after(headers.get("retry-after")), message,
                          request_id=request_id)
    if status == 401:
        raise TokenRejected(f"HTTP 401: {message}", request_id=request_id)
    if status == 403:
        raise AuthenticationFailed(f"HTTP 403: {message}", request_id=request_id)
    if status >= 500 or status == 408:
        raise Transient(f"HTTP {status}: {message}", ambiguous=True, request_id=request_id)
    raise Permanent(f"HTTP {status}: {message}", request_id=request_id)


def graphql_data(
    body: Any, throttle: ThrottleStatus | None, requested: float, request_id: str | None
) -> dict[str, Any]:
    """`data` of a 200 response, or the typed error its `errors` array stands for.

    THROTTLED arrives as HTTP 200 with `errors[].extensions.code` (reference §5); the wait is
    `(requested - available) / restoreRate`.
    """
    if not isinstance(body, Mapping):
        raise Transient("response body is not a JSON object", ambiguous=True,
                        request_id=request_id)
    errors = body.get("errors")
    if errors:
        codes = {_code_of(e) for e in errors} if isinstance(errors, list) else set()
        if "THROTTLED" in codes:
            API_THROTTLES.labels("shopify", GRAPHQL_ENDPOINT).inc()  # /metrics (HTTP 200)
            cost = throttle.requested_cost if throttle and throttle.requested_cost else requested
            raise RateLimited(throttle_wait(throttle, cost), "THROTTLED", request_id=request_id)
        field_errors = graphql_field_errors(errors)
        text = "; ".join(e.describe() for e in field_errors) or str(errors)
        if codes & _TRANSIENT_CODES:
            raise Transient(text, ambiguous=True, request_id=request_id)
        if "ACCESS_DENIED" in codes:
            raise AuthenticationFailed(text, field_errors, request_id=request_id)
        raise Permanent(text, field_errors, request_id=request_id)
    data = body.get("data")
    if not isinstance(data, dict):
        raise Permanent("response carries no data", request_id=request_id)
    return data


def graphql_field_errors(errors: Any) -> list[FieldError]:
    """GraphQL `errors` (a list of objects, or a bare string on 4xx) as FieldErrors."""
    if isinstance(errors, str):
        return [FieldError((), errors)]
    out: list[FieldError] = []
    for err in errors if isinstance(errors, list) else ():
        if isinstance(err, Mapping):
            path = tuple(str(p) for p in err.get("path") or ())
            out.append(FieldError(path, str(err.get("message", "")), _code_of(err)))
    return out


def user_errors(payload: Mapping[str, Any], key: str = "userErrors") -> list[FieldError]:
    """A mutation payload's userErrors (`field` path, `message`, `code`) as FieldErrors."""
    raw: Sequence[Any] = payload.get(key) or ()
    return [
        FieldError(tuple(str(p) for p in (e.get("field") or ())), str(e.get("message", "")),
                   e.get("code"))
        for e in raw
        if isinstance(e, Mapping)
    ]


def mutation_payload(
    data: Mapping[str, Any], mutation: str, errors_key: str = "userErrors"
) -> dict[str, Any]:
    """The payload of `data[mutation]`; raises UserErrors when it reports any."""
    payload = data.get(mutation)
    if not isinstance(payload, dict):
        raise Permanent(f"{mutation} returned no payload")
    found = user_errors(payload, errors_key)
    if found:
        raise UserErrors(mutation, found)
    return payload


def _code_of(err: Any) -> str | None:
    ext = err.get("extensions") if isinstance(err, Mapping) else None
    code = ext.get("code") if isinstance(ext, Mapping) else None
    return str(code) if code is not None else None


def _text_of(body: Any) -> str:
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, str):
            return errors
        if errors:
            return "; ".join(e.describe() for e in graphql_field_errors(errors))
    return body[:MAX_ERROR_TEXT] if isinstance(body, str) else ""
