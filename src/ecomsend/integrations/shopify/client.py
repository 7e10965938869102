"""`ShopifyClient`: one async method per Admin GraphQL operation the app uses (DESIGN.md §5).

Built per shop by the sync use-cases and the web layer; every call goes through
`GraphQLTransport` (cost-aware limiting, retries, typed errors). Orders and fulfillments live in
`orders.OrderOperations`, bulk export in `bulk.py`; this module holds the catalog, inventory and
webhook-subscription calls and the construction.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ecomsend.config import Settings
from ecomsend.integrations.shopify import parsing
from ecomsend.integrations.shopify.buckets import BucketBook
from ecomsend.integrations.shopify.errors import Permanent
from ecomsend.integrations.shopify.models import (
    BulkOperation,
    ContextualPrice,
    InventoryAdjustmentGroup,
    InventoryItem,
    InventoryQuantity,
    Location,
    Page,
    Product,
    ShopInfo,
    Variant,
    WebhookSubscription,
)
from ecomsend.integrations.shopify.orders import OrderOperations
from ecomsend.integrations.shopify.refunds import RefundOperations
from ecomsend.integrations.shopify.responses import mutation_payload
from ecomsend.integrations.shopify.transport import (
    AccessTokenSource,
    GraphQLTransport,
    RetryPolicy,
    StaticToken,
)
from ecomsend.ratelimit import RateLimiter

T = TypeVar("T")

#: The pinned Admin API version (reference §0.1).
API_VERSION = "2026-07"
#: Default HTTP timeouts: Shopify answers in well under 10 s; a hung socket must not stall a job.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
#: Input arrays hold at most 250 items; `first` is at most 250 (reference §5).
MAX_PAGE = 250
#: Products per ProductsPage request: keeps requestedQueryCost under 1000 (reference §5).
PRODUCTS_PAGE_SIZE = 10
#: Locations per page: Shopify reserves 2 + first points up front and refunds the unused part
#: only on its side (reference §5), so a modest page keeps our local bucket honest.
LOCATIONS_PAGE_SIZE = 50
#: Variants per VariantsContextualPricing call: 4 points each, under the 1000-point limit.
CONTEXTUAL_PAGE = 200
#: Webhook subscriptions per page: an app has a few dozen at most.
WEBHOOKS_PAGE_SIZE = 50


def shop_base_url(template: str, shop: str) -> str:
    """The shop's base URL from `Settings.shopify_shop_url_template` (no trailing slash)."""
    return template.format(shop=shop).rstrip("/")


class ShopifyClient(OrderOperations, RefundOperations):
    """The Admin GraphQL API of one shop. Use as `async with ShopifyClient(...) as client:`.

    `token` is an access token string or an `AccessTokenSource` (e.g. `oauth.ExpiringToken`,
    which refreshes expiring offline tokens and hands the new pair to the caller's callback).
    `limiter` is shared by every client of the process (or the Postgres adapter in scale-out),
    and so is `buckets` (what is known about each shop's bucket; see buckets.py).
    """

    def __init__(
        self,
        shop: str,
        token: str | AccessTokenSource,
        *,
        limiter: RateLimiter,
        base_url: str | None = None,
        api_version: str = API_VERSION,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        rng: random.Random | None = None,
        buckets: BucketBook | None = None,
    ) -> None:
        self.shop = shop
        self.base_url = (base_url or f"https://{shop}").rstrip("/")
        self.api_version = api_version
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(timeout=timeout)
        source = StaticToken(token) if isinstance(token, str) else token
        endpoint = f"{self.base_url}/admin/api/{api_version}/graphql.json"
        self._gql = GraphQLTransport(endpoint=endpoint, shop=shop, token=source, http=self.http,
                                     limiter=limiter, retry=retry, rng=rng, buckets=buckets)

    @classmethod
    def for_shop(
        cls, settings: Settings, shop: str, token: str | AccessTokenSource, *,
        limiter: RateLimiter, **kwargs: Any,
    ) -> ShopifyClient:
        """A client configured from Settings (URL template, pinned version); the usual entry."""
        return cls(shop, token, limiter=limiter,
                   base_url=shop_base_url(settings.shopify_shop_url_template, shop),
                   api_version=settings.shopify_api_version, **kwargs)

    @property
    def transport(self) -> GraphQLTransport:
        return self._gql

    async def close(self) -> None:
        """Close the HTTP pool if this client created it."""
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> ShopifyClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    # --- shop & locations --------------------------------------------------------------
    async def shop_info(self) -> ShopInfo:
        """Name, currency and myshopify domain of the shop (install, settings page)."""
        data = await self._gql.execute("ShopInfo")
        return parsing.parse_shop(data["shop"])

    async def locations(self) -> list[Location]:
        """All active locations (warehouse ↔ location mapping in settings)."""
        return await self._every_node("Locations", "locations", LOCATIONS_PAGE_SIZE,
                                      parsing.parse_location)

    async def _every_node(self, document: str, root: str, page_size: int,
                          parse: Callable[[Mapping[str, Any]], T]) -> list[T]:
        """Every node of the cursor-paginated connection `root`, page after page (used for
        the small connections the app reads whole: locations, webhook subscriptions)."""
        found: list[T] = []
        after: str | None = None
        while True:
            data = await self._gql.execute(document, {"first": page_size, "after": after})
            conn = data[root]
            found.extend(parse(n) for n in parsing.nodes(conn))
            after = conn["pageInfo"]["endCursor"]
            if not conn["pageInfo"]["hasNextPage"]:
                return found

    # --- products ----------------------------------------------------------------------
    async def products_page(
        self, query: str | None = None, after: str | None = None, first: int = PRODUCTS_PAGE_SIZE
    ) -> Page[Product]:
        """One page of products matching a search `query` (e.g. `updated_at:>2026-11-01`).
        A product whose `variants_count` exceeds its variants must be re-read with product()."""
        data = await self._gql.execute("ProductsPage",
                                       {"first": first, "after": after, "query": query})
        conn = data["products"]
        items = [parsing.parse_product(n) for n in parsing.nodes(conn)]
        info = conn["pageInfo"]
        return Page(items, bool(info["hasNextPage"]), info.get("endCursor"))

    async def product(self, product_id: str) -> Product | None:
        """One product with all its variants (paged), options, images and collections;
        None if Shopify has no such product (webhook handlers, manual sync)."""
        data = await self._gql.execute("Product", {"id": product_id, "variantsAfter": None})
        node = data.get("product")
        if node is None:
            return None
        variants = [parsing.parse_variant(v, product_id) for v in parsing.nodes(node["variants"])]
        info = node["variants"]["pageInfo"]
        while info["hasNextPage"]:
            more = await self._gql.execute("Product", {"id": product_id,
                                                       "variantsAfter": info["endCursor"]})
            conn = more["product"]["variants"]
            variants.extend(parsing.parse_variant(v, product_id) for v in parsing.nodes(conn))
            info = conn["pageInfo"]
        return parsing.parse_product(node, variants=variants)

    async def variants(self, variant_ids: Sequence[str]) -> list[Variant]:
        """Variants by GID, in the order asked; ids Shopify does not know are left out."""
        found: list[Variant] = []
        for start in range(0, len(variant_ids), MAX_PAGE):
            chunk = list(variant_ids[start:start + MAX_PAGE])
            data = await self._gql.execute("VariantsByIds", {"ids": chunk})
            found.extend(parsing.parse_variant(n) for n in data["nodes"] if n and n.get("id"))
        return found

    async def contextual_prices(self, variant_ids: Sequence[str],
                                country: str) -> dict[str, ContextualPrice]:
        """What a buyer in `country` (ISO code, GB not UK) pays for each variant, by GID: the
        Shopify Markets price list when a market sells there, else the store's own price in
        the store's currency (compare `currency`). Called by the listing jobs and the preview."""
        found: dict[str, ContextualPrice] = {}
        for start in range(0, len(variant_ids), CONTEXTUAL_PAGE):
            chunk = list(variant_ids[start:start + CONTEXTUAL_PAGE])
            data = await self._gql.execute("VariantsContextualPricing",
                                           {"ids": chunk, "country": country})
            for node in data["nodes"]:
                parsed = parsing.parse_contextual_price(node)
                if parsed is not None:
                    found[parsed.variant_id] = parsed
        return found

    # --- inventory ---------------------------------------------------------------------
    async def inventory_item(self, inventory_item_id: str) -> InventoryItem | None:
        """An inventory item with `available` at every location it is stocked at."""
        data = await self._gql.execute("InventoryItemLevels", {"id": inventory_item_id})
        node = data.get("inventoryItem")
        if node is None:
            return None
        item = parsing.parse_inventory_item(node)
        info = node["inventoryLevels"]["pageInfo"]
        levels = list(item.levels)
        while info["hasNextPage"]:
            more = await self._gql.execute("InventoryItemLevels",
                                           {"id": inventory_item_id, "after": info["endCursor"]})
            page = parsing.parse_inventory_item(more["inventoryItem"])
            levels.extend(page.levels)
            info = more["inventoryItem"]["inventoryLevels"]["pageInfo"]
        return InventoryItem(item.id, item.sku, item.tracked, tuple(levels))

    async def set_inventory(
        self,
        quantities: Sequence[InventoryQuantity],
        *,
        idempotency_key: str,
        name: str = "available",
        reason: str = "correction",
        reference_document_uri: str | None = None,
    ) -> InventoryAdjustmentGroup:
        """Set absolute quantities with compare-and-set (`changeFromQuantity`, always sent, null
        skips the check) under `@idempotent(key:)`, required from 2026-04 (reference §8).
        The same key with the same input is safe to replay, so retries are automatic."""
        if not 0 < len(quantities) <= MAX_PAGE:
            raise Permanent(f"set_inventory takes 1..{MAX_PAGE} quantities")
        rows = [{"inventoryItemId": q.inventory_item_id, "locationId": q.location_id,
                 "quantity": q.quantity, "changeFromQuantity": q.change_from} for q in quantities]
        body: dict[str, Any] = {"name": name, "reason": reason, "quantities": rows}
        if reference_document_uri:
            body["referenceDocumentUri"] = reference_document_uri
        data = await self._gql.execute("InventorySetQuantities",
                                       {"input": body, "key": idempotency_key})
        payload = mutation_payload(data, "inventorySetQuantities")
        return parsing.parse_adjustment_group(payload.get("inventoryAdjustmentGroup"))

    # --- bulk operations (the export itself: bulk.py) ----------------------------------
    async def run_bulk_query(self, query: str) -> BulkOperation:
        """Start a bulk query (groupObjects false — reference §6); returns it CREATED."""
        data = await self._gql.execute("BulkOperationRunQuery", {"query": query})
        payload = mutation_payload(data, "bulkOperationRunQuery")
        return parsing.parse_bulk_operation(payload["bulkOperation"])

    async def bulk_operation(self, operation_id: str) -> BulkOperation:
        """Current state of a bulk operation (`bulkOperation(id:)`, reference §6)."""
        data = await self._gql.execute("BulkOperation", {"id": operation_id})
        if data.get("bulkOperation") is None:
            raise Permanent(f"bulk operation {operation_id} not found")
        return parsing.parse_bulk_operation(data["bulkOperation"])

    # --- webhook subscriptions ---------------------------------------------------------
    async def create_webhook_subscription(
        self, topic: str, uri: str, *, include_fields: Sequence[str] = (),
        filter: str | None = None,
    ) -> WebhookSubscription:
        """Subscribe `topic` (enum form, e.g. PRODUCTS_UPDATE) to `uri` (reference §4.2)."""
        sub: dict[str, Any] = {"uri": uri, "format": "JSON"}
        if include_fields:
            sub["includeFields"] = list(include_fields)
        if filter:
            sub["filter"] = filter
        data = await self._gql.execute("WebhookSubscriptionCreate",
                                       {"topic": topic, "subscription": sub})
        payload = mutation_payload(data, "webhookSubscriptionCreate")
        return parsing.parse_webhook_subscription(payload["webhookSubscription"])

    async def webhook_subscriptions(self) -> list[WebhookSubscription]:
        """All API-created subscriptions of the shop (TOML ones are not listed)."""
        return await self._every_node("WebhookSubscriptions", "webhookSubscriptions",
                                      WEBHOOKS_PAGE_SIZE, parsing.parse_webhook_subscription)

    async def delete_webhook_subscription(self, subscription_id: str) -> str:
        """Delete one subscription; returns the deleted id."""
        data = await self._gql.execute("WebhookSubscriptionDelete", {"id": subscription_id})
        payload = mutation_payload(data, "webhookSubscriptionDelete")
        return str(payload.get("deletedWebhookSubscriptionId") or subscription_id)
