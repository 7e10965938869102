"""The webhook-ingest baseline (issue 12 §2; a helper of bench/webhook_ingest.py, run in its
own process):

    python bench/_bare_webhook.py PORT SHOPIFY_SECRET TIKTOK_KEY TIKTOK_SECRET

The least work an acknowledgement needs, with nothing of ours in it: a bare ASGI endpoint (no
framework, no database) under the same uvicorn settings as `ecomsend serve`
(`ecomsend.serving.uvicorn_options`) that reads the body, checks the delivery's HMAC in
constant time (Shopify: base64 HMAC-SHA256 of the body in X-Shopify-Hmac-Sha256; TikTok: hex
HMAC-SHA256 of app key + body in Authorization) and answers 200 (401 when forged). The same
load generator floods it at the same rate, so the app's rate and CPU per webhook can be read
against what uvicorn itself costs on this machine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import sys
from typing import Any

import uvicorn

from ecomsend.serving import uvicorn_options


class BareWebhooks:
    """ASGI app: verify and acknowledge; nothing recorded."""

    def __init__(self, shopify_secret: str, tiktok_key: str, tiktok_secret: str) -> None:
        self.shopify_secret = shopify_secret.encode()
        self.tiktok_key, self.tiktok_secret = tiktok_key.encode(), tiktok_secret.encode()
        self.acked = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = dict(scope["headers"])
        status = 200 if self._verified(scope["path"], headers, body) else 401
        self.acked += status == 200
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def _verified(self, path: str, headers: dict[bytes, bytes], body: bytes) -> bool:
        if path.startswith("/webhooks/shopify"):
            digest = hmac.new(self.shopify_secret, body, hashlib.sha256).digest()
            return hmac.compare_digest(base64.b64encode(digest),
                                       headers.get(b"x-shopify-hmac-sha256", b""))
        signature = hmac.new(self.tiktok_secret, self.tiktok_key + body,
                             hashlib.sha256).hexdigest().encode()
        return hmac.compare_digest(signature, headers.get(b"authorization", b""))


def main() -> None:
    port, shopify_secret, tiktok_key, tiktok_secret = sys.argv[1:5]
    app = BareWebhooks(shopify_secret, tiktok_key, tiktok_secret)
    uvicorn.run(app, host="127.0.0.1", port=int(port), lifespan="on",
                **uvicorn_options(log_level="warning"))


if __name__ == "__main__":
    main()
