"""The chaos suite at its small size, in both modes (issue 11 §3): faults on both platforms,
duplicated/reordered/dropped webhooks, SIGKILLed app (embedded) or workers (scale-out), then
the platforms' final state must hold every product exactly, every order once, every
fulfillment and cancellation synced. Runs `bench/chaos.py` as a process and reads its JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

#: In CI by default, both modes: a small run takes 4-6 minutes a mode on the 2-core machine even
#: with other jobs loading it (220-370 s measured; ~10 minutes for both). Marked slow
#: (`-m "not slow"` leaves it out); ECOMSEND_CHAOS=0 skips it.
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("ECOMSEND_CHAOS") == "0",
                                 reason="ECOMSEND_CHAOS=0: chaos suite skipped")]
BENCH = Path(__file__).resolve().parents[2] / "bench" / "chaos.py"
#: The bench bounds itself (phases, then 5 minutes of convergence); this is only a backstop.
RUN_TIMEOUT_S = 1200


def _chaos(mode: str, var_dir: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(BENCH), "--mode", mode, "--size", "small",
                           "--var-dir", str(var_dir), *extra], capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr"] = done.stderr[-3000:]
    return result


def _assert_exact(result: dict[str, Any], kills: int) -> None:
    why = json.dumps(result, indent=1)
    assert result["kills"] == kills, why
    assert result["faults_injected"] > 0, why
    products, orders, fulfillments = (result["products"], result["orders"],
                                      result["fulfillments"])
    assert products["expected"] > 0 and products["exact"] == products["expected"], why
    assert products["mismatched"] == 0 and products["duplicates"] == 0, why
    assert result["stock_mismatches"] == 0, why
    assert orders["expected"] > 0 and orders["created"] == orders["expected"], why
    assert orders["duplicates"] == 0 and orders["missing"] == 0, why
    assert fulfillments["expected"] > 0 and fulfillments["synced"] == fulfillments["expected"], why
    assert fulfillments["duplicates"] == 0 and fulfillments["missing"] == 0, why
    assert result["cancellations"]["missing"] == 0, why


@pytest.mark.timeout(RUN_TIMEOUT_S)
def test_chaos_embedded_converges_exactly(tmp_path: Path) -> None:
    _assert_exact(_chaos("embedded", tmp_path), kills=3)


@pytest.mark.postgres
@pytest.mark.timeout(RUN_TIMEOUT_S)
def test_chaos_scale_out_converges_exactly(tmp_path: Path, postgres_url: str) -> None:
    _assert_exact(_chaos("scale-out", tmp_path, "--database-url", postgres_url), kills=5)
