"""Fixtures of the Shopify client tests: the real 2026-07 schema (built once per session)."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, build_schema

from ecomsend.contracts import SHOPIFY_ADMIN_SDL


@pytest.fixture(scope="session")
def admin_schema() -> GraphQLSchema:
    """Shopify's real Admin schema (≈2-3 s to build; `assume_valid`: graphql-core 3.3 rejects
    some deprecation mismatches in Shopify's own SDL that do not affect validation)."""
    return build_schema(SHOPIFY_ADMIN_SDL.read_text(encoding="utf-8"), assume_valid=True)
