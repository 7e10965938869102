"""Warehouses, delivery options and shipping providers (reference §4.6)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.state import Shop, Warehouse

#: Carriers per market (public carrier names; ids are our own, stable per region): the big
#: parcel carriers a seller in that country ships with (national post first). The real lists
#: come from Get Shipping Providers per delivery option and change over time.
CARRIERS: dict[str, tuple[str, ...]] = {
    "US": ("USPS", "UPS", "FedEx", "DHL eCommerce", "OnTrac"),
    "GB": ("Royal Mail", "Evri", "DPD", "Parcelforce", "Yodel"),
    "FR": ("Colissimo", "Chronopost", "Mondial Relay", "DPD France", "GLS France"),
    "DE": ("DHL", "Hermes", "DPD", "GLS", "UPS", "Deutsche Post"),
    "IT": ("Poste Italiane", "BRT", "GLS Italy", "SDA", "DHL"),
    "ES": ("Correos", "SEUR", "MRW", "GLS Spain", "DHL"),
    "IE": ("An Post", "DPD Ireland", "Fastway", "GLS Ireland", "UPS"),
    "JP": ("Yamato Transport", "Sagawa Express", "Japan Post", "Seino Transportation"),
    "MX": ("Estafeta", "DHL Mexico", "FedEx Mexico", "Redpack", "99minutos", "J&T Express"),
}
#: The provider TikTok uses for its own labels (shipping_type TIKTOK).
TIKTOK_CARRIER = "TikTok Shipping"
#: Delivery options offered by every sales warehouse: (suffix, name, type, carriers used).
_OPTIONS = (("1", "Standard shipping", "STANDARD", None), ("2", "Express shipping", "EXPRESS", 3))
#: Logistics error: invalid parameters (Get Shipping Providers / ship errors list 21001001).
LOGISTICS_INVALID_PARAM = 21001001


def provider_id(region: str, name: str) -> str:
    """A stable 19-digit id for a carrier in a region."""
    return str(6617675021119000000 + zlib.crc32(f"{region}:{name}".encode()) % 999_983)


def providers(region: str) -> list[dict[str, str]]:
    """All carriers of a region, TikTok's own included."""
    names = (*CARRIERS[region], TIKTOK_CARRIER)
    return [{"id": provider_id(region, n), "name": n} for n in names]


def provider_name(region: str, pid: str) -> str | None:
    """The carrier name of a provider id in this region, if any."""
    return next((p["name"] for p in providers(region) if p["id"] == pid), None)


@dataclass(frozen=True)
class DeliveryOption:
    """A delivery option of a warehouse."""

    id: str
    name: str
    type: str
    warehouse_id: str
    carriers: tuple[str, ...]


def delivery_options(shop: Shop, warehouse: Warehouse) -> list[DeliveryOption]:
    """The delivery options of one sales warehouse."""
    out = []
    for suffix, name, kind, limit in _OPTIONS:
        carriers = CARRIERS[shop.region][:limit] if limit else CARRIERS[shop.region]
        oid = str(7129000000000000000 + int(warehouse.id) % 10**15 * 10 + int(suffix))
        out.append(DeliveryOption(oid, name, kind, warehouse.id, carriers))
    return out


def find_delivery_option(shop: Shop, option_id: str) -> DeliveryOption | None:
    """A delivery option of this shop by id."""
    for wh in shop.sales_warehouses():
        for opt in delivery_options(shop, wh):
            if opt.id == option_id:
                return opt
    return None


async def get_warehouses(ctx: Ctx) -> dict[str, Any]:
    """GET /logistics/202309/warehouses."""
    return {"warehouses": [w.wire() for w in ctx.shop.warehouses]}


async def get_delivery_options(ctx: Ctx) -> dict[str, Any]:
    """GET /logistics/202309/warehouses/{warehouse_id}/delivery_options."""
    wh = next((w for w in ctx.shop.sales_warehouses() if w.id == ctx.params["warehouse_id"]),
              None)
    if wh is None:
        raise ApiError(LOGISTICS_INVALID_PARAM, "Invalid parameters. The warehouse does not "
                       "exist in this shop.")
    weight_unit = "POUND" if ctx.shop.region == "US" else "GRAM"
    return {"delivery_options": [
        {"id": o.id, "name": o.name, "description": f"{o.name} from {wh.name}", "type": o.type,
         "platform": ["TIKTOK_SHOP"],
         "weight_limit": {"min_weight": 1, "max_weight": 70 if weight_unit == "POUND" else 30000,
                          "unit": weight_unit},
         "dimension_limit": {"max_length": 100, "max_width": 100, "max_height": 100,
                             "unit": "INCH" if ctx.shop.region == "US" else "CM"}}
        for o in delivery_options(ctx.shop, wh)]}


async def get_shipping_providers(ctx: Ctx) -> dict[str, Any]:
    """GET /logistics/202309/delivery_options/{delivery_option_id}/shipping_providers."""
    opt = find_delivery_option(ctx.shop, ctx.params["delivery_option_id"])
    if opt is None:
        raise ApiError(LOGISTICS_INVALID_PARAM, "Invalid parameters. Unknown "
                       "delivery_option_id.")
    return {"shipping_providers": [{"id": provider_id(ctx.shop.region, n), "name": n}
                                   for n in opt.carriers]}
