"""Request and webhook signatures, as documented (reference §2, signing-test-vectors.json)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

#: Query keys that never enter the base string ("Sign your API request", step 1).
EXCLUDED_KEYS = frozenset({"sign", "access_token"})


def is_multipart(content_type: str | None) -> bool:
    """Multipart bodies are not signed; the media type alone decides (reference §2.2)."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


def base_string(path: str, query: Mapping[str, str], body: bytes,
                content_type: str | None) -> bytes:
    """path + sorted k+v (decoded values, minus sign/access_token) + raw body unless multipart."""
    parts = "".join(f"{k}{query[k]}" for k in sorted(query) if k not in EXCLUDED_KEYS)
    signed_body = b"" if is_multipart(content_type) else body
    return path.encode() + parts.encode() + signed_body


def request_sign(app_secret: str, path: str, query: Mapping[str, str], body: bytes = b"",
                 content_type: str | None = None) -> str:
    """Lowercase hex HMAC-SHA256(app_secret, app_secret + base string + app_secret)."""
    secret = app_secret.encode()
    wrapped = secret + base_string(path, query, body, content_type) + secret
    return hmac.new(secret, wrapped, hashlib.sha256).hexdigest()


def webhook_signature(app_key: str, app_secret: str, raw_body: bytes) -> str:
    """The webhook `Authorization` header: hex HMAC-SHA256(app_secret, app_key + raw body)."""
    return hmac.new(app_secret.encode(), app_key.encode() + raw_body, hashlib.sha256).hexdigest()


def sign_matches(expected: str, given: str) -> bool:
    """Constant-time comparison of two hex signatures."""
    return hmac.compare_digest(expected.lower(), given.strip().lower())
