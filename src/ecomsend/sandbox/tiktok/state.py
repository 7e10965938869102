"""The sandbox's in-memory world: shops, tokens, products, orders, packages and logs."""

from __future__ import annotations

import itertools
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ecomsend.sandbox.tiktok.compliance_state import SellerCompliance
from ecomsend.sandbox.tiktok.faults import FaultSpec
from ecomsend.sandbox.tiktok.markets import market
from ecomsend.sandbox.tiktok.scopes import APP_SCOPES

#: Id ranges shaped like TikTok's (reference §9: 18–19 digit strings; orders start 57…,
#: products 17…). A counter keeps them unique and deterministic.
ID_BASES = {
    "shop": 7494000000000000000,
    "warehouse": 7068000000000000000,
    "product": 1729000000000000000,
    "sku": 1729500000000000000,
    "order": 576000000000000000,
    "line_item": 577000000000000000,
    "package": 1152000000000000000,
    "cancel": 4035000000000000000,
    "return": 4036000000000000000,
    "notification": 7327000000000000000,
    "open_id": 7010000000000000000,
    "user": 7494500000000000000,
}
#: Prerequisite check items reported by Check Listing Prerequisites (its doc lists these values).
PREREQUISITE_ITEMS = ("SHOP_STATUS", "SHOP_TAX", "PICKUP_WAREHOUSE", "RETURN_WAREHOUSE",
                      "DELIVERY_OPTION", "SHIPPING_TEMPLATE")
#: Items failing when a shop is seeded with prerequisites_ok=false and no explicit list.
DEFAULT_FAILING = ("RETURN_WAREHOUSE", "SHIPPING_TEMPLATE")
#: An auth code lives 30 minutes and is single use (reference §1.1).
AUTH_CODE_TTL_S = 30 * 60


def now() -> int:
    """Unix seconds."""
    return int(time.time())


@dataclass
class ShopSettings:
    """Per-shop knobs set through the control API."""

    failing_prerequisites: list[str] = field(default_factory=list)
    upload_limit: int | None = None
    audit_result: str | None = None
    audit_delay_s: float | None = None
    audit_fail_reasons: list[str] = field(default_factory=list)


@dataclass
class Warehouse:
    """A seller warehouse (Get Warehouse List item)."""

    id: str
    name: str
    type: str
    is_default: bool
    region: str

    def wire(self) -> dict[str, Any]:
        """Get Warehouse List item."""
        return {"id": self.id, "name": self.name, "is_default": self.is_default,
                "effect_status": "ENABLED", "type": self.type, "sub_type": "DOMESTIC_WAREHOUSE",
                "address": {"region_code": self.region, "region": market(self.region).country,
                            "state": "", "city": "Sandbox City", "distict": "", "town": "",
                            "postal_code": "10001", "address_line1": "1 Sandbox Way",
                            "address_line2": "", "address_line3": "", "address_line4": "",
                            "full_address": f"1 Sandbox Way, {self.name}",
                            "contact_person": "Sandbox Ops", "first_name": "Sandbox",
                            "last_name": "Ops", "phone_number": "+1 555 0100"}}


@dataclass
class Product:
    """A product as the platform stores it; `body` is the last accepted create/edit body."""

    id: str
    shop_id: str
    body: dict[str, Any]
    skus: list[dict[str, Any]]
    status: str
    audit_status: str
    create_time: int
    update_time: int
    audit_failed_reasons: list[dict[str, Any]] = field(default_factory=list)
    forced_audit: tuple[str, list[str]] | None = None
    ever_approved: bool = False
    audit_generation: int = 0


@dataclass
class Package:
    """A fulfillment package."""

    id: str
    order_id: str
    line_item_ids: list[str]
    status: str = "PROCESSING"
    tracking_number: str = ""
    shipping_provider_id: str = ""
    shipping_provider_name: str = ""
    shipping_type: str = "SELLER"
    handover_method: str = ""
    shipped_time: int = 0
    create_time: int = field(default_factory=now)
    update_time: int = field(default_factory=now)


@dataclass
class Order:
    """An order (Get Order Detail shape is built from this in orders.py)."""

    id: str
    shop_id: str
    status: str
    line_items: list[dict[str, Any]]
    payment: dict[str, str]
    recipient: dict[str, Any]
    fulfillment_type: str
    shipping_type: str
    warehouse_id: str
    delivery_option_id: str
    delivery_option_name: str
    user_id: str
    create_time: int
    update_time: int
    paid_time: int = 0
    buyer_message: str = ""
    is_on_hold_order: bool = False
    is_buyer_request_cancel: bool = False
    cancel_reason: str = ""
    cancellation_initiator: str = ""
    cancel_time: int = 0
    package_ids: list[str] = field(default_factory=list)
    address_updated: bool = False
    tracking_events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Cancellation:
    """A cancellation record (Search Cancellations item)."""

    id: str
    order_id: str
    role: str
    status: str
    reason: str
    line_item_ids: list[str]
    create_time: int
    update_time: int


@dataclass
class Return:
    """A return or refund request (Search Returns item; return-and-refund docs)."""

    id: str
    order_id: str
    role: str
    return_type: str
    status: str
    reason: str
    reason_text: str
    line_item_ids: list[str]
    create_time: int
    update_time: int
    refund: dict[str, str] = field(default_factory=dict)
    return_tracking_number: str = ""
    records: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Shop:
    """A seller shop in one region."""

    id: str
    cipher: str
    code: str
    name: str
    region: str
    seller_type: str
    warehouses: list[Warehouse]
    settings: ShopSettings
    create_time: int = field(default_factory=now)
    seller: str = ""  # the seller account owning the shop (the consent page lists its shops)
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    packages: dict[str, Package] = field(default_factory=dict)
    cancellations: dict[str, Cancellation] = field(default_factory=dict)
    returns: dict[str, Return] = field(default_factory=dict)
    idempotency: dict[str, str] = field(default_factory=dict)
    created_products: int = 0
    faults: FaultSpec | None = None

    def sales_warehouses(self) -> list[Warehouse]:
        """Warehouses that hold stock."""
        return [w for w in self.warehouses if w.type == "SALES_WAREHOUSE"]

    def default_warehouse(self) -> Warehouse:
        """The default sales warehouse."""
        return next(w for w in self.sales_warehouses() if w.is_default)

    def shop_info(self) -> dict[str, Any]:
        """Get Authorized Shops item."""
        return {"cipher": self.cipher, "code": self.code, "id": self.id, "name": self.name,
                "region": self.region, "seller_type": self.seller_type}


@dataclass
class Token:
    """An access/refresh token pair covering one or more shops."""

    access_token: str
    refresh_token: str
    access_expire: int
    refresh_expire: int
    shop_ids: list[str]
    open_id: str
    refresh_used: bool = False
    scopes: list[str] = field(default_factory=list)  # granted_scopes (105005 when missing)


@dataclass
class AuthCode:
    """A single-use authorization code."""

    code: str
    shop_ids: list[str]
    expires: int
    used: bool = False
    scopes: list[str] = field(default_factory=list)


@dataclass
class Image:
    """An uploaded image."""

    uri: str
    width: int
    height: int
    use_case: str


class Store:
    """All sandbox state; one per app instance."""

    def __init__(self, seed: int = 0) -> None:
        #: Seeded source of shop ciphers and codes (reproducible runs); tokens stay random.
        self.rng = random.Random(seed)
        self.reset()

    def reset(self) -> None:
        """Wipe everything."""
        self.shops: dict[str, Shop] = {}
        self.by_cipher: dict[str, Shop] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_index: dict[str, Token] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.images: dict[str, Image] = {}
        #: Per seller: manufacturers, responsible persons, files, size charts (compliance.py).
        self.compliance: dict[str, SellerCompliance] = {}
        self.request_log: list[dict[str, Any]] = []
        self.faults: FaultSpec | None = None
        #: Injected faults per shop id ("app" for requests naming no shop) and kind.
        self.faults_injected: dict[str, Counter[str]] = {}
        self.webhook_url: str | None = None
        if not hasattr(self, "app_scopes"):
            #: The scopes the app has in Partner Center; a seller's consent grants them all.
            self.app_scopes: list[str] = list(APP_SCOPES)
        # Ids keep counting across resets, so an app that kept old ids never sees them reused.
        if not hasattr(self, "_counters"):
            self._counters = {k: itertools.count(1) for k in ID_BASES}

    def count_fault(self, shop_id: str | None, kind: str) -> None:
        """Count one injected fault (chaos reports read the totals)."""
        self.faults_injected.setdefault(shop_id or "app", Counter())[kind] += 1

    def new_id(self, kind: str) -> str:
        """A fresh id of a kind (see ID_BASES)."""
        return str(ID_BASES[kind] + next(self._counters[kind]) * 7919)

    def add_shop(self, shop: Shop) -> None:
        """Register a shop."""
        self.shops[shop.id] = shop
        self.by_cipher[shop.cipher] = shop

    def mint_auth_code(self, shop_ids: list[str], scopes: list[str] | None = None) -> str:
        """A new single-use auth code for these shops, granting `scopes` (None: the app's)."""
        code = "SBX_" + secrets.token_urlsafe(24)
        self.auth_codes[code] = AuthCode(code, shop_ids, now() + AUTH_CODE_TTL_S,
                                         scopes=list(scopes if scopes is not None
                                                     else self.app_scopes))
        return code

    def find_product(self, product_id: str) -> tuple[Shop, Product] | None:
        """A product and its shop, whatever the shop."""
        for shop in self.shops.values():
            if product_id in shop.products:
                return shop, shop.products[product_id]
        return None

    def find_sku(self, shop: Shop, sku_id: str = "", seller_sku: str = ""
                 ) -> tuple[Product, dict[str, Any]] | None:
        """A SKU of a shop by id or seller_sku (non-deleted products first)."""
        for product in shop.products.values():
            for sku in product.skus:
                if (sku_id and sku["id"] == sku_id) or (seller_sku and
                                                        sku.get("seller_sku") == seller_sku):
                    return product, sku
        return None
