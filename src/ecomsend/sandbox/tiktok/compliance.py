"""Seller-level product compliance endpoints: Upload Product File, Search Size Charts,
Create/Search Manufacturer and Create/Search Responsible Person (EU GPSR).

Docs: upload-product-file-202309, search-size-charts-202407, create-manufacturer-202409,
search-manufacturers-202501, create-responsible-person-202409,
search-responsible-persons-202501 (`contracts/tiktok/official-docs-scraped/api-reference/
products/`; field limits from the official SDK models `Product202409Create…RequestBody`).
None takes a `shop_cipher`: the seller is the one behind the access token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib
from typing import Any

from ecomsend.sandbox.tiktok.compliance_state import (
    SEEDED_SIZE_CHARTS,
    Manufacturer,
    ProductFile,
    ResponsiblePerson,
    SellerCompliance,
    SizeChart,
)
from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.errors import ApiError
from ecomsend.sandbox.tiktok.gateway import Ctx
from ecomsend.sandbox.tiktok.paging import paged
from ecomsend.sandbox.tiktok.state import Shop

# Upload Product File (doc error list and `data` field notes).
FILE_EMPTY = 12019103
FILE_NAME_EMPTY = 12019104
FILE_FORMAT = 12019105
FILE_BAD = 12038002
FILE_TOO_BIG = 12038005
#: "Supported formats: PDF, MP4, MOV, MKV, WMV, WEBM, AVI, 3GP, FLV, MPEG".
FILE_FORMATS = ("PDF", "MP4", "MOV", "MKV", "WMV", "WEBM", "AVI", "3GP", "FLV", "MPEG")
#: "Max PDF size: 20 MB - Max video size: 100 MB".
PDF_MAX_BYTES = 20 * 1024 * 1024
VIDEO_MAX_BYTES = 100 * 1024 * 1024
# Search Size Charts.
SIZE_CHART_PAGE_SIZE = 12019109
# Compliance (Create/Search Manufacturer and Responsible Person doc error lists).
C_INTERNAL = 38023025
C_RP_NAME = 38023022
C_RP_ADDRESS = 38023024
C_EU_COUNTRY = 38023026
C_EU_PHONE = 38023028
C_MAN_NAME = 38023033
C_MAN_ADDRESS = 38023034
C_TRADE_NAME = 38023037
C_PHONE_LENGTH = 38023041
C_EMAIL = 38023042
C_ADDRESS_LENGTH = 38023043
C_NAME_LENGTH = 38023044
C_TRADE_NAME_LENGTH = 38023045
C_PHONE_CODE = 38023046
C_PAGE_SIZE = 38023047
C_TOO_MANY_IDS = 38023049
C_GLOBAL_SELLER = 38023050
C_AVAILABILITY = 38023060
#: Field limits (SDK models): names 255 (manufacturer) / 200 (responsible person), trade name
#: 200, address 500; local number 7–20 digits (manufacturer) / 7–11 (responsible person).
MAN_NAME_MAX, RP_NAME_MAX, TRADE_NAME_MAX, ADDRESS_MAX = 255, 200, 500, 500
MAN_PHONE_DIGITS, RP_PHONE_DIGITS = (7, 20), (7, 11)
#: ISO 3166 codes of the EU member states ("It must be an EU country", Create RP doc).
EU_COUNTRIES = frozenset(("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE",
                          "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO",
                          "SK", "SI", "ES", "SE"))
#: Their phone country codes ("Only EU country codes are allowed").
EU_PHONE_CODES = frozenset(("+43", "+32", "+359", "+385", "+357", "+420", "+45", "+372", "+358",
                            "+33", "+49", "+30", "+36", "+353", "+39", "+371", "+370", "+352",
                            "+356", "+31", "+48", "+351", "+40", "+421", "+386", "+34", "+46"))
#: Locales the compliance APIs take (Create Manufacturer `locale` possible values).
EU_LOCALES = ("de-DE", "en-IE", "es-ES", "fr-FR", "it-IT")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTRY_CODE = re.compile(r"^\+\d{1,4}$")


def seller_of(sb: Sandbox, ctx: Ctx) -> tuple[str, SellerCompliance, list[Shop]]:
    """The seller behind the token, its compliance records and its shops."""
    shops = [sb.store.shops[s] for s in ctx.token.shop_ids if s in sb.store.shops]
    seller = shops[0].seller if shops else f"open:{ctx.token.open_id}"
    return seller, for_seller(sb, seller), shops


def for_seller(sb: Sandbox, seller: str) -> SellerCompliance:
    """The seller's records, created (with its Seller Center size charts) on first use."""
    book = sb.store.compliance.get(seller)
    if book is None:
        book = sb.store.compliance[seller] = SellerCompliance()
        for name in SEEDED_SIZE_CHARTS:
            tid = str(7362027385890000000 + zlib.crc32(f"{seller}:{name}".encode()) % 10**9)
            book.size_charts[tid] = SizeChart(tid, name, f"tos-sandbox-i-tts/sizechart-{tid}")
    return book


def _refuse_global(shops: list[Shop]) -> None:
    """38023050: the compliance APIs are for local sellers ("Target seller: Local sellers
    operating in EU countries"). Kinder than TikTok: a local seller outside the EU is served
    (the docs name no error for it)."""
    if shops and all(s.seller_type == "CROSS_BORDER" for s in shops):
        raise ApiError(C_GLOBAL_SELLER, "Operation is not supported for global seller")


async def upload_file(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202309/files/upload (multipart `data` + `name`; no shop_cipher)."""
    form = await ctx.request.form()
    upload = form.get("data")
    name = str(form.get("name") or "").strip()
    if upload is None or isinstance(upload, str):
        raise ApiError(FILE_BAD, "Invalid upload file. Please ensure you are passing the correct "
                       "file data.")
    if not name:
        raise ApiError(FILE_NAME_EMPTY, "The file name is empty.")
    data = await upload.read()
    if not data:
        raise ApiError(FILE_EMPTY, "Couldn't upload file, the file is empty.")
    fmt = name.rsplit(".", 1)[-1].upper() if "." in name else ""
    # "Do not use additional periods, except the one preceding the file extension."
    if fmt not in FILE_FORMATS or name.count(".") != 1 or (fmt == "PDF"
                                                           and not data.startswith(b"%PDF")):
        raise ApiError(FILE_FORMAT, "Failed to process the file. The format or content is not "
                       "supported.")
    if len(data) > (PDF_MAX_BYTES if fmt == "PDF" else VIDEO_MAX_BYTES):
        raise ApiError(FILE_TOO_BIG, "The file size exceeds the maximum allowed size.")
    _, book, _ = seller_of(ctx.sb, ctx)
    fid = "v09e" + hashlib.sha256(data + name.encode()).hexdigest()[:28]
    url = f"https://sandbox-cdn.tiktokshop.invalid/files/{fid}"
    book.files[fid] = ProductFile(fid, name, fmt, url)
    return book.files[fid].wire()


async def search_size_charts(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202407/sizecharts/search (`ids` win over `keyword`)."""
    size = ctx.page_size(100, SIZE_CHART_PAGE_SIZE)
    body = ctx.json()
    _, book, _ = seller_of(ctx.sb, ctx)
    charts = list(book.size_charts.values())
    ids = [str(i) for i in body.get("ids") or []]
    keyword = str(body.get("keyword") or "").lower()
    if ids:
        charts = [c for c in charts if c.template_id in ids]
    elif keyword:
        charts = [c for c in charts if keyword in c.template_name.lower()]
    locale = (ctx.query.get("locales") or "").split(",")[0] or "en-US"
    return paged("size_chart", [c.wire(locale) for c in charts], ctx.query.get("page_token"),
                 size, SIZE_CHART_PAGE_SIZE)


def _text(body: dict[str, Any], key: str, limit: int, code_bad: int, code_len: int,
          label: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(code_bad, f"Invalid {label}: {key} is required.")
    if len(value) > limit:
        raise ApiError(code_len, f"Invalid {key.split('_')[-1]} length: at most {limit}.")
    return value.strip()


def _email(body: dict[str, Any]) -> str:
    email = body.get("email")
    if not isinstance(email, str) or not _EMAIL.match(email):
        raise ApiError(C_EMAIL, "Invalid email format")
    return email


def _phone(raw: Any, digits: tuple[int, int], eu_only: bool) -> dict[str, str]:
    phone = raw if isinstance(raw, dict) else {}
    availability = str(phone.get("availability") or "AVAILABLE")
    if availability not in ("AVAILABLE", "UNAVAILABLE"):
        raise ApiError(C_AVAILABILITY, "Invalid phone number availability. Supported values: "
                       "`AVAILABLE`, `UNAVAILABLE`")
    code, number = str(phone.get("country_code") or ""), str(phone.get("local_number") or "")
    if availability == "UNAVAILABLE" and not eu_only:
        return {"availability": "UNAVAILABLE"}
    if not _COUNTRY_CODE.match(code):
        raise ApiError(C_PHONE_CODE, "Invalid phone country code format")
    if eu_only and code not in EU_PHONE_CODES:
        raise ApiError(C_EU_PHONE, "Invalid EU phone country code")
    if not number.isdigit() or not digits[0] <= len(number) <= digits[1]:
        raise ApiError(C_PHONE_LENGTH, "Invalid phone number length")
    out = {"country_code": code, "local_number": number}
    return out if eu_only else {"availability": availability, **out}


def _locale(body: dict[str, Any]) -> str:
    locale = str(body.get("locale") or "en-IE")
    return locale if locale in EU_LOCALES else "en-IE"


async def create_manufacturer(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202409/compliance/manufacturers."""
    body = ctx.json()
    _, book, shops = seller_of(ctx.sb, ctx)
    _refuse_global(shops)
    profile: dict[str, Any] = {
        "name": _text(body, "name", MAN_NAME_MAX, C_MAN_NAME, C_NAME_LENGTH,
                      "manufacturer's name"),
        "registered_trade_name": "", "email": _email(body),
        "phone_number": _phone(body.get("phone_number"), MAN_PHONE_DIGITS, eu_only=False),
        "address": _text(body, "address", ADDRESS_MAX, C_MAN_ADDRESS, C_ADDRESS_LENGTH,
                         "manufacturer's address")}
    if body.get("registered_trade_name"):
        profile["registered_trade_name"] = _text(
            body, "registered_trade_name", TRADE_NAME_MAX, C_TRADE_NAME, C_TRADE_NAME_LENGTH,
            "manufacturer's registered trade name")
    mid = "66d3" + secrets.token_hex(10)
    book.manufacturers[mid] = Manufacturer(mid, profile, _locale(body))
    return {"manufacturer_id": mid}


def _rp_address(raw: Any) -> dict[str, str]:
    address = raw if isinstance(raw, dict) else {}
    line1 = str(address.get("street_address_line1") or "").strip()
    postal = str(address.get("postal_code") or "").strip()
    if not line1 or not postal:
        raise ApiError(C_RP_ADDRESS, "Invalid responsible person's address: "
                       "street_address_line1 and postal_code are required.")
    if max(len(str(v)) for v in address.values()) > ADDRESS_MAX:
        raise ApiError(C_ADDRESS_LENGTH, "Invalid address length")
    country = str(address.get("country") or "").upper()
    if country not in EU_COUNTRIES:
        raise ApiError(C_EU_COUNTRY, "Invalid EU country")
    keys = ("street_address_line1", "street_address_line2", "district", "city", "postal_code",
            "province")
    return {**{k: str(address.get(k) or "") for k in keys}, "country": country}


async def create_responsible_person(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202409/compliance/responsible_persons."""
    body = ctx.json()
    _, book, shops = seller_of(ctx.sb, ctx)
    _refuse_global(shops)
    profile = {"name": _text(body, "name", RP_NAME_MAX, C_RP_NAME, C_NAME_LENGTH,
                             "responsible person's name"),
               "email": _email(body),
               "phone_number": _phone(body.get("phone_number"), RP_PHONE_DIGITS, eu_only=True),
               "address": _rp_address(body.get("address"))}
    rid = "66d4" + secrets.token_hex(10)
    book.responsible_persons[rid] = ResponsiblePerson(rid, profile, _locale(body))
    return {"responsible_person_id": rid}


def _search(ctx: Ctx, key: str, ids_key: str, items: list[Any]) -> dict[str, Any]:
    """Shared Search Manufacturers / Responsible Persons paging and filters."""
    size = ctx.page_size(100, C_PAGE_SIZE)
    body = ctx.json()
    ids = [str(i) for i in body.get(ids_key) or []]
    if len(ids) > size:
        raise ApiError(C_TOO_MANY_IDS, "The number of ids is larger than page size")
    keyword = str(body.get("keyword") or "").lower()
    if ids:
        items = [i for i in items if i.id in ids]
    elif keyword:
        items = [i for i in items if keyword in repr(i.profile).lower()]
    return paged(key, [i.wire() for i in items], ctx.query.get("page_token"), size,
                 C_PAGE_SIZE)


async def search_manufacturers(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202501/compliance/manufacturers/search."""
    _, book, shops = seller_of(ctx.sb, ctx)
    _refuse_global(shops)
    return _search(ctx, "manufacturers", "manufacturer_ids", list(book.manufacturers.values()))


async def search_responsible_persons(ctx: Ctx) -> dict[str, Any]:
    """POST /product/202501/compliance/responsible_persons/search."""
    _, book, shops = seller_of(ctx.sb, ctx)
    _refuse_global(shops)
    return _search(ctx, "responsible_persons", "responsible_person_ids",
                   list(book.responsible_persons.values()))
