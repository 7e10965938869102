"""Category compliance in a real browser, for a DE shop and a Baby Clothing category (size
chart, a child-safety certificate and EU GPSR records required):
- the template editor: the TikTok check lists each missing field; the merchant picks a TikTok
  size chart, drops the certificate PDF on the certification's DropZone, creates the
  manufacturer and the responsible person through the inline forms (a bad email gets the API's
  error at the field), the check turns ready, and the saved template keeps it all;
- the Manual sync form: a size-chart image and a certificate uploaded, an existing manufacturer
  and responsible person picked from TikTok's lists, pre-flight turns green, and the product
  reaches Synced with them on the TikTok sandbox."""

from __future__ import annotations

import re
import struct
import zlib
from typing import Any

from playwright.async_api import Page, expect

from ecomsend.demo.stack import LocalStack

from .app_api import api, connection_id
from .category_form import fill_required, label, pick_category, wait_badges, wait_catalog
from .conftest import axe_violations, connected_shop, shot

PRODUCTS = 6
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MANUFACTURER = {"name": "Kinder Werk GmbH", "email": "gpsr@kinderwerk.example",
                "phone_country_code": "+49", "phone_number": "3012345678",
                "address": "Hauptstr. 1, 10115 Berlin, Germany"}
PERSON = {"name": "EU Rep Ltd", "email": "rep@eurep.example", "phone_country_code": "+353",
          "phone_number": "81234567", "street": "63 Cardiff Ln, Dublin",
          "postal_code": "D02 HD23", "country": "IE"}


def png(width: int, height: int) -> bytes:
    """A valid grey PNG (size-chart images must be 100–20000 px per side)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


async def baby_category(page: Page, stack: LocalStack, conn: int) -> dict[str, Any]:
    """A Baby Clothing leaf whose required attributes a Select or a number field fills, with
    its rules (size chart, certification, GPSR all required in DE)."""
    base = f"/api/connections/{conn}/tiktok/categories"
    tree = await api(page, stack, f"{base}?leaves_only=true&keyword=Baby%20Clothing")
    for cat in tree["categories"]:
        rules = await api(page, stack, f"{base}/{cat['id']}/rules")
        attrs = await api(page, stack, f"{base}/{cat['id']}/attributes")
        required = [a for a in attrs if a["required"] and a["type"] != "SALES_PROPERTY"]
        if all((a["values"] and not a["multiple"] and not a["customizable"]) or not a["values"]
               for a in required):
            cert = next(c for c in rules["product_certifications"] if c["is_required"])
            return {**cat, "required": required, "rules": rules, "cert": cert}
    raise AssertionError("no fillable Baby Clothing leaf")


async def fill_package(page: Page) -> None:
    await page.get_by_label(label("Package weight")).fill("0.4")
    for name, value in (("Length", "20"), ("Width", "15"), ("Height", "5")):
        await page.get_by_label(label(name)).fill(value)


async def test_template_editor_fills_compliance(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, "compliance-tpl.myshopify.com", products=PRODUCTS,
                              region="DE"):
        conn = await connection_id(page, ui_stack)
        await wait_catalog(page, ui_stack, conn, PRODUCTS)
        category = await baby_category(page, ui_stack, conn)
        cert = category["cert"]

        await page.goto(f"{ui_stack.app_url}/templates/new")
        await page.get_by_label(label("Name")).fill("Baby clothes DE")
        await page.get_by_label("Rule 1 value").fill("baby")
        await pick_category(page, category)
        await fill_required(page, category)
        await fill_package(page)
        await expect(page.get_by_role("heading", name="Compliance")).to_be_visible()
        needs = page.get_by_text(f"TikTok requires the “{cert['name']}” certification")
        await expect(needs.first).to_be_visible(timeout=15_000)
        await expect(page.get_by_text("TikTok DE requires the product's manufacturer").first
                     ).to_be_visible()
        await shot(page, "template-compliance-missing")
        assert await axe_violations(page) == []

        await page.get_by_label("TikTok size chart").select_option(
            label="Baby clothing (0–24 months)")
        await page.get_by_label(f"{cert['name']} files").set_input_files(
            {"name": "en71.pdf", "mimeType": "application/pdf", "buffer": PDF})
        await expect(page.get_by_text("en71.pdf")).to_be_visible()
        await page.get_by_label(label(f"{cert['name']} expiry date")).fill("2031-01-31")

        await page.get_by_role("button", name="Create manufacturer", exact=True).click()
        for name, value in (("Manufacturer name", MANUFACTURER["name"]),
                            ("Manufacturer email", "not-an-email"),
                            ("Phone number", MANUFACTURER["phone_number"]),
                            ("Manufacturer address", MANUFACTURER["address"])):
            await page.get_by_label(label(name)).fill(value)
        create = page.get_by_role("button", name="Create manufacturer on TikTok")
        await create.click()
        email = page.get_by_label(label("Manufacturer email"))
        await expect(page.get_by_text(re.compile("should match pattern")).first).to_be_visible()
        await expect(email).to_have_value("not-an-email")
        await email.fill(MANUFACTURER["email"])
        await create.click()
        await expect(create).to_have_count(0)
        await expect(page.get_by_label(label("Manufacturer"))).to_contain_text(
            MANUFACTURER["name"])

        await page.get_by_role("button", name="Create responsible person", exact=True).click()
        for name, value in (("Responsible person name", PERSON["name"]),
                            ("Responsible person email", PERSON["email"]),
                            ("Responsible person phone", PERSON["phone_number"]),
                            ("Street address", PERSON["street"]),
                            ("Postal code", PERSON["postal_code"])):
            await page.get_by_label(label(name)).fill(value)
        await page.get_by_role("button", name="Create responsible person on TikTok").click()
        await expect(page.get_by_role("button", name="Create responsible person on TikTok")
                     ).to_have_count(0)
        await expect(page.get_by_text("The template has everything this category needs.")
                     ).to_be_visible(timeout=15_000)
        await shot(page, "template-compliance-filled")
        assert await axe_violations(page) == []

        await page.get_by_role("button", name="Save", exact=True).click()
        await page.wait_for_url(re.compile(r"/templates/\d+$"))
        tid = int(page.url.rsplit("/", 1)[-1])
        saved = await api(page, ui_stack, f"/api/connections/{conn}/templates/{tid}")
        assert saved["size_chart"]["template_name"] == "Baby clothing (0–24 months)"
        assert saved["certifications"][0]["id"] == cert["id"]
        assert saved["certifications"][0]["files"][0]["name"] == "en71.pdf"
        assert saved["certifications"][0]["expiration_date"] == "2031-01-31"
        assert saved["manufacturers"][0]["name"] == MANUFACTURER["name"]
        assert saved["responsible_persons"][0]["name"] == PERSON["name"]
        check = await api(page, ui_stack, f"/api/connections/{conn}/templates/{tid}/validation")
        assert check == {"valid": True, "errors": []}
        await page.reload()
        await expect(page.get_by_label(label("Manufacturer"))).to_contain_text(
            MANUFACTURER["name"])
        await expect(page.get_by_text("en71.pdf")).to_be_visible()


async def _listable(page: Page, stack: LocalStack, conn: int, category: dict[str, Any],
                    gpsr: dict[str, Any]) -> int:
    """A product that passes every check with the category and its compliance filled."""
    ids = [r["id"] for r in (await api(page, stack, f"/api/connections/{conn}/products?"
                                       "page_size=50"))["items"]]
    upload = await page.request.post(
        f"{stack.app_url}/api/connections/{conn}/tiktok/uploads/certificate",
        multipart={"file": {"name": "c.pdf", "mimeType": "application/pdf", "buffer": PDF}})
    pdf = await upload.json()
    override = {"category_id": category["id"],
                "attributes": [{"id": a["id"], "values": [{"id": a["values"][0]["id"]}]
                                if a["values"] else [{"name": "2"}]}
                               for a in category["required"]],
                "package_weight": "0.4",
                "package_dimensions": {"length": 20, "width": 15, "height": 5},
                "size_chart": {"image_uri": "unchecked-by-preflight"},
                "certifications": [{"id": category["cert"]["id"], "files": [
                    {"id": pdf["id"], "name": pdf["name"], "format": "PDF"}],
                    "expiration_date": "2031-01-31"}], **gpsr}
    out = await api(page, stack, f"/api/connections/{conn}/products/sync/preflight", "POST",
                    {"product_ids": ids, "override": override})
    ok = [r["product_id"] for r in out["results"] if r["queued"]]
    assert ok, out
    return int(ok[0])


async def test_manual_sync_form_fills_compliance(page: Page, ui_stack: LocalStack) -> None:
    async with connected_shop(page, ui_stack, "compliance-sync.myshopify.com",
                              products=PRODUCTS, region="DE") as (merchant, tts_id):
        conn = await connection_id(page, ui_stack)
        await wait_catalog(page, ui_stack, conn, PRODUCTS)
        settings = await api(page, ui_stack, f"/api/connections/{conn}/settings/product")
        settings["price_rule"]["exchange_rate"] = "0.92"
        await api(page, ui_stack, f"/api/connections/{conn}/settings/product", "PUT", {
            k: settings[k] for k in ("price_rule", "inventory_rule", "warehouse_map",
                                     "default_warehouse_id", "auto_update", "seller_type")})
        made = await api(page, ui_stack, f"/api/connections/{conn}/tiktok/manufacturers",
                         "POST", MANUFACTURER)
        person = await api(page, ui_stack,
                           f"/api/connections/{conn}/tiktok/responsible-persons", "POST",
                           PERSON)
        category = await baby_category(page, ui_stack, conn)
        gpsr = {"manufacturers": [{"id": made["id"]}],
                "responsible_persons": [{"id": person["id"]}]}
        pid = await _listable(page, ui_stack, conn, category, gpsr)

        await page.goto(f"{ui_stack.app_url}/products/sync?ids={pid}")
        await expect(page.get_by_role("heading", level=1, name="Manual sync")).to_be_visible()
        await pick_category(page, category)
        await fill_required(page, category)
        await fill_package(page)
        await expect(page.get_by_text("TikTok requires a size chart for this category.").first
                     ).to_be_visible(timeout=15_000)
        await expect(page.get_by_text("0 of 1 ready")).to_be_visible()

        await page.get_by_label("Size chart image").set_input_files(
            {"name": "chart.png", "mimeType": "image/png", "buffer": png(400, 300)})
        await expect(page.get_by_text("Size chart image: chart.png")).to_be_visible()
        await page.get_by_label(f"{category['cert']['name']} files").set_input_files(
            {"name": "cpc.pdf", "mimeType": "application/pdf", "buffer": PDF})
        await expect(page.get_by_text("cpc.pdf")).to_be_visible()
        await page.get_by_label(label(f"{category['cert']['name']} expiry date")
                                ).fill("2031-01-31")
        await page.get_by_label(label("Manufacturer")).select_option(value=made["id"])
        await page.get_by_label(label("Responsible person")).select_option(value=person["id"])
        await expect(page.get_by_text("1 of 1 ready")).to_be_visible(timeout=15_000)
        await shot(page, "manual-sync-compliance")
        assert await axe_violations(page) == []

        await page.get_by_role("button", name="Sync product").first.click()
        await page.wait_for_url(f"{ui_stack.app_url}/products")
        badges = await wait_badges(page, ui_stack, conn, [pid])
        assert badges[pid] == "synced", badges
        detail = await api(page, ui_stack, f"/api/connections/{conn}/products/{pid}")
        listed = (await merchant.browser.get(
            f"{ui_stack.tiktok_url}/_sandbox/shops/{tts_id}/products")).json()["products"]
        mine = next(p for p in listed if p["external_product_id"] == detail["shopify_id"])
        assert mine["manufacturer_ids"] == [made["id"]]
        assert mine["responsible_person_ids"] == [person["id"]]
        assert "image" in mine["size_chart"] and mine["certifications"][0]["files"]
