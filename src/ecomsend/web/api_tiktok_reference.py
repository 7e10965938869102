"""TikTok reference data for the forms: category tree, attributes, rules, brands, warehouses.

`ReferenceData` caches each answer per process (held on `app.state`) for `REFERENCE_TTL_S`, keyed
by TikTok shop and arguments, so opening a product form twice costs TikTok nothing; concurrent
misses for one key share one call. The products, templates and settings pages use it too.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar, cast

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from ecomsend.db.models import TikTokShop
from ecomsend.integrations.tiktok.categories import category_version_for
from ecomsend.integrations.tiktok.models.catalog import (
    Attribute,
    Brands,
    Category,
    CategoryRules,
    Prerequisites,
)
from ecomsend.integrations.tiktok.models.logistics import Warehouse
from ecomsend.services import Services, tiktok_context
from ecomsend.sync.products.recommend import category_paths
from ecomsend.sync.products.regions import region_rules
from ecomsend.web.api_common import TIKTOK_RESPONSES, ConnectionDep, tiktok_call
from ecomsend.web.deps import ServicesDep

T = TypeVar("T")
#: Reference data changes rarely (TikTok publishes category updates a few times a year).
REFERENCE_TTL_S = 600.0
#: Warehouses and prerequisites change when the seller edits Seller Center: shorter.
SHOP_FACTS_TTL_S = 60.0


#: Most answers kept per process: keys carry caller input (brand searches, page tokens), so the
#: cache is bounded; the least recently used answer goes first.
REFERENCE_CACHE_MAX = 2048


class TTLCache:
    """A small per-process async cache with expiry and an LRU bound; one in-flight call per
    key (the key's lock is dropped once nobody waits on it)."""

    def __init__(self, max_items: int = REFERENCE_CACHE_MAX) -> None:
        self.max_items = max_items
        self._values: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
        self._locks: dict[tuple[Any, ...], asyncio.Lock] = {}

    def _hit(self, key: tuple[Any, ...]) -> tuple[bool, Any]:
        hit = self._values.get(key)
        if hit is None or hit[0] <= time.monotonic():
            return False, None
        self._values.move_to_end(key)
        return True, hit[1]

    async def get(self, key: tuple[Any, ...], ttl_s: float,
                  load: Callable[[], Awaitable[T]]) -> T:
        found, value = self._hit(key)
        if found:
            return cast(T, value)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                found, value = self._hit(key)
                if found:
                    return cast(T, value)
                fresh = await load()
                self._values[key] = (time.monotonic() + ttl_s, fresh)
                self._values.move_to_end(key)
                while len(self._values) > self.max_items:
                    self._values.popitem(last=False)
                return fresh
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        self._values.clear()


class ReferenceData:
    """Cached TikTok reference calls for one connection row (`tiktok_shop`)."""

    def __init__(self, services: Services, cache: TTLCache) -> None:
        self.services = services
        self.cache = cache

    async def _cached(self, shop: TikTokShop, what: tuple[Any, ...], ttl_s: float,
                      load: Callable[[], Awaitable[T]]) -> T:
        return await tiktok_call(self.cache.get((shop.tiktok_shop_id, *what), ttl_s, load))

    async def categories(self, shop: TikTokShop) -> list[Category]:
        async def load() -> list[Category]:
            found = await self.services.tiktok.categories.get_categories(tiktok_context(shop))
            return list(found.categories)
        return await self._cached(shop, ("categories",), REFERENCE_TTL_S, load)

    async def attributes(self, shop: TikTokShop, category_id: str) -> list[Attribute]:
        async def load() -> list[Attribute]:
            found = await self.services.tiktok.categories.get_category_attributes(
                tiktok_context(shop), category_id)
            return list(found.attributes)
        return await self._cached(shop, ("attributes", category_id), REFERENCE_TTL_S, load)

    async def rules(self, shop: TikTokShop, category_id: str) -> CategoryRules:
        async def load() -> CategoryRules:
            return await self.services.tiktok.categories.get_category_rules(
                tiktok_context(shop), category_id)
        return await self._cached(shop, ("rules", category_id), REFERENCE_TTL_S, load)

    async def brands(self, shop: TikTokShop, *, category_id: str | None, name: str | None,
                     page_token: str | None) -> Brands:
        async def load() -> Brands:
            return await self.services.tiktok.categories.get_brands(
                tiktok_context(shop), category_id=category_id, brand_name=name,
                page_token=page_token)
        return await self._cached(shop, ("brands", category_id, name, page_token),
                                  REFERENCE_TTL_S, load)

    async def warehouses(self, shop: TikTokShop) -> list[Warehouse]:
        async def load() -> list[Warehouse]:
            found = await self.services.tiktok.logistics.get_warehouses(tiktok_context(shop))
            return list(found.warehouses)
        return await self._cached(shop, ("warehouses",), SHOP_FACTS_TTL_S, load)

    async def prerequisites(self, shop: TikTokShop) -> Prerequisites:
        """Not cached: the merchant re-checks right after fixing Seller Center."""
        async def load() -> Prerequisites:
            return await self.services.tiktok.categories.get_listing_prerequisites(
                tiktok_context(shop))
        return await tiktok_call(load())


def get_reference(request: Request, services: ServicesDep) -> ReferenceData:
    """The process's reference cache (created on first use, kept on `app.state`)."""
    cache = getattr(request.app.state, "tiktok_reference_cache", None)
    if cache is None:
        cache = request.app.state.tiktok_reference_cache = TTLCache()
    return ReferenceData(services, cache)


ReferenceDep = Annotated[ReferenceData, Depends(get_reference)]
#: TikTok category ids are digit strings; anything else is refused before TikTok is called.
CategoryId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9]+$")]
router = APIRouter(prefix="/api/connections/{connection_id}/tiktok", tags=["tiktok reference"],
                   responses=TIKTOK_RESPONSES)


class CategoryOut(BaseModel):
    id: str
    parent_id: str | None
    name: str
    path: list[str]
    is_leaf: bool
    permission_statuses: list[str]


class CategoriesOut(BaseModel):
    category_version: str
    categories: list[CategoryOut]


class ValueOut(BaseModel):
    id: str
    name: str | None


class AttributeOut(BaseModel):
    id: str
    name: str | None
    type: str | None
    required: bool
    customizable: bool
    multiple: bool
    value_format: str | None
    values: list[ValueOut]


class BrandOut(BaseModel):
    id: str
    name: str | None
    authorized: bool
    available: bool


class BrandsOut(BaseModel):
    brands: list[BrandOut]
    next_page_token: str | None


class WarehouseOut(BaseModel):
    id: str
    name: str | None
    type: str | None
    is_default: bool
    status: str | None


def attribute_out(attr: Attribute) -> AttributeOut:
    return AttributeOut(id=attr.id, name=attr.name, type=attr.type, required=attr.is_required,
                        customizable=attr.is_customizable, multiple=attr.is_multiple_selection,
                        value_format=attr.value_data_format,
                        values=[ValueOut(id=v.id, name=v.name) for v in attr.values])


@router.get("/categories", response_model=CategoriesOut,
            summary="TikTok category tree of the connection's region (leaf flags, full paths)")
async def list_categories(
        connection: ConnectionDep, reference: ReferenceDep,
        keyword: Annotated[str | None, Query(max_length=100)] = None,
        leaves_only: bool = False,
        parent_id: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9]+$")] = None,
        limit: Annotated[int | None, Query(ge=1, le=10000)] = None) -> CategoriesOut:
    """Flat tree (v2 for US, v1 elsewhere); `keyword` filters on any level of the path,
    `parent_id` keeps one level ("0" = the roots: how the category picker browses), `limit`
    caps the answer (the picker's search shows the first matches)."""
    cats = await reference.categories(connection)
    paths = category_paths(cats)
    needle = (keyword or "").casefold().strip()
    out = [CategoryOut(id=c.id, parent_id=c.parent_id, name=c.local_name or c.id,
                       path=list(paths[c.id]), is_leaf=c.is_leaf,
                       permission_statuses=list(c.permission_statuses))
           for c in cats
           if (c.is_leaf or not leaves_only)
           and (parent_id is None or (c.parent_id or "0") == parent_id)
           and (not needle or needle in " > ".join(paths[c.id]).casefold())]
    return CategoriesOut(category_version=category_version_for(connection.region),
                         categories=out[:limit] if limit else out)


@router.get("/categories/{category_id}/attributes", response_model=list[AttributeOut],
            summary="Product and sales attributes of a leaf category (required, allowed values)")
async def category_attributes(connection: ConnectionDep, reference: ReferenceDep,
                              category_id: CategoryId) -> list[AttributeOut]:
    return [attribute_out(a) for a in await reference.attributes(connection, category_id)]


@router.get("/categories/{category_id}/rules", response_model=CategoryRules,
            summary="What a listing in the category must carry (certifications, size chart…)")
async def category_rules(connection: ConnectionDep, reference: ReferenceDep,
                         category_id: CategoryId) -> CategoryRules:
    return await reference.rules(connection, category_id)


@router.get("/brands", response_model=BrandsOut, summary="Brands the seller may use (paged)")
async def list_brands(connection: ConnectionDep, reference: ReferenceDep,
                      category_id: Annotated[str | None, Query(max_length=64,
                                                               pattern=r"^[0-9]+$")] = None,
                      name: Annotated[str | None, Query(max_length=100)] = None,
                      page_token: Annotated[str | None, Query(max_length=512)] = None,
                      ) -> BrandsOut:
    page = await reference.brands(connection, category_id=category_id, name=name,
                                  page_token=page_token)
    return BrandsOut(brands=[BrandOut(id=b.id, name=b.name, authorized=b.is_authorized,
                                      available=b.brand_status != "UNAVAILABLE")
                             for b in page.brands],
                     next_page_token=page.next_page_token or None)


@router.get("/warehouses", response_model=list[WarehouseOut],
            summary="The TikTok shop's warehouses (sales and return)")
async def list_warehouses(connection: ConnectionDep,
                          reference: ReferenceDep) -> list[WarehouseOut]:
    return [WarehouseOut(id=w.id, name=w.name, type=w.type, is_default=w.is_default,
                         status=w.effect_status) for w in await reference.warehouses(connection)]


class RegionOut(BaseModel):
    """What the forms need to know about the connection's market (units, currency)."""

    code: str
    currency: str
    weight_units: list[str]
    dimension_units: list[str]
    default_weight_unit: str
    category_version: str


@router.get("/region", response_model=RegionOut,
            summary="The connection's market: accepted package units, currency, tree version")
async def region_facts(connection: ConnectionDep) -> RegionOut:
    rules = region_rules(connection.region)
    return RegionOut(code=rules.code, currency=rules.currency,
                     weight_units=list(rules.weight_units),
                     dimension_units=list(rules.dimension_units),
                     default_weight_unit=rules.default_weight_unit,
                     category_version=rules.category_version)
