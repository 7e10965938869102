"""Run an ASGI app on a real localhost port in a background thread.

Used by the demo, the benchmarks and the tests to put the sandboxes and the app on real HTTP
without a subprocess. It imports nothing from the app or the sandboxes, so both may use it.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

#: How long start() waits for the server to accept connections before giving up.
STARTUP_TIMEOUT_S = 30.0


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
