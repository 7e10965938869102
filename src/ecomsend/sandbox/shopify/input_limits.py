"""Input arrays hold at most 250 items (reference §5 "Other limits"; shopify.dev
docs/api/usage/limits: "Requests return an error if an input array exceeds 250 items").

`oversized_inputs` is called by the executor before a request is costed or run: Shopify answers
a top-level error with code MAX_INPUT_SIZE_EXCEEDED, the message "The input array size of N is
greater than the maximum allowed of 250." and the path of the argument (field, argument, …).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
)

#: The most items any input array may hold.
MAX_INPUT_ARRAY = 250


def _walk(value: Any, path: list[str | int], out: list[dict[str, Any]]) -> None:
    """Find arrays over the limit in a JSON variable value."""
    if isinstance(value, list):
        if len(value) > MAX_INPUT_ARRAY:
            out.append(_error(len(value), path))
            return
        for i, item in enumerate(value):
            _walk(item, [*path, i], out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, [*path, key], out)


def _walk_ast(node: ValueNode, variables: dict[str, Any], path: list[str | int],
              out: list[dict[str, Any]]) -> None:
    """Find arrays over the limit in an argument literal (variables looked up)."""
    if isinstance(node, VariableNode):
        _walk(variables.get(node.name.value), path, out)
    elif isinstance(node, ListValueNode):
        if len(node.values) > MAX_INPUT_ARRAY:
            out.append(_error(len(node.values), path))
            return
        for i, item in enumerate(node.values):
            _walk_ast(item, variables, [*path, i], out)
    elif isinstance(node, ObjectValueNode):
        for f in node.fields:
            _walk_ast(f.value, variables, [*path, f.name.value], out)


def _error(size: int, path: list[str | int]) -> dict[str, Any]:
    """Shopify's MAX_INPUT_SIZE_EXCEEDED error."""
    return {"message": f"The input array size of {size} is greater than the maximum allowed "
                       f"of {MAX_INPUT_ARRAY}.",
            "path": path, "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"}}


def oversized_inputs(op: OperationDefinitionNode, variables: dict[str, Any]
                     ) -> list[dict[str, Any]]:
    """Errors for every argument of the operation's root fields holding a too-long array."""
    out: list[dict[str, Any]] = []
    for sel in op.selection_set.selections:
        if not isinstance(sel, FieldNode):
            continue
        for arg in sel.arguments or ():
            _walk_ast(arg.value, variables, [sel.name.value, arg.name.value], out)
    return out
