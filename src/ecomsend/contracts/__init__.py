"""Platform contract data shipped with the package (no code).

`shopify/admin-2026-07.graphql` is Shopify's real Admin GraphQL schema, published by Shopify Inc.
in `@shopify/dev-mcp` under the ISC licence (`shopify/LICENSE.dev-mcp-ISC.txt`); the sandbox
executes against it and the client's tests validate every query against it.
`shopify/tracking-companies.json` is Shopify's list of supported tracking companies (same source).
"""

from pathlib import Path

CONTRACTS_DIR = Path(__file__).parent
SHOPIFY_ADMIN_SDL = CONTRACTS_DIR / "shopify" / "admin-2026-07.graphql"
SHOPIFY_TRACKING_COMPANIES = CONTRACTS_DIR / "shopify" / "tracking-companies.json"
