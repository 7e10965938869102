"""uvicorn's settings for the app (`uvicorn_options`, used by `ecomsend serve` and the webhook
benchmark's bare baseline), and `BackgroundServer`: an ASGI app on a real localhost port in a
background thread.

`BackgroundServer` is used by the demo, the benchmarks and the tests to put the sandboxes and
the app on real HTTP without a subprocess. This module imports nothing from the app or the
sandboxes, so both may use it.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from typing import Any

import uvicorn

#: How long start() waits for the server to accept connections before giving up.
STARTUP_TIMEOUT_S = 30.0


def uvicorn_options(log_level: str = "info") -> dict[str, Any]:
    """The uvicorn settings of `ecomsend serve`: httptools' C HTTP parser and uvloop's event
    loop when installed (a webhook flood is mostly per-request overhead: bench/webhook_ingest.py
    measured 5.7 → 4.1 ms of CPU per delivery with httptools), and `log_level` for uvicorn's
    own loggers, access log included (one line per request: at WARNING a flood writes none)."""
    return {"http": "httptools" if importlib.util.find_spec("httptools") else "h11",
            "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
            "log_level": log_level.lower(), "timeout_keep_alive": 30,
            # Deliveries queue for their group commit, not for the accept queue: a platform
            # retry storm opening many connections at once must not be refused.
            "backlog": 4096}


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class BackgroundServer:
    """uvicorn serving `app` in a daemon thread; `with BackgroundServer(app) as url: ...`."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int | None = None,
                 **uvicorn_options: Any) -> None:
        self.host = host
        self.port = port or free_port(host)
        options: dict[str, Any] = {"log_level": "warning", "lifespan": "on",
                                   "timeout_keep_alive": 30}
        options.update(uvicorn_options)
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=self.port, **options))
        # uvicorn installs no signal handlers off the main thread (Server.capture_signals).
        self._thread = threading.Thread(target=self._server.run, daemon=True,
                                        name=f"asgi:{self.port}")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"ASGI server on port {self.port} did not start")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
