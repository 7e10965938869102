"""Shared helpers of the benchmarks (imported by `bench/*.py`; not a benchmark itself).

- `cpu_calibration_ms()`: a fixed pure-Python workload, printed by every benchmark so runs on
  different machines (or on one machine under different load) can be compared;
- `pct()`: a percentile by nearest rank, the same in every benchmark;
- `ratio()`: a rounded ratio that is `None` rather than a division by zero;
- `emit()`: the one JSON object a benchmark prints as its last stdout line.
"""

from __future__ import annotations

import json
import math
import sys
import time
from typing import Any

#: Iterations of the calibration loop: ≈ 150–300 ms on the 2-core development machine, long
#: enough to be stable, short enough to run before and after every benchmark.
CALIBRATION_ITERATIONS = 3_000_000


def cpu_calibration_ms() -> float:
    """Milliseconds this interpreter takes for a fixed pure-Python loop (best of three, so a
    moment of contention on a shared machine counts less). Called by every benchmark."""
    best = math.inf
    for _ in range(3):
        began = time.perf_counter()
        total = 0
        for i in range(CALIBRATION_ITERATIONS):
            total += i % 7
        best = min(best, time.perf_counter() - began)
    return round(best * 1000, 1)


def pct(values: list[float], q: float) -> float | None:
    """The `q` quantile (0–1) of `values` by nearest rank, rounded to 0.1; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return round(ordered[index], 1)


def ratio(numerator: float | None, denominator: float | None, digits: int = 3) -> float | None:
    """numerator / denominator rounded, or None if either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, digits)


def log(message: str) -> None:
    """Diagnostics go to stderr: stdout carries only the result line."""
    print(message, file=sys.stderr, flush=True)


def emit(result: dict[str, Any]) -> None:
    """Print the benchmark's one JSON object as the last line of stdout."""
    print(json.dumps(result), flush=True)
