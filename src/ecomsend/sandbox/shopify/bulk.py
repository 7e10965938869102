"""Bulk query compilation (reference §6): validate a bulk query and turn it into a plan.

A bulk query is compiled once into FieldPlans over the same resolvers the executor uses;
`bulk_project` then projects it lazily into JSONL. Called by `resolvers.bulk`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values

from ecomsend.sandbox.shopify.resolvers.base import PY_TYPES, FieldFn, field_function
from ecomsend.sandbox.shopify.schema import get_schema, validate_document

#: Limits of a bulk query (reference §6): at most 5 connections, 2 levels of nesting.
MAX_CONNECTIONS = 5
MAX_NESTING = 2


class BulkQueryError(Exception):
    """The bulk query is not acceptable; the message goes into a userError."""


@dataclass
class FieldPlan:
    """One compiled field of a bulk query: how to resolve it and what it contains."""
    key: str
    fn: FieldFn
    args: dict[str, Any]
    kind: str  # scalar | object | list | connection
    type_name: str = ""
    sub: list[tuple[str | None, FieldPlan]] = field(default_factory=list)


def _is_connection(named: Any) -> bool:
    """Relay connection types (edges + pageInfo)."""
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") \
        and "edges" in named.fields


def _node_selection(sel: SelectionSetNode | None) -> SelectionSetNode | None:
    """The node selection of a connection: `edges { node {…} }` or `nodes {…}`."""
    for node in sel.selections if sel else ():
        if isinstance(node, FieldNode) and node.name.value == "nodes":
            return node.selection_set
        if isinstance(node, FieldNode) and node.name.value == "edges":
            for inner in node.selection_set.selections if node.selection_set else ():
                if isinstance(inner, FieldNode) and inner.name.value == "node":
                    return inner.selection_set
    return None


class ByRuntimeType:
    """A field selected on an interface (`media { nodes { alt } }`): resolved with the
    runtime object's own type, like graphql-core does."""

    def __init__(self, name: str) -> None:
        """Remember the field name; resolvers are looked up per concrete type."""
        self.name = name
        self._by_type: dict[type, FieldFn] = {}

    def __call__(self, obj: Any, ctx: Any, args: dict[str, Any]) -> Any:
        """Resolve with the concrete type's resolver."""
        fn = self._by_type.get(type(obj))
        if fn is None:
            type_name = PY_TYPES.get(type(obj)) or (obj.get("__typename", "")
                                                    if isinstance(obj, dict) else "")
            fn = field_function(type_name, self.name)
            if not isinstance(obj, dict):
                self._by_type[type(obj)] = fn
        return fn(obj, ctx, args)


class Compiler:
    """Compiles a selection set into FieldPlans and enforces the bulk limits."""

    def __init__(self) -> None:
        """Set up state."""
        self.schema = get_schema()
        self.connections = 0

    def selection(self, sel: SelectionSetNode | None, parent: Any, depth: int
                  ) -> list[tuple[str | None, FieldPlan]]:
        """Compile a selection set (fields and inline fragments) on `parent`."""
        out: list[tuple[str | None, FieldPlan]] = []
        for node in sel.selections if sel else ():
            if isinstance(node, InlineFragmentNode):
                cond = node.type_condition.name.value if node.type_condition else None
                target = self.schema.get_type(cond) if cond else parent
                out += [(cond or c, p) for c, p in self.selection(node.selection_set, target,
                                                                  depth)]
            elif isinstance(node, FieldNode):
                out.append((None, self.field(node, parent, depth)))
            else:
                raise BulkQueryError("Fragment spreads are not supported in bulk queries by "
                                     "the sandbox; use inline fragments")
        return out

    def field(self, node: FieldNode, parent: Any, depth: int) -> FieldPlan:
        """Compile one field; connections count against the bulk limits."""
        name = node.name.value
        key = node.alias.value if node.alias else name
        if name == "__typename":
            return FieldPlan(key, lambda s, c, a: PY_TYPES.get(type(s)), {}, "scalar")
        fdef = parent.fields[name]
        args = get_argument_values(fdef, node, None)
        for page_arg in ("first", "last", "after", "before"):
            args.pop(page_arg, None)  # pagination arguments are ignored (reference §6)
        args["_bulk"] = True
        named = get_named_type(fdef.type)
        fn = (ByRuntimeType(name) if isinstance(parent, GraphQLInterfaceType)
              else field_function(parent.name, name))
        if _is_connection(named):
            self.connections += 1
            if depth > MAX_NESTING:
                raise BulkQueryError("Bulk queries cannot contain connections with a nesting "
                                     f"depth greater than {MAX_NESTING}.")
            node_type = get_named_type(named.fields["nodes"].type)
            sub = self.selection(_node_selection(node.selection_set), node_type, depth + 1)
            return FieldPlan(key, fn, args, "connection", node_type.name, sub)
        if node.selection_set is None:
            return FieldPlan(key, fn, args, "scalar")
        inner = fdef.type.of_type if isinstance(fdef.type, GraphQLNonNull) else fdef.type
        kind = "list" if isinstance(inner, GraphQLList) else "object"
        return FieldPlan(key, fn, args, kind, named.name,
                         self.selection(node.selection_set, named, depth))


def compile_query(text: str) -> FieldPlan:
    """The plan of a bulk query's single top-level connection, or BulkQueryError."""
    document, errors = validate_document(text)
    if errors or document is None:
        raise BulkQueryError("Invalid bulk query: " + "; ".join(e["message"] for e in errors))
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(ops) != 1 or ops[0].operation.value != "query":
        raise BulkQueryError("Bulk queries must contain exactly one query operation")
    roots = [n for n in ops[0].selection_set.selections if isinstance(n, FieldNode)]
    if len(roots) != 1:
        raise BulkQueryError("Bulk queries must have exactly one top-level field")
    if roots[0].name.value in ("node", "nodes"):
        raise BulkQueryError("The top-level `node` and `nodes` fields are not allowed in bulk "
                             "queries")
    compiler = Compiler()
    root_type = get_schema().query_type
    plan = compiler.field(roots[0], root_type, 0)
    if plan.kind != "connection":
        raise BulkQueryError("Bulk queries require at least one connection")
    if compiler.connections > MAX_CONNECTIONS:
        raise BulkQueryError(f"Bulk queries cannot contain more than {MAX_CONNECTIONS} "
                             "connections")
    return plan
