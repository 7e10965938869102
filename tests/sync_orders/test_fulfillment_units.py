"""`not_yet_fulfilled`: after a crash between two fulfillmentCreate calls of one TikTok package
(two fulfillment orders), only the units the first fulfillment missed are fulfilled again."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ecomsend.integrations.shopify.models import Fulfillment, FulfillmentLineItem, TrackingInfo
from ecomsend.integrations.tiktok.models.orders import LineItem
from ecomsend.sync.fulfillments.to_shopify import not_yet_fulfilled

VA, VB = "gid://shopify/ProductVariant/1", "gid://shopify/ProductVariant/2"


def _shipment() -> Any:
    lines = [SimpleNamespace(id="L1", variant_id=VA), SimpleNamespace(id="L2", variant_id=VB)]
    return SimpleNamespace(shopify=SimpleNamespace(line_items=lines),
                           variant_by_sku={"SA": VA, "SB": VB})


def _units() -> list[LineItem]:
    return [LineItem.model_validate({"id": f"u{i}", "sku_id": sku})
            for i, sku in enumerate(["SA", "SA", "SB"])]


def _fulfillment(*items: tuple[str, int]) -> Fulfillment:
    return Fulfillment("gid://shopify/Fulfillment/9", "#1001-F1", "SUCCESS", None, None, None,
                       (TrackingInfo("UPS", "1Z", None),),
                       tuple(FulfillmentLineItem(line, None, qty) for line, qty in items))


def test_nothing_made_yet_means_every_unit() -> None:
    assert [u.id for u in not_yet_fulfilled(_shipment(), _units(), [])] == ["u0", "u1", "u2"]


def test_units_of_the_fulfillment_made_before_the_crash_are_left_out() -> None:
    made = [_fulfillment(("L1", 2))]
    assert [u.id for u in not_yet_fulfilled(_shipment(), _units(), made)] == ["u2"]
    everything = [_fulfillment(("L1", 2), ("L2", 1))]
    assert not_yet_fulfilled(_shipment(), _units(), everything) == []
