"""Response models parse TikTok's own examples (official doc data and fudiwei MIT samples),
and the documented traps: `is_requried`, `UNAUTHORIEZD`, numeric ids, no line-item quantity."""

from __future__ import annotations

import json

import pytest

from ecomsend.integrations.tiktok.models.catalog import Attribute, Brand
from ecomsend.integrations.tiktok.models.common import TikTokModel
from ecomsend.integrations.tiktok.models.orders import Order
from ecomsend.integrations.tiktok.models.products import Price, ProductWriteResult

from .samples import FUDIWEI_RESPONSES, OFFICIAL_RESPONSES
from .shared import FUDIWEI, OFFICIAL_SPECS, load_json


@pytest.mark.parametrize("path", sorted(FUDIWEI_RESPONSES))
def test_fudiwei_samples_parse(path: str) -> None:
    model = FUDIWEI_RESPONSES[path]
    envelope = load_json(FUDIWEI / "ModelSamples" / path)
    assert envelope["code"] == 0
    parsed = model.model_validate(envelope["data"])
    assert isinstance(parsed, TikTokModel)


@pytest.mark.parametrize("path", sorted(OFFICIAL_RESPONSES))
def test_official_doc_examples_parse(path: str) -> None:
    spec = load_json(OFFICIAL_SPECS / path)
    raw = spec["document_api_meta"]["response_body"]
    try:
        envelope = json.loads(raw)
    except ValueError:
        pytest.skip(f"the official example of {path} is not valid JSON (a known doc defect)")
    data = envelope.get("data") or {}
    OFFICIAL_RESPONSES[path].model_validate(data)


def test_is_requried_official_spelling_and_is_required() -> None:
    assert Attribute.model_validate({"id": "1", "is_requried": True}).is_required
    assert Attribute.model_validate({"id": "1", "is_required": True}).is_required
    assert not Attribute.model_validate({"id": "1"}).is_required


def test_unauthoriezd_brand() -> None:
    assert not Brand.model_validate({"id": "7", "authorized_status": "UNAUTHORIEZD"}).is_authorized
    assert Brand.model_validate({"id": "7", "authorized_status": "AUTHORIZED"}).is_authorized


def test_ids_numbers_or_strings_without_precision_loss() -> None:
    raw = b'{"product_id": 1729592969712207008, "skus": [{"id": "1729592969712207012"}]}'
    parsed = ProductWriteResult.model_validate(json.loads(raw))
    assert parsed.product_id == "1729592969712207008"
    assert parsed.skus[0].id == "1729592969712207012"
    with pytest.raises(ValueError, match="float"):
        ProductWriteResult.model_validate({"product_id": 1.729592969712207e18})


def test_line_items_have_no_quantity_so_units_are_counted() -> None:
    order = Order.model_validate({
        "id": "576461413038785752", "status": "AWAITING_SHIPMENT",
        "line_items": [{"id": "1", "sku_id": "A"}, {"id": "2", "sku_id": "A"},
                       {"id": "3", "sku_id": "B"}]})
    assert order.quantities_by_sku() == {"A": 2, "B": 1}
    assert order.line_item_ids_by_sku() == {"A": ["1", "2"], "B": ["3"]}


def test_price_reads_sale_price_not_amount() -> None:
    assert Price.model_validate({"currency": "USD", "sale_price": "9.99"}).value == "9.99"


def test_audit_failure_text() -> None:
    from ecomsend.integrations.tiktok.models.products import Product

    product = Product.model_validate({"id": "1", "audit_failed_reasons": [
        {"position": "main_images", "reasons": ["watermark"], "suggestions": ["remove it"]}]})
    assert product.audit_failure_text() == "main_images: watermark; remove it"
