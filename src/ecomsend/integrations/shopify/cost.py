"""Query cost and throttle arithmetic for Shopify's leaky bucket (pure; reference §5).

The transport calls `estimate_cost` before the first request of a document (afterwards it uses
the `requestedQueryCost` Shopify reported for the same `cost_key`), `parse_throttle` and
`charged_cost` on every response and `throttle_wait` when Shopify answered THROTTLED.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    parse,
)

#: A single query may not cost more than 1000 points (reference §5).
MAX_QUERY_COST = 1000.0
#: Every mutation costs 10 points (reference §5).
MUTATION_COST = 10.0
#: Connection overhead: a connection costs about 2 + `first` × its node (reference §5).
CONNECTION_BASE_COST = 2.0
#: `first`/`last` when a connection gives none (Shopify requires one; be conservative).
DEFAULT_PAGE_SIZE = 50

#: Connection wrappers that Shopify does not charge as objects of their own.
_WRAPPERS = frozenset({"nodes", "edges", "node"})

#: The Standard plan bucket, used until the first response tells us the shop's own (reference §5).
STANDARD_BUCKET_CAPACITY = 2000.0
STANDARD_RESTORE_RATE = 100.0


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    """`extensions.cost` of one response: what was charged and what the bucket holds now."""

    requested_cost: float | None
    actual_cost: float | None
    maximum_available: float
    currently_available: float
    restore_rate: float


def parse_throttle(body: Mapping[str, Any]) -> ThrottleStatus | None:
    """Read `extensions.cost` from a GraphQL response body; None when absent."""
    ext = body.get("extensions")
    cost = ext.get("cost") if isinstance(ext, Mapping) else None
    status = cost.get("throttleStatus") if isinstance(cost, Mapping) else None
    if not isinstance(cost, Mapping) or not isinstance(status, Mapping):
        return None
    try:
        return ThrottleStatus(
            requested_cost=_opt_float(cost.get("requestedQueryCost")),
            actual_cost=_opt_float(cost.get("actualQueryCost")),
            maximum_available=float(status["maximumAvailable"]),
            currently_available=float(status["currentlyAvailable"]),
            restore_rate=float(status["restoreRate"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def charged_cost(status: ThrottleStatus, body: Mapping[str, Any], reserved: float) -> float:
    """What Shopify kept of a request's reservation (reference §5: requestedQueryCost reserved,
    the difference with actualQueryCost refunded). No actual cost and no `data` (THROTTLED,
    over the maximum cost, invalid document): nothing was executed, nothing charged. No
    actual cost but data: the worst case. Called by the transport to settle the limiter."""
    if status.actual_cost is not None:
        return status.actual_cost
    if body.get("data") is None:
        return 0.0
    return status.requested_cost or reserved


def cost_key(name: str, variables: Mapping[str, Any]) -> str:
    """The key under which an operation's `requestedQueryCost` is remembered: its name plus
    the top-level variables that size it (integers such as `first`, booleans that switch
    fields, the length of lists such as `ids`); a `first: 5` look-up costs 12, `first: 1`
    costs 4, so learning one must not price the other. Called by the transport."""
    sizes = []
    for var, value in sorted(variables.items()):
        if isinstance(value, (bool, int)):
            sizes.append(f"{var}={value}")
        elif isinstance(value, (list, tuple)):
            sizes.append(f"{var}#{len(value)}")
    return "|".join([name, *sizes])


def throttle_wait(status: ThrottleStatus | None, requested: float) -> float:
    """Seconds to wait after THROTTLED: `(requested - available) / restoreRate` (reference §5),
    at least a short beat so a retry never spins."""
    if status is None or status.restore_rate <= 0:
        return 1.0
    missing = requested - status.currently_available
    return max(0.05, missing / status.restore_rate)


def estimate_cost(document: str, variables: Mapping[str, Any] | None = None) -> float:
    """A conservative estimate of `requestedQueryCost` for a document never sent before.

    Objects cost 1, scalars 0, a connection 2 + first × its selection, a mutation 10 (reference
    §5); capped at Shopify's 1000 maximum. Used by the transport before the first response.
    """
    op = _operation(document)
    if op is None:
        return MAX_QUERY_COST
    if op.operation is OperationType.MUTATION:
        return MUTATION_COST
    total = _selection_cost(op.selection_set, dict(variables or {}))
    return float(min(MAX_QUERY_COST, max(1.0, math.ceil(total))))


@lru_cache(maxsize=256)
def _operation(document: str) -> OperationDefinitionNode | None:
    for definition in parse(document).definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition
    return None


def _selection_cost(selection_set: SelectionSetNode | None, variables: dict[str, Any]) -> float:
    if selection_set is None:
        return 0.0
    total = 0.0
    for sel in selection_set.selections:
        if isinstance(sel, InlineFragmentNode):
            total += _selection_cost(sel.selection_set, variables)
        elif isinstance(sel, FieldNode) and sel.selection_set is not None:
            if sel.name.value in _WRAPPERS and not sel.arguments:
                total += _selection_cost(sel.selection_set, variables)
                continue
            inner = _selection_cost(sel.selection_set, variables)
            size = _page_size(sel, variables)
            total += CONNECTION_BASE_COST + size * inner if size else 1.0 + inner
        elif isinstance(sel, FragmentSpreadNode):
            total += 1.0
    return total


def _page_size(field: FieldNode, variables: dict[str, Any]) -> int | None:
    """`first`/`last` of a connection field (literal or variable); None for a plain object."""
    for arg in field.arguments or ():
        if arg.name.value not in ("first", "last"):
            continue
        if isinstance(arg.value, IntValueNode):
            return int(arg.value.value)
        if isinstance(arg.value, VariableNode):
            value = variables.get(arg.value.name.value)
            return int(value) if isinstance(value, int) else DEFAULT_PAGE_SIZE
    return None
