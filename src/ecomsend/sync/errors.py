"""What a sync handler raises; the engine turns each into the right `sync_state` transition.

Handlers translate platform-client errors into these, so the engine needs no client imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class SyncError(Exception):
    """Base of the three failure kinds of DESIGN.md §4.3."""


class SyncTransient(SyncError):
    """5xx, timeout, reset: retry with backoff and jitter, attempts + 1."""


class SyncRateLimited(SyncError):
    """429 / THROTTLED: wait as told; attempts unchanged."""

    def __init__(self, retry_after_s: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass
class FieldError:
    """One problem a merchant can act on: which field, what is wrong, how to fix it."""

    field: str
    message: str
    fix: str | None = None


class SyncPermanent(SyncError):
    """Validation or other permanent refusal: `failed` with a plain-words reason and Retry."""

    def __init__(self, message: str, field_errors: list[FieldError] | None = None,
                 *, review: bool = False) -> None:
        super().__init__(message)
        self.field_errors = field_errors or []
        #: True when it is the platform's audit (review_failed) rather than our push failing.
        self.review = review


@dataclass
class PushResult:
    """What a handler reports after a successful sync: the hash of what was pushed (None when
    nothing needed pushing) and how many API calls it took."""

    pushed_hash: str | None = None
    api_calls: int = 0
    details: dict[str, object] = field(default_factory=dict)
