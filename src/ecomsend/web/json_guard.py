"""An ASGI middleware in front of the JSON API (`/api/…`, installed by `web.app`): input no
route can store or answer is refused with a 422 before any route sees it.

- NaN / Infinity in a JSON body (Python's json accepts them; the 422 FastAPI would build quotes
  them back and then cannot render itself, and a float field would store them);
- integers past signed 64-bit in a JSON body (no column holds them);
- NUL characters in JSON strings, in the path or in the query (PostgreSQL text cannot hold them);
- JSON nested deeper than the parser's recursion limit (5,000-deep arrays).
The 422 body has FastAPI's validation shape (`detail[].loc/msg/type`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

INT64 = (-(2**63), 2**63 - 1)
#: API bodies are forms and id lists; larger bodies are refused unread.
MAX_BODY_BYTES = 2 * 1024 * 1024
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BadJson(ValueError):
    pass


def _constant(name: str) -> Any:
    raise BadJson(f"{name} is not a JSON number")


def check_json(raw: bytes) -> None:
    """Raise BadJson when `raw` is not JSON the API can take (see the module docstring)."""
    try:
        value = json.loads(raw, parse_constant=_constant)
    except RecursionError as exc:
        raise BadJson("JSON nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, BadJson):
            raise
        return  # not JSON at all: FastAPI answers that with its own 422
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and "\x00" in item:
            raise BadJson("NUL characters are not allowed in text")
        elif isinstance(item, int) and not isinstance(item, bool) and not (
                INT64[0] <= item <= INT64[1]):
            raise BadJson("integer out of the 64-bit range")


def _nul_location(scope: Scope) -> list[str] | None:
    """Where a NUL byte sits in the URL (`["path"]` or `["query", name]`), if anywhere."""
    if "\x00" in scope["path"]:
        return ["path"]
    for name, value in parse_qsl(scope["query_string"].decode("latin-1"),
                                 keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return ["query", name.replace("\x00", "")]
    return None


class JsonGuard:
    """`JsonGuard(app)`: see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        nul_at = _nul_location(scope)
        if nul_at is not None:
            await _refuse(send, "NUL characters are not allowed in the URL", nul_at)
            return
        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # disconnected: let Starlette see it
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY_BYTES:
                await _refuse(send, f"bodies are limited to {MAX_BODY_BYTES} bytes", ["body"],
                              413)
                return
        if body:
            try:
                check_json(body)
            except BadJson as exc:
                await _refuse(send, str(exc), ["body"])
                return
        await self.app(scope, _replay(body), send)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}
    return receive


async def _refuse(send: Send, msg: str, loc: list[str], status: int = 422) -> None:
    payload = json.dumps({"detail": [{"loc": loc, "msg": msg, "type": "value_error"}]}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
