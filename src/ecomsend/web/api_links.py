"""Link products page: existing TikTok listings ↔ Shopify variants.

The page's paged and searchable lists (linked pairs, variants and listings to pick, proposals
per kind, rejected suggestions) live in `api_links_page`, mounted first under this router.
`GET …/links/listings` pages through the TikTok shop's listings with each SKU's link;
`GET …/links/proposals` proposes pairs by identical SKU (confirm them with `POST …/links`) and
suggests pairs by barcode and by title similarity; `POST …/links` links pairs (confirmed
proposals or a manual link); `DELETE …/links/{id}` unlinks. A new link queues the Shopify
product's price and inventory pushes, so the listing gets our prices and stock from then on
(its own title, description and category are left alone).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from ecomsend.db.models import ProductLink, ShopifyProduct, ShopifyVariant, TikTokShop
from ecomsend.services import tiktok_context
from ecomsend.sync.errors import FieldError
from ecomsend.sync.links import matching
from ecomsend.sync.links.matching import LinkPair, TikTokSkuRef
from ecomsend.sync.links.service import (
    delete_link,
    fetch_barcodes,
    fetch_listings,
    insert_links,
    linked_ids,
    listing_skus,
    mark_linked_pending,
    shop_variants,
)
from ecomsend.web import api_links_page
from ecomsend.web.api_common import (
    MAX_ID,
    TIKTOK_RESPONSES,
    ConnectionDep,
    live_context,
    tiktok_call,
    unprocessable,
)
from ecomsend.web.api_links_models import LinkOut, ListingOut, ListingSkuOut, link_out
from ecomsend.web.deps import DbDep, QueueDep, ServicesDep

router = APIRouter(prefix="/api/connections/{connection_id}/links", tags=["link products"],
                   responses=TIKTOK_RESPONSES)
# First, so `/dismissals` is not taken for a `/{link_id}`.
router.include_router(api_links_page.router)
#: Get Product calls spent looking for barcodes (Search Products does not return them).
BARCODE_LOOKUPS = 50


class ListingPage(BaseModel):
    listings: list[ListingOut]
    next_page_token: str | None


class PairIn(BaseModel):
    shopify_variant_id: str = Field(min_length=1, max_length=64)
    tiktok_product_id: str = Field(min_length=1, max_length=64)
    tiktok_sku_id: str = Field(min_length=1, max_length=64)


class PairOut(PairIn):
    shopify_product_id: str
    reason: str
    score: float


class TitleSuggestionOut(BaseModel):
    shopify_product_id: str
    shopify_title: str
    tiktok_product_id: str
    tiktok_title: str
    score: float
    pair: PairOut | None


class ProposalsOut(BaseModel):
    by_sku: list[PairOut]
    ambiguous_skus: list[str]
    by_barcode: list[PairOut]
    by_title: list[TitleSuggestionOut]
    listings_read: int
    barcode_lookups: int


class LinkIn(BaseModel):
    pairs: list[PairIn] = Field(min_length=1, max_length=500)


class LinkResult(BaseModel):
    linked: list[LinkOut]
    conflicts: list[PairIn]
    queued_products: int


def _pair_out(p: LinkPair) -> PairOut:
    return PairOut(shopify_variant_id=p.shopify_variant_id, tiktok_product_id=p.tiktok_product_id,
                   tiktok_sku_id=p.tiktok_sku_id, shopify_product_id=p.shopify_product_id,
                   reason=p.reason, score=p.score)


async def _links(db: DbDep, connection: TikTokShop, ids: list[int] | None = None,
                 ) -> list[LinkOut]:
    query = (select(ProductLink, ShopifyProduct.title, ShopifyVariant.title, ShopifyVariant.sku)
             .outerjoin(ShopifyVariant,
                        (ShopifyVariant.shopify_id == ProductLink.shopify_variant_id)
                        & (ShopifyVariant.shop_id == connection.shop_id))
             .outerjoin(ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id)
             .where(ProductLink.tiktok_shop_id == connection.id).order_by(ProductLink.id))
    if ids is not None:
        query = query.where(ProductLink.id.in_(ids))
    async with db.sessionmaker() as session:
        rows = (await session.execute(query)).all()
    return [link_out(*row) for row in rows]


@router.get("", response_model=list[LinkOut], summary="The connection's product links")
async def list_links(db: DbDep, connection: ConnectionDep) -> list[LinkOut]:
    return await _links(db, connection)


@router.get("/listings", response_model=ListingPage,
            summary="The TikTok shop's listings (one page), each SKU with its link if any")
async def list_listings(db: DbDep, services: ServicesDep, connection: ConnectionDep,
                        page_token: str | None = None,
                        page_size: Annotated[int, Query(ge=1, le=100)] = 50) -> ListingPage:
    async def search() -> ListingPage:
        page = await services.tiktok.products.search_products(
            tiktok_context(connection), page_size=page_size, page_token=page_token)
        async with db.sessionmaker() as session:
            rows = await session.execute(select(ProductLink.tiktok_sku_id,
                                                ProductLink.shopify_variant_id).where(
                ProductLink.tiktok_shop_id == connection.id))
            linked = {a: b for a, b in rows.all()}
        return ListingPage(listings=[ListingOut(
            product_id=p.id, title=p.title or "", status=p.status,
            skus=[ListingSkuOut(sku_id=s.id, seller_sku=s.seller_sku,
                                linked_variant_id=linked.get(s.id)) for s in p.skus])
            for p in page.products], next_page_token=page.next_page_token or None)
    return await tiktok_call(search())


@router.get("/proposals", response_model=ProposalsOut,
            summary="Proposed pairs by identical SKU, suggestions by barcode and by title")
async def proposals(db: DbDep, services: ServicesDep, connection: ConnectionDep,
                    barcodes: bool = True) -> ProposalsOut:
    ctx = live_context(connection)
    ctx_products = await tiktok_call(fetch_listings(services.tiktok, ctx))
    async with db.sessionmaker() as session:
        variants = await shop_variants(session, connection.shop_id)
        linked_v, linked_s = await linked_ids(session, connection.id)
    open_listings = [p.id for p in ctx_products if any(s.id not in linked_s for s in p.skus)]
    codes: dict[str, str] = {}
    lookups = 0
    if barcodes and any(v.barcode for v in variants):
        lookups = min(len(open_listings), BARCODE_LOOKUPS)
        codes = await tiktok_call(fetch_barcodes(services.tiktok, ctx,
                                                 open_listings, limit=BARCODE_LOOKUPS))
    skus: list[TikTokSkuRef] = [s for p in ctx_products for s in listing_skus(p, codes)]
    seen = {"linked_variants": linked_v, "linked_skus": linked_s}
    by_sku = matching.propose_by_sku(variants, skus, **seen)
    taken_v = linked_v | {p.shopify_variant_id for p in by_sku.pairs}
    taken_s = linked_s | {p.tiktok_sku_id for p in by_sku.pairs}
    by_code = matching.suggest_by_barcode(variants, skus, linked_variants=taken_v,
                                          linked_skus=taken_s)
    titles = matching.suggest_by_title(variants, skus, linked_variants=taken_v,
                                       linked_skus=taken_s)
    return ProposalsOut(
        by_sku=[_pair_out(p) for p in by_sku.pairs], ambiguous_skus=by_sku.ambiguous,
        by_barcode=[_pair_out(p) for p in by_code.pairs],
        by_title=[TitleSuggestionOut(
            shopify_product_id=t.shopify_product_id, shopify_title=t.shopify_title,
            tiktok_product_id=t.tiktok_product_id, tiktok_title=t.tiktok_title, score=t.score,
            pair=_pair_out(t.pair) if t.pair else None) for t in titles],
        listings_read=len(ctx_products),
        barcode_lookups=lookups)


async def _resolve(db: DbDep, services: ServicesDep, connection: TikTokShop,
                   pairs: list[PairIn]) -> list[LinkPair]:
    """Check each pair: the variant is this shop's (else 404), the SKU is the listing's (422)."""
    wanted = {p.shopify_variant_id for p in pairs}
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(ShopifyVariant.shopify_id, ShopifyProduct.shopify_id)
            .join(ShopifyProduct, ShopifyProduct.id == ShopifyVariant.product_id)
            .where(ShopifyVariant.shop_id == connection.shop_id,
                   ShopifyVariant.shopify_id.in_(wanted), ShopifyProduct.deleted_at.is_(None)))
        product_of = {a: b for a, b in rows.all()}
    missing = sorted(wanted - product_of.keys())
    if missing:
        raise HTTPException(404, f"No such Shopify variant(s) in this shop: {missing}")
    sku_ids: dict[str, set[str]] = {}
    for product_id in sorted({p.tiktok_product_id for p in pairs}):
        product = await tiktok_call(services.tiktok.products.get_product(
            live_context(connection), product_id))
        sku_ids[product_id] = {s.id for s in product.skus}
    errors = [FieldError(f"pairs.{i}.tiktok_sku_id", f"SKU {p.tiktok_sku_id} is not a SKU of "
                         f"TikTok product {p.tiktok_product_id}.", "Pick a SKU of that listing.")
              for i, p in enumerate(pairs) if p.tiktok_sku_id not in sku_ids[p.tiktok_product_id]]
    if errors:
        raise unprocessable(errors)
    return [LinkPair(p.shopify_variant_id, product_of[p.shopify_variant_id], p.tiktok_product_id,
                     p.tiktok_sku_id, "manual") for p in pairs]


@router.post("", response_model=LinkResult, status_code=201,
             summary="Link pairs (confirmed proposals or a manual link); queues their products")
async def create_links(db: DbDep, queue: QueueDep, services: ServicesDep,
                       connection: ConnectionDep, body: LinkIn) -> LinkResult:
    pairs = await _resolve(db, services, connection, body.pairs)
    async with db.unit_of_work() as session:
        outcome = await insert_links(session, connection.id, pairs)
        products = {p.shopify_product_id for _, p in outcome.created}
        await mark_linked_pending(session, queue, connection.shop_id, connection.id, products)
    linked = await _links(db, connection, [i for i, _ in outcome.created])
    return LinkResult(linked=linked, queued_products=len(products), conflicts=[
        PairIn(shopify_variant_id=p.shopify_variant_id, tiktok_product_id=p.tiktok_product_id,
               tiktok_sku_id=p.tiktok_sku_id) for p in outcome.conflicts])


@router.delete("/{link_id}", status_code=204,
               summary="Unlink: the listing stays on TikTok but no longer receives updates")
async def unlink(db: DbDep, connection: ConnectionDep,
                 link_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    async with db.unit_of_work() as session:
        removed = await delete_link(session, connection.id, link_id)
    if removed is None:
        raise HTTPException(404, "No such link for this connection.")
    return Response(status_code=204)
