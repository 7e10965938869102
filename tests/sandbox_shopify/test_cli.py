"""`ecomsend sandbox shopify` builds the sandbox app and serves it with uvicorn."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from ecomsend.cli.sandbox import sandbox_app


def test_cli_runs_uvicorn_with_the_sandbox(monkeypatch: pytest.MonkeyPatch, schema: Any) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    result = CliRunner().invoke(sandbox_app, ["shopify", "--port", "9999", "--api-key", "k",
                                              "--api-secret", "s"])
    assert result.exit_code == 0, result.output
    assert calls[0]["port"] == 9999
    assert calls[0]["app"].sandbox.api_key == "k"
