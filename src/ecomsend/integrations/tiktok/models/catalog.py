"""Category tree, attributes, rules, brands, prerequisites and image-upload payloads.

Parsed by `categories.py`. Two official misspellings are handled here (reference §4.5, §9).
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from ecomsend.integrations.tiktok.models.common import Page, StrList, TikTokId, TikTokModel


class Category(TikTokModel):
    """One node of the flat category tree (`parent_id` "0" for a root)."""

    id: TikTokId
    parent_id: TikTokId | None = None
    local_name: str | None = None
    is_leaf: bool = False
    #: AVAILABLE | INVITE_ONLY | NON_MAIN_CATEGORY
    permission_statuses: list[str] = Field(default_factory=list)


class Categories(TikTokModel):
    categories: list[Category] = Field(default_factory=list)


class AttributeValue(TikTokModel):
    id: TikTokId
    name: str | None = None


class RequirementCondition(TikTokModel):
    condition_type: str | None = None  # VALUE_ID_MATCH
    attribute_id: TikTokId | None = None
    attribute_value_id: TikTokId | None = None


class Attribute(TikTokModel):
    """A category attribute. `is_required` reads the official misspelling `is_requried` too.

    The official Get Attributes doc and SDK spell it `is_requried`; the MIT fudiwei sample and
    some third-party code use `is_required` (reference §4.5): both are accepted.
    """

    id: TikTokId
    name: str | None = None
    type: str | None = None  # SALES_PROPERTY | PRODUCT_PROPERTY
    is_required: bool = Field(
        default=False, validation_alias=AliasChoices("is_requried", "is_required")
    )
    is_customizable: bool = False
    is_multiple_selection: bool = False
    value_data_format: str | None = None
    values: list[AttributeValue] = Field(default_factory=list)
    requirement_conditions: list[RequirementCondition] = Field(default_factory=list)


class Attributes(TikTokModel):
    attributes: list[Attribute] = Field(default_factory=list)


class Requirement(TikTokModel):
    is_required: bool = False
    is_supported: bool | None = None


class Certification(TikTokModel):
    id: TikTokId
    name: str | None = None
    is_required: bool = False
    #: What to upload, in TikTok's words (shown next to the certification's upload field).
    document_details: str | None = None
    sample_image_url: str | None = None
    #: Whether the certificate's `expiration_date` must be sent (Get Category Rules doc).
    expiration_date: Requirement | None = None
    requirement_conditions: list[RequirementCondition] = Field(default_factory=list)


class CategoryRules(TikTokModel):
    """`data` of Get Category Rules: what a listing in this category must carry."""

    product_certifications: list[Certification] = Field(default_factory=list)
    size_chart: Requirement | None = None
    cod: Requirement | None = None
    package_dimension: Requirement | None = None
    epr: Requirement | None = None
    manufacturer: Requirement | None = None
    responsible_person: Requirement | None = None
    fees: list[dict[str, Any]] = Field(default_factory=list)
    # The official example sends a lone string for this []string field (Get Category Rules).
    allowed_special_product_types: StrList = Field(default_factory=list)


#: The official value for an unauthorized brand is misspelled (Get Brands doc, reference §4.5).
BRAND_UNAUTHORIZED_SPELLINGS = frozenset({"UNAUTHORIEZD", "UNAUTHORIZED"})


class Brand(TikTokModel):
    id: TikTokId
    name: str | None = None
    authorized_status: str | None = None  # "AUTHORIZED" | "UNAUTHORIEZD" (sic)
    brand_status: str | None = None  # AVAILABLE | UNAVAILABLE
    is_t1_brand: bool | None = None

    @property
    def is_authorized(self) -> bool:
        """True only for AUTHORIZED; both `UNAUTHORIEZD` (sic) and `UNAUTHORIZED` are False."""
        return self.authorized_status == "AUTHORIZED"


class Brands(Page):
    brands: list[Brand] = Field(default_factory=list)


class PrerequisiteCheck(TikTokModel):
    check_item: str
    is_failed: bool = False
    fail_reasons: list[str] = Field(default_factory=list)


class Prerequisites(TikTokModel):
    """`data` of Check Listing Prerequisites (`GET /product/202312/prerequisites`)."""

    check_results: list[PrerequisiteCheck] = Field(default_factory=list)

    @property
    def failed(self) -> list[PrerequisiteCheck]:
        return [c for c in self.check_results if c.is_failed]


class UploadedImage(TikTokModel):
    """`data` of Upload Product Image: product payloads take the `uri`."""

    uri: str
    url: str | None = None
    width: int | None = None
    height: int | None = None
    use_case: str | None = None
