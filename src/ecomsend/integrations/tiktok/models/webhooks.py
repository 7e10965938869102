"""Typed webhook payloads, one class per `type` the app handles (parsed by `webhooks.py`).

Envelope: `{type, tts_notification_id, shop_id, timestamp, data}` (webhook topic pages;
reference §5.3). `product_id` is a JSON *number* in the type 5 and 37 examples: read losslessly.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from ecomsend.integrations.tiktok.models.common import TikTokId, TikTokModel

#: The order-status webhook says CANCEL where the order APIs say CANCELLED (type 1 doc).
WEBHOOK_TO_API_ORDER_STATUS = {"CANCEL": "CANCELLED"}


class OrderStatusData(TikTokModel):
    order_id: TikTokId
    order_status: str
    is_on_hold_order: bool | None = None
    update_time: int | None = None

    @property
    def api_status(self) -> str:
        """The status as the order APIs spell it (`CANCEL` → `CANCELLED`)."""
        return WEBHOOK_TO_API_ORDER_STATUS.get(self.order_status, self.order_status)


class RecipientAddressData(TikTokModel):
    order_id: TikTokId
    update_time: int | None = None


class PackageListItem(TikTokModel):
    package_id: TikTokId
    order_id_list: list[TikTokId] = Field(default_factory=list)


class PackageUpdateData(TikTokModel):
    sc_type: str | None = None  # COMBINE, CANCEL_COMBINE, SPLIT, CANCEL_SPLIT…
    role_type: str | None = None
    package_list: list[PackageListItem] = Field(default_factory=list)
    update_time: int | None = None


class ProductStatusData(TikTokModel):
    product_id: TikTokId
    status: str  # PRODUCT_FIRST_PASS_REVIEW | PRODUCT_STATUS_CHANGED | PRODUCT_AUDIT_FAILURE
    suspended_reason: str | None = None
    update_time: int | None = None


class AuditInfo(TikTokModel):
    status: str | None = None  # NONE | AUDITING | FAILED | PRE_APPROVED | APPROVED
    # The topic table says `pre_approved_reasons` ([]string); its example says
    # `pre_approved_reason` (a string). Both are accepted (37 product audit status doc).
    pre_approved_reasons: list[str] | str | None = Field(
        default=None, validation_alias=AliasChoices("pre_approved_reasons",
                                                    "pre_approved_reason"))


class ProductAuditData(TikTokModel):
    product_id: TikTokId
    audit: AuditInfo | None = None
    update_time: int | None = None


class ProductInformationData(TikTokModel):
    product_id: TikTokId
    changed_fields: list[str] = Field(default_factory=list)
    update_time: int | None = None


class ProductCreationData(TikTokModel):
    product_id: TikTokId
    product_type: list[str] = Field(default_factory=list)
    update_time: int | None = None


class CancellationData(TikTokModel):
    order_id: TikTokId
    cancel_id: TikTokId | None = None
    cancel_status: str | None = None
    cancellations_role: str | None = None
    create_time: int | None = None


class ReturnData(TikTokModel):
    order_id: TikTokId
    return_id: TikTokId | None = None
    return_status: str | None = None
    return_type: str | None = None
    return_role: str | None = None
    create_time: int | None = None
    update_time: int | None = None


class AuthorizationData(TikTokModel):
    message: str | None = None
    expiration_time: int | None = None


class WebhookEvent(TikTokModel):
    """Common envelope; subclasses type `data`. Dedupe on `tts_notification_id`."""

    type: int
    shop_id: TikTokId
    timestamp: int | None = None
    tts_notification_id: TikTokId | None = None
    data: Any = None


class OrderStatusChange(WebhookEvent):
    data: OrderStatusData


class RecipientAddressUpdate(WebhookEvent):
    data: RecipientAddressData


class PackageUpdate(WebhookEvent):
    data: PackageUpdateData


class ProductStatusChange(WebhookEvent):
    data: ProductStatusData


class SellerDeauthorization(WebhookEvent):
    data: AuthorizationData


class UpcomingAuthorizationExpiration(WebhookEvent):
    data: AuthorizationData


class CancellationStatusChange(WebhookEvent):
    data: CancellationData


class ReturnStatusChange(WebhookEvent):
    """Type 12, the "reverse" (return/refund) status change."""

    data: ReturnData


class ProductInformationChange(WebhookEvent):
    data: ProductInformationData


class ProductCreation(WebhookEvent):
    data: ProductCreationData


class ProductAuditStatusChange(WebhookEvent):
    data: ProductAuditData


class UnknownWebhook(WebhookEvent):
    """A type the app doesn't act on: kept raw (still acknowledged with 200)."""


#: Numeric webhook type → model (webhook topic pages, reference §5.3).
WEBHOOK_TYPES: dict[int, type[WebhookEvent]] = {
    1: OrderStatusChange,
    3: RecipientAddressUpdate,
    4: PackageUpdate,
    5: ProductStatusChange,
    6: SellerDeauthorization,
    7: UpcomingAuthorizationExpiration,
    11: CancellationStatusChange,
    12: ReturnStatusChange,
    15: ProductInformationChange,
    16: ProductCreation,
    37: ProductAuditStatusChange,
}
