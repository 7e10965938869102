"""Cursor pagination helpers: opaque `page_token` → `next_page_token` (reference §6)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar

from ecomsend.sandbox.tiktok.errors import ApiError

T = TypeVar("T")
#: Prefix inside the token; the base64 alphabet yields '+', '/' and '=' on purpose, so clients
#: must sign the decoded value and percent-encode it (reference §2.2).
_PREFIX = "sbx~page?"


def encode_token(offset: int) -> str:
    """An opaque token for an offset."""
    return base64.b64encode(f"{_PREFIX}{offset:08d}>>".encode()).decode()


def decode_token(token: str | None, code: int) -> int:
    """The offset behind a token ("" or None → 0); a bad token is a parameter error."""
    if not token:
        return 0
    try:
        raw = base64.b64decode(token.encode(), validate=True).decode()
        if not raw.startswith(_PREFIX):
            raise ValueError(token)
        return int(raw[len(_PREFIX):].rstrip(">"))
    except ValueError:
        raise ApiError(code, "Invalid page_token.") from None


def page(items: Sequence[T], token: str | None, size: int, code: int
         ) -> tuple[list[T], str]:
    """One page and the next token ("" when there is no next page)."""
    start = decode_token(token, code)
    chunk = list(items[start:start + size])
    nxt = encode_token(start + size) if start + size < len(items) else ""
    return chunk, nxt


def paged(key: str, items: Sequence[Any], token: str | None, size: int, code: int
          ) -> dict[str, Any]:
    """`{key: [...], next_page_token, total_count}`."""
    chunk, nxt = page(items, token, size, code)
    return {key: chunk, "next_page_token": nxt, "total_count": len(items)}
