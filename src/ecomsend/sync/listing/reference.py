"""Per-process TTL caches of TikTok reference data a push needs: category attributes and
rules, warehouses, the category tree. Keyed by connection (the calls need its shop context)."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ecomsend.integrations.tiktok.client import TikTokClient
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.catalog import Attribute, Category, CategoryRules
from ecomsend.integrations.tiktok.models.logistics import Warehouse

T = TypeVar("T")
#: Reference data changes rarely; an hour keeps calls per product near zero.
TTL_S = 3600.0
#: Most answers kept per process (least recently used out first): keys grow with connections
#: and categories, so the cache is bounded.
MAX_ITEMS = 4096


@dataclass
class TtlCache:
    """A tiny async memo with expiry (per process; a miss just calls TikTok again). Callers
    missing the same key at once share one load: a template activation starts several product
    pushes together, and each would otherwise fetch the same category data."""

    ttl_s: float = TTL_S
    max_items: int = MAX_ITEMS
    _items: OrderedDict[tuple[Any, ...], tuple[float, Any]] = field(default_factory=OrderedDict)
    _loading: dict[tuple[Any, ...], asyncio.Task[Any]] = field(default_factory=dict)

    async def get(self, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
        hit = self._items.get(key)
        if hit is not None and hit[0] > time.monotonic():
            self._items.move_to_end(key)
            value: T = hit[1]
            return value
        task = self._loading.get(key)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = self._loading[key] = asyncio.ensure_future(self._load(key, load))
        # shield: one caller giving up must not cancel the load the others wait for
        result: T = await asyncio.shield(task)
        return result

    async def _load(self, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
        try:
            value = await load()
            self._items[key] = (time.monotonic() + self.ttl_s, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
            return value
        finally:
            if self._loading.get(key) is asyncio.current_task():
                del self._loading[key]

    def clear(self) -> None:
        self._items.clear()


CACHE = TtlCache()


def _owner(shop: ShopContext, conn_id: int) -> tuple[int, str, str | None]:
    """Whose reference data a key holds: the connection row, its TikTok shop and region, so a
    row id reused by another database in the same process (the test suite: CI listed a UK
    product against a US shop's cached attributes) never reads another region's categories."""
    return conn_id, shop.limiter_identity, shop.region


async def category_attributes(client: TikTokClient, shop: ShopContext, conn_id: int,
                              category_id: str, version: str | None) -> list[Attribute]:
    async def load() -> list[Attribute]:
        got = await client.categories.get_category_attributes(shop, category_id,
                                                              category_version=version)
        return list(got.attributes)

    return await CACHE.get(("attrs", _owner(shop, conn_id), category_id, version), load)


async def category_rules(client: TikTokClient, shop: ShopContext, conn_id: int,
                         category_id: str, version: str | None) -> CategoryRules:
    async def load() -> CategoryRules:
        return await client.categories.get_category_rules(shop, category_id,
                                                          category_version=version)

    return await CACHE.get(("rules", _owner(shop, conn_id), category_id, version), load)


async def warehouses(client: TikTokClient, shop: ShopContext, conn_id: int) -> list[Warehouse]:
    async def load() -> list[Warehouse]:
        return list((await client.logistics.get_warehouses(shop)).warehouses)

    return await CACHE.get(("warehouses", _owner(shop, conn_id)), load)


async def default_sales_warehouse(client: TikTokClient, shop: ShopContext,
                                  conn_id: int) -> str | None:
    """The shop's default SALES_WAREHOUSE (else its first enabled one)."""
    sales = [w for w in await warehouses(client, shop, conn_id) if w.is_sales
             and (w.effect_status in (None, "ENABLED"))]
    chosen = next((w for w in sales if w.is_default), sales[0] if sales else None)
    return None if chosen is None else str(chosen.id)


async def categories(client: TikTokClient, shop: ShopContext, conn_id: int) -> list[Category]:
    async def load() -> list[Category]:
        return list((await client.categories.get_categories(shop)).categories)

    return await CACHE.get(("categories", _owner(shop, conn_id)), load)
