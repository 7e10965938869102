"""Shopify images → TikTok-hosted uris (product payloads only accept those, reference §4.5).

Each Shopify image URL is uploaded once per TikTok shop: the result is cached on `Services` and
persisted in the mirror (`shopify_product.images[i].tiktok`, kept by the webhook mirror while
the URL stays the same), so a re-push costs no upload call. Image bytes come from an
`ImageSource`: plain HTTP by default; `register_image_source(prefix, source)` serves URLs that
cannot be fetched from here: `Services` registers `placeholder_source` for every prefix in
`Settings.placeholder_image_prefixes` (the demo stack's: the Shopify sandbox's CDN URLs, which
nothing serves offline).
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
import structlog
from sqlalchemy import update

from ecomsend.db.models import ShopifyProduct
from ecomsend.integrations.tiktok import errors as tt
from ecomsend.sync.listing.errors import translate
from ecomsend.sync.listing.image_fetch import ImageRefused, safe_get
from ecomsend.sync.products.preflight import image_format
from ecomsend.sync.products.regions import IMAGE_FORMATS
from ecomsend.sync.products.types import ProductSnapshot, UploadedImage

if TYPE_CHECKING:
    from ecomsend.integrations.tiktok.context import ShopContext
    from ecomsend.services import Services

log = structlog.get_logger(__name__)

ImageSource = Callable[[str], Awaitable[bytes]]
#: URL prefix → source; the longest matching prefix wins, HTTP otherwise.
_SOURCES: dict[str, ImageSource] = {}
#: Uploads remembered per `Services` (this app instance) at most; beyond, only the mirror's.
UPLOADS_CACHE_MAX = 50_000
UPLOAD_CONCURRENCY = 4
_MIME = {"png": "image/png", "webp": "image/webp", "bmp": "image/bmp", "heic": "image/heic"}


def register_image_source(prefix: str, source: ImageSource) -> None:
    """Serve image URLs starting with `prefix` from `source` instead of HTTP."""
    _SOURCES[prefix] = source


def placeholder_png(width: int = 600, height: int = 600) -> bytes:
    """A valid blank PNG (grey, 8-bit); big enough for TikTok's MAIN_IMAGE 300–4000 px."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xc8" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


async def placeholder_source(_url: str) -> bytes:
    return _PLACEHOLDER


_PLACEHOLDER = placeholder_png()


async def fetch(http: httpx.AsyncClient, url: str,
                allowed_hosts: Collection[str] = ()) -> bytes:
    """The image bytes from its registered source, else by a checked HTTP GET
    (`image_fetch.safe_get`: public addresses or `allowed_hosts` only, size and time capped)."""
    match = max((p for p in _SOURCES if url.startswith(p)), key=len, default=None)
    if match is not None:
        return await _SOURCES[match](url)
    return await safe_get(http, url, allowed_hosts)


def wanted_urls(product: ProductSnapshot, max_main: int) -> list[str]:
    """Main images (gallery order, at most `max_main`) then variant images, deduplicated."""
    urls = [i.url for i in product.images[:max_main]]
    urls += [v.image_url for v in product.sorted_variants if v.image_url]
    seen: dict[str, None] = {}
    for url in urls:
        if image_format(url) in (None, *IMAGE_FORMATS):
            seen.setdefault(url, None)
    return list(seen)


def cached_from_mirror(images: Iterable[Mapping[str, Any]]) -> dict[str, UploadedImage]:
    """The uploads persisted in `shopify_product.images`."""
    out = {}
    for image in images:
        hosted = image.get("tiktok") if isinstance(image, Mapping) else None
        if isinstance(hosted, Mapping) and hosted.get("uri") and image.get("url"):
            out[str(image["url"])] = UploadedImage(
                uri=str(hosted["uri"]), url=hosted.get("url"), width=hosted.get("width"),
                height=hosted.get("height"))
    return out


async def _upload_one(services: Services, shop: ShopContext, url: str) -> UploadedImage | None:
    try:
        content = await fetch(services.http, url, services.settings.image_fetch_allowed_hosts)
    except (httpx.HTTPError, OSError, ImageRefused) as exc:
        log.warning("image.fetch_failed", url=url, error=str(exc))
        return None
    fmt = image_format(url) or "jpg"
    try:
        got = await services.tiktok.categories.upload_image(
            shop, content, filename=f"image.{fmt}", mime_type=_MIME.get(fmt, "image/jpeg"))
    except tt.AuthInvalid as exc:
        raise translate(exc) from exc
    except tt.Permanent as exc:  # this image is refused (size, format): leave it out
        log.warning("image.refused", url=url, error=str(exc))
        return None
    except (tt.TikTokError, httpx.HTTPError) as exc:
        raise translate(exc) from exc
    return UploadedImage(uri=got.uri, url=got.url, width=got.width, height=got.height)


async def upload_images(services: Services, shop: ShopContext, urls: list[str],
                        known: Mapping[str, UploadedImage]) -> tuple[dict[str, UploadedImage],
                                                                     int]:
    """`{url: upload}` for every URL (cached or uploaded now) and how many uploads it took.
    A URL that cannot be fetched is left out (preflight then reports missing images)."""
    # Per TikTok shop: an uploaded image's uri is not known to be valid for another seller.
    cache, seller = services.image_uploads, shop.shop_id or ""
    result = {u: known.get(u) or cache.get((seller, u)) for u in urls}
    missing = [u for u, got in result.items() if got is None]
    slots = asyncio.Semaphore(UPLOAD_CONCURRENCY)

    async def one(url: str) -> tuple[str, UploadedImage | None]:
        async with slots:
            return url, await _upload_one(services, shop, url)

    for url, got in await asyncio.gather(*(one(u) for u in missing)):
        result[url] = got
        if got is not None and len(cache) < UPLOADS_CACHE_MAX:
            cache[(seller, url)] = got
    return {u: g for u, g in result.items() if g is not None}, len(missing)


async def persist(services: Services, product_db_id: int, seen_updated_at: datetime,
                  images: list[dict[str, Any]], uploaded: Mapping[str, UploadedImage]) -> None:
    """Store new uploads in the mirror row, unless a webhook changed its images meanwhile."""
    merged, changed = [], False
    for image in images:
        item = dict(image)
        got = uploaded.get(str(item.get("url")))
        if got is not None and not item.get("tiktok"):
            item["tiktok"] = {"uri": got.uri, "url": got.url, "width": got.width,
                              "height": got.height}
            changed = True
        merged.append(item)
    if not changed:
        return
    async with services.db.unit_of_work() as session:
        await session.execute(update(ShopifyProduct).where(
            ShopifyProduct.id == product_db_id, ShopifyProduct.updated_at == seen_updated_at)
            .values(images=merged))
