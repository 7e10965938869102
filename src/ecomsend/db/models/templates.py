"""Category templates: how Shopify products become TikTok listings in one region."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ecomsend.db.base import Base, IdMixin, TimestampMixin
from ecomsend.db.types import BigId


class CategoryTemplate(IdMixin, TimestampMixin, Base):
    """Region, TikTok category, attribute values, brand, package data and selection rules."""

    __tablename__ = "category_template"
    __table_args__ = (
        # One default template per TikTok shop (= per region): a partial unique index.
        Index(
            "uq_category_template_default",
            "tiktok_shop_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    tiktok_shop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tiktok_shop.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    region: Mapped[str] = mapped_column(String(8))
    category_id: Mapped[str] = mapped_column(String(64))
    category_name: Mapped[str | None] = mapped_column(String(512))
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    brand_id: Mapped[str | None] = mapped_column(String(64))
    package_weight: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    package_weight_unit: Mapped[str] = mapped_column(String(16), default="POUND")
    package_dimensions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: [{"field": "product_type|vendor|tag|collection|title", "op": "equals|contains", "value"}]
    selection_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    match_mode: Mapped[str] = mapped_column(String(8), default="all")
    #: {"size_chart": {template_id, template_name, image_uri, image_url},
    #:  "certifications": [{id, name, images: [{uri, url}], files: [{id, name, format}]}],
    #:  "manufacturers": [{id, name}], "responsible_persons": [{id, name}]} (migration 0009)
    compliance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict,
                                                       server_default=text("'{}'"))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
