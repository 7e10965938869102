"""What changed, as TikTok sees it, and the stable hash of what we push (DESIGN.md §4.2).

Called by the product sync job: `classify_change` decides between no call, the price endpoint,
the inventory endpoint and a full edit (issue 6: "a change that alters nothing TikTok sees makes
no call"); `payload_hash` is compared with the last pushed hash so an identical payload is never
pushed twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from ecomsend.integrations.tiktok.models.common import RequestModel
from ecomsend.sync.products import inventory, pricing
from ecomsend.sync.products.mapping import option_names, option_value
from ecomsend.sync.products.regions import RegionRules
from ecomsend.sync.products.text import clean_text, sanitize_description
from ecomsend.sync.products.types import AutoField, ProductPrefs, ProductSnapshot

#: Reported when the Shopify status changed (ACTIVE ↔ DRAFT/ARCHIVED): activate or deactivate
#: on TikTok. Not an auto-update field: a product drafted in Shopify is always deactivated.
STATUS = "status"
#: Keys left out of the hash: they differ per request without changing the listing.
_VOLATILE_KEYS = frozenset({"idempotency_key"})
_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)

PushKind = Literal["none", "price", "inventory", "price_and_inventory", "full"]


def _strip_volatile(value: object) -> object:
    if isinstance(value, dict):
        return {k: _strip_volatile(v) for k, v in value.items() if k not in _VOLATILE_KEYS}
    if isinstance(value, list):
        return [_strip_volatile(v) for v in value]
    return value


def payload_hash(request: RequestModel | Sequence[RequestModel]) -> str:
    """sha256 hex of the canonical JSON (sorted keys, compact, UTF-8) of a request body.

    Accepts one body (`ProductUpsert`) or a list of items (price / inventory updates). The
    idempotency key is excluded, so the same listing always hashes the same.
    """
    if isinstance(request, RequestModel):
        body: object = request.to_body()
    else:
        body = [item.to_body() for item in request]
    canonical = json.dumps(
        _strip_volatile(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _description_key(body_html: str | None) -> tuple[str, tuple[str, ...]]:
    """What TikTok sees of a description: its sanitized text and its image sources."""
    return sanitize_description(body_html), tuple(_IMG_SRC.findall(body_html or ""))


def _images_key(p: ProductSnapshot) -> tuple[object, ...]:
    return (
        tuple(i.url for i in p.images),
        tuple((v.id, v.image_url) for v in p.sorted_variants),
    )


def _variants_key(p: ProductSnapshot) -> tuple[object, ...]:
    """SKU structure: ids, seller SKUs, barcodes, option values, weights.

    Option values are taken as TikTok gets them (`mapping.option_names` → sales attributes):
    a lone variant's placeholder option ("Title" / "Default Title") is no option, whether the
    mirror holds it (GraphQL import: `selectedOptions`) or not (a REST webhook body without
    `options`), so a webhook after an import is no variant change (issue 12: tag-only edits
    of single-variant products made full edits)."""
    names = option_names(p)
    return (
        names,
        tuple(
            (v.id, (v.sku or "").strip(), v.barcode or "",
             tuple(option_value(v, name) for name in names), v.weight, v.weight_unit)
            for v in p.sorted_variants
        ),
    )


def _prices_key(
    p: ProductSnapshot, prefs: ProductPrefs, region: RegionRules | None
) -> tuple[object, ...]:
    """Final TikTok prices when the region is known, else the Shopify inputs of the rule."""
    if region is None:
        return (p.currency, tuple((v.id, v.price, v.compare_at_price) for v in p.sorted_variants))
    rule = prefs.price_rule
    out: list[tuple[str, Decimal | None, Decimal | None]] = []
    for v in p.sorted_variants:
        try:
            out.append((v.id, pricing.sku_price(v, rule, p.currency, region),
                        pricing.sku_list_price(v, rule, p.currency, region)))
        except pricing.PricingError:
            out.append((v.id, v.price, v.compare_at_price))
    return tuple(out)


def _inventory_key(p: ProductSnapshot, prefs: ProductPrefs) -> tuple[object, ...]:
    return tuple((v.id, tuple(sorted(inventory.quantities(v, prefs).items())))
                 for v in p.sorted_variants)


def classify_change(
    old: ProductSnapshot,
    new: ProductSnapshot,
    prefs: ProductPrefs,
    *,
    region: RegionRules | None = None,
) -> set[str]:
    """The auto-update fields (`AutoField` values) whose TikTok-visible result changed.

    Empty set: nothing TikTok sees changed (no call). `{"price"}`: price-only,
    `{"inventory"}`: inventory-only; anything else needs a full edit (see `push_kind`). Fields
    the merchant does not auto-update are left out. Prices are compared after the price rule
    when `region` is given (a change that rounds to the same price is no change), stock after
    the inventory rule and warehouse mapping (a change at an unmapped location is no change).
    `"status"` is added when the Shopify status changed (activate/deactivate).
    """
    checks = {
        AutoField.TITLE: (clean_text(old.title), clean_text(new.title)),
        AutoField.DESCRIPTION: (_description_key(old.body_html), _description_key(new.body_html)),
        AutoField.IMAGES: (_images_key(old), _images_key(new)),
        AutoField.VARIANTS: (_variants_key(old), _variants_key(new)),
        AutoField.PRICE: (_prices_key(old, prefs, region), _prices_key(new, prefs, region)),
        AutoField.INVENTORY: (_inventory_key(old, prefs), _inventory_key(new, prefs)),
    }
    changed = {
        field.value
        for field, (before, after) in checks.items()
        if field in prefs.auto_update and before != after
    }
    if old.status.upper() != new.status.upper():
        changed.add(STATUS)
    return changed


def push_kind(changes: set[str]) -> PushKind:
    """The cheapest TikTok call carrying the changes (status is handled by (de)activate)."""
    content = changes - {STATUS}
    if not content:
        return "none"
    if content == {AutoField.PRICE.value}:
        return "price"
    if content == {AutoField.INVENTORY.value}:
        return "inventory"
    if content == {AutoField.PRICE.value, AutoField.INVENTORY.value}:
        return "price_and_inventory"
    return "full"
