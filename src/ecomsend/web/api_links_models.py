"""Response and request models of the Link products API (`api_links`, `api_links_page`), and
the row → model mappings they share."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ecomsend.db.models import ProductLink
from ecomsend.integrations.tiktok.models.products import Product
from ecomsend.sync.links.browse import ProposalRow
from ecomsend.sync.links.matching import ShopifyVariantRef, TikTokSkuRef

Id = Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")


class LinkOut(BaseModel):
    id: int
    shopify_product_id: str
    shopify_variant_id: str
    tiktok_product_id: str
    tiktok_sku_id: str
    origin: str
    product_title: str | None
    variant_title: str | None
    sku: str | None


class LinkedPage(BaseModel):
    total: int
    links: list[LinkOut]


class ListingSkuOut(BaseModel):
    sku_id: str
    seller_sku: str | None
    linked_variant_id: str | None


class ListingOut(BaseModel):
    product_id: str
    title: str
    status: str | None
    skus: list[ListingSkuOut]


class ListingSearchPage(BaseModel):
    total: int
    listings_read: int = Field(description="Listings in the snapshot searched")
    listings: list[ListingOut]


class VariantOut(BaseModel):
    variant_id: str
    product_id: str
    product_title: str
    variant_title: str | None
    sku: str | None
    barcode: str | None
    linked_tiktok_sku_id: str | None


class VariantPage(BaseModel):
    total: int
    variants: list[VariantOut]


class ProposalOut(BaseModel):
    key: str = Field(description="Stable id of the row (variant|sku, or product|listing)")
    reason: str
    score: float
    shopify_product_id: str
    shopify_variant_id: str | None = Field(
        description="null: a title suggestion between products with several variants; link "
                    "their variants by hand")
    shopify_product_title: str | None
    shopify_variant_title: str | None
    shopify_sku: str | None
    tiktok_product_id: str
    tiktok_sku_id: str | None
    tiktok_title: str | None
    tiktok_seller_sku: str | None


class ProposalPage(BaseModel):
    total: int
    items: list[ProposalOut]
    ambiguous_skus: list[str] = Field(description="SKUs on several variants or TikTok SKUs: "
                                                  "not proposed")
    listings_read: int
    barcode_lookups: int
    read_at: float = Field(description="When the listings were read from TikTok (epoch s)")


class DismissItem(BaseModel):
    shopify_id: str = Id
    tiktok_id: str = Id


class DismissIn(BaseModel):
    items: list[DismissItem] = Field(min_length=1, max_length=500)


class DismissOut(BaseModel):
    dismissed: int


def link_out(link: ProductLink, product_title: str | None, variant_title: str | None,
             sku: str | None) -> LinkOut:
    return LinkOut(id=link.id, shopify_product_id=link.shopify_product_id,
                   shopify_variant_id=link.shopify_variant_id,
                   tiktok_product_id=link.tiktok_product_id, tiktok_sku_id=link.tiktok_sku_id,
                   origin=link.origin, product_title=product_title, variant_title=variant_title,
                   sku=sku)


def listing_out(p: Product, linked: dict[str, str]) -> ListingOut:
    return ListingOut(product_id=p.id, title=p.title or "", status=p.status,
                      skus=[ListingSkuOut(sku_id=s.id, seller_sku=s.seller_sku,
                                          linked_variant_id=linked.get(s.id)) for s in p.skus])


def proposal_out(r: ProposalRow, by_variant: dict[str, ShopifyVariantRef],
                 by_product: dict[str, ShopifyVariantRef], by_sku: dict[str, TikTokSkuRef],
                 by_listing: dict[str, TikTokSkuRef]) -> ProposalOut:
    """A proposal with both sides' titles and SKUs, looked up from the refs it came from."""
    v = by_variant.get(r.shopify_variant_id or "") or by_product.get(r.shopify_product_id)
    t = by_sku.get(r.tiktok_sku_id or "") or by_listing.get(r.tiktok_product_id)
    pair = r.shopify_variant_id is not None
    return ProposalOut(
        key=r.key, reason=r.reason, score=r.score, shopify_product_id=r.shopify_product_id,
        shopify_variant_id=r.shopify_variant_id,
        shopify_product_title=v.product_title if v else None,
        shopify_variant_title=v.variant_title if v and pair else None,
        shopify_sku=v.sku if v and pair else None, tiktok_product_id=r.tiktok_product_id,
        tiktok_sku_id=r.tiktok_sku_id, tiktok_title=t.product_title if t else None,
        tiktok_seller_sku=t.seller_sku if t and r.tiktok_sku_id else None)
