"""Small helpers shared by every sandbox module: GIDs, timestamps, id parsing.

Called by the resolvers, the REST payload builders and the control API.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from functools import lru_cache

#: Shopify GIDs look like gid://shopify/<Type>/<int> (reference §12.5); InventoryLevel adds a query.
GID_RE = re.compile(r"^gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>\d+)(?:\?(?P<query>.*))?$")


def gid(type_name: str, id_: int) -> str:
    """The GraphQL id of an object, e.g. gid('Product', 1) -> gid://shopify/Product/1."""
    return f"gid://shopify/{type_name}/{id_}"


def level_gid(location_id: int, item_id: int) -> str:
    """InventoryLevel GIDs carry the item as a query (reference §12.5)."""
    return f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}"


def parse_gid(value: object, type_name: str | None = None) -> int | None:
    """The integer id in a GID (of `type_name` if given), or None when it is not one."""
    if not isinstance(value, str):
        return None
    return _parse_gid(value, type_name)


@lru_cache(maxsize=1 << 16)
def _parse_gid(value: str, type_name: str | None) -> int | None:
    """Cached: bulk exports parse the same argument GIDs for every object."""
    match = GID_RE.match(value)
    if match is None or (type_name is not None and match.group("type") != type_name):
        return None
    return int(match.group("id"))


def loose_id(value: object, type_name: str) -> int | None:
    """Control-API ids: an int, a numeric string or a GID of `type_name`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return parse_gid(value, type_name)


def now() -> float:
    """Wall-clock seconds; the one clock of the sandbox (tests may monkeypatch it)."""
    return time.time()


def iso(ts: float | None) -> str | None:
    """ISO-8601 UTC with a Z, the DateTime format of Admin GraphQL."""
    if ts is None:
        return None
    return _iso(ts)


@lru_cache(maxsize=1 << 18)
def _iso(ts: float) -> str:
    """Cached: a seeded catalog shares timestamps between products, variants and levels."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_rest(ts: float | None) -> str | None:
    """ISO-8601 with an explicit offset, the timestamp format of REST webhook bodies."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_time(value: str) -> float | None:
    """Parse an ISO date/datetime from a search query (`updated_at:>2026-01-01T00:00:00Z`)."""
    text = value.strip().strip("'\"")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def money(value: object) -> str:
    """Shopify Money/Decimal strings: '19.99' (two decimals)."""
    return f"{float(str(value)):.2f}"
