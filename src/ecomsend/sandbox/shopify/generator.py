"""Deterministic, realistic catalog generator for `POST /_sandbox/shops/{domain}/seed`.

Realistic on purpose: 1–3 options, 1–100 variants, images, HTML descriptions, unicode titles,
variants without SKU, duplicate SKUs, zero and negative stock, draft/archived/unlisted products.
Fast: objects are built directly (no webhooks unless asked), so 100,000 × 3 seeds in seconds.
"""

from __future__ import annotations

import gc
import itertools
import random
import re
from functools import cache
from typing import Any

from ecomsend.sandbox.shopify import merchant, merchant_orders
from ecomsend.sandbox.shopify.merchant import slugify
from ecomsend.sandbox.shopify.store import (
    Collection,
    Image,
    InventoryItem,
    Level,
    Option,
    Order,
    Product,
    Sandbox,
    Shop,
    Variant,
)
from ecomsend.sandbox.shopify.taxonomy import BY_PRODUCT_TYPE
from ecomsend.sandbox.shopify.util import now

#: Share of variants without SKU, with a duplicated SKU; of levels at 0 and below 0.
NO_SKU_RATE, DUP_SKU_RATE, ZERO_STOCK_RATE, NEGATIVE_STOCK_RATE = 0.03, 0.01, 0.10, 0.02
#: Product status mix (the rest is ACTIVE).
STATUS_MIX = (("DRAFT", 0.08), ("ARCHIVED", 0.05), ("UNLISTED", 0.02))
#: With `listable`, every product passes TikTok US's pre-flight (benchmarks that measure a
#: listing's speed, not its rejections): the same draws, then CJK flair dropped, at least one
#: image, ACTIVE, and a SKU of its own on every variant.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
#: Seeded products were last updated within this many seconds before the seed call.
UPDATED_SPREAD_S = 90 * 24 * 3600

ADJECTIVES = ["Classic", "Café Crème", "Über Soft", "Organic", "Vintage", "Ñandú", "Zen",
              "Everyday", "Premium", "Rustic", "Coastal", "Nordic", "Søft", "Éclat", "Urban"]
NOUNS = ["Hoodie", "T-Shirt", "Tote Bag", "Sneakers", "Mug", "Candle", "Backpack", "Socks",
         "Scarf", "Water Bottle", "Notebook", "Beanie", "Jacket", "Phone Case", "Blanket"]
FLAIR = ["", "", "", " ✨", " 東京", " — Limited", " (2-Pack)", " 🌿", " Ünïcode", " 北京"]
VENDORS = ["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark Goods", "Wayne Co",
           "Hooli", "Soylent", "Vandelay", "Tyrell", "Cyberdyne"]
TYPES = ["Apparel", "Accessories", "Home", "Footwear", "Stationery", "Outdoor"]
TAGS = ["new", "sale", "summer", "winter", "bestseller", "eco", "gift", "clearance"]
COLLECTIONS = ["Summer Edit", "Bestsellers", "New Arrivals", "Gifts Under $50", "Eco Line",
               "Clearance", "Home Comforts", "Back to School"]
#: Share of seeded products without a taxonomy category.
UNCATEGORISED_RATE = 0.1
OPTION_VALUES = {
    "Size": ["XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL"],
    "Color": ["Black", "White", "Navy", "Red", "Forest Green", "Heather Grey", "Sand", "Rosé",
              "Olive", "Mustard"],
    "Material": ["Cotton", "Wool", "Linen", "Recycled Poly", "Bamboo"],
}


def _variant_count(rng: random.Random, fixed: int | None) -> int:
    """Variants for one product: mostly few, sometimes up to 100 (or fixed)."""
    if fixed:
        return fixed
    roll = rng.random()
    if roll < 0.40:
        return 1
    if roll < 0.70:
        return rng.randint(2, 5)
    if roll < 0.92:
        return rng.randint(6, 20)
    return rng.randint(21, 100)


def _options(rng: random.Random, n: int) -> tuple[list[Option], list[tuple[str, ...]]]:
    """Option definitions and `n` distinct value combinations (no options for 1 variant)."""
    if n == 1 and rng.random() < 0.8:
        return [], [()]
    names = ["Size"] if n <= 8 else (["Size", "Color"] if n <= 40 else
                                     ["Size", "Color", "Material"])
    per = max(2, round(n ** (1 / len(names))) + 1)
    values = []
    for name in names:
        pool = OPTION_VALUES[name]
        values.append(pool[:per] if per <= len(pool) else
                      pool + [f"{name} {i}" for i in range(len(pool) + 1, per + 1)])
    combos = list(itertools.islice(itertools.product(*values), n))
    while len(combos) < n:  # not enough combinations: widen the first option
        combos.append((f"{names[0]} extra {len(combos)}", *combos[0][1:]))
    opts = [Option(id=0, name=name, values=sorted({c[i] for c in combos},
                                                  key=[c[i] for c in combos].index),
                   position=i + 1) for i, name in enumerate(names)]
    return opts, combos


def _status(rng: random.Random) -> str:
    """ACTIVE mostly; draft, archived and unlisted at the STATUS_MIX shares."""
    roll = rng.random()
    for status, share in STATUS_MIX:
        if roll < share:
            return status
        roll -= share
    return "ACTIVE"


def _stock(rng: random.Random, locations: list[int], t: float) -> dict[int, Level]:
    """Levels at the first location and about half of the others (some 0 or negative)."""
    rand = rng.random
    levels = {}
    for i, loc in enumerate(locations):
        if i and rand() >= 0.5:
            continue
        roll = rand()
        qty = 0 if roll < ZERO_STOCK_RATE else (
            -1 - int(rand() * 5) if roll < ZERO_STOCK_RATE + NEGATIVE_STOCK_RATE
            else 1 + int(rand() * 200))
        levels[loc] = Level(available=qty, updated_at=t)
    return levels


@cache
def _slug(text: str) -> str:
    """slugify, memoised (titles repeat a lot)."""
    return slugify(text)


class _Seeder:
    """One seed call's state (RNG, last SKU, shop, counters)."""

    def __init__(self, sandbox: Sandbox, shop: Shop, rng: random.Random,
                 locations: list[int]) -> None:
        """Set up state."""
        self.sandbox, self.shop, self.rng, self.locations = sandbox, shop, rng, locations
        self.last_sku: str | None = None
        self.levels = 0
        self.base = now()
        self.collections = self._collections()
        self.extra = random.Random()
        self.listable = False

    def _status(self) -> str:
        status = _status(self.rng)
        return "ACTIVE" if self.listable else status

    def _image_count(self) -> int:
        count = self.rng.randint(0, 4)
        return max(1, count) if self.listable else count

    def _collections(self) -> list[Collection]:
        """The shop's collections, created on the first seed."""
        if not self.shop.collections:
            for title in COLLECTIONS:
                coll = Collection(id=self.sandbox.next_id(), title=title,
                                  handle=_slug(title), body_html=f"<p>{title}</p>")
                self.shop.collections[coll.id] = coll
        return list(self.shop.collections.values())

    def product(self, index: int, fixed: int | None) -> Product:
        """Generate one product with its options, images, variants and collections."""
        rng, sandbox = self.rng, self.sandbox
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}{rng.choice(FLAIR)}"
        if self.listable:
            title = CJK.sub("", title).rstrip()
        pid = sandbox.next_id()
        handle = f"{_slug(title)}-{pid}"
        updated = self.base - rng.uniform(0, UPDATED_SPREAD_S)
        product = Product(
            id=pid, title=title, handle=handle, vendor=rng.choice(VENDORS),
            product_type=rng.choice(TYPES), status=self._status(),
            tags=rng.sample(TAGS, rng.randint(0, 4)),
            body_html=f"<p><strong>{title}</strong> by our studio.</p><ul><li>Care: machine "
                      f"wash cold</li><li>Ref #{index}</li></ul>",
            created_at=updated - rng.uniform(0, UPDATED_SPREAD_S), updated_at=updated)
        # Categories and collections draw from their own stream, so adding them did not
        # change the catalogs earlier versions generated for the same seed.
        if self.extra.random() >= UNCATEGORISED_RATE:
            product.category = BY_PRODUCT_TYPE.get(product.product_type)
        for coll in self.collections:
            if self.extra.random() < 0.15:
                coll.product_ids.append(pid)
        options, combos = _options(rng, _variant_count(rng, fixed))
        for opt in options:
            opt.id = sandbox.next_id()
        product.options = options
        product.images = [Image(id=sandbox.next_id(), alt=f"{title} view {j + 1}",
                                src=f"https://cdn.shopify.com/s/files/1/0000/0001/products/"
                                    f"{handle}-{j + 1}.jpg", position=j + 1)
                          for j in range(self._image_count())]
        prefix = _slug(product.vendor)[:4].upper()
        for position, combo in enumerate(combos, start=1):
            product.variants.append(self.variant(product, prefix, position, list(combo)))
        self.shop.products[pid] = product
        self.shop.handles[handle] = pid
        return product

    def variant(self, product: Product, prefix: str, position: int,
                values: list[str]) -> Variant:
        """Generate one variant and its inventory item and levels."""
        rng, sandbox, t = self.rng, self.sandbox, product.updated_at
        rand = rng.random
        roll = rand()
        sku: str | None = f"{prefix}-{product.id}-{position:03d}"
        if self.listable:
            pass  # every variant has its own SKU
        elif roll < NO_SKU_RATE:
            sku = None
        elif roll < NO_SKU_RATE + DUP_SKU_RATE and self.last_sku:
            sku = self.last_sku
        self.last_sku = sku or self.last_sku
        item = InventoryItem(id=sandbox.next_id(), variant_id=0, sku=sku,
                             weight_grams=float(50 + int(rand() * 1950)),
                             cost=f"{2 + rand() * 78:.2f}", created_at=t, updated_at=t,
                             levels=_stock(rng, self.locations, t))
        price = 5 + int(rand() * 296) + (0.0, 0.99, 0.5)[int(rand() * 3)]
        variant = Variant(id=sandbox.next_id(), product_id=product.id, sku=sku,
                          price=f"{price:.2f}", options=values, item=item, position=position,
                          barcode=str(10**11 + int(rand() * 9 * 10**11)) if rand() < 0.6
                          else None,
                          compare_at_price=f"{price * 1.25:.2f}" if rand() < 0.3 else None,
                          inventory_policy="CONTINUE" if rand() < 0.05 else "DENY",
                          created_at=t, updated_at=t)
        item.variant_id = variant.id
        self.shop.variants[variant.id] = variant
        self.shop.items[item.id] = item
        self.levels += len(item.levels)
        return variant


def _seed_orders(sandbox: Sandbox, shop: Shop, rng: random.Random, count: int) -> int:
    """Place `count` web orders on random active variants (no webhooks)."""
    active = [v for p in shop.products.values() if p.status == "ACTIVE" for v in p.variants]
    for _ in range(count if active else 0):
        lines = [merchant_orders.line_from_variant(sandbox, shop, rng.choice(active),
                                                   rng.randint(1, 3))
                 for _ in range(rng.randint(1, 3))]
        order = Order(id=sandbox.next_id(), number=shop.next_order_number,
                      currency=shop.currency, line_items=lines, email="buyer@example.com")
        merchant_orders.create_order(sandbox, shop, order, "BYPASS", fire=False)
    return count if active else 0


def seed_shop(sandbox: Sandbox, shop: Shop, products: int = 0, seed: int = 0,
              variants_per_product: int | None = None, locations: int = 3, orders: int = 0,
              fire_webhooks: bool = False, listable: bool = False,
              **unknown: Any) -> dict[str, int]:
    """Add `products` generated products (and `orders` orders) to `shop`; returns counts."""
    if unknown:
        raise ValueError(f"unknown seed options: {sorted(unknown)}")
    while len(shop.locations) < locations:
        sandbox.add_location(shop)
    rng = random.Random(seed)
    seeder = _Seeder(sandbox, shop, rng, list(shop.locations)[:max(1, locations)])
    seeder.extra.seed(f"extra-{seed}")
    seeder.listable = bool(listable)
    variants_before = len(shop.variants)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of new objects and no cycles: the collector would only slow us
    try:
        for index in range(products):
            product = seeder.product(index, variants_per_product)
            if fire_webhooks:
                merchant.fire_product(sandbox, shop, product, "products/create")
    finally:
        if gc_was_enabled:
            gc.enable()
        gc.freeze()  # keep the seeded catalog out of future collections
    created_variants = len(shop.variants) - variants_before
    return {"products": products, "variants": created_variants,
            "inventory_items": created_variants, "inventory_levels": seeder.levels,
            "locations": len(shop.locations),
            "orders": _seed_orders(sandbox, shop, rng, orders)}
