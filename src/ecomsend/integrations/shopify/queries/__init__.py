"""Every GraphQL document the Shopify client sends, one `.graphql` file per operation.

`load_query(name)` returns the text of `queries/{name}.graphql`; the client calls it once per
operation (cached). `tests/shopify_client/test_queries.py` validates every file against Shopify's
real 2026-07 schema, so a typo fails in CI, not in a merchant's shop.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

QUERIES_DIR = Path(__file__).parent


def query_names() -> list[str]:
    """Names of all documents shipped (file stems), sorted; used by the validation test."""
    return sorted(p.stem for p in QUERIES_DIR.glob("*.graphql"))


@cache
def load_query(name: str) -> str:
    """The text of `queries/{name}.graphql` (raises FileNotFoundError for an unknown name)."""
    return (QUERIES_DIR / f"{name}.graphql").read_text(encoding="utf-8")
