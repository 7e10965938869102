"""Reference data for the nine regions, warehouses, prerequisites, image upload."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import httpx
import pytest

from ecomsend.sandbox.tiktok.markets import REGIONS
from ecomsend.sandbox.tiktok.refdata import catalog

from .conftest import connect
from .helpers import Api, Control


def png(width: int, height: int) -> bytes:
    """A valid blank grayscale PNG of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0,
                                                              0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_reference_data_is_deterministic_and_large() -> None:
    for region in REGIONS:
        version = "v2" if region == "US" else "v1"
        cat = catalog(region, version)
        assert len(cat.leaves()) >= 300
        assert all(c.parent_id in cat.categories or c.parent_id == "0"
                   for c in cat.categories.values())
    a = catalog("DE", "v1")
    leaf = a.leaves()[10]
    assert [x.wire() for x in a.attributes(leaf.id)] == \
        [x.wire() for x in catalog("DE", "v1").attributes(leaf.id)]
    assert any(a.rules(c.id).manufacturer_required for c in a.leaves())
    assert not any(catalog("GB", "v1").rules(c.id).manufacturer_required
                   for c in catalog("GB", "v1").leaves())


@pytest.mark.parametrize("region", REGIONS)
async def test_categories_per_region(http: httpx.AsyncClient, control: Control,
                                     region: str) -> None:
    api, _ = await connect(http, control, region)
    version = "v2" if region == "US" else "v1"
    data = await api.ok("GET", "/product/202309/categories", query={"category_version": version})
    cats = data["categories"]
    assert len(cats) > 300 and any(c["parent_id"] == "0" for c in cats)
    leaf = next(c for c in cats if c["is_leaf"] and c["permission_statuses"] == ["AVAILABLE"])
    attrs = (await api.ok("GET", f"/product/202309/categories/{leaf['id']}/attributes",
                          query={"category_version": version}))["attributes"]
    assert all("is_requried" in a and "is_required" not in a for a in attrs)
    assert {a["type"] for a in attrs} == {"SALES_PROPERTY", "PRODUCT_PROPERTY"}
    rules = await api.ok("GET", f"/product/202309/categories/{leaf['id']}/rules",
                         query={"category_version": version})
    assert "is_required" in rules["package_dimension"]
    assert "is_required" in rules["size_chart"]
    wrong = "v1" if region == "US" else "v2"
    code, _ = await api.err("GET", "/product/202309/categories",
                            query={"category_version": wrong})
    assert code == 12052217
    parent = next(c for c in cats if not c["is_leaf"])
    code, _ = await api.err("GET", f"/product/202309/categories/{parent['id']}/attributes",
                            query={"category_version": version})
    assert code == 12052024


async def test_brands_warehouses_and_providers(us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    brands = await api.ok("GET", "/product/202309/brands", query={"page_size": "100"})
    statuses = {b["authorized_status"] for b in brands["brands"]}
    assert statuses == {"AUTHORIZED", "UNAUTHORIEZD"}
    assert (await api.err("GET", "/product/202309/brands"))[0] == 12019109
    whs = (await api.ok("GET", "/logistics/202309/warehouses"))["warehouses"]
    assert {w["type"] for w in whs} == {"SALES_WAREHOUSE", "RETURN_WAREHOUSE"}
    sales = next(w for w in whs if w["type"] == "SALES_WAREHOUSE" and w["is_default"])
    options = (await api.ok("GET", f"/logistics/202309/warehouses/{sales['id']}"
                                   "/delivery_options"))["delivery_options"]
    providers = (await api.ok("GET", f"/logistics/202309/delivery_options/{options[0]['id']}"
                                     "/shipping_providers"))["shipping_providers"]
    assert "USPS" in {p["name"] for p in providers}


async def test_prerequisites(http: httpx.AsyncClient, control: Control) -> None:
    ok, _ = await connect(http, control, "GB")
    checks = (await ok.ok("GET", "/product/202312/prerequisites"))["check_results"]
    assert checks and not any(c["is_failed"] for c in checks)
    bad, _ = await connect(http, control, "GB", prerequisites_ok=False)
    checks = (await bad.ok("GET", "/product/202312/prerequisites"))["check_results"]
    failed = {c["check_item"] for c in checks if c["is_failed"]}
    assert failed == {"RETURN_WAREHOUSE", "SHIPPING_TEMPLATE"}


async def test_image_upload(us: tuple[Api, dict[str, Any]]) -> None:
    api, _ = us
    files = {"data": ("a.png", png(400, 500), "image/png")}
    data = await api.ok("POST", "/product/202309/images/upload", cipher=False, files=files,
                        data={"use_case": "MAIN_IMAGE"})
    assert data["uri"] and (data["width"], data["height"]) == (400, 500)
    code, _ = await api.err("POST", "/product/202309/images/upload", cipher=False,
                            files={"data": ("s.png", png(50, 50), "image/png")},
                            data={"use_case": "MAIN_IMAGE"})
    assert code == 12038014
    code, _ = await api.err("POST", "/product/202309/images/upload", files=files)
    assert code == 36009004  # shop_cipher refused on image upload


async def test_reference_control_endpoint(control: Control) -> None:
    us = await control("GET", "/reference/US")
    assert (us["currency"], us["price_max"], us["category_version"]) == ("USD", "7600", "v2")
    mx = await control("GET", "/reference/mx")
    assert (mx["currency"], mx["title_max"], mx["price_min"]) == ("MXN", 300, "1")
    assert (await control("GET", "/reference/DE"))["cross_border_price_max"] == "150"
