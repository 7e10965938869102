"""The demo run (placeholder until the sandboxes and clients land)."""

from __future__ import annotations

from pathlib import Path


def run_demo(*, headless: bool, products: int, report: Path | None) -> int:
    """Run the demo; returns the process exit code."""
    from ecomsend.config import get_settings
    from ecomsend.db.migrate import upgrade

    upgrade(get_settings())
    return 0
