"""What changed in a shop since a time: product ids with their `updatedAt`, and inventory levels
per location. Read by the change poll (`ecomsend.sync.listing.change_poll`), the frequent safety
net behind dropped products and inventory webhooks. Both searches use Shopify's search syntax
(reference §7) on `updated_at`; the search index may lag writes (reference §9), which the
caller covers by overlapping its watermark.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ecomsend.integrations.shopify import parsing
from ecomsend.integrations.shopify.client import ShopifyClient
from ecomsend.integrations.shopify.models import InventoryLevel

#: Product nodes per ProductsChanged page (scalars only: ~252 points; `first` max 250).
PRODUCTS_PAGE = 250
#: Levels per LocationLevelsChanged page (2 + 100 × 3 points).
LEVELS_PAGE = 100


def since_query(since: datetime) -> str:
    """`updated_at:>='2026-12-03T22:00:00Z'` (second precision, UTC; pure)."""
    stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"updated_at:>='{stamp}'"


async def changed_products(client: ShopifyClient,
                           since: datetime) -> list[tuple[str, datetime | None]]:
    """(product GID, updatedAt) of every product updated at or after `since`, oldest first."""
    found: list[tuple[str, datetime | None]] = []
    after: str | None = None
    while True:
        data = await client.transport.execute("ProductsChanged", {
            "first": PRODUCTS_PAGE, "after": after, "query": since_query(since)})
        conn = data["products"]
        found.extend((str(n["id"]), parsing.parse_datetime(n.get("updatedAt")))
                     for n in parsing.nodes(conn))
        if not conn["pageInfo"]["hasNextPage"]:
            return found
        after = conn["pageInfo"]["endCursor"]


async def changed_levels(client: ShopifyClient, location_id: str,
                         since: datetime) -> list[InventoryLevel]:
    """`available` of every level at `location_id` updated at or after `since`."""
    found: list[InventoryLevel] = []
    after: str | None = None
    while True:
        data = await client.transport.execute("LocationLevelsChanged", {
            "id": location_id, "first": LEVELS_PAGE, "after": after,
            "query": since_query(since)})
        location: dict[str, Any] | None = data.get("location")
        if location is None:  # deleted since it was listed
            return found
        conn = location["inventoryLevels"]
        found.extend(parsing.parse_level(n, str((n.get("item") or {}).get("id") or ""))
                     for n in parsing.nodes(conn))
        if not conn["pageInfo"]["hasNextPage"]:
            return found
        after = conn["pageInfo"]["endCursor"]
