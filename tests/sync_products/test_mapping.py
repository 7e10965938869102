"""map_product → the TikTok client's ProductUpsert, and the price/inventory update bodies."""

from __future__ import annotations

from decimal import Decimal

from ecomsend.integrations.tiktok.models.products import ProductUpsert
from ecomsend.sync.products.mapping import (
    inventory_updates,
    map_product,
    option_names,
    package_dimensions,
    package_weight,
    price_updates,
    sku_images,
)
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.types import (
    AttributeValueSpec,
    CertificationFile,
    CertificationSpec,
    CompareAtMode,
    PackageDimensions,
    PriceRounding,
    PriceRule,
    TemplateAttribute,
)

from .factories import prefs, product, sized_product, template, uploads, variant

D = Decimal
US, GB, DE, JP = (region_rules(c) for c in ("US", "GB", "DE", "JP"))
IMG = "https://cdn.shopify.com/a.jpg"


def shirt():  # type: ignore[no-untyped-def]
    red = variant("v1", "10.00", sku="TEE-R-M", options=(("Color", "Red"), ("Size", "M")),
                  image_url="https://cdn.shopify.com/red.jpg", barcode="036000291452",
                  compare_at_price=D("15.00"), stock=(("L1", 5), ("L2", 2)))
    blue = variant("v2", "12.50", sku="TEE-B-M", options=(("Color", "Blue"), ("Size", "M")),
                   image_url="https://cdn.shopify.com/blue.jpg", position=2, stock=(("L1", 0),))
    blue_l = variant("v3", "12.50", sku="TEE-B-L", options=(("Color", "Blue"), ("Size", "L")),
                     position=3, stock=(("L1", -2),))
    return product((blue_l, red, blue), option_names=("Color", "Size"),
                   images=(IMG, "https://cdn.shopify.com/b.png"))


def test_full_body_is_the_client_model_and_serialises() -> None:
    ups = uploads(IMG, "https://cdn.shopify.com/b.png", "https://cdn.shopify.com/red.jpg",
                  "https://cdn.shopify.com/blue.jpg")
    tpl = template(brand_id="7082427311584347905", attributes=(
        TemplateAttribute("100392", (AttributeValueSpec(id="1001533"),)),
        TemplateAttribute("100393", (AttributeValueSpec(name="Cotton 😀"),)),
    ))
    body = map_product(shirt(), tpl, prefs(warehouse_map=(("L1", "W1"), ("L2", "W1"))), US,
                       images=ups)
    assert isinstance(body, ProductUpsert)
    out = body.to_body()
    assert out["title"] == "Classic Cotton T-Shirt"
    assert out["description"] == "<p>Soft cotton tee.</p>"
    assert out["category_id"] == "601226" and out["category_version"] == "v2"
    assert out["brand_id"] == "7082427311584347905"
    assert out["main_images"] == [{"uri": "tos-us/0"}, {"uri": "tos-us/1"}]
    assert out["external_product_id"] == "gid://shopify/Product/1"
    assert out["product_attributes"] == [
        {"id": "100392", "values": [{"id": "1001533"}]},
        {"id": "100393", "values": [{"name": "Cotton"}]},
    ]
    assert out["package_weight"] == {"value": "0.5", "unit": "KILOGRAM"}
    skus = out["skus"]
    assert [s["seller_sku"] for s in skus] == ["TEE-R-M", "TEE-B-M", "TEE-B-L"]  # by position
    assert skus[0]["external_sku_id"] == "v1"
    assert skus[0]["price"] == {"amount": "10.00", "currency": "USD"}
    assert skus[0]["inventory"] == [{"warehouse_id": "W1", "quantity": 7}]
    assert skus[2]["inventory"] == [{"warehouse_id": "W1", "quantity": 0}]  # negative → 0
    assert skus[0]["identifier_code"] == {"code": "036000291452", "type": "UPC"}
    assert "identifier_code" not in skus[1]
    assert skus[0]["sales_attributes"] == [
        {"name": "Color", "value_name": "Red", "sku_img": {"uri": "tos-us/2"}},
        {"name": "Size", "value_name": "M"},
    ]
    # Blue's image comes from the first Blue variant that has one
    assert skus[2]["sales_attributes"][0]["sku_img"] == {"uri": "tos-us/3"}
    assert "idempotency_key" not in out and "list_price" not in skus[0]


def test_sku_images_only_when_every_primary_value_has_one() -> None:
    p = shirt()
    assert set(sku_images(p, uploads("https://cdn.shopify.com/red.jpg",
                                      "https://cdn.shopify.com/blue.jpg"))) == {"Red", "Blue"}
    assert sku_images(p, uploads("https://cdn.shopify.com/red.jpg")) == {}
    assert sku_images(product(), uploads(IMG)) == {}


def test_single_default_variant_has_no_sales_attributes() -> None:
    p = product((variant(options=(("Title", "Default Title"),)),))
    assert option_names(p) == ()
    body = map_product(p, template(), prefs(), US, images=uploads(IMG)).to_body()
    assert body["skus"][0]["sales_attributes"] == []


def test_option_names_fall_back_to_variant_options() -> None:
    p = product((variant("a", options=(("Size", "S"),)), variant("b", options=(("Size", "M"),))))
    assert option_names(p) == ("Size",)


def test_images_only_uploaded_ones_and_at_most_nine() -> None:
    urls = tuple(f"https://cdn.shopify.com/{i}.jpg" for i in range(12))
    p = product(images=urls)
    body = map_product(p, template(), prefs(), US, images=uploads(*urls))
    assert [i.uri for i in body.main_images or []] == [f"tos-us/{i}" for i in range(9)]
    partial = map_product(p, template(), prefs(), US, images=uploads(urls[3]))
    assert [i.uri for i in partial.main_images or []] == ["tos-us/0"]
    assert map_product(p, template(), prefs(), US).main_images == []


def test_description_falls_back_to_title_and_sanitises() -> None:
    p = product(body_html=None, title="Mug <XL>")
    assert map_product(p, template(), prefs(), US).description == "<p>Mug ‹XL›</p>"
    p = product(body_html='<p onclick="x()">Hi<script>bad()</script></p>')
    assert map_product(p, template(), prefs(), US).description == "<p>Hi</p>"


def test_price_rule_currency_and_cross_border() -> None:
    rule = PriceRule(markup_kind="percent", markup=D("20"), rounding=PriceRounding.END_99,
                     exchange_rate=D("0.8"))
    body = map_product(product(), template(region="GB"), prefs(price_rule=rule), GB)
    assert body.skus is not None
    assert body.skus[0].price.amount == "9.99" and body.skus[0].price.currency == "GBP"
    cb = map_product(product(), template(), prefs(seller_type="CROSS_BORDER"), US)
    assert cb.skus is not None
    assert cb.skus[0].price.sale_price == "10.00" and cb.skus[0].price.amount is None


def test_list_price_from_compare_at_in_the_us() -> None:
    rule = PriceRule(compare_at=CompareAtMode.LIST_PRICE)
    body = map_product(shirt(), template(), prefs(price_rule=rule), US).to_body()
    assert body["skus"][0]["list_price"] == {"amount": "15.00", "currency": "USD"}
    de = map_product(shirt(), template(), prefs(price_rule=PriceRule(
        compare_at=CompareAtMode.LIST_PRICE, exchange_rate=D("0.9"))), DE).to_body()
    assert "list_price" not in de["skus"][0]


def test_edit_keeps_existing_sku_ids_and_can_skip_identifiers() -> None:
    body = map_product(shirt(), template(), prefs(), US, sku_ids={"v1": "1729592969712207012"},
                       include_identifier_codes=False).to_body()
    assert body["skus"][0]["id"] == "1729592969712207012"
    assert "id" not in body["skus"][1]
    assert all("identifier_code" not in s for s in body["skus"])


def test_duplicate_barcodes_are_sent_once() -> None:
    vs = (variant("a", barcode="036000291452", options=(("S", "1"),)),
          variant("b", barcode="036000291452", options=(("S", "2"),), position=2))
    body = map_product(product(vs), template(), prefs(), US)
    assert body.skus is not None
    assert body.skus[0].identifier_code is not None and body.skus[1].identifier_code is None


def test_package_weight_from_template_or_heaviest_variant() -> None:
    tpl = template(package_weight=None, package_weight_unit="POUND")
    vs = (variant("a", weight=D("200"), weight_unit="GRAMS"),
          variant("b", weight=D("1"), weight_unit="POUNDS", position=2),
          variant("c", weight=None, position=3))
    assert package_weight(product(vs), tpl, US) == package_weight(product(vs[1:2]), tpl, US)
    w = package_weight(product(vs), tpl, US)
    assert w is not None and (w.value, w.unit) == ("1", "POUND")
    # POUND is not allowed outside the US: converted to KILOGRAM
    w = package_weight(product(vs), tpl, GB)
    assert w is not None and (w.value, w.unit) == ("0.454", "KILOGRAM")
    assert package_weight(product((variant(),)), template(package_weight=None), US) is None
    w = package_weight(product(), template(package_weight=D("2"), package_weight_unit="POUND"), DE)
    assert w is not None and (w.value, w.unit) == ("0.908", "KILOGRAM")


def test_dimensions_follow_the_weight_measurement_system() -> None:
    dims = PackageDimensions(D("10"), D("8"), D("2.5"), "INCH")
    imperial = template(package_weight_unit="POUND", package_dimensions=dims)
    d = package_dimensions(imperial, US)
    assert d is not None and (d.length, d.width, d.height, d.unit) == ("10", "8", "3", "INCH")
    d = package_dimensions(imperial, DE)  # metric only: weight becomes KILOGRAM, so centimetres
    assert d is not None
    assert (d.length, d.width, d.height, d.unit) == ("26", "21", "7", "CENTIMETER")
    assert package_dimensions(template(), US) is None


def test_eu_compliance_and_size_chart_are_sent_where_they_apply() -> None:
    tpl = template(manufacturer_ids=("m1",), responsible_person_ids=("r1",),
                   size_chart_template_id="7267563252536723205")
    de = map_product(product(), tpl, prefs(price_rule=PriceRule(exchange_rate=D("1"))), DE)
    body = de.to_body()
    assert body["manufacturer_ids"] == ["m1"] and body["responsible_person_ids"] == ["r1"]
    assert body["size_chart"] == {"template": {"id": "7267563252536723205"}}
    us = map_product(product(), tpl, prefs(), US).to_body()
    assert "manufacturer_ids" not in us


def test_size_chart_image_and_certifications_with_files() -> None:
    pdf = CertificationFile("v09a", "ce.pdf", "PDF")
    tpl = template(size_chart_image_uri="tos/chart", certifications=(
        CertificationSpec("c1", "CE", image_uris=("tos/ce",), files=(pdf,),
                          expiration_date=1_900_000_000),
        CertificationSpec("c2", "Nothing attached")))
    body = map_product(product(), tpl, prefs(), US).to_body()
    assert body["size_chart"] == {"image": {"uri": "tos/chart"}}
    assert body["certifications"] == [{"id": "c1", "images": [{"uri": "tos/ce"}], "files": [
        {"id": "v09a", "name": "ce.pdf", "format": "PDF"}], "expiration_date": 1_900_000_000}]
    both = template(size_chart_image_uri="tos/chart", size_chart_template_id="77")
    assert map_product(product(), both, prefs(), US).to_body()["size_chart"] == {
        "template": {"id": "77"}}
    assert "certifications" not in map_product(product(), template(), prefs(), US).to_body()


def test_hundred_variant_product_maps_in_order() -> None:
    p = sized_product(100, ("Size", "Color"))
    body = map_product(p, template(), prefs(), US)
    assert body.skus is not None and len(body.skus) == 100
    assert [s.seller_sku for s in body.skus] == [f"SKU-{i}" for i in range(100)]
    assert all(len(s.sales_attributes) == 2 for s in body.skus)


def test_price_and_inventory_updates_for_known_skus_only() -> None:
    p = shirt()
    ids = {"v1": "s1", "v2": "s2"}
    rule = PriceRule(compare_at=CompareAtMode.LIST_PRICE)
    prices = [u.to_body() for u in price_updates(p, prefs(price_rule=rule), US, ids)]
    assert prices == [
        {"id": "s1", "price": {"amount": "10.00", "currency": "USD"},
         "list_price": {"amount": "15.00", "currency": "USD"}},
        {"id": "s2", "price": {"amount": "12.50", "currency": "USD"}},
    ]
    inv = [u.to_body() for u in inventory_updates(p, prefs(warehouse_map=(("L1", "W1"),
                                                                             ("L2", "W2"))), ids)]
    assert inv == [
        {"id": "s1", "inventory": [{"warehouse_id": "W1", "quantity": 5},
                                   {"warehouse_id": "W2", "quantity": 2}]},
        {"id": "s2", "inventory": [{"warehouse_id": "W1", "quantity": 0},
                                   {"warehouse_id": "W2", "quantity": 0}]},
    ]


def test_jpy_prices_have_no_decimals() -> None:
    body = map_product(product(), template(region="JP"),
                       prefs(price_rule=PriceRule(exchange_rate=D("150"))), JP)
    assert body.skus is not None and body.skus[0].price.amount == "1500"
