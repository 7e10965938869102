"""Run every benchmark, keep its JSON, chart it and regenerate the README's benchmark table.

    .venv/bin/python bench/run_all.py [--only a,b] [--skip c] [--quick] [--table-only]
                                      [--args "--big-products 1000"] [--variant -embedded]
                                      [--suffix -at-5-per-s]

A benchmark is any `bench/*.py` with a `__main__` block, except this file, `benchlib.py` and
helpers whose name starts with `_` (so a benchmark added later is picked up). Each runs in its
own process, one after the other (they measure; running two at once would measure the
contention). Its last stdout line (one JSON object) goes to `bench/results/<name>.json` with
the arguments, the time and the load average; a PNG chart to `bench/results/<name>.png`.
Then the table between the README's `bench-table` markers is rebuilt from every results file.
`--quick` uses tiny sizes (for trying the pipeline, not for numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
README = BENCH.parent / "README.md"
NOT_BENCHMARKS = {"run_all.py", "benchlib.py"}
#: Lines of a benchmark's stderr kept in its results file.
STDERR_LINES = 40
START, END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"
#: Tiny sizes for --quick (and for tests/bench): the pipeline, not the numbers.
QUICK_ARGS: dict[str, list[str]] = {
    "shopify_bulk_fetch": ["--products", "200"],
    "inventory_latency": ["--products", "12", "--changes", "24", "--rate", "20"],
    "tiktok_push": ["--products", "20", "--changes", "120", "--rate", "150"],
    "order_sync": ["--orders", "10"],
    "webhook_ingest": ["--seconds", "3", "--rate", "100", "--products", "5"],
    "ui_products_page": ["--products", "50", "--loads", "1"],
    "chaos": ["--mode", "embedded", "--size", "small"],
    "multi_tenant": ["--shops", "3", "--big-products", "20", "--small-products", "4",
                     "--rate", "2", "--seconds", "3"],
}
#: Benchmarks run in more than one configuration: (results-name suffix, arguments) each.
VARIANTS: dict[str, list[tuple[str, list[str]]]] = {
    "webhook_ingest": [("", []), ("-postgres", ["--postgres"])],
    # Issue 12 §3: 20 shops on the scale-out deployment, 5 on the embedded default.
    "multi_tenant": [("", []), ("-embedded", ["--embedded"])],
}
#: Per benchmark: the figures the README table shows (key, label) and the target.
SUMMARY: dict[str, tuple[list[tuple[str, str]], str]] = {
    "shopify_bulk_fetch": ([("variants_per_s", "variants/s"), ("baseline_variants_per_s",
                            "baseline variants/s"), ("ratio_to_baseline", "ratio to baseline"),
                           ("cpu_ratio_to_baseline", "CPU ratio"),
                           ("peak_rss_mb", "peak RSS MB")],
                           "ratio ≥ 0.6; ≥ 20,000/s, ≤ 300 MB"),
    "inventory_latency": ([("p50_ms", "p50 ms"), ("p99_ms", "p99 ms"), ("baseline_p99_ms",
                           "baseline p99 ms"), ("p99_ratio_to_baseline", "p99 ratio"),
                           ("calls_per_noop_update", "calls/no-op"),
                           ("calls_per_tag_edit", "calls/tag edit"), ("lost", "lost")],
                          "p99 ratio ≤ 3; p99 ≤ 1,000 ms; 0 calls; 0 lost"),
    "tiktok_push": ([("achieved_qps", "QPS"), ("limit_qps", "limit"),
                     ("ratio_to_limit", "ratio to limit"), ("throttled", "throttled")],
                    "ratio ≥ 0.9, 0 throttled"),
    "order_sync": ([("orders_per_min", "orders/min"), ("max_orders_per_min", "cost max/min"),
                    ("ratio_to_cost_max", "ratio to cost max"), ("duplicates", "duplicates"),
                    ("shopify_requests", "Shopify requests"),
                    ("shopify_throttled", "THROTTLED")],
                   "ratio ≥ 0.8, 0 duplicates, THROTTLED ≤ 1 % of requests"),
    "webhook_ingest": ([("mode", "mode"), ("rate_per_s", "webhooks/s"), ("p50_ms", "p50 ms"),
                        ("p99_ms", "p99 ms"), ("p9999_ms", "p99.99 ms"), ("lost", "lost"),
                        ("processed_twice", "twice"),
                        ("web_cpu_ms_per_webhook", "web CPU ms/webhook")],
                       "≥ 1,000/s (embedded), ≥ 2,500/s (--postgres); p99 ≤ 100 ms; 0, 0"),
    "multi_tenant": ([("mode", "mode"), ("shops", "shops"), ("small_p99_ms", "small p99 ms"),
                      ("small_p99_alone_ms", "alone p99 ms"),
                      ("small_p99_ratio_to_alone", "p99 ratio to alone"),
                      ("big_shop_ratio_to_limit", "big shop ratio to limit"),
                      ("throttled", "throttled"), ("lost", "lost"),
                      ("cores_needed", "app cores needed for both targets")],
                     "p99 ratio ≤ 2; big shop ≥ 0.9 of its limit; 0 throttled"),
    "ui_products_page": ([("lcp_p75_ms", "LCP p75 ms"), ("lcp_ratio_to_baseline", "LCP ratio"),
                          ("inp_p75_ms", "INP p75 ms"), ("inp_ratio_to_baseline", "INP ratio"),
                          ("cls", "CLS")], "LCP ≤ 1,000 ms, INP ≤ 100 ms, CLS ≤ 0.05"),
}
#: Chart bars per benchmark: (key, label); otherwise every ratio and *_ms figure.
CHARTS: dict[str, list[tuple[str, str]]] = {
    "shopify_bulk_fetch": [("variants_per_s", "app"), ("baseline_variants_per_s", "baseline")],
    "inventory_latency": [("p50_ms", "app p50"), ("p99_ms", "app p99"),
                          ("baseline_p50_ms", "baseline p50"),
                          ("baseline_p99_ms", "baseline p99")],
    "tiktok_push": [("achieved_qps", "achieved QPS"), ("limit_qps", "limit QPS")],
    "order_sync": [("orders_per_min", "achieved/min"), ("max_orders_per_min", "cost max/min")],
    "webhook_ingest": [("p50_ms", "p50"), ("p99_ms", "p99"), ("p9999_ms", "p99.99")],
    "multi_tenant": [("small_p99_ms", "small shops p99"),
                     ("small_p99_alone_ms", "small shops p99 alone")],
}


def benchmarks() -> list[str]:
    """Names of the benchmarks in bench/ (see the module docstring for what counts)."""
    names = []
    for path in sorted(BENCH.glob("*.py")):
        if path.name in NOT_BENCHMARKS or path.name.startswith("_"):
            continue
        if re.search(r'^if __name__ == "__main__":', path.read_text(), re.MULTILINE):
            names.append(path.stem)
    return names


def run_one(name: str, args: list[str], timeout_s: float) -> dict[str, Any]:
    """Run one benchmark in its own process; its record (result = the last stdout line)."""
    began = time.time()
    done = subprocess.run([sys.executable, str(BENCH / f"{name}.py"), *args],
                          capture_output=True, text=True, timeout=timeout_s, cwd=BENCH.parent)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{name} failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"benchmark": name, "args": args,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(began)),
            "wall_s": round(time.time() - began, 1),
            "load_average": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
            "result": json.loads(lines[-1]),
            # The benchmark's diagnostics (stderr), last lines: what the figures don't say.
            "stderr_tail": done.stderr.splitlines()[-STDERR_LINES:]}


def chart(record: dict[str, Any], path: Path) -> None:
    """A bar chart of the benchmark's headline figures (app beside baseline or limit)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result, name = record["result"], record["benchmark"]
    bars = [(label, result[key]) for key, label in CHARTS.get(name, [])
            if isinstance(result.get(key), int | float)]
    if not bars:
        bars = [(key, value) for key, value in result.items() if isinstance(value, int | float)
                and not isinstance(value, bool) and (_is_ratio(key) or key.endswith("_ms"))]
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    if bars:
        labels, values = zip(*bars, strict=True)
        # The app in blue; what it is measured against (baseline, limit, maximum) in grey.
        colours = ["#8c9196" if re.search(r"baseline|limit|max", label) else "#2c6ecb"
                   for label in labels]
        ax.bar(labels, values, color=colours)
        for i, value in enumerate(values):
            text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
            ax.annotate(text, (i, value), ha="center", va="bottom", fontsize=8)
        ax.tick_params(axis="x", labelsize=8, rotation=20 if len(bars) > 4 else 0)
    ratios = ", ".join(f"{k} {v}" for k, v in result.items() if _is_ratio(k) and v is not None)
    ax.set_title(f"{name}  ({ratios})" if ratios else name, fontsize=9)
    fig.text(0.01, 0.01, f"{record['measured_at']}  load {record.get('load_average')} on "
             f"{record.get('cpus')} CPUs  cpu_calibration {result.get('cpu_calibration_ms')} ms",
             fontsize=7, color="#6d7175")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def _is_ratio(key: str) -> bool:
    """Whether a result key is a ratio (`ratio`, `*_ratio_*`, `ratio_to_*`)."""
    return key == "ratio" or key.startswith("ratio_") or "_ratio" in key


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}".removesuffix(".0")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "–" if value is None else str(value)


def table(results: Path = RESULTS) -> str:
    """The markdown table of every results file (one row each)."""
    rows = ["| benchmark | result | target | cpu_calibration_ms | measured |",
            "|---|---|---|---|---|"]
    for path in sorted(results.glob("*.json")):
        record = json.loads(path.read_text())
        result, name = record["result"], record["benchmark"]
        keys, target = SUMMARY.get(name, ([(k, k) for k in result if _is_ratio(k)], ""))
        figures = ", ".join(f"{label} {_cell(result.get(key))}" for key, label in keys
                            if key in result)
        args = " ".join(record.get("args") or [])
        rows.append(f"| `{name}.py`{' `' + args + '`' if args else ''} | {figures} | {target} "
                    f"| {_cell(result.get('cpu_calibration_ms'))} | {record['measured_at'][:16]}"
                    f"Z, load {record.get('load_average')} |")
    return "\n".join(rows)


def update_readme(readme: Path = README, results: Path = RESULTS) -> bool:
    """Replace the table between the markers; False if the README has no markers."""
    text = readme.read_text()
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{table(results)}\n{END}{tail}")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (pipeline check)")
    parser.add_argument("--table-only", action="store_true",
                        help="only rebuild the README table and the charts from "
                             "bench/results/")
    parser.add_argument("--timeout", type=float, default=3600.0, help="per benchmark, s")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--args", default="", help="more arguments for each run (with --only "
                        "one benchmark); kept in its results file and table row")
    parser.add_argument("--variant", action="append", default=None,
                        help="run only this configuration of a benchmark that has several "
                             "(its results suffix: '' or e.g. -embedded); repeatable")
    parser.add_argument("--suffix", default="", help="appended to the results file's name "
                        "(a run with other --args beside the default one)")
    args = parser.parse_args()
    args.results.mkdir(parents=True, exist_ok=True)
    if not args.table_only:
        only = {n for n in args.only.split(",") if n}
        skip = {n for n in args.skip.split(",") if n}
        for name in benchmarks():
            if (only and name not in only) or name in skip:
                continue
            if args.quick and name not in QUICK_ARGS:
                print(f"[run_all] {name}: no quick size known, skipped", file=sys.stderr)
                continue
            for suffix, extra in VARIANTS.get(name, [("", [])]):
                if args.variant is not None and suffix not in args.variant:
                    continue
                suffix += args.suffix
                print(f"[run_all] {name}{suffix} …", file=sys.stderr, flush=True)
                try:
                    record = run_one(name, [*(QUICK_ARGS.get(name, []) if args.quick else []),
                                            *extra, *shlex.split(args.args)], args.timeout)
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    print(f"[run_all] {name} failed: {exc}", file=sys.stderr, flush=True)
                    continue
                out = args.results / f"{name}{suffix}"
                out.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
                chart(record, out.with_suffix(".png"))
                print(json.dumps(record["result"]), flush=True)
    if args.table_only:  # charts too, from the files (e.g. after changing the chart)
        for path in sorted(args.results.glob("*.json")):
            chart(json.loads(path.read_text()), path.with_suffix(".png"))
    if args.results == RESULTS and not update_readme():
        print("[run_all] README has no bench-table markers", file=sys.stderr)


if __name__ == "__main__":
    main()
