"""Property loops over generated products: what preflight accepts, mapping sends within limits."""

from __future__ import annotations

import random
from decimal import Decimal

from ecomsend.sync.products.changes import classify_change, payload_hash
from ecomsend.sync.products.mapping import map_product
from ecomsend.sync.products.preflight import validate
from ecomsend.sync.products.regions import REGIONS, SALES_ATTRIBUTES_MAX
from ecomsend.sync.products.text import has_han
from ecomsend.sync.products.types import (
    InventoryRule,
    PriceRounding,
    PriceRule,
    ProductPrefs,
    VariantSnapshot,
)

from .factories import product, template, uploads

GOOD = ["Cotton", "tee", "Straße", "café", "Tシャツ", "😀", "&amp;", "mug", "XL", "Linen", "100%"]
BAD = ["纯棉", "!!!", "aaaaaaaaaa", "  ", "<b>bold</b>", "x" * 120]


def _title(rng: random.Random) -> str:
    words = [rng.choice(BAD if rng.random() < 0.05 else GOOD) for _ in range(rng.randint(1, 30))]
    return " ".join(words)


def _maybe(rng: random.Random, good: str, bad: list[str]) -> str:
    return good if rng.random() < 0.9 else rng.choice(bad)


def _variants(rng: random.Random) -> tuple[VariantSnapshot, ...]:
    n = rng.randint(1, 8)
    names = [f"Opt{j}" for j in range(rng.randint(0, 4))]
    out = []
    for i in range(n):
        out.append(VariantSnapshot(
            id=f"v{i}", price=Decimal(rng.randint(0, 200_000)) / 100,
            sku=_maybe(rng, f"S{i}", ["", "DUP", f"S {i}"]), position=rng.randint(1, 5),
            options=tuple((name, _maybe(rng, f"{name}-{i}", ["a", ""])) for name in names),
            stock=tuple((f"L{k}", rng.randint(-5, 200_000)) for k in range(rng.randint(0, 3))),
            barcode=rng.choice([None, "036000291452", "123"]),
        ))
    return tuple(out)


def test_accepted_products_map_within_limits() -> None:
    rng = random.Random(2026)
    accepted = 0
    for _ in range(400):
        region = REGIONS[rng.choice(sorted(REGIONS))]
        prefs = ProductPrefs(
            price_rule=PriceRule(
                markup_kind=rng.choice(["none", "percent", "fixed"]),
                markup=Decimal(rng.randint(0, 50)), rounding=rng.choice(list(PriceRounding)),
                exchange_rate=Decimal(rng.choice(["1", "0.85", "1.2", "17.2"])),
            ),
            inventory_rule=InventoryRule(reserve=rng.randint(0, 3),
                                         maximum=rng.choice([None, 500])),
            warehouse_map=(("L0", "W1"), ("L1", "W2")),
        )
        vs = _variants(rng)
        names = tuple(dict.fromkeys(n for v in vs for n, _ in v.options))
        p = product(vs, title=_title(rng), option_names=names, currency="USD")
        tpl = template(region=region.code)
        if validate(p, tpl, prefs, region, [], None):
            continue
        accepted += 1
        body = map_product(p, tpl, prefs, region, images=uploads(*(i.url for i in p.images)))
        assert body.title is not None and region.title_min <= len(body.title) <= region.title_max
        assert region.allows_han or not has_han(body.title)
        assert body.skus is not None and len(body.skus) == len(vs)
        low, high = region.price_range()
        combos = set()
        for sku in body.skus:
            assert sku.price.amount is not None
            assert low <= Decimal(sku.price.amount) <= high
            assert all(0 <= inv.quantity <= 99_999 for inv in sku.inventory)
            assert {inv.warehouse_id for inv in sku.inventory} == {"W1", "W2"}
            assert len(sku.sales_attributes) <= SALES_ATTRIBUTES_MAX
            assert sku.seller_sku and " " not in sku.seller_sku
            combos.add(tuple(a.value_name for a in sku.sales_attributes))
        assert len(combos) == len(body.skus)
        assert len({len(s.sales_attributes) for s in body.skus}) == 1
        assert payload_hash(body) == payload_hash(map_product(
            p, tpl, prefs, region, images=uploads(*(i.url for i in p.images))))
        assert classify_change(p, p, prefs, region=region) == set()
    assert accepted > 40  # the loop exercised the mapping, not only rejections
