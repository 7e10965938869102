"""What the category-template form and the manual-sync form send for a category's compliance
needs: size chart (TikTok template or uploaded image), certifications with their uploaded images
and files, EU manufacturer and responsible person (issue 13 §1). Stored as the template's
`compliance` JSON (or in a product's manual-sync override) in the shape
`sync.products.compliance` reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from ecomsend.sync.errors import FieldError


def _no_nul(value: str) -> str:
    """NUL characters are refused (PostgreSQL cannot store them)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
#: A TikTok numeric id (size-chart template, certification).
DigitsId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9]+$")]
#: Upload Product File formats (its doc).
FileFormat = Literal["PDF", "MP4", "MOV", "MKV", "WMV", "WEBM", "AVI", "3GP", "FLV", "MPEG"]
#: Images + files per certification (`12052657` "out of limit"; Seller Center takes 10).
CERT_PROOF_MAX = 10


class SizeChartIn(BaseModel):
    """Either one of the seller's TikTok size-chart templates or an uploaded image."""

    template_id: DigitsId | None = None
    template_name: Text | None = Field(None, max_length=255)
    image_uri: Text | None = Field(None, min_length=1, max_length=512)
    image_url: Text | None = Field(None, max_length=2048)

    @model_validator(mode="after")
    def _one_source(self) -> SizeChartIn:
        if bool(self.template_id) == bool(self.image_uri):
            raise ValueError("give either template_id (a TikTok size chart) or image_uri (an "
                             "uploaded size-chart image)")
        return self


class CertImageIn(BaseModel):
    uri: Text = Field(min_length=1, max_length=512)
    url: Text | None = Field(None, max_length=2048)


class CertFileIn(BaseModel):
    id: Text = Field(min_length=1, max_length=128)
    name: Text = Field(min_length=1, max_length=255)
    format: FileFormat = "PDF"


class CertificationIn(BaseModel):
    """One certification the category lists, with what proves it."""

    id: DigitsId
    name: Text | None = Field(None, max_length=255)
    images: list[CertImageIn] = Field(default_factory=list, max_length=CERT_PROOF_MAX)
    files: list[CertFileIn] = Field(default_factory=list, max_length=CERT_PROOF_MAX)
    #: When the certificate expires, if the category's rules ask (`expiration_date`); TikTok
    #: refuses a date already past (`12052385`): `expired` checks new input for it (not a
    #: model validator: a stored date may pass later and must still read back).
    expiration_date: date | None = None


class PartyIn(BaseModel):
    """A manufacturer or responsible person created on TikTok (`name` for display)."""

    id: Text = Field(min_length=1, max_length=64)
    name: Text | None = Field(None, max_length=255)


class ComplianceIn(BaseModel):
    """The template form's compliance fields (all optional; the category's rules decide)."""

    size_chart: SizeChartIn | None = None
    certifications: list[CertificationIn] = Field(default_factory=list, max_length=20)
    manufacturers: list[PartyIn] = Field(default_factory=list, max_length=10)
    #: GPSR names one responsible person per product (Create Product `12052288`).
    responsible_persons: list[PartyIn] = Field(default_factory=list, max_length=1)

    def compliance_json(self) -> dict[str, Any]:
        """The `compliance` column: only what is set."""
        data = self.model_dump(mode="json", include=set(COMPLIANCE_FIELDS), exclude_none=True)
        return {k: v for k, v in data.items() if v}


class ComplianceOverrideIn(BaseModel):
    """The manual-sync form's compliance fields: a field sent replaces the template's."""

    size_chart: SizeChartIn | None = None
    certifications: list[CertificationIn] | None = Field(None, max_length=20)
    manufacturers: list[PartyIn] | None = Field(None, max_length=10)
    responsible_persons: list[PartyIn] | None = Field(None, max_length=1)


#: The compliance keys of both forms (and of the stored JSON).
COMPLIANCE_FIELDS = ("size_chart", "certifications", "manufacturers", "responsible_persons")


def expired(certifications: Iterable[CertificationIn] | None, at: str = "") -> list[FieldError]:
    """A 422's field errors for certificates whose expiry date has passed (called by the
    template and manual-sync routes on what the merchant sends)."""
    today = datetime.now(UTC).date()
    return [FieldError(f"{at}certifications.{i}.expiration_date",
                       f"The “{c.name or c.id}” certificate expired on {c.expiration_date}.",
                       "Upload a current certificate and enter its expiry date.")
            for i, c in enumerate(certifications or ())
            if c.expiration_date is not None and c.expiration_date < today]


def compliance_out(raw: Any) -> dict[str, Any]:
    """A stored compliance JSON as `ComplianceIn` keyword arguments (bad parts dropped)."""
    data = raw if isinstance(raw, dict) else {}
    try:
        return ComplianceIn.model_validate(
            {k: data[k] for k in COMPLIANCE_FIELDS if k in data}).model_dump()
    except ValueError:
        return {}
