"""One Admin GraphQL request: validate, cost, throttle, execute, refund, respond.

Called by the GraphQL route in `app`. Returns the JSON body Shopify would send (always HTTP 200
once authenticated), with `extensions.cost` on every response (reference §5).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
)
from graphql.execution.values import get_variable_values

from ecomsend.sandbox.shopify.cost import MAX_QUERY_COST, CostCalculator, CostError
from ecomsend.sandbox.shopify.input_limits import oversized_inputs
from ecomsend.sandbox.shopify.resolvers import all as _all_resolvers  # noqa: F401
from ecomsend.sandbox.shopify.resolvers.base import Ctx, resolve_field, resolve_type
from ecomsend.sandbox.shopify.resolvers.orders import order_search_fields
from ecomsend.sandbox.shopify.schema import get_schema, validate_document
from ecomsend.sandbox.shopify.search_index import ORDER_MUTATIONS, index_of
from ecomsend.sandbox.shopify.store import Sandbox, Shop, Token
from ecomsend.sandbox.shopify.util import now

RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"


def _cost_ext(shop: Shop, requested: int | None, actual: int | None) -> dict[str, Any]:
    """extensions.cost with the bucket's current throttleStatus."""
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                     "throttleStatus": shop.bucket.status()}}


def _error_response(shop: Shop, errors: list[dict[str, Any]], requested: int | None = None
                    ) -> dict[str, Any]:
    """A top-level-errors response (HTTP 200) with extensions.cost."""
    return {"errors": errors, "extensions": _cost_ext(shop, requested, None)}


def _pick_operation(document: DocumentNode, name: str | None
                    ) -> OperationDefinitionNode | str:
    """The operation to run (by operationName), or an error message."""
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        for op in ops:
            if op.name and op.name.value == name:
                return op
        return f"No operation named \"{name}\""
    if len(ops) != 1:
        return "An operation name is required"
    return ops[0]


def _max_cost_error(cost: int) -> dict[str, Any]:
    # Reference §5: a single query may not cost more than 1000 points.
    """The MAX_COST_EXCEEDED error Shopify returns for a query over 1000."""
    return {"message": f"Query cost is {cost}, which exceeds the single query max cost limit "
                       f"({MAX_QUERY_COST}).\n\nSee {RATE_LIMIT_DOCS} for more information on "
                       "how the cost of a query is calculated.\n\nTo query larger amounts of "
                       "data with fewer limits, bulk operations should be used instead.",
            "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost,
                           "maxCost": MAX_QUERY_COST}}


def _prepare(document: DocumentNode, body: dict[str, Any]
             ) -> tuple[OperationDefinitionNode, Any] | list[dict[str, Any]]:
    """Pick the operation and coerce its variables; errors come back as a list."""
    op = _pick_operation(document, body.get("operationName"))
    if isinstance(op, str):
        return [{"message": op, "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]
    raw = body.get("variables") or {}
    if not isinstance(raw, dict):
        return [{"message": "Variables must be an object"}]
    coerced = get_variable_values(get_schema(), op.variable_definitions or (), raw)
    if isinstance(coerced, list):
        return [{"message": e.message, "locations": [{"line": loc.line, "column": loc.column}
                                                     for loc in e.locations or []],
                 "extensions": {"code": "INVALID_VARIABLE"}} for e in coerced]
    return op, coerced


def run_graphql(sandbox: Sandbox, shop: Shop, body: dict[str, Any], base_url: str = "",
                token: Token | None = None) -> dict[str, Any]:
    """Execute one request body ({query, variables, operationName}) for `shop`."""
    shop.stats["graphql_requests"] += 1
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        return _error_response(shop, [{"message": "No query string was present"}])
    document, errors = validate_document(query)
    if errors or document is None:
        return _error_response(shop, errors)
    prepared = _prepare(document, body)
    if isinstance(prepared, list):
        return _error_response(shop, prepared)
    op, variables = prepared
    oversized = oversized_inputs(op, body.get("variables") or {})
    if oversized:
        return {"errors": oversized}
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    calc = CostCalculator(get_schema(), fragments, variables)
    try:
        requested = calc.operation(op)
    except CostError as exc:
        return _error_response(shop, [{"message": str(exc),
                                       "extensions": {"code": "BAD_REQUEST"}}])
    except GraphQLError as exc:
        return _error_response(shop, [{"message": exc.message}])
    name = op.name.value if op.name else None
    record: dict[str, Any] = {"operation_name": name, "requested_cost": requested,
                              "actual_cost": None, "throttled": False, "at": now()}
    shop.log_request(record)
    if requested > MAX_QUERY_COST:
        return _error_response(shop, [_max_cost_error(requested)], requested)
    if not shop.bucket.take(requested):
        shop.stats["throttled"] += 1
        record["throttled"] = True
        return _error_response(shop, [{"message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": RATE_LIMIT_DOCS}}], requested)
    ctx = Ctx(sandbox=sandbox, shop=shop, variables=variables, base_url=base_url, token=token)
    return _execute(ctx, document, op, body, calc, requested, record)


def _execute(ctx: Ctx, document: DocumentNode, op: OperationDefinitionNode,
             body: dict[str, Any], calc: CostCalculator, requested: int,
             record: dict[str, Any]) -> dict[str, Any]:
    """Run the operation with the sandbox resolvers, then refund unused points."""
    shop = ctx.shop
    result = execute(get_schema(), document, context_value=ctx,
                     variable_values=body.get("variables") or {},
                     operation_name=op.name.value if op.name else None,
                     field_resolver=resolve_field, type_resolver=resolve_type)
    if not isinstance(result, object) or hasattr(result, "__await__"):
        raise RuntimeError("sandbox resolvers must be synchronous")
    if op.operation == OperationType.MUTATION and ctx.sandbox.search_lag_s > 0 and any(
            isinstance(sel, FieldNode) and sel.name.value in ORDER_MUTATIONS
            for sel in op.selection_set.selections):
        # The search index sees this write only `search_lag_s` from now (search_index).
        index_of(shop).observe(shop, order_search_fields(shop), ctx.sandbox.search_lag_s)
    try:
        actual = calc.operation(op, result.data) if result.data is not None else requested
    except CostError:
        actual = requested
    actual = min(actual, requested)
    shop.bucket.refund(requested - actual)
    shop.stats["cost_spent"] += actual
    record["actual_cost"] = actual
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    out["extensions"] = _cost_ext(shop, requested, actual)
    if ctx.search_warnings:
        out["extensions"]["search"] = ctx.search_warnings
    return out
