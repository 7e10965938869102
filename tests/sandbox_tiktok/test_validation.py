"""Each documented Create Product validation error, with a field-level message."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ecomsend.sandbox.tiktok.refdata import catalog

from .conftest import connect
from .helpers import Api, Control

P = "/product/202309/products"
Body = dict[str, Any]


def sku0(b: Body) -> Body:
    return b["skus"][0]


def _set(path: str, value: Any) -> Callable[[Body], None]:
    def apply(b: Body) -> None:
        node: Any = b
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        if value is _DELETE:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return apply


_DELETE = object()
V1_LEAF = catalog("GB", "v1").leaves()[0].id
V2_PARENT = next(c.id for c in catalog("US", "v2").categories.values() if not c.is_leaf)

CASES: list[tuple[str, Callable[[Body], None], int, str]] = [
    ("title empty", _set("title", ""), 12052261, "title"),
    ("title too long", _set("title", "x" * 256), 12052051, "255"),
    ("description missing", _set("description", _DELETE), 12052015, "description"),
    ("description too long", _set("description", "d" * 10001), 12052013, "10000"),
    ("too many description images", _set("description", "<img src='a'>" * 31), 12052056, "30"),
    ("no main image", _set("main_images", []), 12052028, "main_images"),
    ("ten main images", lambda b: b.update(main_images=b["main_images"] * 10), 12052306, "9"),
    ("image not uploaded", _set("main_images", [{"uri": "elsewhere/x"}]), 12052300,
     "main_images[0].uri"),
    ("category format", _set("category_id", _DELETE), 12052002, "category_id"),
    ("category unknown", _set("category_id", "123"), 12052023, "123"),
    ("category not leaf", _set("category_id", V2_PARENT), 12052024, V2_PARENT),
    ("category of the v1 tree", _set("category_id", V1_LEAF), 12052230, "v2"),
    ("category version v1 in US", _set("category_version", "v1"), 12052217, "v2"),
    ("brand unknown", _set("brand_id", "1"), 12052026, "brand_id"),
    ("weight missing", _set("package_weight", _DELETE), 12019011, "package_weight"),
    ("weight zero", _set("package_weight.value", "0"), 12052181, "zero"),
    ("weight format", _set("package_weight.value", "1.2345"), 12052006, "package_weight"),
    ("units mismatch", _set("package_weight.unit", "POUND"), 12052915, "POUND"),
    ("dimension not whole", _set("package_dimensions.length", "1.5"), 12052005, "length"),
    ("dimension zero", _set("package_dimensions.height", "0"), 12052003, "height"),
    ("too many skus", lambda b: b.update(skus=[
        {**sku0(b), "seller_sku": f"S{i}", "sales_attributes": [
            {"id": "100000", "value_name": f"c{i}"}]} for i in range(301)]), 12052050, "300"),
    ("seller_sku with space", _set("skus.0.seller_sku", "A B"), 12019059, "skus[0].seller_sku"),
    ("seller_sku too long", _set("skus.0.seller_sku", "A" * 51), 12052054, "50"),
    ("price missing", _set("skus.0.price", _DELETE), 12052571, "skus[0].price"),
    ("price not a number", _set("skus.0.price.amount", "abc"), 12052073, "abc"),
    ("price above the market", _set("skus.0.price.amount", "7600.01"), 12052570, "7600"),
    ("currency of another market", _set("skus.0.price.currency", "EUR"), 12052084, "USD"),
    ("no inventory", _set("skus.0.inventory", []), 12019022, "skus[0].inventory"),
    ("unknown warehouse", _set("skus.0.inventory.0.warehouse_id", "1"), 12052097, "warehouse"),
    ("quantity too high", _set("skus.0.inventory.0.quantity", 100000), 12052055, "99999"),
    ("several skus without sales attributes", lambda b: b.update(
        skus=[sku0(b), {**sku0(b), "seller_sku": "OTHER"}]), 12052550, "SKU"),
    ("four sales attribute types", _set("skus.0.sales_attributes", [
        {"name": f"Custom{i}", "value_name": "v"} for i in range(4)]), 12052525, "3"),
    ("duplicate sales attribute", _set("skus.0.sales_attributes", [
        {"id": "100000", "value_name": "a"}, {"id": "100000", "value_name": "b"}]), 12052560,
     "duplicate"),
    ("custom attribute name too long", _set("skus.0.sales_attributes", [
        {"name": "N" * 21, "value_name": "v"}]), 12052242, "20"),
    ("custom value name too long", _set("skus.0.sales_attributes", [
        {"id": "100000", "value_name": "v" * 51}]), 12052249, "50"),
    ("sku images on two attributes", _set("skus.0.sales_attributes", [
        {"id": "100000", "value_name": "Red", "sku_img": {"uri": "u"}},
        {"name": "Fit", "value_name": "Slim", "sku_img": {"uri": "u"}}]), 12052528, "sku_img"),
    ("list price below zero", _set("skus.0.list_price", {"amount": "-1", "currency": "USD"}),
     12052375, "list_price"),
    ("bad GTIN", _set("skus.0.identifier_code", {"code": "123", "type": "GTIN"}), 12052591,
     "identifier_code"),
]


@pytest.fixture
async def us_sample(us: tuple[Api, dict[str, Any]], control: Control
                    ) -> tuple[Api, dict[str, Any], Body]:
    api, view = us
    body = await control("GET", f"/shops/{view['shop_id']}/sample_product")
    return api, view, body


@pytest.mark.parametrize(("name", "mutate", "code", "needle"), CASES, ids=[c[0] for c in CASES])
async def test_create_product_validation(us_sample: tuple[Api, dict[str, Any], Body], name: str,
                                         mutate: Callable[[Body], None], code: int,
                                         needle: str) -> None:
    api, _, body = us_sample
    await api.ok("POST", "/product/202309/products/listing_check", body)
    broken = copy.deepcopy(body)
    mutate(broken)
    got, env = await api.err("POST", P, broken)
    assert got == code, env
    assert needle in env["message"], env["message"]


async def test_return_warehouse_and_foreign_warehouse(
        us_sample: tuple[Api, dict[str, Any], Body], http: httpx.AsyncClient,
        control: Control) -> None:
    api, view, body = us_sample
    ret = next(w["id"] for w in view["warehouses"] if w["type"] == "RETURN_WAREHOUSE")
    sku0(body)["inventory"] = [{"warehouse_id": ret, "quantity": 1}]
    assert (await api.err("POST", P, body))[0] == 12052532
    _, other = await connect(http, control, "US")
    sku0(body)["inventory"] = [{"warehouse_id": other["warehouses"][0]["id"], "quantity": 1}]
    assert (await api.err("POST", P, body))[0] == 12052530


def _leaf_where(region: str, version: str, pred: Callable[[Any, Any], bool]) -> str:
    cat = catalog(region, version)
    return next(c.id for c in cat.leaves()
                if c.permission == "AVAILABLE" and pred(cat, c))


async def test_required_attribute(us_sample: tuple[Api, dict[str, Any], Body],
                                  control: Control) -> None:
    api, view, _ = us_sample
    leaf = _leaf_where("US", "v2", lambda cat, c: any(
        a.is_required for a in cat.attributes(c.id)))
    body = await control("GET", f"/shops/{view['shop_id']}/sample_product", category_id=leaf)
    body["product_attributes"] = []
    code, env = await api.err("POST", P, body)
    assert code == 12052104 and "property is required" in env["message"]


async def test_category_rules(us_sample: tuple[Api, dict[str, Any], Body], control: Control,
                              http: httpx.AsyncClient) -> None:
    api, view, _ = us_sample
    sid = view["shop_id"]
    cases = [
        (lambda cat, c: cat.rules(c.id).package_dimension_required, "package_dimensions",
         12019012),
        (lambda cat, c: cat.rules(c.id).size_chart_required, "size_chart", 12052673),
        (lambda cat, c: any(x.is_required for x in cat.rules(c.id).certifications),
         "certifications", 12052105),
    ]
    for pred, field, code in cases:
        body = await control("GET", f"/shops/{sid}/sample_product",
                             category_id=_leaf_where("US", "v2", pred))
        body.pop(field)
        assert (await api.err("POST", P, body))[0] == code, field
    de, de_view = await connect(http, control, "DE")
    leaf = _leaf_where("DE", "v1", lambda cat, c: cat.rules(c.id).manufacturer_required)
    body = await control("GET", f"/shops/{de_view['shop_id']}/sample_product", category_id=leaf)
    await de.ok("POST", "/product/202309/products/listing_check", body)
    body.pop("manufacturer_ids")
    assert (await de.err("POST", P, body))[0] == 12052282


async def test_imperial_units_outside_us(http: httpx.AsyncClient, control: Control) -> None:
    api, view = await connect(http, control, "GB")
    body = await control("GET", f"/shops/{view['shop_id']}/sample_product")
    body["package_weight"]["unit"] = "POUND"
    assert (await api.err("POST", P, body))[0] == 12019061
    body = await control("GET", f"/shops/{view['shop_id']}/sample_product")
    sku0(body)["price"] = {"amount": "5600.01", "currency": "GBP"}
    assert (await api.err("POST", P, body))[0] == 12052570
    body["title"] = "t" * 255
    sku0(body)["price"]["amount"] = "5600"
    await api.ok("POST", P, body)


async def test_mx_title_limit_and_jp_whole_yen(http: httpx.AsyncClient,
                                               control: Control) -> None:
    mx, mx_view = await connect(http, control, "MX")
    body = await control("GET", f"/shops/{mx_view['shop_id']}/sample_product")
    body["title"] = "t" * 300
    await mx.ok("POST", P, body)
    jp, jp_view = await connect(http, control, "JP")
    body = await control("GET", f"/shops/{jp_view['shop_id']}/sample_product")
    sku0(body)["price"]["amount"] = "1980.50"
    assert (await jp.err("POST", P, body))[0] == 12052073


async def test_list_price_only_in_the_us(http: httpx.AsyncClient, control: Control) -> None:
    api, view = await connect(http, control, "FR")
    body = await control("GET", f"/shops/{view['shop_id']}/sample_product")
    sku0(body)["list_price"] = {"amount": "30", "currency": "EUR"}
    assert (await api.err("POST", P, body))[0] == 12052376
