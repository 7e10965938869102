"""A valid Create Product body for a shop (control API `sample_product`)."""

from __future__ import annotations

import secrets
from typing import Any

from ecomsend.sandbox.tiktok.compliance import for_seller
from ecomsend.sandbox.tiktok.compliance_state import Manufacturer, ResponsiblePerson
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.markets import market
from ecomsend.sandbox.tiktok.refdata import COLOR_ATTR_ID, Category, RegionCatalog, catalog
from ecomsend.sandbox.tiktok.state import Image, Shop, now

#: A mid-range price per currency (inside every market's range, even cross-border caps).
SAMPLE_PRICE = {"USD": "19.99", "GBP": "17.50", "EUR": "18.90", "JPY": "1980", "MXN": "349.00"}
#: Ids of the EU GPSR records a sample product links (created in the seller's compliance book,
#: as Create Manufacturer / Create Responsible Person would).
SAMPLE_MANUFACTURER_ID = "66d3000000000000sample01"
SAMPLE_RESPONSIBLE_PERSON_ID = "66d4000000000000sample01"
#: A sample certificate stays valid a year.
CERT_VALID_S = 365 * 86400
#: Size of the images registered for samples.
SAMPLE_IMAGE_PX = 800


def sample_image(sb: Sandbox, name: str) -> str:
    """Register an 'uploaded' image uri (as if Upload Product Image had returned it)."""
    uri = f"tos-sandbox-i-tts/sample-{name}"
    sb.store.images[uri] = Image(uri, SAMPLE_IMAGE_PX, SAMPLE_IMAGE_PX, "MAIN_IMAGE")
    return uri


def _leaf(cat: RegionCatalog, category_id: str | None) -> Category:
    """The requested leaf, or the first available one."""
    if category_id:
        node = cat.categories.get(category_id)
        if node is None or not node.is_leaf:
            raise ValueError(f"category {category_id} is not a leaf of this shop's tree")
        return node
    return next(c for c in cat.leaves() if c.permission == "AVAILABLE")


def _attributes(cat: RegionCatalog, node: Category) -> list[dict[str, Any]]:
    """A value for every required product attribute."""
    out = []
    for attr in cat.attributes(node.id):
        if attr.type != "PRODUCT_PROPERTY" or not attr.is_required:
            continue
        value = {"id": attr.values[0][0], "name": attr.values[0][1]} if attr.values \
            else {"name": "1"}
        out.append({"id": attr.id, "values": [value]})
    return out


def _requirements(sb: Sandbox, shop: Shop, cat: RegionCatalog, node: Category,
                  uri: str) -> dict[str, Any]:
    """Size chart, certifications and EU ids the category rules ask for."""
    rules = cat.rules(node.id)
    extra: dict[str, Any] = {}
    if rules.size_chart_required:
        extra["size_chart"] = {"image": {"uri": sample_image(sb, "size-chart")}}
    certs = [c for c in rules.certifications if c.is_required]
    if certs:
        extra["certifications"] = [
            {"id": c.id, "images": [{"uri": uri}],
             **({"expiration_date": now() + CERT_VALID_S} if c.expiration_required else {})}
            for c in certs]
    if rules.manufacturer_required or rules.responsible_person_required:
        _sample_gpsr(sb, shop)
    if rules.manufacturer_required:
        extra["manufacturer_ids"] = [SAMPLE_MANUFACTURER_ID]
    if rules.responsible_person_required:
        extra["responsible_person_ids"] = [SAMPLE_RESPONSIBLE_PERSON_ID]
    return extra


def _sample_gpsr(sb: Sandbox, shop: Shop) -> None:
    """The seller's sample manufacturer and responsible person (created once)."""
    book = for_seller(sb, shop.seller)
    contact = {"email": "compliance@sandbox.invalid",
               "phone_number": {"country_code": "+353", "local_number": "81234567"}}
    book.manufacturers.setdefault(SAMPLE_MANUFACTURER_ID, Manufacturer(
        SAMPLE_MANUFACTURER_ID, {"name": "Sandbox Manufacturing Ltd", "registered_trade_name":
                                 "Sandbox", "address": "1 Sandbox Way, Dublin, Ireland",
                                 **contact}, "en-IE"))
    book.responsible_persons.setdefault(SAMPLE_RESPONSIBLE_PERSON_ID, ResponsiblePerson(
        SAMPLE_RESPONSIBLE_PERSON_ID, {"name": "Sandbox EU Rep", **contact, "address": {
            "street_address_line1": "1 Sandbox Way", "postal_code": "D02 HD23",
            "country": "IE"}}, "en-IE"))


def _skus(cat: RegionCatalog, node: Category, shop: Shop, count: int) -> list[dict[str, Any]]:
    """SKUs with colours as sales attributes when there are several."""
    color = next(a for a in cat.attributes(node.id) if a.id == COLOR_ATTR_ID)
    currency = market(shop.region).currency
    tag = secrets.token_hex(3).upper()
    skus = []
    for i in range(count):
        attrs: list[dict[str, Any]] = []
        if count > 1:
            if i < len(color.values):
                vid, vname = color.values[i]
                attrs = [{"id": COLOR_ATTR_ID, "value_id": vid, "value_name": vname}]
            else:
                attrs = [{"id": COLOR_ATTR_ID, "value_name": f"Colour {i + 1}"}]
        skus.append({"seller_sku": f"SBX-{shop.region}-{tag}-{i + 1}", "sales_attributes": attrs,
                     "price": {"amount": SAMPLE_PRICE[currency], "currency": currency},
                     "inventory": [{"warehouse_id": shop.default_warehouse().id,
                                    "quantity": 100}]})
    return skus


def sample_product(sb: Sandbox, shop: Shop, skus: int = 1,
                   category_id: str | None = None) -> dict[str, Any]:
    """A Create Product body that passes validation for this shop."""
    m = market(shop.region)
    cat = catalog(shop.region, m.category_version)
    node = _leaf(cat, category_id)
    uri = sample_image(sb, "main")
    return {"title": f"Sandbox sample {node.local_name}",
            "description": "<p>A sample product created by the TikTok Shop sandbox.</p>",
            "category_id": node.id, "category_version": m.category_version,
            "main_images": [{"uri": uri}], "product_attributes": _attributes(cat, node),
            "package_weight": {"value": "0.5", "unit": "KILOGRAM"},
            "package_dimensions": {"length": "20", "width": "15", "height": "5",
                                   "unit": "CENTIMETER"},
            **_requirements(sb, shop, cat, node, uri), "skus": _skus(cat, node, shop, skus)}
