"""Fault injection: latency, 5xx, 429, timeouts, connection resets; webhook duplicates,
reorders, delays and drops.

Each spec owns a `random.Random(seed)`, so a run with the same seed and the same request order
draws the same faults. `paths` select endpoints by prefix or glob (`*`). Injected faults are
counted per shop (`Store.faults_injected`, read by the control API for chaos reports).
"""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field
from typing import Any

#: The keys a fault spec accepts (CONTROL.md "Fault spec").
_RATE_KEYS = ("latency_rate", "error_rate", "rate_limit_rate", "timeout_rate", "reset_rate",
              "webhook_duplicate_rate", "webhook_reorder_rate", "webhook_delay_rate",
              "webhook_drop_rate")
#: HTTP statuses allowed for injected server errors.
ALLOWED_ERROR_STATUSES = (500, 502, 503)


@dataclass
class FaultSpec:
    """Probabilities (0..1) and parameters of injected faults."""

    seed: int = 0
    latency_ms: float = 0.0
    latency_rate: float = 0.0
    error_rate: float = 0.0
    error_status: int = 500
    rate_limit_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_s: float = 10.0
    reset_rate: float = 0.0
    webhook_duplicate_rate: float = 0.0
    webhook_reorder_rate: float = 0.0
    webhook_reorder_delay_s: float = 0.5
    webhook_delay_rate: float = 0.0
    webhook_delay_s: float = 5.0
    webhook_drop_rate: float = 0.0
    paths: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> FaultSpec:
        """Validate and build a spec from the control API body (ValueError on bad input)."""
        known = set(cls.__dataclass_fields__) - {"rng"}
        unknown = set(body) - known
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        spec = cls(**body)
        for key in _RATE_KEYS:
            value = float(getattr(spec, key))
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{key} must be within 0..1")
            setattr(spec, key, value)
        if spec.error_status not in ALLOWED_ERROR_STATUSES:
            raise ValueError(f"error_status must be one of {ALLOWED_ERROR_STATUSES}")
        spec.rng = random.Random(spec.seed)
        return spec

    def to_json(self) -> dict[str, Any]:
        """The spec as given (without the RNG)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "rng"}

    def applies_to(self, path: str) -> bool:
        """Whether API faults apply to this request path."""
        return not self.paths or any(fnmatch.fnmatchcase(path, p) if "*" in p
                                     else path.startswith(p) for p in self.paths)

    def hit(self, rate: float) -> bool:
        """Draw once against a rate."""
        return rate > 0 and self.rng.random() < rate


@dataclass
class FaultDecision:
    """What to do to one API request."""

    latency_s: float = 0.0
    action: str = ""  # "", "error", "rate_limit", "timeout", "reset"
    error_status: int = 500
    timeout_s: float = 0.0


def decide(specs: list[FaultSpec], path: str) -> FaultDecision:
    """Combine the app-wide and shop faults for one request; the first action drawn wins."""
    decision = FaultDecision()
    for spec in specs:
        if not spec.applies_to(path):
            continue
        if spec.hit(spec.latency_rate) and spec.latency_ms:
            decision.latency_s += spec.latency_ms / 1000.0
        if decision.action:
            continue
        if spec.hit(spec.error_rate):
            decision.action, decision.error_status = "error", spec.error_status
        elif spec.hit(spec.rate_limit_rate):
            decision.action = "rate_limit"
        elif spec.hit(spec.timeout_rate):
            decision.action, decision.timeout_s = "timeout", spec.timeout_s
        elif spec.hit(spec.reset_rate):
            decision.action = "reset"
    return decision
