"""`WebhookIngress`: the webhook deliveries answered in plain ASGI, in front of the app's routing.

A delivery needs its body (capped), its signature checked and its receipt committed
(`web.webhooks.receive`); nothing of FastAPI's request handling (routing, dependency solving,
exception and gzip middleware, the Request object) is of use to it. In a flood that handling
was most of the CPU a delivery cost, and the acknowledgement rate is what a flood tests. So
this middleware, the outermost of the app's own (`web.app` adds it last), answers
`POST /webhooks/shopify`, `/webhooks/shopify/compliance` and `/webhooks/tiktok` itself —
counted and timed by `metrics.WebhookMetrics` as before — and passes everything else on. The
routes in `web.webhooks` stay: they document the endpoints and answer the same way.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import orjson
from starlette.datastructures import Headers

from ecomsend.metrics import WebhookMetrics
from ecomsend.sync.inbox import Platform
from ecomsend.web.webhooks import TOO_LARGE_DETAIL, BodyTooLarge, capped_body, receive

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

#: The paths answered here, by platform.
PATHS = {"/webhooks/shopify": Platform.SHOPIFY, "/webhooks/shopify/compliance": Platform.SHOPIFY,
         "/webhooks/tiktok": Platform.TIKTOK}
_EMPTY = [(b"content-length", b"0")]
_TOO_LARGE = orjson.dumps({"detail": TOO_LARGE_DETAIL})


class WebhookIngress:
    """ASGI middleware: answers webhook deliveries (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._measured = WebhookMetrics(self._deliver)

    async def __call__(self, scope: Scope, receive_: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] == "POST"
                and scope["path"] in PATHS):
            await self._measured(scope, receive_, send)
            return
        await self.app(scope, receive_, send)

    async def _deliver(self, scope: Scope, receive_: Receive, send: Send) -> None:
        began = time.perf_counter()
        headers = Headers(scope=scope)
        try:
            raw = await capped_body(headers, receive_)
        except BodyTooLarge:
            await _answer(send, 413, _TOO_LARGE)
            return
        app = scope["app"]
        status = await receive(app, PATHS[scope["path"]], headers, raw)
        await _answer(send, status)
        processor = getattr(app.state, "inbox_processor", None)
        if processor is not None:  # slow answers make the processing rest (see there)
            processor.acknowledged(time.perf_counter() - began)


async def _answer(send: Send, status: int, body: bytes = b"") -> None:
    headers = _EMPTY if not body else [(b"content-length", str(len(body)).encode()),
                                       (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
