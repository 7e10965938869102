"""The sandbox's in-memory state: shops, catalog, inventory, orders, subscriptions.

Everything runs on one asyncio loop, so resolvers and control routes mutate these objects
without locks. Created by `app.create_app`; read and written by resolvers, `merchant` (domain
operations that fire webhooks), the generator, bulk and the control API.
"""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass, field
from typing import Any

from ecomsend.sandbox.shopify.cost import LeakyBucket
from ecomsend.sandbox.shopify.faults import FaultConfig
from ecomsend.sandbox.shopify.util import now

#: Default bucket of a Standard plan shop (reference §5: 2000 points, 100/s).
DEFAULT_CAPACITY = 2000.0
DEFAULT_RESTORE_RATE = 100.0
#: All scopes the app asks for; a control-API shop gets these unless told otherwise.
ALL_SCOPES = (
    "read_products,write_products,read_inventory,write_inventory,read_orders,write_orders,"
    "read_fulfillments,write_fulfillments,read_merchant_managed_fulfillment_orders,"
    "write_merchant_managed_fulfillment_orders,read_locations"
)
#: How many GraphQL request records a shop keeps for `GET /requests`.
REQUEST_LOG_SIZE = 1000


@dataclass(slots=True)
class Location:
    """A shop location (warehouse or store)."""
    id: int
    name: str
    active: bool = True
    country_code: str = "US"
    province_code: str | None = "NY"
    zip: str = "10001"
    created_at: float = field(default_factory=now)


@dataclass(slots=True)
class Level:
    """One inventory level: an item stocked at a location."""

    available: int
    committed: int = 0
    updated_at: float = field(default_factory=now)


@dataclass(slots=True)
class InventoryItem:
    """The stock-keeping part of a variant, with levels per location."""
    id: int
    variant_id: int
    sku: str | None
    tracked: bool = True
    cost: str | None = None
    weight_grams: float = 0.0
    requires_shipping: bool = True
    levels: dict[int, Level] = field(default_factory=dict)
    created_at: float = field(default_factory=now)
    updated_at: float = field(default_factory=now)


@dataclass(slots=True)
class Variant:
    """A product variant."""
    id: int
    product_id: int
    sku: str | None
    price: str
    options: list[str]
    item: InventoryItem
    position: int = 1
    barcode: str | None = None
    compare_at_price: str | None = None
    inventory_policy: str = "DENY"
    taxable: bool = True
    created_at: float = field(default_factory=now)
    updated_at: float = field(default_factory=now)

    @property
    def title(self) -> str:
        """Option values joined by ' / ', or Default Title."""
        return " / ".join(self.options) if self.options else "Default Title"

    @property
    def inventory_quantity(self) -> int:
        """Available stock summed over locations."""
        return sum(level.available for level in self.item.levels.values())


@dataclass(slots=True)
class Image:
    """A product image."""
    id: int
    src: str
    alt: str | None
    width: int = 1024
    height: int = 1024
    position: int = 1


@dataclass(slots=True)
class Option:
    """A product option (Size, Color, …) and its values."""
    id: int
    name: str
    values: list[str]
    position: int = 1


@dataclass(slots=True)
class Product:
    """A product with its options, variants and images."""
    id: int
    title: str
    handle: str
    body_html: str = ""
    vendor: str = ""
    product_type: str = ""
    status: str = "ACTIVE"
    tags: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    category: str | None = None  # standard-taxonomy id, e.g. "aa-1-13-8"
    created_at: float = field(default_factory=now)
    updated_at: float = field(default_factory=now)


@dataclass(slots=True)
class Collection:
    """A manual collection: an ordered list of product ids."""

    id: int
    title: str
    handle: str
    product_ids: list[int] = field(default_factory=list)
    body_html: str = ""
    updated_at: float = field(default_factory=now)


@dataclass(slots=True)
class LineItem:
    """An order line."""
    id: int
    title: str
    quantity: int
    price: str
    sku: str | None = None
    variant_id: int | None = None
    product_id: int | None = None
    variant_title: str | None = None
    requires_shipping: bool = True
    vendor: str | None = None
    order_id: int = 0  # set when the order is stored


@dataclass(slots=True)
class FOLineItem:
    """A fulfillment-order line: total and remaining quantity."""
    id: int
    line_item_id: int
    total: int
    remaining: int
    inventory_item_id: int | None = None


@dataclass(slots=True)
class FulfillmentOrder:
    """The part of an order one location ships."""
    id: int
    order_id: int
    location_id: int
    line_items: list[FOLineItem]
    status: str = "OPEN"
    created_at: float = field(default_factory=now)
    updated_at: float = field(default_factory=now)


@dataclass(slots=True)
class Tracking:
    """One tracking number with its carrier and URL."""
    number: str | None
    company: str | None
    url: str | None


@dataclass(slots=True)
class Fulfillment:
    """A shipment of some line items, with tracking."""
    id: int
    order_id: int
    location_id: int
    name: str
    line_items: list[tuple[int, int]]  # (line item id, quantity)
    tracking: list[Tracking]
    status: str = "SUCCESS"
    created_at: float = field(default_factory=now)
    updated_at: float = field(default_factory=now)


@dataclass(slots=True)
class Order:
    """An order (web, API or TikTok-imported)."""
    id: int
    number: int
    currency: str
    line_items: list[LineItem]
    email: str | None = None
    source_name: str = "web"
    source_identifier: str | None = None
    source_url: str | None = None
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    custom_attributes: list[tuple[str, str]] = field(default_factory=list)
    financial_status: str = "PAID"
    shipping_address: dict[str, Any] | None = None
    customer: dict[str, Any] | None = None
    shipping_lines: list[dict[str, Any]] = field(default_factory=list)
    fulfillment_order_ids: list[int] = field(default_factory=list)
    fulfillment_ids: list[int] = field(default_factory=list)
    cancelled_at: float | None = None
    cancel_reason: str | None = None
    claims: list[tuple[int, int, int]] = field(default_factory=list)  # item, location, qty
    refunds: list[Any] = field(default_factory=list)  # resolvers.refunds.Refund, oldest first
    paid: float | None = None  # captured by orderCreate's transactions (None: none given)
    test: bool = False
    processed_at: float = field(default_factory=now)
    created_at: float = field(default_factory=now)
    updated_at: float = field(default_factory=now)

    @property
    def name(self) -> str:
        """The order name, e.g. #1001."""
        return f"#{self.number}"

    @property
    def total(self) -> float:
        """Line items plus shipping."""
        items = sum(float(li.price) * li.quantity for li in self.line_items)
        return items + sum(float(s.get("price", 0)) for s in self.shipping_lines)


@dataclass(slots=True)
class Subscription:
    """A webhook subscription (API-created or TOML-style)."""
    id: int
    topic: str  # REST form, e.g. products/update
    uri: str
    source: str = "api"  # "api" (GraphQL) or "app" (TOML-style, control API)
    include_fields: list[str] = field(default_factory=list)
    name: str | None = None
    created_at: float = field(default_factory=now)


@dataclass(slots=True)
class BulkOp:
    """A bulk query operation and its compiled plan."""
    id: int
    query: str
    status: str = "CREATED"
    root_count: int = 0
    object_count: int = 0
    file_size: int | None = None
    #: The result file, written before the operation turns COMPLETED (as Shopify does).
    file_path: str | None = None
    error_code: str | None = None
    created_at: float = field(default_factory=now)
    completed_at: float | None = None
    token: str = ""
    url_base: str = ""
    plan: Any = None  # bulk.FieldPlan


@dataclass(slots=True)
class Token:
    """An access token the sandbox issued (offline or online, maybe expiring)."""

    value: str
    shop: str
    scope: str
    online: bool = False
    expires_at: float | None = None
    refresh_token: str | None = None
    used: bool = False  # set on first API call (ends the previous refresh token's grace)


@dataclass
class Shop:
    """One store: its catalog, orders, bucket, faults and webhook subscriptions."""

    domain: str
    id: int
    name: str
    currency: str = "USD"
    installed: bool = True
    locations: dict[int, Location] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    variants: dict[int, Variant] = field(default_factory=dict)
    items: dict[int, InventoryItem] = field(default_factory=dict)
    handles: dict[str, int] = field(default_factory=dict)
    collections: dict[int, Collection] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    customers: dict[int, dict[str, Any]] = field(default_factory=dict)  # customers.py
    fulfillment_orders: dict[int, FulfillmentOrder] = field(default_factory=dict)
    fulfillments: dict[int, Fulfillment] = field(default_factory=dict)
    subscriptions: dict[int, Subscription] = field(default_factory=dict)
    bulk_ops: dict[int, BulkOp] = field(default_factory=dict)
    markets: dict[int, Any] = field(default_factory=dict)  # markets.Market by id
    idempotency: dict[tuple[str, str], tuple[str, Any]] = field(default_factory=dict)
    bucket: LeakyBucket = field(default_factory=lambda: LeakyBucket(DEFAULT_CAPACITY,
                                                                    DEFAULT_RESTORE_RATE))
    faults: FaultConfig = field(default_factory=FaultConfig)
    requests: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=lambda: {
        "graphql_requests": 0, "throttled": 0, "cost_spent": 0})
    next_order_number: int = 1001
    search_index: Any = None  # search_index.OrderIndex, created on first search

    def log_request(self, record: dict[str, Any]) -> None:
        """Remember one GraphQL request (bounded) for `GET /_sandbox/.../requests`."""
        self.requests.append(record)
        if len(self.requests) > REQUEST_LOG_SIZE:
            del self.requests[: len(self.requests) - REQUEST_LOG_SIZE]


class Sandbox:
    """All shops plus the app's credentials and issued tokens; one per `create_app`."""

    def __init__(self, api_key: str, api_secret: str, **options: Any) -> None:
        """Empty state for one app (api key and secret); `options` from create_app."""
        self.api_key = api_key
        self.api_secret = api_secret
        self.options = options
        self.shops: dict[str, Shop] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Any] = {}  # oauth.RefreshRecord
        self.codes: dict[str, tuple[str, str, bool, float]] = {}  # code -> shop, scope, online, t
        self.app_subscriptions: list[tuple[str, str]] = []  # (topic, uri) for every shop
        #: Seconds before a write shows in orders search (search_index; 0 = instant).
        self.search_lag_s = float(options.get("search_lag_s", 3.0))
        self.base_url = ""  # filled from the first request: absolute bulk URLs need it
        self.dispatcher: Any = None  # webhooks.Dispatcher, attached by app.create_app
        self.bulk_index: dict[int, str] = {}  # bulk operation id -> shop domain
        self._bulk_dir: tempfile.TemporaryDirectory[str] | None = None  # result files
        self._ids = itertools.count(int(options.get("first_id", 1_000_001)))

    def next_id(self) -> int:
        """A fresh integer id, unique across all types and shops (like Shopify's)."""
        return next(self._ids)

    def bulk_file_path(self, op_id: int) -> str:
        """Where the result file of bulk operation `op_id` is written (a directory of this
        sandbox's own, removed when the process exits)."""
        if self._bulk_dir is None:
            self._bulk_dir = tempfile.TemporaryDirectory(prefix="shopify-sandbox-bulk-")
        return f"{self._bulk_dir.name}/{op_id}.jsonl"

    def bulk_shop(self, path: str) -> str | None:
        """The shop owning a bulk file path /_sandbox/bulk/{id}.jsonl (fault middleware)."""
        stem = path.rsplit("/", 1)[-1].split(".", 1)[0]
        return self.bulk_index.get(int(stem)) if stem.isdigit() else None

    def shop(self, domain: str) -> Shop | None:
        """The shop with this domain, or None."""
        return self.shops.get(domain.lower())

    def add_shop(self, domain: str, name: str | None = None, currency: str = "USD") -> Shop:
        """Create (or return) a shop; new shops get one primary location."""
        domain = domain.lower()
        if domain in self.shops:
            return self.shops[domain]
        shop = Shop(domain=domain, id=self.next_id(),
                    name=name or domain.split(".")[0].replace("-", " ").title(), currency=currency)
        self.add_location(shop)
        self.shops[domain] = shop
        return shop

    def add_location(self, shop: Shop) -> Location:
        """Add one active location named after its rank."""
        names = ["Main Warehouse", "East Coast DC", "West Coast DC", "Retail Store", "Overflow"]
        rank = len(shop.locations)
        name = names[rank] if rank < len(names) else f"Location {rank + 1}"
        loc = Location(id=self.next_id(), name=name)
        shop.locations[loc.id] = loc
        return loc
