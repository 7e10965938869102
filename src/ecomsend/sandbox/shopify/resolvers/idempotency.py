"""The `@idempotent(key:)` directive (reference §2 item 2a, §8; schema: directive @idempotent).

Required on the inventory mutations from 2026-04. The same key with the same input returns the
first result without applying it again; with different input it is
IDEMPOTENCY_KEY_PARAMETER_MISMATCH; after a failed first attempt it is
IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED. Called by `resolvers.inventory`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graphql.execution.values import get_directive_values

from ecomsend.sandbox.shopify.resolvers.base import Ctx, SandboxError, user_error

#: How many keys a shop remembers (Shopify keeps them for a bounded time; we bound by count).
MAX_KEYS_PER_SHOP = 50_000


def idempotency_key(ctx: Ctx) -> str:
    """The key of the @idempotent directive on the field being resolved; refuses when absent."""
    assert ctx.info is not None
    node = ctx.info.field_nodes[0]
    directive = ctx.info.schema.get_directive("idempotent")
    values = get_directive_values(directive, node, ctx.info.variable_values) \
        if directive else None
    key = (values or {}).get("key")
    if not isinstance(key, str) or not key.strip():
        # 2026-04+: the directive is mandatory on inventory mutations (reference §0.2a);
        # the schema says the key cannot be empty or whitespace.
        raise SandboxError(
            f"The @idempotent directive with a non-empty key is required for "
            f"{ctx.info.field_name}.",
            extensions={"code": "BAD_REQUEST"})
    return key


def run_idempotent(ctx: Ctx, args: dict[str, Any],
                   apply: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `apply` once per key; replays return the stored payload."""
    key = idempotency_key(ctx)
    assert ctx.info is not None
    slot = (ctx.info.field_name, key)
    fingerprint = json.dumps(args, sort_keys=True, default=str)
    seen = ctx.shop.idempotency.get(slot)
    if seen is not None:
        previous_fingerprint, payload = seen
        if previous_fingerprint != fingerprint:
            return {**{k: None for k in payload if k != "userErrors"}, "userErrors": [user_error(
                None, "The same idempotency key cannot be used with different operation "
                "parameters.", "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")]}
        if payload["userErrors"]:
            return {**{k: None for k in payload if k != "userErrors"}, "userErrors": [user_error(
                None, "A previous request with this idempotency key failed. Retry with a new "
                "idempotency key.", "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED")]}
        return payload  # type: ignore[no-any-return]
    payload = apply()
    if len(ctx.shop.idempotency) >= MAX_KEYS_PER_SHOP:
        ctx.shop.idempotency.pop(next(iter(ctx.shop.idempotency)))
    ctx.shop.idempotency[slot] = (fingerprint, payload)
    return payload
