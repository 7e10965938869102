"""The benchmarks run and say what they promise (issue 12 §1, §2) — at tiny sizes, so the JSON
keys, the baselines' ratios and the exactly-once checks are tested, never the speed.

Each benchmark runs as a real process (`bench/NAME.py`, the sandboxes and the app in theirs),
exactly as `bench/run_all.py` runs it; run_all's table and chart are checked on its own files.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import run_all  # noqa: E402 (bench/ is not a package)

#: Keys every benchmark's JSON must carry, and the ratio keys that must be positive numbers.
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "shopify_bulk_fetch": ({"variants", "variants_per_s", "baseline_variants_per_s",
                            "peak_rss_mb"}, {"ratio_to_baseline"}),
    "inventory_latency": ({"p50_ms", "p99_ms", "baseline_p99_ms", "calls_per_noop_update",
                           "calls_per_tag_edit", "lost", "coalesced"},
                          {"p99_ratio_to_baseline"}),
    "tiktok_push": ({"pushes", "achieved_qps", "limit_qps", "throttled"}, {"ratio_to_limit"}),
    "order_sync": ({"orders_per_min", "order_create_cost", "max_orders_per_min",
                    "duplicates", "missing", "shopify_requests", "shopify_throttled"},
                   {"ratio_to_cost_max"}),
    "webhook_ingest": ({"seconds", "webhooks", "rate_per_s", "p50_ms", "p99_ms", "p9999_ms",
                        "lost", "processed_twice"}, {"rate_ratio_to_target"}),
    "multi_tenant": ({"shops", "small_p99_ms", "small_p99_alone_ms", "throttled", "lost",
                      "per_shop", "phases", "capacity", "cores_needed"},
                     {"small_p99_ratio_to_alone", "big_shop_ratio_to_limit"}),
}


def run_benchmark(name: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(BENCH / f"{name}.py"),
                           *run_all.QUICK_ARGS[name]], capture_output=True, text=True,
                          timeout=840, cwd=BENCH.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    last = [line for line in done.stdout.splitlines() if line.strip()][-1]
    result: dict[str, Any] = json.loads(last)
    return result


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_benchmark_prints_its_figures_and_ratios(name: str) -> None:
    keys, ratios = EXPECTED[name]
    result = run_benchmark(name)
    assert keys | ratios | {"cpu_calibration_ms"} <= result.keys()
    assert result["cpu_calibration_ms"] > 0
    for key in ratios:
        value = result[key]
        assert isinstance(value, int | float) and math.isfinite(value) and value > 0, (key, result)
    if name == "webhook_ingest":
        assert result["webhooks"] > 0
        assert (result["lost"], result["processed_twice"], result["unprocessed"]) == (0, 0, 0)
        assert result["p50_ms"] <= result["p99_ms"] <= result["p9999_ms"]
    if name == "order_sync":
        assert (result["duplicates"], result["missing"]) == (0, 0)
        assert result["order_create_cost"] > 0
    if name == "shopify_bulk_fetch":
        assert result["variants"] == 200 * 3
    if name == "multi_tenant":  # every small-shop change reached TikTok, none throttled
        assert (result["throttled"], result["lost"]) == (0, 0), result
        assert len(result["per_shop"]) == result["shops"]
        assert result["capacity"]["app_cpu_ms_per_small_change"] > 0
        assert result["capacity"]["cores_here"] == os.cpu_count()
    if name == "tiktok_push":
        assert result["pushes"] > 0 and result["limit_qps"] > 0


def test_run_all_finds_every_benchmark_and_no_helper() -> None:
    found = set(run_all.benchmarks())
    assert set(EXPECTED) <= found
    assert not {"benchlib", "run_all", "chaos_check", "chaos_world", "_bare_inventory",
                "_webhook_loadgen"} & found


def test_run_all_table_and_chart_come_from_the_results_files(tmp_path: Path) -> None:
    record = {"benchmark": "order_sync", "args": ["--orders", "10"],
              "measured_at": "2026-12-03T23:00:00Z", "load_average": 3.2, "cpus": 2,
              "result": {"orders_per_min": 700.5, "max_orders_per_min": 5161.0,
                         "ratio_to_cost_max": 0.136, "duplicates": 0,
                         "cpu_calibration_ms": 170.2}}
    results = tmp_path / "results"
    results.mkdir()
    (results / "order_sync.json").write_text(json.dumps(record))
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{run_all.START}\nold table\n{run_all.END}\n\nafter\n")
    assert run_all.update_readme(readme, results)
    text = readme.read_text()
    assert "old table" not in text and text.endswith("\n\nafter\n")
    row = next(line for line in text.splitlines() if line.startswith("| `order_sync.py`"))
    assert "ratio to cost max 0.136" in row and "orders/min 700.5" in row and "170.2" in row
    run_all.chart(record, tmp_path / "order_sync.png")
    assert (tmp_path / "order_sync.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not run_all.update_readme(tmp_path / "results" / "order_sync.json", results)
