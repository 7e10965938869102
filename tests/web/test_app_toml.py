"""`shopify.app.toml` says what the code does: the same scopes, the topics the install job
subscribes, redirect URLs and webhook paths that are real routes of the app."""

from __future__ import annotations

import tomllib
from urllib.parse import urlsplit

from starlette.routing import Match

from conftest import REPO_ROOT
from ecomsend.config import Settings
from ecomsend.sync.install import SHOPIFY_WEBHOOK_TOPICS
from ecomsend.web.app import create_app

TOML = tomllib.loads((REPO_ROOT / "shopify.app.toml").read_text())


APP = create_app(Settings(_env_file=None), run_worker=False)


def _routed(method: str, path: str) -> bool:
    """A route of the app (not the UI's client-route fallback) takes `method path`."""
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    return any(route.matches(scope)[0] is Match.FULL
               and getattr(route, "name", None) != "client_route" for route in APP.routes)


def test_scopes_are_the_settings_scopes() -> None:
    toml_scopes = set(TOML["access_scopes"]["scopes"].split(","))
    assert toml_scopes == set(Settings(_env_file=None).shopify_scopes.split(","))
    assert TOML["embedded"] is True
    assert TOML["access_scopes"]["use_legacy_install_flow"] is False


def test_topics_are_what_the_install_job_subscribes() -> None:
    [main, compliance] = TOML["webhooks"]["subscriptions"]
    # Enum → REST topic: PRODUCTS_CREATE → products/create, INVENTORY_LEVELS_UPDATE →
    # inventory_levels/update (the last underscore is the slash).
    expected = {t.lower()[::-1].replace("_", "/", 1)[::-1] for t in SHOPIFY_WEBHOOK_TOPICS}
    assert set(main["topics"]) == expected
    assert set(compliance["compliance_topics"]) == {"customers/data_request",
                                                    "customers/redact", "shop/redact"}
    assert TOML["webhooks"]["api_version"] == Settings(_env_file=None).shopify_api_version


def test_paths_are_routes_of_the_app() -> None:
    assert not _routed("POST", "/webhooks/nowhere")  # the check itself can fail
    for subscription in TOML["webhooks"]["subscriptions"]:
        assert _routed("POST", subscription["uri"])
    for url in TOML["auth"]["redirect_urls"]:
        assert _routed("GET", urlsplit(url).path)
