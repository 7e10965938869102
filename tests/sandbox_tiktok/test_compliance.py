"""Product compliance in the TikTok sandbox: file upload, size charts, EU manufacturer and
responsible person, and Create Product refusing what a category's rules need with the codes of
the Create Product doc."""

from __future__ import annotations

from typing import Any

import httpx

from ecomsend.sandbox.tiktok.refdata import catalog

from .conftest import connect
from .helpers import Api, Control

P = "/product/202309/products"
MAN = "/product/202409/compliance/manufacturers"
RP = "/product/202409/compliance/responsible_persons"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MANUFACTURER = {"name": "Kinder Werk GmbH", "email": "gpsr@kinderwerk.example",
                "phone_number": {"country_code": "+49", "local_number": "3012345678"},
                "address": "Hauptstr. 1, 10115 Berlin, Germany", "locale": "de-DE"}
PERSON: dict[str, Any] = {"name": "EU Rep Ltd", "email": "rep@eurep.example",
          "phone_number": {"country_code": "+353", "local_number": "81234567"},
          "address": {"street_address_line1": "63 Cardiff Ln, Dublin", "postal_code": "D02 HD23",
                      "country": "IE"}}


def baby_clothing_leaf(region: str) -> str:
    """A Baby Clothing leaf: size chart and a certification required, GPSR in the EU."""
    cat = catalog(region, "v1")
    return next(c.id for c in cat.leaves() if cat.chain(c.id)[1].local_name == "Baby Clothing")


async def test_upload_file_checks_format_and_content(http: httpx.AsyncClient,
                                                     control: Control) -> None:
    api, _ = await connect(http, control, "DE")
    path = "/product/202309/files/upload"
    data = await api.ok("POST", path, cipher=False,
                        files={"data": ("c.pdf", PDF, "application/pdf")},
                        data={"name": "safety.pdf"})
    assert data["format"] == "PDF" and data["name"] == "safety.pdf" and data["id"]
    cases = [({"name": "safety.pdf"}, b"", 12019103), ({"name": ""}, PDF, 12019104),
             ({"name": "safety.docx"}, PDF, 12019105), ({"name": "a.b.pdf"}, PDF, 12019105),
             ({"name": "fake.pdf"}, b"not a pdf", 12019105)]
    for form, content, code in cases:
        got, _ = await api.err("POST", path, cipher=False,
                               files={"data": ("x", content, "application/pdf")}, data=form)
        assert got == code, form
    assert (await api.err("POST", path, files={"data": ("c.pdf", PDF, "application/pdf")},
                          data={"name": "c.pdf"}))[0] == 36009004  # no shop_cipher here


async def test_manufacturer_and_responsible_person(http: httpx.AsyncClient,
                                                   control: Control) -> None:
    api, _ = await connect(http, control, "FR")
    mid = (await api.ok("POST", MAN, MANUFACTURER, cipher=False))["manufacturer_id"]
    rid = (await api.ok("POST", RP, PERSON, cipher=False))["responsible_person_id"]
    found = await api.ok("POST", "/product/202501/compliance/manufacturers/search",
                         {"keyword": "kinder"}, cipher=False, query={"page_size": "10"})
    assert [m["id"] for m in found["manufacturers"]] == [mid]
    assert found["manufacturers"][0]["regional_profiles"][0]["locale"] == "de-DE"
    found = await api.ok("POST", "/product/202501/compliance/responsible_persons/search",
                         {"responsible_person_ids": [rid]}, cipher=False,
                         query={"page_size": "10"})
    assert found["responsible_persons"][0]["regional_profiles"][0]["address"]["country"] == "IE"
    bad = [(MAN, {**MANUFACTURER, "email": "nope"}, 38023042),
           (MAN, {**MANUFACTURER, "name": "x" * 256}, 38023044),
           (MAN, {**MANUFACTURER, "phone_number": {"country_code": "49",
                                                   "local_number": "3012345678"}}, 38023046),
           (RP, {**PERSON, "address": {**PERSON["address"], "country": "US"}}, 38023026),
           (RP, {**PERSON, "phone_number": {"country_code": "+1",
                                            "local_number": "5550100"}}, 38023028),
           (RP, {**PERSON, "phone_number": {"country_code": "+353",
                                            "local_number": "812345678901"}}, 38023041)]
    for path, body, code in bad:
        assert (await api.err("POST", path, body, cipher=False))[0] == code, body
    assert (await api.err("POST", "/product/202501/compliance/manufacturers/search", {},
                          cipher=False, query={"page_size": "0"}))[0] == 38023047


async def test_size_charts_are_the_sellers(http: httpx.AsyncClient, control: Control) -> None:
    api, _ = await connect(http, control, "GB")
    charts = (await api.ok("POST", "/product/202407/sizecharts/search", {}, cipher=False,
                           query={"page_size": "50"}))["size_chart"]
    assert len(charts) >= 3 and all(c["images"][0]["uri"] for c in charts)
    first = charts[0]["template_id"]
    one = await api.ok("POST", "/product/202407/sizecharts/search", {"ids": [first]},
                       cipher=False, query={"page_size": "5"})
    assert [c["template_id"] for c in one["size_chart"]] == [first]
    assert (await api.err("POST", "/product/202407/sizecharts/search", {}, cipher=False,
                          query={"page_size": "101"}))[0] == 12019109


async def _de_baby(http: httpx.AsyncClient, control: Control) -> tuple[Api, dict[str, Any]]:
    api, view = await connect(http, control, "DE")
    body = await control("GET", f"/shops/{view['shop_id']}/sample_product",
                         category_id=baby_clothing_leaf("DE"))
    return api, body


async def test_create_refuses_missing_rules_with_documented_codes(
        http: httpx.AsyncClient, control: Control) -> None:
    api, body = await _de_baby(http, control)
    await api.ok("POST", "/product/202309/products/listing_check", body)
    cases: list[tuple[str, Any, int]] = [
        ("size_chart", None, 12052673),
        ("size_chart", {"image": {"uri": "tos-not-uploaded"}}, 12052670),
        ("size_chart", {"template": {"id": "123"}}, 12052128),
        ("certifications", None, 12052105),
        ("certifications", [{"id": "42", "images": [{"uri": "x"}]}], 12052655),
        ("certifications", [{**body["certifications"][0]}] * 2, 12052656),
        ("certifications", [{"id": body["certifications"][0]["id"],
                             "images": [{"uri": "tos-not-uploaded"}]}], 12052650),
        ("certifications", [{"id": body["certifications"][0]["id"],
                             "files": [{"id": "v09unknown", "name": "a.pdf", "format": "PDF"}]}],
         12052658),
        ("certifications", [{**body["certifications"][0], "expiration_date": None}],
         12052385),
        ("certifications", [{**body["certifications"][0], "expiration_date": 1_600_000_000}],
         12052385),
        ("manufacturer_ids", None, 12052282),
        ("manufacturer_ids", ["66d3nope"], 12052284),
        ("manufacturer_ids", body["manufacturer_ids"] * 2, 12052295),
        ("responsible_person_ids", None, 12052287),
        ("responsible_person_ids", ["66d4nope"], 12052289),
    ]
    for key, value, code in cases:
        broken = {**body}
        if value is None:
            broken.pop(key)
        else:
            broken[key] = value
        got, env = await api.err("POST", P, broken)
        assert got == code, (key, value, env["message"])


async def test_ids_of_another_seller_are_refused(http: httpx.AsyncClient,
                                                 control: Control) -> None:
    other, _ = await connect(http, control, "IT")
    theirs = (await other.ok("POST", MAN, MANUFACTURER, cipher=False))["manufacturer_id"]
    api, body = await _de_baby(http, control)
    assert (await api.err("POST", P, {**body, "manufacturer_ids": [theirs]}))[0] == 12052285


async def test_listed_with_created_records_and_uploaded_file(http: httpx.AsyncClient,
                                                             control: Control) -> None:
    api, body = await _de_baby(http, control)
    mid = (await api.ok("POST", MAN, MANUFACTURER, cipher=False))["manufacturer_id"]
    rid = (await api.ok("POST", RP, PERSON, cipher=False))["responsible_person_id"]
    pdf = await api.ok("POST", "/product/202309/files/upload", cipher=False,
                       files={"data": ("c.pdf", PDF, "application/pdf")},
                       data={"name": "en71.pdf"})
    chart = (await api.ok("POST", "/product/202407/sizecharts/search", {"keyword": "baby"},
                          cipher=False, query={"page_size": "5"}))["size_chart"][0]
    body.update(manufacturer_ids=[mid], responsible_person_ids=[rid],
                size_chart={"template": {"id": chart["template_id"]}},
                certifications=[{"id": body["certifications"][0]["id"], "files": [
                    {"id": pdf["id"], "name": pdf["name"], "format": pdf["format"]}],
                    "expiration_date": body["certifications"][0]["expiration_date"]}])
    created = await api.ok("POST", P, body)
    product = await api.ok("GET", f"{P}/{created['product_id']}")
    assert product["certifications"][0]["id"] == body["certifications"][0]["id"]
