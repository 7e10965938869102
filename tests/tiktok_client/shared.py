"""Where the shared contract data lives (`../shared` beside the repo) and how to skip without it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
TIKTOK_CONTRACTS = SHARED / "contracts" / "tiktok"
OFFICIAL_SPECS = TIKTOK_CONTRACTS / "official-docs-scraped" / "api-reference"
FUDIWEI = TIKTOK_CONTRACTS / "fudiwei-samples"


def need(path: Path) -> Path:
    """`path`, or skip the test: the shared contract data is not checked out beside the repo."""
    if not path.exists():
        pytest.skip(f"{path} is absent: the ../shared contract data is not available here")
    return path


def load_json(path: Path) -> Any:
    return json.loads(need(path).read_text())
