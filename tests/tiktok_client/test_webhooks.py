"""Webhook verification and typed parsing for every type the app handles.

Samples: fudiwei EventSamples (MIT) from ../shared; the official type 37 example quoted inline
as facts (its shape: numeric product_id, `pre_approved_reason` singular).
"""

from __future__ import annotations

import json

import pytest

from ecomsend.integrations.tiktok import WebhookError, parse_webhook, verify_webhook
from ecomsend.integrations.tiktok.models import webhooks as wh
from ecomsend.integrations.tiktok.signing import webhook_signature

from .shared import FUDIWEI, need

EVENT_SAMPLES = {
    "OrderStatusChangeEvent.json": wh.OrderStatusChange,
    "CancellationStatusChangeEvent.json": wh.CancellationStatusChange,
    "PackageUpdateEvent.json": wh.PackageUpdate,
    "ProductCreationEvent.json": wh.ProductCreation,
    "ProductInformationChangeEvent.json": wh.ProductInformationChange,
    "ProductStatusChangeEvent.json": wh.ProductStatusChange,
    "RecipientAddressUpdateEvent.json": wh.RecipientAddressUpdate,
    "ReturnStatusChangeEvent.json": wh.ReturnStatusChange,
    "SellerDeauthorizationEvent.json": wh.SellerDeauthorization,
    "UpcomingAuthorizationExpirationEvent.json": wh.UpcomingAuthorizationExpiration,
}


@pytest.mark.parametrize("name", sorted(EVENT_SAMPLES))
def test_fudiwei_event_samples(name: str) -> None:
    raw = need(FUDIWEI / "EventSamples" / name).read_bytes()
    event = parse_webhook(raw)
    assert type(event) is EVENT_SAMPLES[name]
    assert event.shop_id == "7494049642642441621"


def test_product_status_numeric_id_is_exact() -> None:
    raw = (b'{"type":5,"shop_id":"1","timestamp":1,"data":{"product_id":576486316948490001,'
           b'"status":"PRODUCT_AUDIT_FAILURE","suspended_reason":"","update_time":1}}')
    event = parse_webhook(raw)
    assert isinstance(event, wh.ProductStatusChange)
    assert event.data.product_id == "576486316948490001"


def test_product_audit_status_official_shape() -> None:
    raw = json.dumps({"type": 37, "shop_id": "7494049642642441621",
                      "tts_notification_id": "7327112393057371910", "timestamp": 1644412885,
                      "data": {"product_id": 789078671231,
                               "audit": {"status": "PRE_APPROVED",
                                         "pre_approved_reason": "KYC_PENDING"},
                               "update_time": 1644412885}}).encode()
    event = parse_webhook(raw)
    assert isinstance(event, wh.ProductAuditStatusChange)
    assert event.data.product_id == "789078671231"
    assert event.data.audit is not None and event.data.audit.status == "PRE_APPROVED"


def test_order_status_cancel_vs_cancelled() -> None:
    raw = (b'{"type":1,"shop_id":"1","data":{"order_id":"576486316948490001",'
           b'"order_status":"CANCEL","update_time":1}}')
    event = parse_webhook(raw)
    assert isinstance(event, wh.OrderStatusChange)
    assert event.data.order_status == "CANCEL"
    assert event.data.api_status == "CANCELLED"


def test_unknown_type_is_kept_raw() -> None:
    event = parse_webhook(b'{"type":99,"shop_id":"1","data":{"x":1}}')
    assert isinstance(event, wh.UnknownWebhook)
    assert event.data == {"x": 1}


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"type":"1"}',
                                 b'{"type":1,"shop_id":"1","data":{}}'])
def test_malformed_webhooks_raise(raw: bytes) -> None:
    with pytest.raises(WebhookError):
        parse_webhook(raw)


def test_verify_roundtrip() -> None:
    raw = b'{"type":1}'
    sig = webhook_signature("key", "secret", raw)
    assert verify_webhook("key", "secret", raw, sig)
    assert not verify_webhook("key", "other", raw, sig)
