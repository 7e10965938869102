"""A complete local stack on real localhost ports: the Shopify sandbox, the TikTok sandbox and
the app (embedded default), wired to each other. Used by `ecomsend demo`, the benchmarks and the
end-to-end tests. This module may import both the app and the sandboxes; nothing else does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from ecomsend.config import Settings
from ecomsend.sandbox.shopify.app import create_app as create_shopify_sandbox
from ecomsend.sandbox.tiktok.app import create_app as create_tiktok_sandbox
from ecomsend.serving import BackgroundServer, free_port
from ecomsend.web.app import create_app as create_web_app

#: The app's credentials on both sandboxes (made up; the sandboxes accept whatever they're given).
SHOPIFY_KEY, SHOPIFY_SECRET = "demo-shopify-key", "demo-shopify-secret"
TIKTOK_KEY, TIKTOK_SECRET, TIKTOK_SERVICE_ID = "demo-tiktok-key", "demo-tiktok-secret", "7000001"
#: Where the Shopify sandbox's seeded images claim to live (nothing serves them offline).
SANDBOX_CDN = "https://cdn.shopify.com/"
#: How long a server process may take to answer (a sandbox builds its reference data, a
#: restarted app reopens its database); minutes on a loaded machine.
START_TIMEOUT_S = 300.0


@dataclass
class LocalStack:
    """Three servers; `start()` then use `.app_url`, `.shopify_url`, `.tiktok_url`, `.settings`."""

    var_dir: Path
    database_url: str | None = None
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    shopify_options: dict[str, Any] = field(default_factory=dict)
    tiktok_options: dict[str, Any] = field(default_factory=dict)
    run_worker: bool = True
    #: Run each sandbox in its own process (`ecomsend sandbox …`) instead of this one, so the
    #: simulators do not share the app's interpreter: benchmarks measure the app, not them.
    sandboxes_in_processes: bool = False
    #: False: run the app in its own process too (`ecomsend serve`, embedded worker included;
    #: needs sandboxes_in_processes), so a driver in this process (a benchmark's load
    #: generator) does not share the app's GIL.
    app_in_process: bool = True
    #: With app_in_process=False: write the app process's stdout and stderr (its log) here.
    app_log: Path | None = None

    def __post_init__(self) -> None:
        ports = [free_port() for _ in range(3)]
        self.app_url, self.shopify_url, self.tiktok_url = (f"http://127.0.0.1:{p}"
                                                           for p in ports)
        values: dict[str, Any] = {
            "var_dir": self.var_dir, "public_base_url": self.app_url,
            "shopify_api_key": SHOPIFY_KEY, "shopify_api_secret": SHOPIFY_SECRET,
            "shopify_shop_url_template": f"{self.shopify_url}/store/{{shop}}",
            "tiktok_app_key": TIKTOK_KEY, "tiktok_app_secret": TIKTOK_SECRET,
            "tiktok_service_id": TIKTOK_SERVICE_ID, "tiktok_api_base_url": self.tiktok_url,
            "tiktok_auth_base_url": self.tiktok_url,
            "tiktok_authorize_url": f"{self.tiktok_url}/oauth/authorize",
            "placeholder_image_prefixes": [SANDBOX_CDN],
        }
        if self.database_url:
            values["database_url"] = self.database_url
        values.update(self.settings_overrides)
        self.settings = Settings(_env_file=None, **values)
        # The app's allowed redirection URLs (Partner Dashboard): Shopify refuses any other
        # redirect_uri on its grant screen, and so does the sandbox once it is given them.
        callback = f"{self.settings.public_base_url.rstrip('/')}/auth/shopify/callback"
        self.shopify_options = {"redirect_urls": [callback], **self.shopify_options}
        tiktok_options = {"redirect_uri": f"{self.app_url}/auth/tiktok/callback",
                          "service_id": TIKTOK_SERVICE_ID, "webhook_url":
                          f"{self.app_url}/webhooks/tiktok", **self.tiktok_options}
        self._procs: list[subprocess.Popen[bytes]] = []
        self._app_proc: subprocess.Popen[bytes] | None = None
        self._app_port = ports[0]
        if self.sandboxes_in_processes:
            self._commands = self._sandbox_commands(ports[1], ports[2], tiktok_options)
            self._servers = [BackgroundServer(create_web_app(
                self.settings, run_worker=self.run_worker), port=ports[0])
            ] if self.app_in_process else []
            return
        if not self.app_in_process:
            raise ValueError("app_in_process=False needs sandboxes_in_processes=True")
        app = BackgroundServer(create_web_app(self.settings, run_worker=self.run_worker),
                               port=ports[0])
        self._servers = [
            BackgroundServer(create_shopify_sandbox(SHOPIFY_KEY, SHOPIFY_SECRET,
                                                    **self.shopify_options), port=ports[1]),
            BackgroundServer(create_tiktok_sandbox(TIKTOK_KEY, TIKTOK_SECRET, **tiktok_options),
                             port=ports[2]),
            app,
        ]

    def _sandbox_commands(self, shopify_port: int, tiktok_port: int,
                          tiktok_options: dict[str, Any]) -> list[list[str]]:
        cli = [sys.executable, "-m", "ecomsend", "sandbox"]
        return [
            [*cli, "shopify", "--port", str(shopify_port), "--api-key", SHOPIFY_KEY,
             "--api-secret", SHOPIFY_SECRET,
             *(arg for url in self.shopify_options["redirect_urls"]
               for arg in ("--redirect-url", url))],
            [*cli, "tiktok", "--port", str(tiktok_port), "--app-key", TIKTOK_KEY,
             "--app-secret", TIKTOK_SECRET, "--service-id", TIKTOK_SERVICE_ID,
             "--redirect-uri", tiktok_options["redirect_uri"],
             "--webhook-url", tiktok_options["webhook_url"]],
        ]

    def start(self) -> LocalStack:
        if self.sandboxes_in_processes:
            self._procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL,  # noqa: S603 (our own CLI)
                                            stderr=subprocess.DEVNULL)
                           for cmd in self._commands]
            for url in (self.shopify_url, self.tiktok_url):
                _wait_until_up(url, "/_sandbox/webhooks", timeout_s=START_TIMEOUT_S)
            if not self.app_in_process:
                self.start_app()
        for server in self._servers:
            server.start()
        return self

    def start_app(self) -> None:
        """Start the app process (`ecomsend serve`; app_in_process=False) and wait until it
        answers; the chaos suite calls it again after `kill_app`."""
        log = self.app_log.open("ab") if self.app_log else subprocess.DEVNULL
        self._app_proc = subprocess.Popen(  # noqa: S603 (our own CLI)
            [sys.executable, "-m", "ecomsend", "serve", "--port", str(self._app_port),
             "--no-migrate"], env=settings_env(self.settings),
            stdout=log, stderr=subprocess.STDOUT if self.app_log else log)
        self._procs.append(self._app_proc)
        # A restart after a SIGKILL opens a big database and recovers its jobs first: on a
        # loaded machine that takes over a minute at the chaos suite's full size.
        _wait_until_up(self.app_url, "/healthz", timeout_s=START_TIMEOUT_S)

    def kill_app(self) -> None:
        """SIGKILL the app process (a crash: no shutdown hook runs); the chaos suite's kill."""
        if self._app_proc is None:
            raise RuntimeError("kill_app needs app_in_process=False and a started stack")
        self._app_proc.kill()
        self._app_proc.wait(timeout=10)

    def stop(self) -> None:
        for server in reversed(self._servers):
            server.stop()
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:  # a shutdown stuck behind a running job
                    proc.kill()
                    proc.wait(timeout=10)

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes another process (`ecomsend serve|worker`) build the same
    Settings: this one's, minus any ECOMSEND_* / DATABASE_URL it had, plus every set field."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ECOMSEND_") and k != "DATABASE_URL"}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        key = "DATABASE_URL" if name == "database_url" else f"ECOMSEND_{name.upper()}"
        if isinstance(value, list | dict):  # pydantic-settings reads complex values as JSON
            env[key] = json.dumps(value)
        else:
            env[key] = str(value.value if hasattr(value, "value") else value)
    return env


def _wait_until_up(url: str, path: str, timeout_s: float = 60.0) -> None:
    """Wait for a server process to answer `path` (a sandbox builds its reference data on
    start; the app opens its database)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{url}{path}", timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not come up in {timeout_s:.0f}s")
        time.sleep(0.1)


class Merchant:
    """What a merchant does in a browser, over real HTTP with a cookie jar: install from Shopify,
    connect TikTok Shop. Follows the real redirects between the three servers."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.browser = httpx.AsyncClient(follow_redirects=True, timeout=30)

    async def close(self) -> None:
        await self.browser.aclose()

    async def create_store(self, domain: str, products: int, seed: int = 7,
                           listable: bool = False) -> dict[str, Any]:
        """A Shopify store with a seeded catalog (sandbox control API); `listable`: every
        product passes TikTok US's pre-flight."""
        control = f"{self.stack.shopify_url}/_sandbox/shops"
        (await self.browser.post(control, json={"domain": domain})).raise_for_status()
        seeded = await self.browser.post(f"{control}/{domain}/seed",
                                         json={"products": products, "seed": seed,
                                               "listable": listable})
        seeded.raise_for_status()
        result: dict[str, Any] = seeded.json()
        return result

    async def create_market(self, domain: str, country: str, currency: str,
                            rate: Decimal) -> dict[str, Any]:
        """A Shopify Market selling in `country` in `currency` (sandbox control API), as the
        merchant sets up in Settings › Markets."""
        response = await self.browser.post(
            f"{self.stack.shopify_url}/_sandbox/shops/{domain}/markets",
            json={"name": country, "countries": [country], "currency": currency,
                  "exchange_rate": str(rate)})
        response.raise_for_status()
        market: dict[str, Any] = response.json()
        return market

    async def install(self, domain: str) -> dict[str, Any]:
        """Install the app through the OAuth code grant; returns `/api/session`."""
        response = await self.browser.get(f"{self.stack.app_url}/auth/shopify/install",
                                          params={"shop": domain})
        response.raise_for_status()
        return await self.session()

    async def session(self) -> dict[str, Any]:
        """`/api/session` for the signed-in shop (the install and connect flows end on Home)."""
        response = await self.browser.get(f"{self.stack.app_url}/api/session")
        response.raise_for_status()
        session: dict[str, Any] = response.json()
        return session

    async def create_tiktok_shop(self, region: str = "US", **options: Any) -> dict[str, Any]:
        response = await self.browser.post(f"{self.stack.tiktok_url}/_sandbox/shops",
                                           json={"region": region, **options})
        response.raise_for_status()
        shop: dict[str, Any] = response.json()
        return shop

    async def connect_tiktok(self, tiktok_shop_id: str) -> dict[str, Any]:
        """Authorize the app on TikTok Shop's consent page for that shop; returns the session."""
        start = await self.browser.get(f"{self.stack.app_url}/auth/tiktok/connect",
                                       follow_redirects=False)
        if start.status_code != 302:
            raise RuntimeError(f"connect did not redirect: {start.status_code} {start.text}")
        consent = httpx.URL(start.headers["location"]).copy_add_param("shop_id", tiktok_shop_id)
        response = await self.browser.get(consent)
        response.raise_for_status()
        return await self.session()
