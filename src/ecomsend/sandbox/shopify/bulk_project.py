"""The JSONL projection of a compiled bulk query (reference §6), built for speed.

Each root object becomes one line with nested objects inline; each item of a nested connection
becomes its own line whose `__parentId` is the object owning the connection. Every selection is
compiled once per export into a small generated function (plain attribute reads inlined), so a
100k x 3 catalog streams at tens of thousands of lines per second. Called by `resolvers.bulk`
(counts) and `app` (the file route).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import GraphQLInterfaceType, GraphQLUnionType

from ecomsend.sandbox.shopify.bulk import FieldPlan
from ecomsend.sandbox.shopify.resolvers.base import (
    PY_TYPES,
    AttrResolver,
    Ctx,
    DictResolver,
    FieldFn,
    field_function,
)
from ecomsend.sandbox.shopify.schema import get_schema

#: Lines per chunk of the streamed JSONL file.
CHUNK_LINES = 2000
_NO_ARGS: dict[str, Any] = {}
Pending = list[tuple[Any, "Shape", FieldFn, dict[str, Any], "Shape"]]
Builder = Callable[[Any, Ctx, Pending], dict[str, Any]]


@dataclass(eq=False)
class Shape:
    """A selection on one object type, split by kind, with its generated row builder."""

    type_name: str
    id_fn: FieldFn
    scalars: list[tuple[str, FieldFn, dict[str, Any]]] = field(default_factory=list)
    inline: list[tuple[str, FieldFn, dict[str, Any], bool, Shape]] = field(default_factory=list)
    conns: list[tuple[FieldFn, dict[str, Any], Shape]] = field(default_factory=list)
    conditional: list[tuple[str, FieldPlan, Shape | None]] = field(default_factory=list)
    has_conn: bool = False
    _builder: Builder | None = None

    @property
    def build(self) -> Builder:
        """The row builder, generated on first use."""
        if self._builder is None:
            self._builder = _generate(self)
        return self._builder


def shape_of(type_name: str, sub: list[tuple[str | None, FieldPlan]]) -> Shape:
    """Precompile a plan's selection (recursively)."""
    shape = Shape(type_name, field_function(type_name, "id"))
    for cond, fp in sub:
        inner = shape_of(fp.type_name, fp.sub) if fp.kind != "scalar" else None
        if cond is not None:
            shape.conditional.append((cond, fp, inner))
        elif fp.kind == "scalar":
            shape.scalars.append((fp.key, fp.fn, fp.args))
        elif fp.kind == "connection":
            assert inner is not None
            shape.conns.append((fp.fn, fp.args, inner))
        else:
            assert inner is not None
            shape.inline.append((fp.key, fp.fn, fp.args, fp.kind == "list", inner))
        if fp.kind == "connection" or (inner is not None and inner.has_conn):
            shape.has_conn = True
    return shape


class _Source:
    """The source of one generated builder and the objects it refers to."""

    def __init__(self, shape: Shape) -> None:
        """Start `build(obj, ctx, pending)` for `shape`."""
        self.ns: dict[str, Any] = {"SHAPE": shape, "TYPEOF": _type_of}
        self.lines = ["def build(obj, ctx, pending):"]

    def name(self, value: Any) -> str:
        """A fresh global name bound to `value` in the generated code."""
        key = f"n{len(self.ns)}"
        self.ns[key] = value
        return key

    def expr(self, fn: FieldFn, args: dict[str, Any]) -> str:
        """The expression resolving one field of `obj` (attribute and dict reads inlined)."""
        if isinstance(fn, AttrResolver):
            return f"obj.{fn.name}"
        if isinstance(fn, DictResolver):
            return (f"(obj[{fn.name!r}] if type(obj) is dict and {fn.name!r} in obj "
                    f"else {self.name(fn)}(obj, ctx, None))")
        return f"{self.name(fn)}(obj, ctx, {self.name(args)})"

    def field(self, fp_kind: str, key: str, fn: FieldFn, args: dict[str, Any],
              inner: Shape | None, indent: str) -> None:
        """Statements adding one (non-inlined-scalar) field to `row` or to `pending`."""
        if fp_kind == "connection":
            self.lines.append(f"{indent}pending.append((obj, SHAPE, {self.name(fn)}, "
                              f"{self.name(args)}, {self.name(inner)}))")
            return
        if fp_kind == "scalar" or inner is None:
            self.lines.append(f"{indent}row[{key!r}] = {self.expr(fn, args)}")
            return
        sub = self.name(inner)
        value = (f"[{sub}.build(x, ctx, pending) for x in v]" if fp_kind == "list"
                 else f"{sub}.build(v, ctx, pending)")
        self.lines.append(f"{indent}v = {self.expr(fn, args)}")
        self.lines.append(f"{indent}row[{key!r}] = None if v is None else {value}")


def _generate(shape: Shape) -> Builder:
    """Generate `build(obj, ctx, pending) -> row` for one shape.

    Keys are GraphQL names or aliases (identifiers, validated by the parser) and attribute
    names come from the sandbox's own resolvers, so the generated source is safe to exec.
    Fragments on other types (`... on MediaImage`) become `if TYPEOF(obj) in {...}` blocks.
    """
    src = _Source(shape)
    items = [f"{key!r}: {src.expr(fn, args)}" for key, fn, args in shape.scalars]
    src.lines.append("    row = {" + ", ".join(items) + "}")
    for key, fn, args, is_list, inner in shape.inline:
        src.field("list" if is_list else "object", key, fn, args, inner, "    ")
    for fn, args, inner in shape.conns:
        src.field("connection", "", fn, args, inner, "    ")
    if shape.conditional:
        src.lines.append("    t = TYPEOF(obj)")
    for cond, fp, cond_inner in shape.conditional:
        src.lines.append(f"    if t in {src.name(_satisfying(cond))}:")
        src.field(fp.kind, fp.key, fp.fn, fp.args, cond_inner, "        ")
    src.lines.append("    return row")
    exec("\n".join(src.lines), src.ns)  # noqa: S102  (generated from the plan, see docstring)
    return src.ns["build"]  # type: ignore[no-any-return]


def _type_of(value: Any) -> str | None:
    """The GraphQL object type name of a runtime value."""
    name = PY_TYPES.get(type(value))
    if name is None and isinstance(value, dict):
        return value.get("__typename")
    return name


def _satisfying(cond: str) -> frozenset[str]:
    """Object type names a fragment on `cond` applies to (itself, or its possible types)."""
    schema = get_schema()
    target = schema.get_type(cond)
    if isinstance(target, GraphQLInterfaceType | GraphQLUnionType):
        return frozenset(t.name for t in schema.get_possible_types(target))
    return frozenset({cond})


def _items(conn: Any) -> list[Any]:
    """The objects of a connection a resolver returned in bulk mode."""
    return conn.items if hasattr(conn, "items") else conn.nodes  # type: ignore[no-any-return]


class Projector:
    """Turns objects into JSONL rows following a plan (one per export)."""

    def __init__(self, ctx: Ctx) -> None:
        """Projection in bulk mode (connections return everything)."""
        self.ctx = ctx
        self.ctx.bulk = True

    def lines(self, plan: FieldPlan, conn: Any = None) -> Iterator[dict[str, Any]]:
        """Every JSONL row; `conn` is the already-resolved root connection, if any."""
        conn = conn if conn is not None else plan.fn(None, self.ctx, plan.args)
        return self._lines(_items(conn), shape_of(plan.type_name, plan.sub), None)

    def _lines(self, objs: list[Any], shape: Shape, parent_id: str | None
               ) -> Iterator[dict[str, Any]]:
        """Rows for `objs`, each followed by the rows of its nested connections."""
        ctx, build = self.ctx, shape.build
        for obj in objs:
            pending: Pending = []
            row = build(obj, ctx, pending)
            if parent_id is not None:
                row["__parentId"] = parent_id
            yield row
            for owner, owner_shape, fn, args, sub in pending:
                # __parentId is the object that owns the connection (reference §6).
                owner_id = owner_shape.id_fn(owner, ctx, _NO_ARGS)
                yield from self._lines(_items(fn(owner, ctx, args)), sub, owner_id)

    def count(self, plan: FieldPlan) -> tuple[int, int]:
        """(root objects, all objects) without serialising anything."""
        roots = _items(plan.fn(None, self.ctx, plan.args))
        shape = shape_of(plan.type_name, plan.sub)
        return len(roots), self._count(roots, shape)

    def _count(self, objs: list[Any], shape: Shape) -> int:
        """Lines for `objs` and everything nested under them."""
        if not shape.has_conn:
            return len(objs)
        total = len(objs)
        for obj in objs:
            pending: Pending = []
            self._collect(obj, shape, pending)
            for owner, _, fn, args, sub in pending:
                total += self._count(_items(fn(owner, self.ctx, args)), sub)
        return total

    def _collect(self, obj: Any, shape: Shape, pending: Pending) -> None:
        """Nested connections of `obj` (through inline objects), without building rows."""
        for fn, args, sub in shape.conns:
            pending.append((obj, shape, fn, args, sub))
        for _, fn, args, is_list, sub in shape.inline:
            if sub.has_conn:
                value = fn(obj, self.ctx, args)
                for v in (value if is_list else [value]) if value is not None else []:
                    self._collect(v, sub, pending)
        if shape.conditional:
            shape.build(obj, self.ctx, pending)  # collects conditional connections too


def jsonl_chunks(ctx: Ctx, plan: FieldPlan, sizes: list[int], conn: Any = None
                 ) -> Iterator[bytes]:
    """The result file in chunks; appends the total byte size to `sizes` when done.
    orjson writes UTF-8 without escaping, like Shopify's files, at ~4x the speed of json."""
    dumps = orjson.dumps
    buffer: list[bytes] = []
    total = 0
    for row in Projector(ctx).lines(plan, conn):
        buffer.append(dumps(row))
        if len(buffer) >= CHUNK_LINES:
            buffer.append(b"")
            chunk = b"\n".join(buffer)
            total += len(chunk)
            buffer.clear()
            yield chunk
    if buffer:
        buffer.append(b"")
        chunk = b"\n".join(buffer)
        total += len(chunk)
        yield chunk
    sizes.append(total)
