"""Catalog endpoints: categories, attributes, rules, brands, recommendation, image upload."""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.markets import market
from ecomsend.sandbox.tiktok.paging import paged
from ecomsend.sandbox.tiktok.refdata import Category, RegionCatalog, catalog
from ecomsend.sandbox.tiktok.state import Image, Shop

CATEGORY_NOT_FOUND = 12052023
CATEGORY_NOT_LEAF = 12052024
CATEGORY_VERSION = 12052217
CATEGORY_NOT_IN_VERSION = 12052230
PAGE_SIZE_INVALID = 12019109
#: Brands page size 1–100 (reference §6).
BRANDS_PAGE_MAX = 100
#: Upload limits (reference §4.5): ≤ 10 MB; MAIN_IMAGE 300–4000 px; others 100–20000 px.
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_USE_CASES = ("MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE", "CERTIFICATION_IMAGE",
                   "SIZE_CHART_IMAGE")
MAIN_IMAGE_PX = (300, 4000)
OTHER_IMAGE_PX = (100, 20000)
#: Size assumed when the bytes are not a PNG/JPEG we can measure.
DEFAULT_IMAGE_PX = 1000
IMAGE_INVALID_PARAM = 11050001
IMAGE_BAD_FILE = 12038002
IMAGE_TOO_BIG = 12038005
IMAGE_BAD_DIMENSIONS = 12038014


def category_version(shop: Shop, raw: str | None) -> str:
    """The tree version to use: US must pass v2, other regions use v1 (Get Categories doc)."""
    version = raw or "v1"
    native = market(shop.region).category_version
    if version != native:
        raise ApiError(CATEGORY_VERSION, "Incorrect category version. For US shops or global "
                       "sellers with an active US shop, specify 'category version=v2'; other "
                       f"markets use v1 (this {shop.region} shop needs {native}).")
    return version


def shop_catalog(ctx: Ctx) -> RegionCatalog:
    """The catalog for the shop and the requested category_version."""
    return catalog(ctx.shop.region, category_version(ctx.shop, ctx.query.get("category_version")))


def leaf(cat: RegionCatalog, category_id: str) -> Category:
    """A leaf category or the documented errors."""
    node = cat.categories.get(category_id)
    if node is None:
        raise ApiError(CATEGORY_NOT_FOUND, f"Category does not exist: {category_id}.")
    if not node.is_leaf:
        raise ApiError(CATEGORY_NOT_LEAF, f"Category is not final category: {category_id}.")
    return node


async def get_categories(ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/categories: the whole tree, flat, no pagination (reference §4.5)."""
    cat = shop_catalog(ctx)
    keyword = ctx.query.get("keyword", "").lower()
    nodes = [c for c in cat.categories.values() if keyword in c.local_name.lower()]
    return {"categories": [c.wire() for c in nodes]}


async def get_attributes(ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/categories/{category_id}/attributes."""
    cat = shop_catalog(ctx)
    node = leaf(cat, ctx.params["category_id"])
    return {"attributes": [a.wire() for a in cat.attributes(node.id)]}


async def get_rules(ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/categories/{category_id}/rules."""
    cat = shop_catalog(ctx)
    node = leaf(cat, ctx.params["category_id"])
    return cat.rules(node.id).wire()


async def get_brands(ctx: Ctx) -> dict[str, Any]:
    """GET /product/202309/brands (page_size required, 1–100)."""
    size = ctx.page_size(BRANDS_PAGE_MAX, PAGE_SIZE_INVALID)
    # category_version only matters with a category_id; without one any version lists brands.
    cat = shop_catalog(ctx) if ctx.query.get("category_id") else \
        catalog(ctx.shop.region, market(ctx.shop.region).category_version)
    brands = list(cat.brands)
    if ctx.query.get("category_id"):
        node = cat.categories.get(ctx.query["category_id"])
        if node is None:
            raise ApiError(CATEGORY_NOT_FOUND, "Category does not exist.")
        brands = [b for b in brands if node.department in b.departments]
    name = ctx.query.get("brand_name", "").lower()
    if name:
        brands = [b for b in brands if b.name.lower().startswith(name)]  # "begin with"
    if ctx.query.get("is_authorized") in ("1", "true"):
        brands = [b for b in brands if b.authorized_status == "AUTHORIZED"]
    return paged("brands", [b.wire() for b in brands], ctx.query.get("page_token"), size,
                 PAGE_SIZE_INVALID)


async def recommend_category(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/categories/recommend: best word overlap with the title."""
    body = ctx.json()
    title = str(body.get("product_title", "")).lower()
    if not title:
        raise ApiError(IMAGE_INVALID_PARAM, "product_title is required.")
    version = category_version(ctx.shop, body.get("category_version"))
    cat = catalog(ctx.shop.region, version)
    words = set(title.replace("'", " ").split())

    def score(c: Category) -> int:
        chain = " ".join(n.local_name for n in cat.chain(c.id)).lower()
        return sum(1 for w in words if w in chain)

    best = max(cat.leaves(), key=score)
    return {"leaf_category_id": best.id,
            "categories": [{"id": c.id, "name": c.local_name, "level": i + 1,
                            "is_leaf": c.is_leaf} for i, c in enumerate(cat.chain(best.id))]}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, else None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = int.from_bytes(data[i + 2:i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return int(w), int(h)
            i += 2 + length
    return None


async def upload_image(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/images/upload (multipart `data` + `use_case`; no shop_cipher)."""
    form = await ctx.request.form()
    upload = form.get("data")
    use_case = str(form.get("use_case") or "MAIN_IMAGE")
    if use_case not in IMAGE_USE_CASES:
        raise ApiError(IMAGE_INVALID_PARAM, f"invalid param: use_case {use_case!r}")
    if upload is None or isinstance(upload, str):
        raise ApiError(IMAGE_BAD_FILE, "Invalid upload file. Please ensure you are passing the "
                       "correct file data.")
    data = await upload.read()
    if not data:
        raise ApiError(IMAGE_BAD_FILE, "Invalid upload file. The file is empty.")
    if len(data) > IMAGE_MAX_BYTES:
        raise ApiError(IMAGE_TOO_BIG, "The file size exceeds the maximum allowed size.")
    w, h = image_size(data) or (DEFAULT_IMAGE_PX, DEFAULT_IMAGE_PX)
    lo, hi = MAIN_IMAGE_PX if use_case == "MAIN_IMAGE" else OTHER_IMAGE_PX
    if not (lo <= w <= hi and lo <= h <= hi):
        raise ApiError(IMAGE_BAD_DIMENSIONS, "The image dimensions exceed the allowed limits. "
                       f"Allowed dimensions (width x height in pixels): {lo} x {lo} to "
                       f"{hi} x {hi}")
    uri = "tos-sandbox-i-tts/" + hashlib.sha256(data + use_case.encode()).hexdigest()[:32]
    ctx.sb.store.images[uri] = Image(uri, w, h, use_case)
    return {"uri": uri, "url": image_url(uri), "width": w, "height": h, "use_case": use_case}


def image_url(uri: str) -> str:
    """A display URL for an uploaded image uri."""
    return f"https://sandbox-cdn.tiktokshop.invalid/{uri}~tplv-o3syd03w52-origin.jpeg"
