"""Query cost and the per app+shop leaky bucket (reference §5, shopify.dev rate-limits page).

Calculated cost, as documented: scalars and enums 0, objects 1, connections 2 + first × the cost
of one node, mutations 10. `requestedQueryCost` is the worst case computed from the document and
reserved up front; `actualQueryCost` is recomputed over the data returned and the difference is
refunded. Called by `executor` for every GraphQL request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values

from ecomsend.sandbox.shopify.util import now

#: A single query may not cost more than this (reference §5, "max cost of a single query").
MAX_QUERY_COST = 1000
#: Every top-level mutation field costs this much (reference §5).
MUTATION_COST = 10
#: A connection costs this on top of its nodes (reference §5: "about 2 + first").
CONNECTION_COST = 2

ObjectLike = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


class CostError(Exception):
    """The document cannot be costed (e.g. a connection without first/last)."""


class LeakyBucket:
    """Shopify's cost bucket: `capacity` points, refilled at `restore_rate` points per second."""

    def __init__(self, capacity: float, restore_rate: float) -> None:
        """Set up state."""
        self.capacity = float(capacity)
        self.restore_rate = float(restore_rate)
        self.available = float(capacity)
        self._updated = now()

    def _refill(self) -> None:
        """Add what leaked back since the last call."""
        t = now()
        self.available = min(self.capacity,
                             self.available + (t - self._updated) * self.restore_rate)
        self._updated = t

    def take(self, cost: float) -> bool:
        """Reserve `cost` points; False (and nothing taken) when the bucket cannot cover it."""
        self._refill()
        if cost > self.available:
            return False
        self.available -= cost
        return True

    def refund(self, points: float) -> None:
        """Give back the unused part of a reservation."""
        self._refill()
        self.available = min(self.capacity, self.available + max(0.0, points))

    def configure(self, capacity: float, restore_rate: float) -> None:
        """Change the plan (control API); the bucket starts full."""
        self.capacity, self.restore_rate = float(capacity), float(restore_rate)
        self.available = self.capacity
        self._updated = now()

    def status(self) -> dict[str, float]:
        """The `throttleStatus` object of `extensions.cost`."""
        self._refill()
        return {"maximumAvailable": self.capacity,
                "currentlyAvailable": int(self.available),
                "restoreRate": self.restore_rate}


class CostCalculator:
    """Walks one operation: with data=None the requested cost, with data the actual cost."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: VariableValues | None) -> None:
        """Set up state."""
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def operation(self, op: OperationDefinitionNode, data: dict[str, Any] | None = None) -> int:
        """The cost of the whole operation."""
        if op.operation == OperationType.MUTATION:
            fields = [f for f, _ in self._fields(op.selection_set, self.schema.mutation_type)
                      if not f.name.value.startswith("__")]
            return MUTATION_COST * len(fields)
        root = self.schema.query_type
        assert root is not None
        return int(self._selections(op.selection_set, root, data, data is not None))

    def _fields(self, sel: SelectionSetNode | None,
                parent: Any) -> Iterator[tuple[FieldNode, Any]]:
        """Every field node under `sel`, with the type it is selected on (through fragments)."""
        if sel is None:
            return
        for node in sel.selections:
            if isinstance(node, FieldNode):
                yield node, parent
            elif isinstance(node, InlineFragmentNode):
                cond = (self.schema.get_type(node.type_condition.name.value)
                        if node.type_condition else parent)
                yield from self._fields(node.selection_set, cond)
            elif isinstance(node, FragmentSpreadNode):
                frag = self.fragments.get(node.name.value)
                if frag is not None:
                    cond = self.schema.get_type(frag.type_condition.name.value)
                    yield from self._fields(frag.selection_set, cond)

    def _selections(self, sel: SelectionSetNode | None, parent: Any, data: Any,
                    actual: bool) -> float:
        """Sum over the selected fields. Requested cost of fragments on other types: the
        maximum over those types, not the sum (docs: interfaces and unions cost the maximum
        of their possible selections)."""
        common = 0.0
        by_type: dict[str, float] = {}
        for node, field_parent in self._fields(sel, parent):
            name = node.name.value
            if name.startswith("__") or not hasattr(field_parent, "fields"):
                continue
            fdef = field_parent.fields.get(name)
            if fdef is None:
                continue
            value = None
            if actual:
                key = node.alias.value if node.alias else name
                value = data.get(key) if isinstance(data, dict) else None
                if value is None:
                    continue
            cost = self._field(node, fdef, value, actual)
            if actual or field_parent is parent:
                common += cost
            else:
                by_type[field_parent.name] = by_type.get(field_parent.name, 0.0) + cost
        return common + max(by_type.values(), default=0.0)

    def _field(self, node: FieldNode, fdef: GraphQLField, value: Any, actual: bool) -> float:
        """Cost of one field: scalars 0, objects 1 + children, lists x first, connections."""
        named = get_named_type(fdef.type)
        if not isinstance(named, ObjectLike):
            return 0.0
        args = get_argument_values(fdef, node, self.variables)
        if isinstance(named, GraphQLObjectType) and _is_connection(named):
            return self._connection(node, named, args, value, actual)
        inner = fdef.type.of_type if isinstance(fdef.type, GraphQLNonNull) else fdef.type
        if isinstance(inner, GraphQLList):
            if actual:
                return sum(1 + self._selections(node.selection_set, named, item, True)
                           for item in value if item is not None)
            # Sized by `first`, or by the ids/names asked for (nodes(ids:), quantities(names:)).
            mult = args.get("first") or len(args.get("ids") or args.get("names") or []) or 1
            return mult * (1 + self._selections(node.selection_set, named, None, False))
        return 1 + self._selections(node.selection_set, named, value, actual)

    def _connection(self, node: FieldNode, conn: GraphQLObjectType, args: dict[str, Any],
                    value: Any, actual: bool) -> float:
        """2 + first x node cost (requested) or 2 + the nodes returned (actual)."""
        first = args.get("first") if args.get("first") is not None else args.get("last")
        if first is None and not actual:
            raise CostError("you must provide one of first or last")
        total = float(CONNECTION_COST)
        for sub, _ in self._fields(node.selection_set, conn):
            name = sub.name.value
            key = sub.alias.value if sub.alias else name
            if name == "nodes":
                node_type = get_named_type(conn.fields["nodes"].type)
                total += self._nodes(sub, node_type, value, key, first, actual, None)
            elif name == "edges":
                edge_type = get_named_type(conn.fields["edges"].type)
                for inner, _ in self._fields(sub.selection_set, edge_type):
                    if inner.name.value == "node":
                        node_type = get_named_type(edge_type.fields["node"].type)
                        total += self._nodes(inner, node_type, value, key, first, actual, inner)
        return total

    def _nodes(self, sub: FieldNode, node_type: Any, value: Any, key: str, first: int | None,
               actual: bool, edge_node: FieldNode | None) -> float:
        """Cost of a connection's nodes, from `first` or from the data."""
        if not actual:
            return (first or 0) * (1 + self._selections(sub.selection_set, node_type, None, False))
        items = value.get(key) or [] if isinstance(value, dict) else []
        if edge_node is not None:
            node_key = edge_node.alias.value if edge_node.alias else "node"
            items = [edge.get(node_key) for edge in items if isinstance(edge, dict)]
        return sum(1 + self._selections(sub.selection_set, node_type, item, True)
                   for item in items if item is not None)


def _is_connection(named: GraphQLObjectType) -> bool:
    """Relay connections: a *Connection type with edges and pageInfo."""
    return named.name.endswith("Connection") and "edges" in named.fields \
        and "pageInfo" in named.fields
