"""Product compliance payloads: uploaded files, size-chart templates, EU manufacturers and
responsible persons (Upload Product File, Search Size Charts, Create/Search Manufacturer and
Responsible Person docs). Parsed by `compliance.py`."""

from __future__ import annotations

from pydantic import Field

from ecomsend.integrations.tiktok.models.common import Page, RequestModel, TikTokModel


class UploadedFile(TikTokModel):
    """`data` of Upload Product File: products reference it as `{id, name, format}`."""

    id: str
    url: str | None = None
    name: str | None = None
    format: str | None = None  # PDF | MP4 | MOV | …


class SizeChartImage(TikTokModel):
    uri: str | None = None
    url: str | None = None
    locale: str | None = None


class SizeChart(TikTokModel):
    """A size-chart template the seller made in Seller Center."""

    template_id: str
    template_name: str | None = None
    images: list[SizeChartImage] = Field(default_factory=list)


class SizeCharts(Page):
    size_chart: list[SizeChart] = Field(default_factory=list)


class PhoneNumber(RequestModel):
    """`availability` is for manufacturers only (AVAILABLE | UNAVAILABLE)."""

    country_code: str | None = None
    local_number: str | None = None
    availability: str | None = None


class ManufacturerInput(RequestModel):
    """Create Manufacturer body (name, email, phone_number, address required)."""

    name: str
    email: str
    phone_number: PhoneNumber
    address: str
    registered_trade_name: str | None = None
    locale: str | None = None


class ManufacturerProfile(TikTokModel):
    locale: str | None = None
    name: str | None = None
    registered_trade_name: str | None = None
    email: str | None = None
    phone_number: PhoneNumber | None = None
    address: str | None = None


class Manufacturer(TikTokModel):
    id: str
    regional_profiles: list[ManufacturerProfile] = Field(default_factory=list)


class Manufacturers(Page):
    manufacturers: list[Manufacturer] = Field(default_factory=list)


class PersonAddress(RequestModel):
    """Create Responsible Person `address`; `country` must be an EU ISO 3166 code."""

    street_address_line1: str
    postal_code: str
    country: str
    street_address_line2: str | None = None
    district: str | None = None
    city: str | None = None
    province: str | None = None


class ResponsiblePersonInput(RequestModel):
    """Create Responsible Person body (every field but `locale` required)."""

    name: str
    email: str
    phone_number: PhoneNumber
    address: PersonAddress
    locale: str | None = None


class ResponsiblePersonProfile(TikTokModel):
    locale: str | None = None
    name: str | None = None
    email: str | None = None
    phone_number: PhoneNumber | None = None
    address: PersonAddress | None = None


class ResponsiblePerson(TikTokModel):
    id: str
    regional_profiles: list[ResponsiblePersonProfile] = Field(default_factory=list)


class ResponsiblePersons(Page):
    responsible_persons: list[ResponsiblePerson] = Field(default_factory=list)
