"""`create_app(app_key, app_secret, **options)`: the TikTok Shop sandbox as one ASGI app.

One port serves the signed API host paths, the auth host (`/api/v2/token/*`), the consent page
(`/oauth/authorize`, `/open/authorize`) and the sandbox's own control API (`/_sandbox/*`,
documented in CONTROL.md).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Router
from starlette.types import Receive, Scope, Send

from ecomsend.sandbox.tiktok.auth import token_routes
from ecomsend.sandbox.tiktok.control import control_routes
from ecomsend.sandbox.tiktok.core import Options, Sandbox
from ecomsend.sandbox.tiktok.gateway import Gateway, apply_faults
from ecomsend.sandbox.tiktok.routes import api_routes

#: Path prefixes of the auth host and consent page (served unsigned).
AUTH_PREFIXES = ("/api/v2/token/", "/oauth/authorize", "/open/authorize")
CONTROL_PREFIX = "/_sandbox/"


class TikTokSandboxApp:
    """The ASGI callable; `.sandbox` exposes the state for in-process inspection."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.gateway = Gateway(sandbox, api_routes())
        self.control = Router(routes=control_routes(sandbox))
        self.auth = Router(routes=token_routes(sandbox))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith(CONTROL_PREFIX):
            await self.control(scope, receive, send)
        elif path.startswith(AUTH_PREFIXES):
            entry: dict[str, Any] = {}
            if not await apply_faults(self.sandbox, scope, send, None, entry, "auth"):
                await self.auth(scope, receive, send)
        else:
            await self.gateway(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """Answer ASGI lifespan events; stop background work on shutdown."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.sandbox.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(app_key: str, app_secret: str, **options: Any) -> TikTokSandboxApp:
    """A TikTok Shop sandbox for one app (options: see CONTROL.md)."""
    return TikTokSandboxApp(Sandbox(app_key, app_secret, Options.build(options)))
