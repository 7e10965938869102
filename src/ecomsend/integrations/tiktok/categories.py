"""Catalog reference data: categories, attributes, rules, brands, prerequisites, image upload.

Called by category-template setup (UI) and by the product push before create (prerequisites,
image re-upload: product payloads only accept TikTok-hosted `uri`s, reference §4.5).
"""

from __future__ import annotations

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.catalog import (
    Attributes,
    Brands,
    Categories,
    CategoryRules,
    Prerequisites,
    UploadedImage,
)
from ecomsend.integrations.tiktok.transport import TikTokTransport, drop_none

#: Max `page_size` for Get Brands (doc: required, 1–100).
BRANDS_MAX_PAGE_SIZE = 100
#: Image use cases accepted by Upload Product Image.
IMAGE_USE_CASES = frozenset({"MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE",
                             "CERTIFICATION_IMAGE", "SIZE_CHART_IMAGE"})


def category_version_for(region: str | None) -> str:
    """US shops must use the 7-level `v2` tree; the 202309 doc says other regions use `v1`
    (Get Categories / Create Product docs, reference §4.2). Callers may always override."""
    return "v2" if (region or "").upper() == "US" else "v1"


def _cv(shop: ShopContext, category_version: str | None) -> str:
    return category_version or category_version_for(shop.region)


class CategoriesApi:
    """Typed calls for the category tree and what a listing in a category needs."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def get_categories(self, shop: ShopContext, *, category_version: str | None = None,
                             locale: str | None = None, keyword: str | None = None) -> Categories:
        """The whole tree, flat (no pagination)."""
        query = {"category_version": _cv(shop, category_version), "locale": locale,
                 "keyword": keyword}
        data = await self._t.call(ep.CATEGORIES, shop, query=drop_none(query))
        return Categories.model_validate(data)

    async def get_category_attributes(self, shop: ShopContext, category_id: str, *,
                                      category_version: str | None = None,
                                      locale: str | None = None) -> Attributes:
        """Sales and product attributes of a leaf category (`is_requried` read as required)."""
        query = {"category_version": _cv(shop, category_version), "locale": locale}
        data = await self._t.call(ep.CATEGORY_ATTRIBUTES, shop,
                                  path_params={"category_id": category_id},
                                  query=drop_none(query))
        return Attributes.model_validate(data)

    async def get_category_rules(self, shop: ShopContext, category_id: str, *,
                                 category_version: str | None = None,
                                 locale: str | None = None) -> CategoryRules:
        """Certifications, size chart, package dimensions, EU compliance needs."""
        query = {"category_version": _cv(shop, category_version), "locale": locale}
        data = await self._t.call(ep.CATEGORY_RULES, shop,
                                  path_params={"category_id": category_id},
                                  query=drop_none(query))
        return CategoryRules.model_validate(data)

    async def get_brands(self, shop: ShopContext, *, page_size: int = BRANDS_MAX_PAGE_SIZE,
                         page_token: str | None = None, category_id: str | None = None,
                         brand_name: str | None = None, is_authorized: bool | None = None,
                         category_version: str | None = None) -> Brands:
        """One page of brands (`page_size` is required by the doc, 1–100)."""
        if not 1 <= page_size <= BRANDS_MAX_PAGE_SIZE:
            raise ValueError("page_size must be 1..100")
        query = {"page_size": str(page_size), "page_token": page_token,
                 "category_id": category_id, "brand_name": brand_name,
                 "is_authorized": None if is_authorized is None else str(is_authorized).lower(),
                 # "For US shops, you must pass v2" (Get Brands doc; default is v1).
                 "category_version": _cv(shop, category_version)}
        data = await self._t.call(ep.BRANDS, shop, query=drop_none(query))
        return Brands.model_validate(data)

    async def get_listing_prerequisites(self, shop: ShopContext) -> Prerequisites:
        """Which shop-level settings block listing (return warehouse, shipping template…)."""
        data = await self._t.call(ep.PREREQUISITES, shop)
        return Prerequisites.model_validate(data)

    async def upload_image(self, shop: ShopContext, content: bytes, *, filename: str = "image.jpg",
                           mime_type: str = "image/jpeg",
                           use_case: str = "MAIN_IMAGE") -> UploadedImage:
        """Upload one image (multipart `data` + `use_case`; not signed, no shop_cipher)."""
        if use_case not in IMAGE_USE_CASES:
            raise ValueError(f"unknown image use_case {use_case!r}")
        data = await self._t.call(ep.IMAGE_UPLOAD, shop,
                                  files={"data": (filename, content, mime_type)},
                                  form={"use_case": use_case})
        return UploadedImage.model_validate(data)
