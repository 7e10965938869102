"""Typed errors of the Shopify client (DESIGN.md §2, §4.3).

Every failure of a Shopify call surfaces as one of these; no method returns `{}` or `None` for an
error. The sync layer maps them to its states: `RateLimited` → wait as told (attempts unchanged),
`Transient` → backoff with jitter, `Permanent`/`UserErrors` → `failed` with the field-level reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field-level problem: Shopify's userError (`field` path, `code`, `message`) or a
    GraphQL error (`path`, `extensions.code`, `message`)."""

    field: tuple[str, ...]
    message: str
    code: str | None = None

    def describe(self) -> str:
        """Plain words for the UI and the activity log: `field.path: message (CODE)`."""
        where = ".".join(self.field)
        code = f" ({self.code})" if self.code else ""
        return f"{where}: {self.message}{code}" if where else f"{self.message}{code}"


class ShopifyError(Exception):
    """Base of every error raised by `ecomsend.integrations.shopify`."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: Shopify's `X-Request-Id`, to quote in support requests (reference §2).
        self.request_id = request_id


class RateLimited(ShopifyError):
    """Shopify refused the call for rate reasons (HTTP 429 or THROTTLED) and retries ran out.
    `retry_after` is how long to wait (seconds) before trying again."""

    def __init__(self, retry_after: float, message: str = "rate limited", **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Transient(ShopifyError):
    """A failure worth retrying later: 5xx, timeout, connection reset, bulk file unavailable.
    `ambiguous` is True when the request may have been executed (e.g. a reset after sending a
    non-idempotent mutation), so the caller must look before retrying."""

    def __init__(self, message: str, *, ambiguous: bool = False, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.ambiguous = ambiguous


class Permanent(ShopifyError):
    """A failure that retrying will not fix: invalid query, access denied, not found, bad input.
    `field_errors` carries Shopify's field-level reasons."""

    def __init__(
        self, message: str, field_errors: Sequence[FieldError] = (), **kw: str | None
    ) -> None:
        super().__init__(message, **kw)
        self.field_errors: tuple[FieldError, ...] = tuple(field_errors)


class AuthenticationFailed(Permanent):
    """HTTP 401/403: the access token is invalid, revoked (app uninstalled) or lacks scopes."""


class TokenRejected(AuthenticationFailed):
    """HTTP 401: the access token is invalid, expired or revoked; an expiring token may be
    refreshed once before giving up. `token` is the token that was refused."""

    token: str | None = None


class UserErrors(Permanent):
    """A mutation answered with `userErrors` (HTTP 200): business validation failed.
    Each entry keeps the userError's `field` path, `code` and `message`."""

    def __init__(self, mutation: str, errors: Sequence[FieldError], **kw: str | None) -> None:
        text = "; ".join(e.describe() for e in errors)
        super().__init__(f"{mutation}: {text}", errors, **kw)
        self.mutation = mutation

    @property
    def codes(self) -> tuple[str | None, ...]:
        """The userError codes, in order (None where Shopify gave none)."""
        return tuple(e.code for e in self.field_errors)


class InvalidSignature(ShopifyError):
    """An HMAC, session token or OAuth callback failed verification (reply 401)."""


class InvalidShopDomain(Permanent):
    """A `shop` parameter that is not a `{name}.myshopify.com` hostname (reference §3.2);
    never build a URL from it."""
