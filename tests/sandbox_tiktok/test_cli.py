"""`ecomsend sandbox tiktok` builds the app and hands it to uvicorn."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from ecomsend.cli.sandbox import sandbox_app
from ecomsend.sandbox.tiktok import cli


def test_cli_runs_uvicorn_with_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen["app"], seen["kwargs"] = app, kwargs

    monkeypatch.setattr(cli.uvicorn, "run", fake_run)
    result = CliRunner().invoke(sandbox_app, ["tiktok", "--port", "9123", "--app-key", "k",
                                              "--app-secret", "s"])
    assert result.exit_code == 0, result.output
    assert seen["kwargs"]["port"] == 9123
    assert seen["app"].sandbox.app_key == "k" and seen["app"].sandbox.app_secret == "s"
