"""The resolver registry, connections and the "not supported by the sandbox" default.

Each entity module registers `{field: fn(obj, ctx, args)}` per GraphQL type name. The
executor hands `resolve_field`/`resolve_type` to graphql-core; bulk calls the same functions
through `field_function`. A field nobody registered raises a clear error instead of a null.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from ecomsend.sandbox.shopify import search
from ecomsend.sandbox.shopify.scopes import check_access
from ecomsend.sandbox.shopify.store import Sandbox, Shop, Token

FieldFn = Callable[[Any, "Ctx", dict[str, Any]], Any]
#: GraphQL type name -> field name -> resolver.
TYPES: dict[str, dict[str, FieldFn]] = {}
#: Python class -> GraphQL object type name, for interfaces and unions (Node, Media, …).
PY_TYPES: dict[type, str] = {}
#: Shopify's cap on first/last (reference §5: at most 250).
MAX_PAGE_SIZE = 250


@dataclass
class Ctx:
    """Per-request context: which sandbox and shop, plus the resolver's `info` when executing."""

    sandbox: Sandbox
    shop: Shop
    info: GraphQLResolveInfo[Any] | None = None
    variables: Any = None  # graphql-core VariableValues of the request
    base_url: str = ""  # scheme://host:port of the request, for absolute bulk URLs
    bulk: bool = False  # bulk export: connections return everything, without cursors
    token: Token | None = None  # the access token of the request (scopes, online/offline)
    search_warnings: list[dict[str, Any]] = field(default_factory=list)


class SandboxError(GraphQLError):
    """A top-level GraphQL error raised by a resolver (unsupported field, bad argument)."""


def query_matcher(ctx: Ctx, args: dict[str, Any],
                  fields: dict[str, Callable[[Any], Any]]) -> Callable[[Any], bool]:
    """The `query:` argument as a predicate; unknown fields become `extensions.search`
    warnings (Shopify ignores them and warns, reference §2 "bad search syntax")."""
    query = args.get("query")
    unknown = search.unknown_fields(query, fields)
    if unknown and ctx.info is not None:
        ctx.search_warnings.append({
            "path": [str(p) for p in ctx.info.path.as_list()], "query": query,
            "warnings": [{"field": f, "message": "Invalid search field for this query. "
                          "(The sandbox ignored it.)"} for f in unknown]})
    return search.matcher(query, fields)


def register(type_name: str, fields: dict[str, FieldFn], py_type: type | None = None) -> None:
    """Add resolvers for `type_name` (merged with earlier registrations)."""
    TYPES.setdefault(type_name, {}).update(fields)
    if py_type is not None:
        PY_TYPES[py_type] = type_name


class AttrResolver:
    """A resolver that returns `obj.<name>`; bulk inlines it as a plain attribute access."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        """Remember the attribute name."""
        self.name = name

    def __call__(self, obj: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
        """Resolve the field."""
        return getattr(obj, self.name)


def attr(name: str) -> FieldFn:
    """A resolver that returns `obj.<name>`."""
    return AttrResolver(name)


def const(value: Any) -> FieldFn:
    """A resolver that always returns `value`."""
    return lambda obj, ctx, args: value


def unsupported(type_name: str, field_name: str) -> SandboxError:
    """The error for a field the sandbox does not implement."""
    return SandboxError(
        f"Field '{field_name}' on type '{type_name}' is not supported by the sandbox",
        extensions={"code": "NOT_SUPPORTED_BY_SANDBOX", "typeName": type_name,
                    "fieldName": field_name})


class DictResolver:
    """Dict-backed objects: the key of the same name, else unsupported (bulk inlines it)."""

    __slots__ = ("name", "type_name")

    def __init__(self, type_name: str, name: str) -> None:
        """Remember the type and key."""
        self.type_name, self.name = type_name, name

    def __call__(self, source: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
        """Resolve the field."""
        if isinstance(source, dict) and self.name in source:
            return source[self.name]
        raise unsupported(self.type_name, self.name)


def field_function(type_name: str, field_name: str) -> FieldFn:
    """The resolver bulk uses for one field: the registry, else a dict lookup, else an error."""
    fn = TYPES.get(type_name, {}).get(field_name)
    return fn if fn is not None else DictResolver(type_name, field_name)


def resolve_field(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
    """graphql-core field resolver: the registry, then plain dict payloads, else an error."""
    type_name = info.parent_type.name
    fn = TYPES.get(type_name, {}).get(info.field_name)
    if fn is not None:
        ctx: Ctx = info.context
        if type_name in ("QueryRoot", "Mutation"):
            check_access(info.field_name, ctx.token)
        ctx.info = info
        return fn(source, ctx, args)
    if isinstance(source, dict) and info.field_name in source:
        return source[info.field_name]
    if isinstance(source, Conn | Edge) and info.field_name in ("edges", "nodes", "pageInfo",
                                                               "cursor", "node"):
        return getattr(source, info.field_name)
    raise unsupported(type_name, info.field_name)


def resolve_type(value: Any, info: GraphQLResolveInfo[Any], abstract: Any) -> str | None:
    """graphql-core type resolver for interfaces and unions."""
    if isinstance(value, dict) and "__typename" in value:
        return str(value["__typename"])
    return PY_TYPES.get(type(value))


@dataclass
class Edge:
    """A connection edge."""
    cursor: str
    node: Any


@dataclass
class Conn:
    """One page of a Relay connection."""

    edges: list[Edge]
    pageInfo: dict[str, Any]

    @property
    def nodes(self) -> list[Any]:
        """The connection's nodes (the `nodes` field)."""
        return [edge.node for edge in self.edges]


@dataclass
class BulkConn:
    """A connection in a bulk export: every item, no edges or cursors (bulk_project)."""

    items: list[Any]


def encode_cursor(key: Any) -> str:
    """An opaque cursor for a sort key."""
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_cursor(cursor: str) -> Any:
    """The sort key in a cursor (BAD_REQUEST when malformed)."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError) as exc:
        raise SandboxError(f"Invalid cursor for current pagination sort: {cursor}",
                           extensions={"code": "BAD_REQUEST"}) from exc


def _key_list(key: Any) -> list[Any]:
    """A sort key as a list (comparable with decoded cursors)."""
    return list(key) if isinstance(key, tuple | list) else [key]


def _bounds(seq: Sequence[Any], args: dict[str, Any], sort_key: Callable[[Any], list[Any]],
            reverse: bool) -> tuple[int, int]:
    """[lo, hi) of the ascending `seq` left by the after/before cursors (binary search)."""
    lo, hi = 0, len(seq)
    if args.get("after"):
        mark = decode_cursor(args["after"])
        if reverse:
            hi = bisect.bisect_left(seq, mark, key=sort_key)
        else:
            lo = bisect.bisect_right(seq, mark, key=sort_key)
    if args.get("before"):
        mark = decode_cursor(args["before"])
        if reverse:
            lo = max(lo, bisect.bisect_right(seq, mark, key=sort_key))
        else:
            hi = min(hi, bisect.bisect_left(seq, mark, key=sort_key))
    return lo, max(lo, hi)


def paginate(items: Sequence[Any], args: dict[str, Any],
             key: Callable[[Any], Any] = lambda o: o.id) -> Conn | BulkConn:
    """Slice `items` (sorted ascending by `key`) by first/last/after/before/reverse."""
    first, last = args.get("first"), args.get("last")
    if args.get("_bulk"):
        return BulkConn(items if isinstance(items, list) else list(items))
    for name, value in (("first", first), ("last", last)):
        if value is not None and (value < 0 or value > MAX_PAGE_SIZE):
            raise SandboxError(f"The '{name}' argument must be between 0 and {MAX_PAGE_SIZE}",
                               extensions={"code": "BAD_REQUEST"})
    reverse = bool(args.get("reverse"))

    def sort_key(item: Any) -> list[Any]:
        """The item's sort key as a list."""
        return _key_list(key(item))

    lo, hi = _bounds(items, args, sort_key, reverse)
    window = list(items[lo:hi])
    if reverse:
        window.reverse()
    has_next = has_prev = False
    if first is not None and len(window) > first:
        window, has_next = window[:first], True
    if last is not None and len(window) > last:
        window, has_prev = window[-last:], True
    has_prev = has_prev or bool(args.get("after"))
    edges = [Edge(encode_cursor(sort_key(item)), item) for item in window]
    return Conn(edges, {"hasNextPage": has_next, "hasPreviousPage": has_prev,
                        "startCursor": edges[0].cursor if edges else None,
                        "endCursor": edges[-1].cursor if edges else None})


def user_error(field_path: list[str] | None, message: str, code: str | None = None
               ) -> dict[str, Any]:
    """A userErrors entry: `field` is the input path, e.g. ["input", "quantities", "0"]."""
    out: dict[str, Any] = {"field": field_path, "message": message}
    if code is not None:
        out["code"] = code
    return out


def not_found(what: str) -> SandboxError:
    """A RESOURCE_NOT_FOUND error."""
    return SandboxError(f"Invalid id: {what}", extensions={"code": "RESOURCE_NOT_FOUND"})
