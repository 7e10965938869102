"""TikTok Shop request and webhook signatures (pure functions, no I/O).

Called by the transport (`transport.py`) for every signed API request and by the web layer's
webhook endpoint (through `webhooks.verify_webhook`). The algorithm is the one in TikTok's doc
"Sign your API request" (reference/tiktok-api.md §2) and passes every vector in
`contracts/tiktok/signing-test-vectors.json`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

#: Query keys that never enter the base string ("Sign your API request", step 1).
EXCLUDED_QUERY_KEYS = frozenset({"sign", "access_token"})
#: The media type whose body is left out of the signature (doc step 4: multipart is not signed).
MULTIPART_MEDIA_TYPE = "multipart/form-data"


def is_multipart(content_type: str | None) -> bool:
    """True when the Content-Type's media type is multipart/form-data (boundary ignored)."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == MULTIPART_MEDIA_TYPE


def base_string(
    path: str,
    query: Mapping[str, str],
    body: bytes = b"",
    content_type: str | None = "application/json",
) -> bytes:
    """The bytes TikTok hashes: path + sorted `k+v` (decoded values) + body unless multipart.

    Keys are sorted by ordinal (byte) order; `sign` and `access_token` are skipped.
    """
    parts = [path.encode()]
    for key in sorted(k for k in query if k not in EXCLUDED_QUERY_KEYS):
        parts.append(key.encode())
        parts.append(str(query[key]).encode())
    if body and not is_multipart(content_type):
        # The signed body must be byte-identical to the sent body (doc §2.2): callers pass the
        # exact bytes they will send.
        parts.append(body)
    return b"".join(parts)


def sign_request(
    app_secret: str,
    path: str,
    query: Mapping[str, str],
    body: bytes = b"",
    content_type: str | None = "application/json",
) -> str:
    """Lowercase hex HMAC-SHA256(app_secret, app_secret + base_string + app_secret)."""
    secret = app_secret.encode()
    wrapped = secret + base_string(path, query, body, content_type) + secret
    return hmac.new(secret, wrapped, hashlib.sha256).hexdigest()


def webhook_signature(app_key: str, app_secret: str, raw_body: bytes) -> str:
    """What TikTok puts in a webhook's `Authorization` header: hex HMAC(secret, key + body).

    There is no timestamp and no "Bearer" prefix (webhook configuration guide).
    """
    return hmac.new(app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256).hexdigest()


def verify_webhook_signature(
    app_key: str, app_secret: str, raw_body: bytes, authorization: str | None
) -> bool:
    """Constant-time check of a webhook `Authorization` header against the raw body bytes."""
    if not authorization:
        return False
    expected = webhook_signature(app_key, app_secret, raw_body)
    return hmac.compare_digest(expected.encode(), authorization.strip().lower().encode())
