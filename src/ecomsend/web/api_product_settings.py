"""Settings page, product part: price rule, inventory rule, location ↔ warehouse map, which
fields auto-update. Validated here, stored through `prefs_to_settings` (the pipeline reads it
back with `prefs_from_settings`); other keys of `settings.product` (overrides) are kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from ecomsend.db.models import InventoryLevel, TikTokShop
from ecomsend.sync.errors import FieldError
from ecomsend.sync.products.converters import prefs_from_settings, prefs_to_settings
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.types import (
    AutoField,
    CompareAtMode,
    InventoryRule,
    PriceRounding,
    PriceRule,
    ProductPrefs,
)
from ecomsend.web.api_common import TIKTOK_RESPONSES, ConnectionDep, shop_currency, unprocessable
from ecomsend.web.api_pricing import sells_through_markets
from ecomsend.web.api_tiktok_reference import ReferenceDep
from ecomsend.web.deps import DbDep, ServicesDep
from ecomsend.web.product_queries import (
    locked_product_settings,
    product_settings,
    save_product_settings,
)

router = APIRouter(prefix="/api/connections/{connection_id}/settings", tags=["settings"],
                   responses=TIKTOK_RESPONSES)


class PriceRuleIO(BaseModel):
    markup_kind: Literal["none", "percent", "fixed"] = "none"
    markup: Decimal = Field(Decimal(0), ge=0, le=100000)
    rounding: PriceRounding = PriceRounding.NONE
    compare_at: CompareAtMode = CompareAtMode.IGNORE
    #: TikTok-currency units per one store-currency unit; required when they differ.
    exchange_rate: Decimal | None = Field(None, gt=0, le=1000000)


class InventoryRuleIO(BaseModel):
    percent: Decimal = Field(Decimal(100), ge=0, le=100)
    reserve: int = Field(0, ge=0, le=1000000)
    out_of_stock_threshold: int = Field(0, ge=0, le=1000000)
    maximum: int | None = Field(None, ge=0, le=99999)


class ProductSettingsIO(BaseModel):
    price_rule: PriceRuleIO = Field(default_factory=PriceRuleIO)
    inventory_rule: InventoryRuleIO = Field(default_factory=InventoryRuleIO)
    #: Shopify location GID → TikTok warehouse id.
    warehouse_map: dict[str, str] = Field(default_factory=dict, max_length=200)
    default_warehouse_id: str | None = Field(None, min_length=1, max_length=64)
    auto_update: list[AutoField] = Field(default_factory=lambda: sorted(AutoField))
    seller_type: Literal["LOCAL", "CROSS_BORDER"] = "LOCAL"


class ProductSettingsOut(ProductSettingsIO):
    store_currency: str
    tiktok_currency: str
    #: Shopify locations seen in the mirror's inventory levels (for the warehouse map).
    known_locations: list[str]


def to_io(prefs: ProductPrefs) -> ProductSettingsIO:
    return ProductSettingsIO.model_validate(prefs_to_settings(prefs))


def to_prefs(body: ProductSettingsIO) -> ProductPrefs:
    pr, ir = body.price_rule, body.inventory_rule
    return ProductPrefs(
        price_rule=PriceRule(markup_kind=pr.markup_kind, markup=pr.markup, rounding=pr.rounding,
                             compare_at=pr.compare_at, exchange_rate=pr.exchange_rate),
        inventory_rule=InventoryRule(percent=ir.percent, reserve=ir.reserve,
                                     out_of_stock_threshold=ir.out_of_stock_threshold,
                                     maximum=ir.maximum),
        warehouse_map=tuple(sorted(body.warehouse_map.items())),
        default_warehouse_id=body.default_warehouse_id, auto_update=frozenset(body.auto_update),
        seller_type=body.seller_type)


async def _out(db: DbDep, connection: TikTokShop, prefs: ProductPrefs) -> ProductSettingsOut:
    async with db.sessionmaker() as session:
        locations = (await session.execute(select(InventoryLevel.location_id).where(
            InventoryLevel.shop_id == connection.shop_id).distinct())).scalars().all()
    return ProductSettingsOut(
        **to_io(prefs).model_dump(), store_currency=await shop_currency(db, connection.shop_id),
        tiktok_currency=region_rules(connection.region).currency,
        known_locations=sorted(locations))


def _semantic_errors(body: ProductSettingsIO, store: str, tiktok: str,
                     warehouses: dict[str, bool], markets: bool = False) -> list[FieldError]:
    """What pydantic cannot see alone: currencies and the shop's own warehouses. With
    `markets` (Shopify Markets prices the region) no exchange rate is needed."""
    errors = []
    if store != tiktok and body.price_rule.exchange_rate is None and not markets:
        errors.append(FieldError("price_rule.exchange_rate", f"Your store sells in {store} and "
                                 f"TikTok in {tiktok}: an exchange rate is needed.",
                                 f"Enter how many {tiktok} one {store} is worth."))
    if body.price_rule.markup_kind == "percent" and body.price_rule.markup > 1000:
        errors.append(FieldError("price_rule.markup", "A markup above 1000 % is surely a typo.",
                                 "Enter a percentage such as 20."))
    wanted = [(f"warehouse_map.{loc}", wid) for loc, wid in body.warehouse_map.items()]
    if body.default_warehouse_id:
        wanted.append(("default_warehouse_id", body.default_warehouse_id))
    for field, wid in wanted:
        if wid not in warehouses:
            errors.append(FieldError(field, f"Warehouse {wid} is not a warehouse of this TikTok "
                                     "shop.", "Pick one from the warehouse list."))
        elif not warehouses[wid]:
            errors.append(FieldError(field, f"Warehouse {wid} is a return warehouse; stock goes "
                                     "into a sales warehouse.", "Pick a sales warehouse."))
    return errors


@router.get("/product", response_model=ProductSettingsOut,
            summary="Product settings: price and inventory rules, warehouses, auto-update")
async def read_product_settings(db: DbDep, connection: ConnectionDep) -> ProductSettingsOut:
    async with db.sessionmaker() as session:
        stored = await product_settings(session, connection.id)
    return await _out(db, connection, prefs_from_settings(stored))


@router.put("/product", response_model=ProductSettingsOut,
            summary="Replace the product settings (422 with field errors when invalid)")
async def update_product_settings(db: DbDep, services: ServicesDep, connection: ConnectionDep,
                                  reference: ReferenceDep,
                                  body: ProductSettingsIO) -> ProductSettingsOut:
    needs_warehouses = bool(body.warehouse_map or body.default_warehouse_id)
    warehouses = ({w.id: w.is_sales or w.type is None
                   for w in await reference.warehouses(connection)} if needs_warehouses else {})
    store = await shop_currency(db, connection.shop_id)
    tiktok = region_rules(connection.region).currency
    markets = (store != tiktok and body.price_rule.exchange_rate is None
               and await sells_through_markets(db, services, connection))
    errors = _semantic_errors(body, store, tiktok, warehouses, markets)
    if errors:
        raise unprocessable(errors)
    prefs = to_prefs(body)
    async with db.unit_of_work() as session:
        stored = await locked_product_settings(session, connection.id)
        await save_product_settings(session, connection.id, {**stored, **prefs_to_settings(prefs)})
    return await _out(db, connection, prefs)
