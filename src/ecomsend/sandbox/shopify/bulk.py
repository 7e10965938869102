"""Bulk query operations: validation, the JSONL projection and the operation lifecycle (§6).

A bulk query is compiled once into a plan over the same resolvers the executor uses, then
projected lazily: each root object becomes one JSONL line with nested objects inline, and each
item of a nested connection becomes its own line with `__parentId`. Called by
`resolvers.bulk` (run/cancel), `app` (the file route) and the lifecycle task.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values

from ecomsend.sandbox.shopify.resolvers.base import PY_TYPES, Ctx, FieldFn, field_function
from ecomsend.sandbox.shopify.schema import get_schema, validate_document

#: Limits of a bulk query (reference §6): at most 5 connections, 2 levels of nesting.
MAX_CONNECTIONS = 5
MAX_NESTING = 2
#: Lines per chunk of the streamed JSONL file.
CHUNK_LINES = 2000


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
        fn = field_function(parent.name, name)
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


def _applies(cond: str | None, value: Any) -> bool:
    """Whether a fragment's type condition matches the runtime object."""
    if cond is None:
        return True
    concrete = PY_TYPES.get(type(value)) or (value.get("__typename") if isinstance(value, dict)
                                            else None)
    if concrete == cond:
        return True
    schema = get_schema()
    abstract, obj = schema.get_type(cond), schema.get_type(concrete or "")
    return bool(abstract and obj and schema.is_sub_type(abstract, obj))  # type: ignore[arg-type]


class Projector:
    """Turns objects into JSONL dicts following a plan (one per export)."""

    def __init__(self, ctx: Ctx) -> None:
        """Set up state."""
        self.ctx = ctx
        self.ctx.bulk = True

    def lines(self, plan: FieldPlan, conn: Any = None) -> Iterator[dict[str, Any]]:
        """Every JSONL row; `conn` is the already-resolved root connection, if any."""
        conn = conn if conn is not None else plan.fn(None, self.ctx, plan.args)
        for edge in conn.edges:
            yield from self._object(edge.node, plan.sub, plan.type_name, None)

    def _object(self, obj: Any, sub: list[tuple[str | None, FieldPlan]], type_name: str,
                parent_id: str | None) -> Iterator[dict[str, Any]]:
        """The object's row, then its nested connections' rows (with __parentId)."""
        pending: list[tuple[Any, str, FieldPlan]] = []
        row = self._fields(obj, sub, type_name, pending)
        if parent_id is not None:
            row["__parentId"] = parent_id
        yield row
        for owner, owner_type, fp in pending:
            # __parentId is the object that owns the connection (reference §6).
            owner_id = field_function(owner_type, "id")(owner, self.ctx, {})
            conn = fp.fn(owner, self.ctx, fp.args)
            for edge in conn.edges:
                yield from self._object(edge.node, fp.sub, fp.type_name, owner_id)

    def _fields(self, obj: Any, sub: list[tuple[str | None, FieldPlan]], type_name: str,
                pending: list[tuple[Any, str, FieldPlan]]) -> dict[str, Any]:
        """The inline part of one object's row; nested connections go to `pending`."""
        row: dict[str, Any] = {}
        for cond, fp in sub:
            if not _applies(cond, obj):
                continue
            if fp.kind == "connection":
                pending.append((obj, type_name, fp))
                continue
            value = fp.fn(obj, self.ctx, fp.args)
            if value is None or fp.kind == "scalar":
                row[fp.key] = value
            elif fp.kind == "list":
                row[fp.key] = [self._fields(v, fp.sub, fp.type_name, pending) for v in value]
            else:
                row[fp.key] = self._fields(value, fp.sub, fp.type_name, pending)
        return row

    def count(self, plan: FieldPlan) -> tuple[int, int]:
        """(root objects, all objects) without serialising anything."""
        conn = plan.fn(None, self.ctx, plan.args)
        roots = len(conn.edges)
        return roots, roots + sum(self._count_children(e.node, plan.sub) for e in conn.edges)

    def _count_children(self, obj: Any, sub: list[tuple[str | None, FieldPlan]]) -> int:
        """Objects under `obj` that become lines (nested connection items)."""
        total = 0
        for cond, fp in sub:
            if not _applies(cond, obj):
                continue
            if fp.kind == "connection":
                conn = fp.fn(obj, self.ctx, fp.args)
                total += len(conn.edges) + sum(self._count_children(e.node, fp.sub)
                                               for e in conn.edges)
            elif fp.kind in ("object", "list") and _has_connection(fp):
                value = fp.fn(obj, self.ctx, fp.args)
                for v in (value if fp.kind == "list" else [value]) if value else []:
                    total += self._count_children(v, fp.sub)
        return total


def _has_connection(fp: FieldPlan) -> bool:
    """Whether an inline object (at any depth) contains a nested connection."""
    return any(s.kind == "connection" or _has_connection(s) for _, s in fp.sub)


def jsonl_chunks(ctx: Ctx, plan: FieldPlan, sizes: list[int], conn: Any = None
                 ) -> Iterator[bytes]:
    """The result file in chunks; appends the total byte size to `sizes` when done."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    buffer: list[str] = []
    total = 0
    for row in Projector(ctx).lines(plan, conn):
        buffer.append(dumps(row))
        if len(buffer) >= CHUNK_LINES:
            chunk = ("\n".join(buffer) + "\n").encode()
            total += len(chunk)
            buffer.clear()
            yield chunk
    if buffer:
        chunk = ("\n".join(buffer) + "\n").encode()
        total += len(chunk)
        yield chunk
    sizes.append(total)
