"""The real 2026-07 Admin schema, built once per process, and cached document validation.

`get_schema()` is called by the executor, bulk and the tests' session fixture; building takes
seconds, so it is memoised. `validate_document()` parses and validates a document once per
distinct text and returns Shopify-shaped errors (reference §2, "validation error").
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    parse,
    validate,
)

from ecomsend.contracts import SHOPIFY_ADMIN_SDL

#: The one Admin API version the sandbox serves (the app is pinned to it, reference §0).
API_VERSION = "2026-07"
#: How many distinct document texts keep their parse/validation result.
VALIDATION_CACHE_SIZE = 1024

_schema: GraphQLSchema | None = None
_schema_lock = threading.Lock()
_cache: OrderedDict[str, tuple[DocumentNode | None, list[dict[str, Any]]]] = OrderedDict()
_cache_lock = threading.Lock()

_UNDEFINED_FIELD = re.compile(r"Cannot query field '(?P<f>\w+)' on type '(?P<t>\w+)'")
_UNKNOWN_ARG = re.compile(r"Unknown argument '(?P<a>\w+)' on field '(?P<t>\w+)\.(?P<f>\w+)'")
_MISSING_ARG = re.compile(
    r"Field '(?P<f>\w+)' argument '(?P<a>\w+)' of type '[^']+' is required")
_UNKNOWN_TYPE = re.compile(r"Unknown type '(?P<t>\w+)'")


def get_schema() -> GraphQLSchema:
    """The Admin GraphQL schema (built on first use, then shared by every app in the process)."""
    global _schema
    if _schema is None:
        with _schema_lock:
            if _schema is None:
                # assume_valid: graphql-core 3.3 rejects a few deprecation mismatches that
                # Shopify's own schema has (Node.id deprecated on some implementations).
                _schema = build_schema(SHOPIFY_ADMIN_SDL.read_text(encoding="utf-8"),
                                       assume_valid=True)
    return _schema


def validate_document(text: str) -> tuple[DocumentNode | None, list[dict[str, Any]]]:
    """(document, []) when `text` is valid, else (None or document, Shopify-shaped errors)."""
    with _cache_lock:
        hit = _cache.get(text)
        if hit is not None:
            _cache.move_to_end(text)
            return hit
    result = _validate_uncached(text)
    with _cache_lock:
        _cache[text] = result
        if len(_cache) > VALIDATION_CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def _validate_uncached(text: str) -> tuple[DocumentNode | None, list[dict[str, Any]]]:
    """Parse and validate once; Shopify-shaped errors with paths."""
    try:
        document = parse(text)
    except GraphQLError as err:
        # Shopify reports parse failures as "syntax error, …" with a location (reference §2).
        detail = err.message.removeprefix("Syntax Error: ")
        error: dict[str, Any] = {"message": f"syntax error, {detail}"}
        if err.locations:
            error["locations"] = [{"line": loc.line, "column": loc.column}
                                  for loc in err.locations]
        return None, [error]
    errors = validate(get_schema(), document)
    out = []
    for invalid in errors:
        shaped = shopify_validation_error(invalid)
        if invalid.locations:
            first = invalid.locations[0]
            path = error_path(document, first.line, first.column)
            if path:
                shaped["path"] = path
        out.append(shaped)
    return document, out


def error_path(document: DocumentNode, line: int, column: int) -> list[str] | None:
    """Shopify's validation-error path: ["query", "orders", "edges", "node", "field"]."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            head = definition.operation.value
            if definition.name:
                head = f"{head} {definition.name.value}"
        elif isinstance(definition, FragmentDefinitionNode):
            head = f"fragment {definition.name.value}"
        else:
            continue
        found = _find(definition.selection_set, line, column, [head])
        if found:
            return found
    return None


def _find(sel: SelectionSetNode | None, line: int, column: int,
          prefix: list[str]) -> list[str] | None:
    """The path of the field starting at (line, column), depth first."""
    for node in sel.selections if sel else ():
        if isinstance(node, FieldNode):
            here = [*prefix, node.name.value]
            loc = node.loc
            if loc is not None and (loc.start_token.line, loc.start_token.column) == (line,
                                                                                         column):
                return here
            found = _find(node.selection_set, line, column, here)
        elif isinstance(node, InlineFragmentNode):
            found = _find(node.selection_set, line, column, prefix)
        else:
            continue
        if found:
            return found
    return None


def shopify_validation_error(err: GraphQLError) -> dict[str, Any]:
    """Rewrite a graphql-core validation error in Shopify's words and extension codes."""
    out: dict[str, Any] = {"message": err.message}
    if err.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    if m := _UNDEFINED_FIELD.search(err.message):
        out["message"] = f"Field '{m['f']}' doesn't exist on type '{m['t']}'"
        out["extensions"] = {"code": "undefinedField", "typeName": m["t"], "fieldName": m["f"]}
    elif m := _UNKNOWN_ARG.search(err.message):
        out["message"] = f"Field '{m['f']}' doesn't accept argument '{m['a']}'"
        out["extensions"] = {"code": "argumentNotAccepted", "name": m["f"],
                             "typeName": "Field", "argumentName": m["a"]}
    elif m := _MISSING_ARG.search(err.message):
        out["message"] = f"Field '{m['f']}' is missing required arguments: {m['a']}"
        out["extensions"] = {"code": "missingRequiredArguments", "className": "Field",
                             "name": m["f"], "arguments": m["a"]}
    elif m := _UNKNOWN_TYPE.search(err.message):
        out["message"] = f"No such type {m['t']}, so it can't be a fragment condition"
        out["extensions"] = {"code": "undefinedType", "typeName": m["t"]}
    else:
        out["extensions"] = {"code": "GRAPHQL_VALIDATION_FAILED"}
    return out
