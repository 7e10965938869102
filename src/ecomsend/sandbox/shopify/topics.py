"""WebhookSubscriptionTopic enum values ↔ REST topic names (reference §4.2).

The mapping is read from the enum value descriptions of the real schema ("The webhook topic for
`products/update` events"), so it covers all 218 topics. Used by `resolvers.webhooks`, the
control API and the dispatcher.
"""

from __future__ import annotations

import re
from functools import cache

from graphql import GraphQLEnumType

from ecomsend.sandbox.shopify.schema import get_schema

_REST_NAME = re.compile(r"for `([a-z_]+/[a-z_]+)` events")
#: Compliance topics: not in the enum, configured only through TOML (reference §4.2).
COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})


@cache
def enum_to_rest() -> dict[str, str]:
    """PRODUCTS_UPDATE -> products/update for every enum value."""
    enum = get_schema().get_type("WebhookSubscriptionTopic")
    assert isinstance(enum, GraphQLEnumType)
    out = {}
    for name, value in enum.values.items():
        m = _REST_NAME.search(value.description or "")
        out[name] = m.group(1) if m else name.lower().replace("_", "/", 1)
    return out


@cache
def rest_to_enum() -> dict[str, str]:
    """products/update -> PRODUCTS_UPDATE."""
    return {rest: name for name, rest in enum_to_rest().items()}


def is_known(rest_topic: str) -> bool:
    """A topic the sandbox can deliver (an enum topic or a compliance topic)."""
    return rest_topic in rest_to_enum() or rest_topic in COMPLIANCE_TOPICS
