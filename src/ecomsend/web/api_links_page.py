"""The Link products page's paged lists (mounted under `api_links.router`):

- `GET …/links/linked`: linked pairs, searched, sorted, paged;
- `GET …/links/variants`: Shopify variants to pick for a manual link (search, unlinked only);
- `GET …/links/listings/search`: TikTok listings to pick (search over the listing snapshot);
- `GET …/links/proposals/{kind}`: SKU proposals, barcode or title suggestions, paged, with
  both sides' titles and SKUs, minus rejected ones;
- `POST …/links/dismissals` rejects suggestions; `DELETE …/links/dismissals` restores them.
All are scoped to the signed-in shop's connection (another shop's is a 404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from sqlalchemy import delete, func, select

from ecomsend.db.models import LinkDismissal, TikTokShop
from ecomsend.services import tiktok_context
from ecomsend.sync.links import browse
from ecomsend.sync.links.service import (
    fetch_barcodes,
    fetch_listings,
    linked_ids,
    listing_skus,
    shop_variants,
)
from ecomsend.web.api_common import ConnectionDep, tiktok_call
from ecomsend.web.api_links_models import (
    DismissIn,
    DismissOut,
    LinkedPage,
    ListingSearchPage,
    ProposalPage,
    VariantOut,
    VariantPage,
    link_out,
    listing_out,
    proposal_out,
)
from ecomsend.web.deps import DbDep, ServicesDep

router = APIRouter()
#: Get Product calls spent looking for barcodes (Search Products does not return them).
BARCODE_LOOKUPS = 50
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Search = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$",
                                     description="Contains this text (case-insensitive)")]


def listing_cache(request: Request) -> browse.ListingCache:
    """The app's listing snapshots (one cache per app instance, never shared across apps)."""
    cache = getattr(request.app.state, "link_listing_cache", None)
    if cache is None:
        cache = request.app.state.link_listing_cache = browse.ListingCache()
    return cache


async def snapshot(request: Request, db: DbDep, services: ServicesDep, connection: TikTokShop,
                   refresh: bool) -> browse.Snapshot:
    """The connection's listing snapshot (read from TikTok when missing, stale or refreshed)."""
    async def load() -> browse.Snapshot:
        ctx = tiktok_context(connection)
        listings = await fetch_listings(services.tiktok, ctx)
        async with db.sessionmaker() as session:
            has_codes = any(v.barcode for v in await shop_variants(session, connection.shop_id))
            _, linked_s = await linked_ids(session, connection.id)
        open_ids = [p.id for p in listings if any(s.id not in linked_s for s in p.skus)]
        codes = (await fetch_barcodes(services.tiktok, ctx, open_ids, limit=BARCODE_LOOKUPS)
                 if has_codes else {})
        return browse.Snapshot(listings, codes, min(len(open_ids), BARCODE_LOOKUPS)
                               if has_codes else 0)
    return await tiktok_call(listing_cache(request).get(connection.id, load, refresh=refresh))


@router.get("/linked", response_model=LinkedPage, summary="Linked pairs (search, sort, pages)")
async def linked(db: DbDep, connection: ConnectionDep, q: Search = None,
                 sort: browse.LinkSort = "newest", limit: Limit = 50,
                 offset: Offset = 0) -> LinkedPage:
    stmt = browse.linked_query(connection.id, connection.shop_id, (q or "").strip() or None,
                               sort)
    async with db.sessionmaker() as session:
        total = int((await session.execute(select(func.count()).select_from(
            stmt.order_by(None).subquery()))).scalar_one())
        rows = (await session.execute(stmt.limit(limit).offset(offset))).all()
    return LinkedPage(total=total, links=[link_out(*r) for r in rows])


@router.get("/variants", response_model=VariantPage,
            summary="Shopify variants to link by hand (search by title, SKU, barcode)")
async def variants(db: DbDep, connection: ConnectionDep, q: Search = None,
                   unlinked_only: bool = True, limit: Limit = 25,
                   offset: Offset = 0) -> VariantPage:
    async with db.sessionmaker() as session:
        total, rows = await browse.search_variants(
            session, connection.shop_id, connection.id, (q or "").strip() or None,
            unlinked_only, limit, offset)
    return VariantPage(total=total, variants=[VariantOut(**vars(r)) for r in rows])


@router.get("/listings/search", response_model=ListingSearchPage,
            summary="TikTok listings to link by hand (search by title, seller SKU or id)")
async def search_listings(request: Request, db: DbDep, services: ServicesDep,
                          connection: ConnectionDep, q: Search = None,
                          unlinked_only: bool = False, limit: Limit = 25,
                          offset: Offset = 0, refresh: bool = False) -> ListingSearchPage:
    snap = await snapshot(request, db, services, connection, refresh)
    async with db.sessionmaker() as session:
        linked_v_by_sku = await browse.variant_by_sku(session, connection.id)
    needle = (q or "").strip()
    found = [p for p in snap.listings if not needle or browse.listing_matches(p, needle)]
    if unlinked_only:
        found = [p for p in found if any(s.id not in linked_v_by_sku for s in p.skus)]
    return ListingSearchPage(
        total=len(found), listings_read=len(snap.listings),
        listings=[listing_out(p, linked_v_by_sku) for p in found[offset:offset + limit]])


@router.get("/proposals/{kind}", response_model=ProposalPage,
            summary="SKU proposals, barcode or title suggestions (pages, with titles)")
async def proposal_page(request: Request, db: DbDep, services: ServicesDep,
                        connection: ConnectionDep, kind: browse.ProposalKind,
                        limit: Limit = 50, offset: Offset = 0,
                        refresh: bool = False) -> ProposalPage:
    snap = await snapshot(request, db, services, connection, refresh)
    skus = [s for p in snap.listings for s in listing_skus(p, snap.barcodes)]
    async with db.sessionmaker() as session:
        shop_side = await shop_variants(session, connection.shop_id)
        linked_v, linked_s = await linked_ids(session, connection.id)
        rejected = await browse.dismissed(session, connection.id)
    rows, ambiguous = browse.proposals(kind, shop_side, skus, linked_v, linked_s, rejected)
    by_variant = {v.variant_id: v for v in shop_side}
    by_product = {v.product_id: v for v in reversed(shop_side)}
    by_sku = {s.sku_id: s for s in skus}
    by_listing = {s.product_id: s for s in reversed(skus)}
    return ProposalPage(
        total=len(rows), ambiguous_skus=ambiguous, listings_read=len(snap.listings),
        barcode_lookups=snap.barcode_lookups, read_at=snap.read_at,
        items=[proposal_out(r, by_variant, by_product, by_sku, by_listing)
               for r in rows[offset:offset + limit]])


@router.post("/dismissals", response_model=DismissOut, status_code=201,
             summary="Reject suggestions so they are not proposed again")
async def dismiss(db: DbDep, connection: ConnectionDep, body: DismissIn) -> DismissOut:
    items = [(i.shopify_id, i.tiktok_id) for i in body.items]
    async with db.unit_of_work() as session:
        owned = await browse.shop_owns(session, connection.shop_id, {a for a, _ in items})
        missing = sorted({a for a, _ in items} - owned)
        if missing:
            raise HTTPException(404, f"No such Shopify variant or product in this shop: "
                                     f"{missing}")
        added = await browse.dismiss(session, connection.id, items)
    return DismissOut(dismissed=added)


@router.delete("/dismissals", status_code=204,
               summary="Restore every rejected suggestion of this connection")
async def restore(db: DbDep, connection: ConnectionDep) -> Response:
    async with db.unit_of_work() as session:
        await session.execute(delete(LinkDismissal).where(
            LinkDismissal.tiktok_shop_id == connection.id))
    return Response(status_code=204)
