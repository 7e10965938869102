"""`ecomsend demo` exits honestly: with a step timeout too short for the listing to settle, it
exits 1 and its report names the failed step and tells listable products that did not settle
apart from products that cannot list (drafts, archived)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_demo_exits_non_zero_when_the_listing_times_out(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ECOMSEND_") and k != "DATABASE_URL"}
    env.update(ECOMSEND_VAR_DIR=str(tmp_path), ECOMSEND_DEMO_LISTING_TIMEOUT_S="0.05")
    report_file = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "ecomsend", "demo", "--headless", "--products", "12",
         "--report", str(report_file)],
        cwd=tmp_path, env=env, capture_output=True, timeout=240, check=False)
    assert done.returncode == 1, done.stderr.decode()[-2000:]
    report = json.loads(report_file.read_text())
    steps = {s["step"]: s for s in report["steps"]}
    assert [s["step"] for s in report["steps"] if not s["ok"]] == ["listing"]
    assert steps["seed"]["ok"] and steps["import_catalog"]["ok"]
    assert "orders" not in steps  # nothing runs after a failed step
    assert "did not settle" in steps["listing"]["error"]
    products = report["products"]
    assert products["not_settled"] > 0
    assert products["listable"] + products["not_listable"] == products["total"] == 12
    assert products["not_settled"] == products["listable"] - products["synced"] - \
        products["failed"] - products["review_failed"]
