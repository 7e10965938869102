"""Names shared by the listing pipeline: sync kinds, directions and Shopify GIDs."""

from __future__ import annotations

#: `sync_state.kind` values of the listing pipeline (entity_id = Shopify product GID, except
#: AUDIT whose entity is the TikTok product id).
PRODUCT = "product"
PRICE = "price"
INVENTORY = "inventory"
AUDIT = "audit"
TO_TIKTOK = "to_tiktok"
FROM_TIKTOK = "from_tiktok"
#: `last_pushed_hash` of a product row whose listing we deactivated on TikTok.
DEACTIVATED = "deactivated"


def gid(kind: str, value: int | str) -> str:
    """`gid://shopify/{kind}/{value}`; a value that already is a GID is returned as is."""
    text = str(value)
    return text if text.startswith("gid://") else f"gid://shopify/{kind}/{text}"


def numeric_id(value: str) -> str:
    """The trailing number of a GID (`gid://shopify/Product/12` → `12`)."""
    return value.rsplit("/", 1)[-1]
