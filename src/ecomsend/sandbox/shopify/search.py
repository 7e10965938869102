"""Shopify's search syntax for `query:` arguments (products, productVariants, orders, …).

Supports `field:value`, comparisons (`updated_at:>2026-01-01T00:00:00Z`, `id:>=5`), quoted
values, comma lists (`status:active,draft`), prefix `*`, `-field:` / `NOT` negation, `AND`
(implicit) and `OR`. Bare words match the title. Unknown fields are ignored (Shopify warns in
extensions.search and ignores them, reference §2). Called by the list resolvers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ecomsend.sandbox.shopify.util import parse_time

_TOKEN = re.compile(
    r"""(?P<neg>-)?(?:(?P<field>[A-Za-z_]+):)?(?P<op><=|>=|<|>|=)?"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s()]+)""")
#: Fields compared as timestamps rather than text.
TIME_FIELDS = frozenset({"updated_at", "created_at", "processed_at", "completed_at"})
#: Fields compared as integers (GIDs accepted).
NUMBER_FIELDS = frozenset({"id", "product_id", "inventory_total", "location_id"})

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class Term:
    """One search term: field (None for a bare word), operator, value, negation."""
    field: str | None
    op: str
    value: str
    negate: bool


def parse(query: str | None) -> list[list[Term]]:
    """OR-groups of AND-ed terms; an empty query gives [] (matches everything)."""
    if not query or not query.strip():
        return []
    groups: list[list[Term]] = [[]]
    negate_next = False
    for m in _TOKEN.finditer(query):
        raw = m.group(0)
        if raw == "OR":
            groups.append([])
            continue
        if raw == "AND":
            continue
        if raw == "NOT":
            negate_next = True
            continue
        value = m.group("value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        groups[-1].append(Term(m.group("field"), m.group("op") or "=", value,
                               bool(m.group("neg")) or negate_next))
        negate_next = False
    return [g for g in groups if g]


def _number(value: Any) -> float | None:
    """A number from a value or the tail of a GID."""
    text = str(value).rsplit("/", 1)[-1]
    try:
        return float(text)
    except ValueError:
        return None


def _compare(actual: Any, op: str, wanted: Any) -> bool:
    """Apply a comparison operator (None never compares)."""
    if op == "=":
        return bool(actual == wanted)
    if actual is None or wanted is None:
        return False
    return bool({"<": actual < wanted, ">": actual > wanted, "<=": actual <= wanted,
                 ">=": actual >= wanted}[op])


def _text_match(actual: Any, value: str) -> bool:
    """Case-insensitive equality against any value; `x*` is a prefix; `a,b` is any."""
    if actual is None:
        return False
    values = actual if isinstance(actual, list | tuple | set) else [actual]
    for wanted in value.split(","):
        w = wanted.strip().lower()
        for a in values:
            text = "" if a is None else str(a).lower()
            if (w.endswith("*") and text.startswith(w[:-1])) or text == w:
                return True
    return False


def _term_matches(term: Term, obj: Any, fields: dict[str, Getter]) -> bool:
    """Whether one object satisfies one term."""
    if term.field is None:
        title = fields.get("title")
        return title is None or term.value.lower() in str(title(obj) or "").lower()
    getter = fields.get(term.field)
    if getter is None:
        return True  # unknown field: ignored, like Shopify
    actual = getter(obj)
    if term.field in TIME_FIELDS:
        # Timestamps are exposed with second precision, so compare at that precision.
        return _compare(None if actual is None else float(int(actual)), term.op,
                        parse_time(term.value))
    if term.field in NUMBER_FIELDS:
        wanted = _number(term.value)
        if isinstance(actual, list | tuple | set):
            return any(_compare(a, term.op, wanted) for a in actual)
        return _compare(actual, term.op, wanted)
    if term.op != "=":
        return _compare(actual, term.op, term.value)
    return _text_match(actual, term.value)


def unknown_fields(query: str | None, fields: dict[str, Getter]) -> list[str]:
    """Fields named in `query` that the sandbox does not search on (they are ignored)."""
    return sorted({t.field for group in parse(query) for t in group
                   if t.field is not None and t.field not in fields})


def matcher(query: str | None, fields: dict[str, Getter]) -> Callable[[Any], bool]:
    """A predicate for `query` over objects whose searchable fields `fields` extracts."""
    groups = parse(query)
    if not groups:
        return lambda obj: True

    def match(obj: Any) -> bool:
        """Any OR-group whose terms all hold."""
        return any(all(_term_matches(t, obj, fields) != t.negate for t in group)
                   for group in groups)

    return match
