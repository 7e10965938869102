"""A small slice of Shopify's Standard Product Taxonomy for seeded products' `category`.

The ids follow the taxonomy's format (`gid://shopify/TaxonomyCategory/aa-1-13-8`); the table is
illustrative, not a copy of the full taxonomy. Used by the generator, the Product resolver and
the REST payloads.
"""

from __future__ import annotations

from typing import Any

#: taxonomy id -> full name (the name is the last segment).
CATEGORIES: dict[str, str] = {
    "aa-1-13-8": "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts",
    "aa-1-13-14": "Apparel & Accessories > Clothing > Clothing Tops > Hoodies",
    "aa-5-4": "Apparel & Accessories > Handbags, Wallets & Cases > Handbags",
    "aa-8-8": "Apparel & Accessories > Shoes > Sneakers",
    "hg-11-10-5-6": "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs",
    "hg-3-15": "Home & Garden > Decor > Candles",
    "os-4-5": "Office Supplies > Paper Products > Notebooks & Notepads",
    "sg-4-7-3": "Sporting Goods > Outdoor Recreation > Camping & Hiking > Water Bottles",
}
#: Which category a seeded product of a given type gets.
BY_PRODUCT_TYPE = {"Apparel": "aa-1-13-8", "Accessories": "aa-5-4", "Home": "hg-11-10-5-6",
                   "Footwear": "aa-8-8", "Stationery": "os-4-5", "Outdoor": "sg-4-7-3"}
GID_PREFIX = "gid://shopify/TaxonomyCategory/"


def category_id(value: str | None) -> str | None:
    """A taxonomy id from a GID or a bare id."""
    if not value:
        return None
    return value.removeprefix(GID_PREFIX)


def category_gql(taxonomy_id: str | None) -> dict[str, Any] | None:
    """The TaxonomyCategory object for GraphQL (dict-backed fields)."""
    if not taxonomy_id:
        return None
    full = CATEGORIES.get(taxonomy_id, f"Uncategorized > {taxonomy_id}")
    parts = full.split(" > ")
    return {"id": GID_PREFIX + taxonomy_id, "fullName": full, "name": parts[-1],
            "level": len(parts), "isLeaf": True, "isRoot": len(parts) == 1,
            "isArchived": False}


def category_rest(taxonomy_id: str | None) -> dict[str, Any] | None:
    """The `category` of a REST product body."""
    gql = category_gql(taxonomy_id)
    if gql is None:
        return None
    return {"admin_graphql_api_id": gql["id"], "full_name": gql["fullName"],
            "name": gql["name"]}
