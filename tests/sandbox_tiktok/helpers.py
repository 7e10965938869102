"""A tiny signed client for the sandbox tests (our own reading of the signing doc)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

APP_KEY = "sbx-test-key"
APP_SECRET = "sbx-test-secret"


def sign(secret: str, path: str, query: dict[str, str], body: bytes = b"",
         multipart: bool = False) -> str:
    """HMAC-SHA256 hex over secret + path + sorted k+v (minus sign/access_token) + body + secret."""
    base = path + "".join(f"{k}{query[k]}" for k in sorted(query)
                          if k not in ("sign", "access_token"))
    msg = secret.encode() + base.encode() + (b"" if multipart else body) + secret.encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def webhook_auth(body: bytes) -> str:
    """Expected webhook Authorization header."""
    return hmac.new(APP_SECRET.encode(), APP_KEY.encode() + body, hashlib.sha256).hexdigest()


class Api:
    """Signed calls for one shop (token + cipher)."""

    def __init__(self, http: httpx.AsyncClient, token: str, cipher: str | None) -> None:
        self.http = http
        self.token = token
        self.cipher = cipher

    async def call(self, method: str, path: str, body: Any = None, *,
                   query: dict[str, str] | None = None, cipher: Any = True,
                   timestamp: int | None = None, signature: str | None = None,
                   token: str | None = None, app_key: str = APP_KEY,
                   files: dict[str, Any] | None = None, data: dict[str, str] | None = None,
                   ) -> httpx.Response:
        """Sign and send; `cipher=False` omits shop_cipher, a str overrides it."""
        q = {"app_key": app_key, "timestamp": str(timestamp or int(time.time())),
             **(query or {})}
        if cipher is True and self.cipher:
            q["shop_cipher"] = self.cipher
        elif isinstance(cipher, str):
            q["shop_cipher"] = cipher
        raw = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        q["sign"] = signature or sign(APP_SECRET, path, q, raw, multipart=files is not None)
        headers = {"x-tts-access-token": self.token if token is None else token}
        if files is None:
            headers["content-type"] = "application/json"
            return await self.http.request(method, path, params=q, content=raw or None,
                                           headers=headers)
        return await self.http.request(method, path, params=q, files=files, data=data,
                                       headers=headers)

    async def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """Call and assert code 0; returns data."""
        resp = await self.call(method, path, body, **kw)
        env = resp.json()
        assert resp.status_code == 200 and env["code"] == 0, (resp.status_code, env)
        return env["data"]

    async def err(self, method: str, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        """Call and return (code, envelope) for an error."""
        resp = await self.call(method, path, body, **kw)
        env = resp.json()
        assert env["code"] != 0, env
        assert env["data"] is None
        return env["code"], env


class Control:
    """The unsigned control API."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        resp = await self.http.request(method, "/_sandbox" + path, json=body,
                                       params=params or None)
        assert resp.status_code < 300, (method, path, resp.status_code, resp.text)
        return resp.json()
