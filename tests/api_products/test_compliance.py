"""A DE shop's product in a category that needs a size chart, a certification and EU GPSR
records (Baby Clothing): pre-flight names each missing field with a fix; the certificate is
uploaded, the manufacturer and responsible person are created on TikTok through the app; the
filled template activates and the product is listed with those fields on TikTok."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from ecomsend.db.models import SyncState
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack, Merchant

from .conftest import PRODUCTS, Tenant, _imported, _shop_id

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MANUFACTURER = {"name": "Kinder Werk GmbH", "email": "gpsr@kinderwerk.example",
                "phone_country_code": "+49", "phone_number": "3012345678",
                "address": "Hauptstr. 1, 10115 Berlin, Germany"}
PERSON = {"name": "EU Rep Ltd", "email": "rep@eurep.example", "phone_country_code": "+353",
          "phone_number": "81234567", "street": "63 Cardiff Ln, Dublin",
          "postal_code": "D02 HD23", "country": "IE"}


@pytest.fixture(scope="module")
async def dora(stack: LocalStack, db: Database) -> AsyncIterator[Tenant]:
    """A merchant with a connected DE TikTok shop (store in USD: a fixed rate converts)."""
    merchant = Merchant(stack)
    domain = "dora-api.myshopify.com"
    await merchant.create_store(domain, products=PRODUCTS, seed=14)
    await merchant.install(domain)
    shop = await merchant.create_tiktok_shop("DE")
    [conn] = (await merchant.connect_tiktok(shop["shop_id"]))["connections"]
    async with asyncio.timeout(30):
        while not await _imported(db, domain):
            await asyncio.sleep(0.1)
    tenant = Tenant(merchant, domain, conn["id"], shop, await _shop_id(db, domain))
    settings = (await tenant.http.get(tenant.url("/settings/product"))).json()
    settings["price_rule"]["exchange_rate"] = "0.92"
    saved = await tenant.http.put(tenant.url("/settings/product"), json={
        k: settings[k] for k in ("price_rule", "inventory_rule", "warehouse_map",
                                 "default_warehouse_id", "auto_update", "seller_type")})
    assert saved.status_code == 200, saved.text
    yield tenant
    await merchant.close()


async def _baby_clothing(t: Tenant) -> dict[str, Any]:
    tree = (await t.http.get(t.url("/tiktok/categories"), params={
        "leaves_only": True, "keyword": "Baby Clothing"})).json()
    cat = tree["categories"][0]
    rules = (await t.http.get(t.url(f"/tiktok/categories/{cat['id']}/rules"))).json()
    attrs = (await t.http.get(t.url(f"/tiktok/categories/{cat['id']}/attributes"))).json()
    filled = [{"id": a["id"], "values": [{"id": a["values"][0]["id"]}] if a["values"]
               else [{"name": "2"}]} for a in attrs
              if a["required"] and a["type"] != "SALES_PROPERTY"]
    return {**cat, "rules": rules, "attributes": filled}


async def _listed(db: Database, t: Tenant, gid: str) -> SyncState:
    async with asyncio.timeout(60):
        while True:
            async with db.sessionmaker() as s:
                row = (await s.execute(select(SyncState).where(
                    SyncState.tiktok_shop_id == t.connection_id, SyncState.entity_id == gid,
                    SyncState.kind == "product"))).scalar_one_or_none()
            if row is not None and row.status in ("synced", "failed", "review_failed"):
                return row
            await asyncio.sleep(0.2)


async def test_compliance_fields_fill_a_de_template_and_list(dora: Tenant,
                                                             db: Database) -> None:
    t = dora
    cat = await _baby_clothing(t)
    cert = next(c for c in cat["rules"]["product_certifications"] if c["is_required"])
    assert cat["rules"]["size_chart"]["is_required"] and cat["rules"]["manufacturer"]["is_required"]
    product = (await t.http.get(t.url("/products"), params={"page_size": 1})).json()["items"][0]
    body: dict[str, Any] = {
        "name": "Baby DE", "category_id": cat["id"], "category_name": cat["name"],
        "attributes": cat["attributes"], "package_weight": "0.4",
        "package_weight_unit": "KILOGRAM",
        "package_dimensions": {"length": 20, "width": 15, "height": 5, "unit": "CENTIMETER"},
        "selection_rules": [{"field": "title", "op": "equals", "value": product["title"]}]}
    made = await t.http.post(t.url("/templates"), json=body)
    assert made.status_code == 201, made.text
    tid = made.json()["id"]
    report = (await t.http.get(t.url(f"/templates/{tid}/validation"))).json()
    by_field = {e["field"]: e for e in report["errors"]}
    assert {f"certifications.{cert['id']}", "size_chart", "manufacturer_ids",
            "responsible_person_ids"} <= set(by_field), report
    assert cert["name"] in by_field[f"certifications.{cert['id']}"]["message"]
    assert "Upload" in by_field[f"certifications.{cert['id']}"]["fix"]
    assert (await t.http.post(t.url(f"/templates/{tid}/activate"))).status_code == 422

    # Bad input is a 4xx on the field: ours (pydantic) and TikTok's own refusal.
    bad = await t.http.post(t.url("/tiktok/manufacturers"), json={**MANUFACTURER, "email": "x"})
    assert bad.status_code == 422
    refused = await t.http.post(t.url("/tiktok/responsible-persons"),
                                json={**PERSON, "country": "US"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "country"
    not_pdf = await t.http.post(t.url("/tiktok/uploads/certificate"),
                                files={"file": ("notes.txt", b"plain text", "text/plain")})
    assert not_pdf.status_code == 422

    # Created on TikTok through the app, and found again there.
    manufacturer = (await t.http.post(t.url("/tiktok/manufacturers"), json=MANUFACTURER)).json()
    person = (await t.http.post(t.url("/tiktok/responsible-persons"), json=PERSON)).json()
    listed = (await t.http.get(t.url("/tiktok/manufacturers"), params={"keyword": "kinder"})
              ).json()
    assert [m["id"] for m in listed] == [manufacturer["id"]]
    upload = await t.http.post(t.url("/tiktok/uploads/certificate"),
                               files={"file": ("en.71.pdf", PDF, "application/pdf")})
    assert upload.status_code == 200, upload.text
    pdf = upload.json()
    assert pdf["kind"] == "file" and pdf["name"] == "en-71.pdf"
    chart = (await t.http.get(t.url("/tiktok/size-charts"), params={"keyword": "baby"})).json()[0]

    body.update(
        size_chart={"template_id": chart["template_id"], "template_name": chart["template_name"]},
        certifications=[{"id": cert["id"], "name": cert["name"], "files": [
            {"id": pdf["id"], "name": pdf["name"], "format": pdf["format"]}]}],
        manufacturers=[{"id": manufacturer["id"], "name": manufacturer["name"]}],
        responsible_persons=[{"id": person["id"], "name": person["name"]}])
    both = await t.http.put(t.url(f"/templates/{tid}"), json={
        **body, "size_chart": {"template_id": "1", "image_uri": "x"}})
    assert both.status_code == 422  # a size chart is a template or an image, not both
    undated = await t.http.put(t.url(f"/templates/{tid}"), json=body)
    assert undated.status_code == 200
    report = (await t.http.get(t.url(f"/templates/{tid}/validation"))).json()
    assert [e["field"] for e in report["errors"]] == [
        f"certifications.{cert['id']}.expiration_date"]
    body["certifications"][0]["expiration_date"] = "2020-01-31"
    past = await t.http.put(t.url(f"/templates/{tid}"), json=body)
    assert past.status_code == 422 and "expired" in past.text
    body["certifications"][0]["expiration_date"] = "2031-01-31"
    saved = await t.http.put(t.url(f"/templates/{tid}"), json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json()["manufacturers"][0]["name"] == "Kinder Werk GmbH"
    report = (await t.http.get(t.url(f"/templates/{tid}/validation"))).json()
    assert report == {"valid": True, "errors": []}
    activated = await t.http.post(t.url(f"/templates/{tid}/activate"))
    assert activated.status_code == 200, activated.text
    state = await _listed(db, t, product["shopify_id"])
    assert state.status == "synced", state.last_error
    sandbox = t.merchant.stack.tiktok_url
    found = (await t.http.get(f"{sandbox}/_sandbox/shops/{t.tiktok_shop['shop_id']}/products"
                              )).json()
    mine = [p for p in found["products"] if p["external_product_id"] == product["shopify_id"]]
    assert mine, found
    listed_body = mine[0]
    assert listed_body["manufacturer_ids"] == [manufacturer["id"]]
    assert listed_body["size_chart"] == {"template": {"id": chart["template_id"]}}
    assert listed_body["certifications"][0]["files"][0]["id"] == pdf["id"]
    # 2031-01-31 23:59:59 UTC, as TikTok takes it (Unix seconds).
    assert listed_body["certifications"][0]["expiration_date"] == 1927670399
