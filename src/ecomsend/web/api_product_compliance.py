"""What the template editor and the manual-sync form use to fill a category's compliance needs,
through TikTok's own APIs (issue 13 §1): the seller's size-chart templates, uploading a size-chart
image or a certificate (PDF → Upload Product File, image → Upload Product Image), and listing or
creating EU manufacturers and responsible persons (GPSR). Nothing is stored here: the forms put
the returned ids into the template or the manual-sync override.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field

from ecomsend.integrations.tiktok.errors import Permanent
from ecomsend.integrations.tiktok.models.compliance import (
    ManufacturerInput,
    PersonAddress,
    PhoneNumber,
    ResponsiblePersonInput,
)
from ecomsend.sync.errors import FieldError
from ecomsend.web.api_common import (
    TIKTOK_RESPONSES,
    ConnectionDep,
    live_context,
    tiktok_call,
    unprocessable,
)
from ecomsend.web.api_compliance_models import Text
from ecomsend.web.deps import ServicesDep

router = APIRouter(prefix="/api/connections/{connection_id}/tiktok", tags=["tiktok compliance"],
                   responses=TIKTOK_RESPONSES)
#: Bodies above 2 MB are refused by the API's JSON guard before they reach a route; certificates
#: and size-chart images must fit (TikTok itself takes PDFs up to 20 MB, images up to 10 MB).
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
#: Magic numbers of what the forms accept: PDF → Upload Product File; images → Upload Image.
_IMAGE_MAGIC = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"RIFF": "image/webp"}
#: Compliance error codes → the form field they are about (Create Manufacturer / Responsible
#: Person doc error lists).
FIELD_OF_CODE = {38023022: "name", 38023033: "name", 38023044: "name", 38023042: "email",
                 38023024: "address", 38023034: "address", 38023043: "address",
                 38023026: "country", 38023028: "phone_country_code",
                 38023046: "phone_country_code", 38023041: "phone_number",
                 38023037: "registered_trade_name", 38023045: "registered_trade_name"}
Keyword = Annotated[str | None, Query(max_length=200)]


class SizeChartOut(BaseModel):
    template_id: str
    template_name: str | None
    image_url: str | None


class UploadOut(BaseModel):
    """An uploaded size-chart image (`uri`) or certificate (`uri` for an image, `id` for a
    file)."""

    kind: Literal["image", "file"]
    uri: str | None = None
    url: str | None = None
    id: str | None = None
    name: str | None = None
    format: str | None = None


class PartyOut(BaseModel):
    id: str
    name: str | None
    detail: str | None


class ManufacturerIn(BaseModel):
    name: Text = Field(min_length=1, max_length=255)
    registered_trade_name: Text | None = Field(None, max_length=200)
    email: Text = Field(min_length=3, max_length=255, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone_country_code: Text = Field(min_length=2, max_length=5, pattern=r"^\+[0-9]{1,4}$")
    phone_number: Text = Field(min_length=7, max_length=20, pattern=r"^[0-9]+$")
    address: Text = Field(min_length=1, max_length=500)


class ResponsiblePersonIn(BaseModel):
    name: Text = Field(min_length=1, max_length=200)
    email: Text = Field(min_length=3, max_length=255, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone_country_code: Text = Field(min_length=2, max_length=5, pattern=r"^\+[0-9]{1,4}$")
    phone_number: Text = Field(min_length=7, max_length=11, pattern=r"^[0-9]+$")
    street: Text = Field(min_length=1, max_length=500)
    postal_code: Text = Field(min_length=1, max_length=500)
    city: Text | None = Field(None, max_length=500)
    country: Text = Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")


async def _field_errors(call: Awaitable[str]) -> str:
    """A create call; TikTok refusing a field becomes a 422 on that form field."""
    try:
        return await call
    except Permanent as exc:
        field = FIELD_OF_CODE.get(exc.code or 0)
        if field is None:
            raise
        raise unprocessable([FieldError(field, f"TikTok Shop refused it: {exc.message}",
                                        "Correct this field and create it again.")]) from exc


async def _create(call: Awaitable[str]) -> str:
    """`_field_errors`, with the rest of TikTok's trouble as `tiktok_call` words it."""
    return await tiktok_call(_field_errors(call))


@router.get("/size-charts", response_model=list[SizeChartOut],
            summary="The seller's size-chart templates on TikTok (made in Seller Center)")
async def size_charts(services: ServicesDep, connection: ConnectionDep,
                      keyword: Keyword = None) -> list[SizeChartOut]:
    found = await tiktok_call(services.tiktok.compliance.search_size_charts(
        live_context(connection), keyword=keyword))
    return [SizeChartOut(template_id=c.template_id, template_name=c.template_name,
                         image_url=c.images[0].url if c.images else None)
            for c in found.size_chart]


async def _read(upload: UploadFile) -> bytes:
    data = await upload.read()
    if not data:
        raise unprocessable([FieldError("file", "The file is empty.", "Choose another file.")])
    if len(data) > UPLOAD_MAX_BYTES:
        raise unprocessable([FieldError("file", "The file is larger than 2 MB.",
                                        "Use a smaller scan or a compressed PDF.")])
    return data


def _image_type(data: bytes) -> str | None:
    return next((mime for magic, mime in _IMAGE_MAGIC.items() if data.startswith(magic)), None)


@router.post("/uploads/size-chart", response_model=UploadOut,
             summary="Upload a size-chart image to TikTok (JPG, PNG or WEBP)")
async def upload_size_chart(services: ServicesDep, connection: ConnectionDep,
                            file: Annotated[UploadFile, File()]) -> UploadOut:
    data = await _read(file)
    mime = _image_type(data)
    if mime is None:
        raise unprocessable([FieldError("file", "A size chart must be a JPG, PNG or WEBP image.",
                                        "Choose an image file.")])
    image = await tiktok_call(services.tiktok.categories.upload_image(
        live_context(connection), data, filename=file.filename or "size-chart",
        mime_type=mime, use_case="SIZE_CHART_IMAGE"))
    return UploadOut(kind="image", uri=image.uri, url=image.url, name=file.filename)


@router.post("/uploads/certificate", response_model=UploadOut,
             summary="Upload a certificate to TikTok: a PDF as a file, a JPG/PNG as an image")
async def upload_certificate(services: ServicesDep, connection: ConnectionDep,
                             file: Annotated[UploadFile, File()]) -> UploadOut:
    data = await _read(file)
    context = live_context(connection)
    if data.startswith(b"%PDF"):
        # Upload Product File: "Do not use additional periods, except the one preceding the
        # file extension" — the stem's periods become dashes.
        stem = (file.filename or "certificate").rsplit(".", 1)[0].replace(".", "-")
        done = await tiktok_call(services.tiktok.compliance.upload_file(
            context, data, name=f"{stem or 'certificate'}.pdf"))
        return UploadOut(kind="file", id=done.id, url=done.url, name=done.name,
                         format=done.format or "PDF")
    mime = _image_type(data)
    if mime is None:
        raise unprocessable([FieldError("file", "A certificate must be a PDF, JPG, PNG or WEBP.",
                                        "Choose a PDF or a scan of the certificate.")])
    image = await tiktok_call(services.tiktok.categories.upload_image(
        context, data, filename=file.filename or "certificate", mime_type=mime,
        use_case="CERTIFICATION_IMAGE"))
    return UploadOut(kind="image", uri=image.uri, url=image.url, name=file.filename)


@router.get("/manufacturers", response_model=list[PartyOut],
            summary="The seller's EU manufacturers on TikTok (GPSR)")
async def manufacturers(services: ServicesDep, connection: ConnectionDep,
                        keyword: Keyword = None) -> list[PartyOut]:
    found = await tiktok_call(services.tiktok.compliance.search_manufacturers(
        live_context(connection), keyword=keyword))
    out = []
    for m in found.manufacturers:
        p = m.regional_profiles[0] if m.regional_profiles else None
        out.append(PartyOut(id=m.id, name=p.name if p else None, detail=p.address if p else None))
    return out


@router.post("/manufacturers", response_model=PartyOut, status_code=201,
             summary="Create an EU manufacturer on TikTok (Create Manufacturer)")
async def create_manufacturer(services: ServicesDep, connection: ConnectionDep,
                              body: ManufacturerIn) -> PartyOut:
    made = ManufacturerInput(
        name=body.name, registered_trade_name=body.registered_trade_name, email=body.email,
        address=body.address, phone_number=PhoneNumber(
            availability="AVAILABLE", country_code=body.phone_country_code,
            local_number=body.phone_number))
    mid = await _create(services.tiktok.compliance.create_manufacturer(
        live_context(connection), made))
    return PartyOut(id=mid, name=body.name, detail=body.address)


@router.get("/responsible-persons", response_model=list[PartyOut],
            summary="The seller's EU responsible persons on TikTok (GPSR)")
async def responsible_persons(services: ServicesDep, connection: ConnectionDep,
                              keyword: Keyword = None) -> list[PartyOut]:
    found = await tiktok_call(services.tiktok.compliance.search_responsible_persons(
        live_context(connection), keyword=keyword))
    out = []
    for r in found.responsible_persons:
        p = r.regional_profiles[0] if r.regional_profiles else None
        where = p.address if p else None
        detail = ", ".join(x for x in (where.street_address_line1, where.postal_code,
                                       where.country) if x) if where else None
        out.append(PartyOut(id=r.id, name=p.name if p else None, detail=detail))
    return out


@router.post("/responsible-persons", response_model=PartyOut, status_code=201,
             summary="Create an EU responsible person on TikTok (Create Responsible Person)")
async def create_responsible_person(services: ServicesDep, connection: ConnectionDep,
                                    body: ResponsiblePersonIn) -> PartyOut:
    person = ResponsiblePersonInput(
        name=body.name, email=body.email,
        phone_number=PhoneNumber(country_code=body.phone_country_code,
                                 local_number=body.phone_number),
        address=PersonAddress(street_address_line1=body.street, postal_code=body.postal_code,
                              city=body.city or None, country=body.country.upper()))
    rid = await _create(services.tiktok.compliance.create_responsible_person(
        live_context(connection), person))
    return PartyOut(id=rid, name=body.name,
                    detail=f"{body.street}, {body.postal_code}, {body.country.upper()}")
