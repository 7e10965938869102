"""Product request bodies and responses (create/edit/get/search/inventory/price/status).

Built by the sync mapping (requests) and parsed by `products.py` (responses). Reads return
`price.sale_price`, never `price.amount` (Get Product doc; reference §4.4).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ecomsend.integrations.tiktok.models.common import (
    ItemError,
    Money,
    Page,
    RequestModel,
    TikTokId,
    TikTokModel,
    Warning_,
)

# ---- request side -------------------------------------------------------------------------


class ImageRef(RequestModel):
    """A TikTok-hosted image (`uri` from Upload Product Image)."""

    uri: str


class PriceInput(RequestModel):
    amount: str | None = None  # local sellers
    sale_price: str | None = None  # cross-border sellers (Create Product doc)
    currency: str


class InventoryInput(RequestModel):
    """Stock per warehouse; `warehouse_id` may be omitted only when the SKU has one warehouse."""

    warehouse_id: str | None = None
    quantity: int = Field(ge=0)


class SalesAttributeInput(RequestModel):
    id: str | None = None
    name: str | None = None
    value_id: str | None = None
    value_name: str | None = None
    sku_img: ImageRef | None = None


class IdentifierCode(RequestModel):
    code: str
    type: str  # GTIN | EAN | UPC | ISBN


class SkuInput(RequestModel):
    id: str | None = None  # edit: keep an existing SKU
    seller_sku: str | None = None
    external_sku_id: str | None = None
    sales_attributes: list[SalesAttributeInput] = Field(default_factory=list)
    price: PriceInput
    inventory: list[InventoryInput]
    identifier_code: IdentifierCode | None = None
    list_price: PriceInput | None = None


class Weight(RequestModel):
    value: str
    unit: str  # KILOGRAM | GRAM | POUND


class Dimensions(RequestModel):
    length: str
    width: str
    height: str
    unit: str  # CENTIMETER | INCH


class ProductAttributeInput(RequestModel):
    id: str
    values: list[dict[str, str]]


class ProductUpsert(RequestModel):
    """Body of Create / Edit (full) and, with only some fields set, Partial Edit."""

    title: str | None = None
    description: str | None = None
    category_id: str | None = None
    category_version: str | None = None
    brand_id: str | None = None
    main_images: list[ImageRef] | None = None
    skus: list[SkuInput] | None = None
    package_weight: Weight | None = None
    package_dimensions: Dimensions | None = None
    product_attributes: list[ProductAttributeInput] | None = None
    size_chart: dict[str, Any] | None = None
    certifications: list[dict[str, Any]] | None = None
    save_mode: str | None = None  # LISTING | AS_DRAFT
    external_product_id: str | None = None
    idempotency_key: str | None = None


class SkuInventoryUpdate(RequestModel):
    """One SKU of Update Inventory: list every warehouse the SKU uses (doc: code 12019028)."""

    id: str
    inventory: list[InventoryInput]


class SkuPriceUpdate(RequestModel):
    id: str
    price: PriceInput


class ProductSearchFilter(RequestModel):
    status: str | None = None
    seller_skus: list[str] | None = None
    sku_ids: list[str] | None = None
    create_time_ge: int | None = None
    create_time_le: int | None = None
    update_time_ge: int | None = None
    update_time_le: int | None = None
    category_version: str | None = None
    audit_status: list[str] | None = None


# ---- response side ------------------------------------------------------------------------


class CreatedSku(TikTokModel):
    id: TikTokId
    seller_sku: str | None = None
    external_sku_id: str | None = None
    sales_attributes: list[dict[str, Any]] = Field(default_factory=list)


class ProductWriteResult(TikTokModel):
    """`data` of Create / Edit / Partial Edit: ids, SKU ids and TikTok's warnings."""

    product_id: TikTokId
    skus: list[CreatedSku] = Field(default_factory=list)
    warnings: list[Warning_] = Field(default_factory=list)
    audit: dict[str, Any] | None = None


class Price(TikTokModel):
    currency: str | None = None
    sale_price: Money | None = None
    tax_exclusive_price: Money | None = None
    amount: Money | None = None  # not documented on reads; kept if a server sends it

    @property
    def value(self) -> str | None:
        """The displayed price: `sale_price` (reads never carry `amount`), else the others."""
        return self.sale_price or self.tax_exclusive_price or self.amount


class SkuInventory(TikTokModel):
    warehouse_id: TikTokId | None = None
    quantity: int = 0


class Sku(TikTokModel):
    id: TikTokId
    seller_sku: str | None = None
    external_sku_id: str | None = None
    price: Price | None = None
    inventory: list[SkuInventory] = Field(default_factory=list)
    sales_attributes: list[dict[str, Any]] = Field(default_factory=list)


class Audit(TikTokModel):
    status: str | None = None  # NONE | AUDITING | FAILED | PRE_APPROVED | APPROVED
    pre_approved_reasons: list[str] = Field(default_factory=list)


class AuditFailedReason(TikTokModel):
    position: str | None = None
    reasons: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)


class Product(TikTokModel):
    """`data` of Get Product (and the items of Search Products)."""

    id: TikTokId
    title: str | None = None
    description: str | None = None
    status: str | None = None  # DRAFT, PENDING, FAILED, ACTIVATE, SELLER_DEACTIVATED, …
    audit: Audit | None = None
    audit_failed_reasons: list[AuditFailedReason] = Field(default_factory=list)
    skus: list[Sku] = Field(default_factory=list)
    category_chains: list[dict[str, Any]] = Field(default_factory=list)
    external_product_id: str | None = None
    create_time: int | None = None
    update_time: int | None = None

    def audit_failure_text(self) -> str:
        """Every audit failure reason and suggestion, readable by a merchant."""
        parts: list[str] = []
        for r in self.audit_failed_reasons:
            where = f"{r.position}: " if r.position else ""
            parts.append(where + "; ".join(r.reasons + r.suggestions))
        return " | ".join(parts)


class ProductPage(Page):
    products: list[Product] = Field(default_factory=list)


class BatchResult(TikTokModel):
    """`data` of Update Inventory / Delete / Activate / Deactivate (errors[] = partial failure)."""

    errors: list[ItemError] = Field(default_factory=list)
