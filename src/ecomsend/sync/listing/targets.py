"""Which connections a product change concerns, and which push kind it needs.

A connection is concerned when the product is already linked there (`product_link`) or when
one of its *active* category templates claims it (selection rules, default template last).
Excluded products (`exclusions`) are never claimed, and their listing only gets stock and
deactivation. Linked: `changes.classify_change` picks the cheapest kind — price-only → `price`,
inventory-only → `inventory`, both → both, anything else (or a status change) → `product`;
nothing TikTok sees → no bump at all (no job, no call). Not linked yet: `product` (create).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, bindparam, select, union

from ecomsend.db.models import ProductLink, ShopifyProduct, ShopifyVariant, SyncState
from ecomsend.sync import state
from ecomsend.sync.errors import FieldError
from ecomsend.sync.listing.ids import INVENTORY, PRICE, PRODUCT, TO_TIKTOK
from ecomsend.sync.listing.loading import Connection, connections, linked_connection_ids
from ecomsend.sync.listing.mirror import Change
from ecomsend.sync.products.changes import classify_change, push_kind
from ecomsend.sync.products.selection import select_template
from ecomsend.sync.products.types import ProductSnapshot

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.port import JobQueue


def listable(product: ProductSnapshot) -> bool:
    """Only active Shopify products are listed on TikTok."""
    return product.status.upper() == "ACTIVE"


def not_listable_reason(product: ProductSnapshot) -> FieldError | None:
    """Why a draft or archived product cannot be synced, for the merchant (None if active).
    Called by the manual sync pre-flight and by the product push."""
    if listable(product):
        return None
    status = product.status.lower() or "not active"
    return FieldError("status", f"This product is {status} in Shopify; only active products "
                      "are listed on TikTok Shop.", "Set its status to Active in Shopify, "
                      "then sync it again.")


def claimed(product: ProductSnapshot, conn: Connection) -> bool:
    """An active template of the connection takes this active, not excluded product."""
    return (listable(product) and product.id not in conn.excluded
            and select_template(product, conn.templates) is not None)


def kinds_for_excluded(kinds: list[str], change: Change) -> list[str]:
    """What still flows to an excluded product's existing listing: stock, and the product
    push that deactivates it when it stops being listable (TikTok must not sell it)."""
    if PRODUCT in kinds:
        # A full push may carry stock too: the inventory push pushes nothing if it is equal.
        return [PRODUCT] if not listable(change.new) else [INVENTORY]
    return [k for k in kinds if k == INVENTORY]


def kinds_for_linked(change: Change, conn: Connection) -> list[str]:
    """Push kinds for a product already on TikTok in this connection."""
    if change.old is None:
        return [PRODUCT]
    changes = classify_change(change.old, change.new, conn.comparison_prefs(),
                              region=conn.region)
    kind = push_kind(changes)
    if "status" in changes or kind == "full":
        return [PRODUCT]
    return {"none": [], "price": [PRICE], "inventory": [INVENTORY],
            "price_and_inventory": [PRICE, INVENTORY]}[kind]


def kinds_for_unlinked(change: Change, conn: Connection) -> list[str]:
    """`product` (create) when an active template claims the product and something relevant
    changed: it is new, it just became claimed, or TikTok-visible content changed."""
    if not claimed(change.new, conn):
        return []
    if change.old is None or not claimed(change.old, conn):
        return [PRODUCT]
    changes = classify_change(change.old, change.new, conn.comparison_prefs(),
                              region=conn.region)
    return [PRODUCT] if changes else []


async def bump(session: AsyncSession, queue: JobQueue, change: Change) -> list[str]:
    """mark_changed every (connection, kind) the change needs; returns "tts:kind" notes."""
    conns = await connections(session, change.shop_id)
    linked = await linked_connection_ids(session, change.product_id, [c.id for c in conns])
    notes = []
    for conn in conns:
        kinds = (kinds_for_linked(change, conn) if conn.id in linked
                 else kinds_for_unlinked(change, conn))
        if change.product_id in conn.excluded:
            kinds = kinds_for_excluded(kinds, change)
        for kind in kinds:
            await state.mark_changed(session, queue, state.EntityKey(
                change.shop_id, conn.id, kind, change.product_id, TO_TIKTOK))
            notes.append(f"{conn.tiktok_shop.region}:{kind}")
    return notes


@cache
def _stock_targets_query() -> Any:
    """stock_targets' query with `shop_id` and `item` bind parameters, built once."""
    shop_id: BindParameter[int] = bindparam("shop_id")
    item: BindParameter[str] = bindparam("item")
    variant = (ShopifyVariant.product_id == ShopifyProduct.id) & (
        ShopifyVariant.inventory_item_id == item) & (ShopifyVariant.shop_id == shop_id)
    linked = (select(ProductLink.tiktok_shop_id, ShopifyProduct.shopify_id)
              .join(ShopifyProduct, (ShopifyProduct.shopify_id == ProductLink.shopify_product_id)
                    & (ShopifyProduct.shop_id == shop_id))
              .join(ShopifyVariant, variant))
    creating = (select(SyncState.tiktok_shop_id, ShopifyProduct.shopify_id)
                .join(ShopifyProduct, (ShopifyProduct.shopify_id == SyncState.entity_id)
                      & (ShopifyProduct.shop_id == shop_id))
                .join(ShopifyVariant, variant)
                .where(SyncState.kind == PRODUCT, SyncState.direction == TO_TIKTOK,
                       SyncState.status.in_([state.PENDING, state.RUNNING, state.BACKOFF])))
    return union(linked, creating)


async def stock_targets(session: AsyncSession, shop_id: int, item_gid: str
                        ) -> set[tuple[int, str]]:
    """(connection, product) pairs a stock change of one inventory item concerns: products
    listed there, and products whose create is under way (it may have read the old stock;
    the inventory push waits for its links). One query."""
    rows = await (await session.connection()).execute(
        _stock_targets_query(), {"shop_id": shop_id, "item": item_gid})
    return {(int(tts), str(product)) for tts, product in rows.all()}


async def bump_stock(session: AsyncSession, queue: JobQueue, shop_id: int,
                     item_gid: str) -> list[str]:
    """mark_changed(`inventory`) for every pair of `stock_targets`."""
    notes = []
    for tts_id, product in sorted(await stock_targets(session, shop_id, item_gid)):
        await state.mark_changed(session, queue, state.EntityKey(
            shop_id, tts_id, INVENTORY, product, TO_TIKTOK))
        notes.append(f"{tts_id}:{INVENTORY}")
    return notes
