"""Products page actions on one or many products: Retry, Exclude, Include.

`POST …/products/{id}/retry` retries one failed product; `POST …/products/retry` retries the
failed ones among the selected products; `POST …/products/exclude|include` takes products out
of (or back into) automatic sync for the connection (`sync.listing.exclusions`). Every id must
be the signed-in shop's product, or nothing is done and the answer is a 404 naming them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import ShopifyProduct, SyncState, TikTokShop
from ecomsend.sync.listing import commands
from ecomsend.sync.listing.exclusions import set_excluded
from ecomsend.web.api_common import ERROR_RESPONSES, MAX_ID, ConnectionDep
from ecomsend.web.api_products import StatusOut, status_out
from ecomsend.web.deps import DbDep, QueueDep
from ecomsend.web.product_queries import all_states_by_gid, owned_product, worst

router = APIRouter(prefix="/api/connections/{connection_id}/products", tags=["products"],
                   responses=ERROR_RESPONSES)
#: Most products one bulk action takes (the list's largest page is 250).
MAX_BULK = 250


class ProductIdsIn(BaseModel):
    """The selected products (mirror ids, as the list gives them)."""

    product_ids: list[Annotated[int, Field(ge=1, le=2**53)]] = Field(
        min_length=1, max_length=MAX_BULK)


class RetryOut(BaseModel):
    product_id: int
    #: Every failed row of the product (product, price or inventory push) is retried.
    sync_state_ids: list[int]
    status: StatusOut


class BulkRetryOut(BaseModel):
    #: Products with at least one failed row, now queued again.
    retried: list[int]
    #: Selected products that had nothing to retry (not failed).
    skipped: list[int]


class ExclusionOut(BaseModel):
    product_ids: list[int]
    excluded: bool
    #: How many of them changed (the others already were so).
    changed: int


async def _owned(session: AsyncSession, connection: TikTokShop,
                 ids: list[int]) -> list[ShopifyProduct]:
    """The connection's shop's live products with these ids (in order), or a 404."""
    rows = list((await session.execute(select(ShopifyProduct).where(
        ShopifyProduct.id.in_(ids), ShopifyProduct.shop_id == connection.shop_id,
        ShopifyProduct.deleted_at.is_(None)))).scalars())
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise HTTPException(404, f"No such product(s) in this shop: {missing[:20]}")
    order = {pid: i for i, pid in enumerate(ids)}
    return sorted(rows, key=lambda r: order[r.id])


async def _retry_rows(session: AsyncSession, queue: QueueDep,
                      rows: list[SyncState]) -> list[int]:
    """Retry the failed rows of one product; their sync_state ids."""
    return [await commands.retry(session, queue, r.id) for r in rows
            if status_out(r).can_retry]


@router.post("/{product_id}/retry", response_model=RetryOut,
             summary="Retry a failed product (Sync failed, Review failed or waiting to retry)",
             responses={409: {"description": "The product has not failed."}})
async def retry_product(db: DbDep, queue: QueueDep, connection: ConnectionDep,
                        product_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> RetryOut:
    async with db.unit_of_work() as session:
        product = await owned_product(session, connection, product_id)
        rows = (await all_states_by_gid(session, connection.id, [product.shopify_id])).get(
            product.shopify_id, [])
        ids = await _retry_rows(session, queue, rows)
        if not ids:
            raise HTTPException(409, "Nothing to retry: the product has not failed.")
        for row in rows:
            await session.refresh(row)
    return RetryOut(product_id=product_id, sync_state_ids=ids,
                    status=status_out(worst(rows), product.status))


@router.post("/retry", response_model=BulkRetryOut,
             summary="Retry the failed products among the selected ones")
async def retry_products(db: DbDep, queue: QueueDep, connection: ConnectionDep,
                         body: ProductIdsIn) -> BulkRetryOut:
    ids = list(dict.fromkeys(body.product_ids))
    retried: list[int] = []
    async with db.unit_of_work() as session:
        products = await _owned(session, connection, ids)
        states = await all_states_by_gid(session, connection.id,
                                         [p.shopify_id for p in products])
        for product in products:
            if await _retry_rows(session, queue, states.get(product.shopify_id, [])):
                retried.append(product.id)
    return BulkRetryOut(retried=retried, skipped=[i for i in ids if i not in set(retried)])


async def _set(db: DbDep, connection: TikTokShop, body: ProductIdsIn,
               excluded: bool) -> ExclusionOut:
    ids = list(dict.fromkeys(body.product_ids))
    async with db.unit_of_work() as session:
        await _owned(session, connection, ids)
        changed = await set_excluded(session, connection.id, ids, excluded)
    return ExclusionOut(product_ids=ids, excluded=excluded, changed=changed)


@router.post("/exclude", response_model=ExclusionOut,
             summary="Exclude products: templates and reconciliation never sync them")
async def exclude_products(db: DbDep, connection: ConnectionDep,
                           body: ProductIdsIn) -> ExclusionOut:
    return await _set(db, connection, body, True)


@router.post("/include", response_model=ExclusionOut,
             summary="Include excluded products again (templates may sync them)")
async def include_products(db: DbDep, connection: ConnectionDep,
                           body: ProductIdsIn) -> ExclusionOut:
    return await _set(db, connection, body, False)
