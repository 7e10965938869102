"""Pre-flight validation: every problem as a FieldError with a field path, message and fix."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from decimal import Decimal

from ecomsend.sync.errors import FieldError
from ecomsend.sync.products.preflight import validate
from ecomsend.sync.products.regions import region_rules
from ecomsend.sync.products.types import (
    AttributeValueSpec,
    CertificationFile,
    CertificationSpec,
    ImageSnapshot,
    PackageDimensions,
    PriceRule,
    TemplateAttribute,
)

from .factories import attributes, prefs, product, rules, sized_product, template, variant

D = Decimal
US, GB, DE, JP, MX = (region_rules(c) for c in ("US", "GB", "DE", "JP", "MX"))

#: Shaped like Get Attributes `data.attributes` (official spelling `is_requried`).
ATTRS = attributes([
    {"id": "100392", "name": "Material", "type": "PRODUCT_PROPERTY", "is_requried": True,
     "is_customizable": False, "is_multiple_selection": False,
     "values": [{"id": "1001", "name": "Cotton"}, {"id": "1002", "name": "Linen"}]},
    {"id": "100393", "name": "Contains Batteries", "type": "PRODUCT_PROPERTY",
     "is_requried": False, "values": [{"id": "y", "name": "Yes"}, {"id": "n", "name": "No"}]},
    {"id": "100394", "name": "Battery Type", "type": "PRODUCT_PROPERTY", "is_requried": False,
     "is_customizable": True,
     "requirement_conditions": [{"condition_type": "VALUE_ID_MATCH", "attribute_id": "100393",
                                 "attribute_value_id": "y"}],
     "values": [{"id": "li", "name": "Lithium"}]},
    {"id": "100395", "name": "Weight (g)", "type": "PRODUCT_PROPERTY", "is_requried": False,
     "is_customizable": True, "value_data_format": "POSITIVE_INT_OR_DECIMAL", "values": []},
    {"id": "100000", "name": "Color", "type": "SALES_PROPERTY", "is_requried": False,
     "values": [{"id": "c1", "name": "Red"}]},
])
MATERIAL = TemplateAttribute("100392", (AttributeValueSpec(id="1001"),), name="Material")


def ok_template(**kw):  # type: ignore[no-untyped-def]
    return template(attributes=(MATERIAL, *kw.pop("extra_attrs", ())), **kw)


def errors(p=None, tpl=None, pr=None, region=US, attrs=ATTRS, rls=None,  # type: ignore[no-untyped-def]
           keep_region=False, **kw):
    """Validate; the template is moved to the tested region unless `keep_region`."""
    tpl = tpl or ok_template()
    if not keep_region:
        tpl = dataclasses.replace(tpl, region=region.code)
    return validate(p or product(), tpl, pr or prefs(), region, attrs, rls, **kw)


def fields(errs: list[FieldError]) -> list[str]:
    return [e.field for e in errs]


def test_a_good_product_passes() -> None:
    assert errors() == []
    assert errors(sized_product(3, ("Size", "Color"))) == []


def test_every_error_has_field_message_and_fix() -> None:
    bad = product((variant(sku="", price="0"),), title="", images=())
    errs = errors(bad, template(package_weight=None, category_id=""), prefs(warehouse_map=()))
    assert len(errs) >= 6
    for e in errs:
        assert e.field and e.message and e.fix


def test_title_length_in_characters_per_region() -> None:
    long_title = "éa" * 128  # 256 characters, 384 bytes in UTF-8
    (err,) = errors(product(title=long_title))
    assert err.field == "title"
    assert err.message.startswith("Title is 256 characters; TikTok US allows at most 255.")
    assert errors(product(title=long_title[:255])) == []
    assert errors(product(title="éa" * 150), region=MX,
                  pr=prefs(price_rule=PriceRule(exchange_rate=D("17")))) == []
    assert fields(errors(product(title="😀🎉"))) == ["title"]  # nothing left after clean-up
    emoji_heavy = "Ab" * 125 + "😀" * 10  # emoji are removed before measuring
    assert errors(product(title=emoji_heavy)) == []


def test_title_formatting_rules() -> None:
    assert "no letters" in errors(product(title="!!! ???"))[0].message
    assert "9 or more" in errors(product(title="Soooooooooo soft"))[0].message
    assert "Chinese" in errors(product(title="纯棉T恤"))[0].message
    assert errors(product(title="綿100% Tシャツ"), region=JP,
                  pr=prefs(price_rule=PriceRule(exchange_rate=D("150")))) == []


def test_description_length_and_content() -> None:
    long_html = "<p>" + "word " * 2500 + "</p>"
    (err,) = errors(product(body_html=long_html))
    assert err.field == "description" and "10,000" in err.message
    assert "Chinese" in errors(product(body_html="<p>纯棉</p>"))[0].message
    assert "9 or more" in errors(product(body_html="<p>zzzzzzzzzzz</p>"))[0].message
    assert errors(product(body_html="<p>=============</p>")) == []  # symbol runs are collapsed
    assert errors(product(body_html=None)) == []  # title used as description


def test_images_count_and_format() -> None:
    (err,) = errors(product(images=()))
    assert err.field == "main_images"
    gif = product(images=("https://cdn.shopify.com/a.jpg", "https://cdn.shopify.com/b.GIF?v=1"))
    (err,) = errors(gif)
    assert err.field == "main_images[1]" and "GIF" in err.message
    ok = tuple(f"https://cdn.shopify.com/{i}.{ext}" for i, ext in
               enumerate(["jpg", "jpeg", "png", "webp", "heic", "bmp"]))
    assert errors(product(images=(*ok, "https://cdn/no-extension", *ok))) == []  # 13 > 9 is fine


def test_package_weight_and_dimensions() -> None:
    (err,) = errors(tpl=ok_template(package_weight=None))
    assert err.field == "package_weight"
    weighed = product((variant(weight=D("300"), weight_unit="GRAMS"),))
    assert errors(weighed, ok_template(package_weight=None)) == []
    need_dims = rules({"package_dimension": {"is_required": True}})
    assert fields(errors(rls=need_dims)) == ["package_dimensions"]
    dims = PackageDimensions(D("10"), D("10"), D("5"))
    assert errors(tpl=ok_template(package_dimensions=dims), rls=need_dims) == []
    zero = PackageDimensions(D("10"), D("0"), D("5"))
    assert fields(errors(tpl=ok_template(package_dimensions=zero))) == ["package_dimensions"]


def test_missing_required_attribute_names_it_and_its_values() -> None:
    (err,) = errors(tpl=template())
    assert err.field == "product_attributes.Material"
    assert "Cotton, Linen" in err.message
    assert "Tees" in (err.fix or "")


def test_conditionally_required_attribute() -> None:
    yes = TemplateAttribute("100393", (AttributeValueSpec(id="y"),), name="Contains Batteries")
    no = TemplateAttribute("100393", (AttributeValueSpec(id="n"),))
    assert fields(errors(tpl=ok_template(extra_attrs=(yes,)))) == [
        "product_attributes.Battery Type"]
    assert errors(tpl=ok_template(extra_attrs=(no,))) == []
    battery = TemplateAttribute("100394", (AttributeValueSpec(name="Alkaline"),))
    assert errors(tpl=ok_template(extra_attrs=(yes, battery))) == []  # customizable


def test_attribute_values_must_be_allowed() -> None:
    bad_id = TemplateAttribute("100392", (AttributeValueSpec(id="9999"),))
    assert "not a value TikTok offers" in errors(tpl=template(attributes=(bad_id,)))[0].message
    custom = TemplateAttribute("100392", (AttributeValueSpec(name="Hemp"),))
    assert "only TikTok's own values" in errors(tpl=template(attributes=(custom,)))[0].message
    by_name = TemplateAttribute("100392", (AttributeValueSpec(name="cotton"),))
    assert errors(tpl=template(attributes=(by_name,))) == []
    two = TemplateAttribute("100392",
                            (AttributeValueSpec(id="1001"), AttributeValueSpec(id="1002")))
    assert "takes one value" in errors(tpl=template(attributes=(two,)))[0].message
    unknown = TemplateAttribute("555", (AttributeValueSpec(name="x"),), name="Origin")
    assert fields(errors(tpl=ok_template(extra_attrs=(unknown,)))) == ["product_attributes.Origin"]
    sales = TemplateAttribute("100000", (AttributeValueSpec(id="c1"),), name="Color")
    assert fields(errors(tpl=ok_template(extra_attrs=(sales,)))) == ["product_attributes.Color"]
    number = TemplateAttribute("100395", (AttributeValueSpec(name="-3"),))
    assert "positive number" in errors(tpl=ok_template(extra_attrs=(number,)))[0].message
    fine = TemplateAttribute("100395", (AttributeValueSpec(name="12.5"),))
    assert errors(tpl=ok_template(extra_attrs=(fine,))) == []


def test_category_rules_certifications_size_chart_and_gpsr() -> None:
    rls = rules({
        "product_certifications": [
            {"id": "c1", "name": "CE", "is_required": True},
            {"id": "c2", "name": "Battery test", "is_required": False,
             "requirement_conditions": [{"condition_type": "VALUE_ID_MATCH",
                                         "attribute_id": "100392", "attribute_value_id": "1001"}]},
        ],
        "size_chart": {"is_required": True, "is_supported": True},
        "manufacturer": {"is_required": True},
        "responsible_person": {"is_required": True},
    })
    assert fields(errors(rls=rls)) == ["certifications.c1", "certifications.c2", "size_chart"]
    found = errors(rls=rls)
    assert "“CE” certification" in found[0].message and "Upload the CE" in found[0].fix
    assert "size-chart image" in found[2].fix
    eu = prefs(price_rule=PriceRule(exchange_rate=D("0.9")))
    de_fields = fields(errors(rls=rls, region=DE, pr=eu))
    assert "manufacturer_ids" in de_fields and "responsible_person_ids" in de_fields
    done = ok_template(size_chart_template_id="sc", manufacturer_ids=("m",),
                       responsible_person_ids=("r",))
    assert fields(errors(tpl=done, rls=rls, region=DE, pr=eu)) == [
        "certifications.c1", "certifications.c2"]
    pdf = CertificationFile("v09a", "ce.pdf", "PDF")
    proven = replace(done, certifications=(
        CertificationSpec("c1", "CE", files=(pdf,)), CertificationSpec("c2", image_uris=("u",)),
        CertificationSpec("c9", "Not listed", files=(pdf,))))
    assert fields(errors(tpl=proven, rls=rls, region=DE, pr=eu)) == ["certifications.c9"]
    assert "does not belong" in errors(tpl=proven, rls=rls, region=DE, pr=eu)[0].message
    by_image = replace(proven, size_chart_template_id=None, size_chart_image_uri="chart-uri",
                       certifications=proven.certifications[:2])
    assert errors(tpl=by_image, rls=rls, region=DE, pr=eu) == []
    unproven = replace(by_image, certifications=(CertificationSpec("c1"),
                                                 proven.certifications[1]))
    assert fields(errors(tpl=unproven, rls=rls, region=DE, pr=eu)) == ["certifications.c1"]


def test_sku_present_and_unique() -> None:
    vs = (variant("a", sku="A-1", options=(("Size", "S"),)),
          variant("b", sku="", options=(("Size", "M"),), position=2),
          variant("c", sku="a-1", options=(("Size", "L"),), position=3),
          variant("d", sku="HAS SPACE", options=(("Size", "XL"),), position=4),
          variant("e", sku="X" * 51, options=(("Size", "XXL"),), position=5))
    errs = errors(product(vs, option_names=("Size",)))
    assert fields(errs) == ["skus[1].seller_sku", "skus[2].seller_sku", "skus[3].seller_sku",
                            "skus[4].seller_sku"]
    assert errs[0].message == "Variant “M” has no SKU."
    assert "variant 1" in errs[1].message
    assert "spaces" in errs[2].message and "51 characters" in errs[3].message


def test_sku_unique_across_the_listing() -> None:
    (err,) = errors(listing_skus={"SKU-v1": "“Blue mug”"})
    assert err.field == "skus[0].seller_sku" and "“Blue mug”" in err.message


def test_sku_count_limits() -> None:
    assert errors(sized_product(300)) == []
    (err,) = errors(sized_product(301))
    assert err.field == "skus" and "301" in err.message and "300" in err.message
    assert fields(errors(product(()))) == ["skus"]


def test_hundred_variant_product_is_checked_fast_and_clean() -> None:
    assert errors(sized_product(100, ("Size", "Color", "Style"))) == []


def test_sales_attribute_rules() -> None:
    p = sized_product(2, ("Size", "Color", "Style", "Fit"))
    assert "sales_attributes" in fields(errors(p))
    long_name = sized_product(2, ("A very long option name",))
    assert fields(errors(long_name)) == ["sales_attributes[0].name"]
    vs = (variant("a", options=(("Size", "S"), ("Color", ""))),
          variant("b", options=(("Size", "S"), ("Color", "")), position=2),
          variant("c", options=(("Size", "M"), ("Color", "Rb" * 25 + "R")), position=3))
    errs = errors(product(vs, option_names=("Size", "Color")))
    assert fields(errs) == ["skus[0].sales_attributes[1].value_name",
                            "skus[1].sales_attributes[1].value_name", "skus[1].sales_attributes",
                            "skus[2].sales_attributes[1].value_name"]
    assert errs[0].message == "Variant “S” has no “Color” value."
    assert "same options as variant 1" in errs[2].message


def test_price_range_after_the_rule() -> None:
    (err,) = errors(product((variant(price="0.00"),)))
    assert err.field == "skus[0].price.amount"
    assert "0.00 USD" in err.message and "0.01 USD to 7600.00 USD" in err.message
    assert fields(errors(product((variant(price="7600.00"),)))) == []
    markup = prefs(price_rule=PriceRule(markup_kind="percent", markup=D("10")))
    assert fields(errors(product((variant(price="7000.00"),)), pr=markup)) == [
        "skus[0].price.amount"]
    cross = prefs(seller_type="CROSS_BORDER")
    assert fields(errors(product((variant(price="900"),)), pr=cross)) == ["skus[0].price.amount"]
    jp = prefs(price_rule=PriceRule(exchange_rate=D("150")))
    assert fields(errors(product((variant(price="0.001"),)), region=JP, pr=jp)) == [
        "skus[0].price.amount"]


def test_missing_exchange_rate_is_one_clear_error() -> None:
    (err,) = errors(sized_product(5), region=GB)
    assert err.field == "skus[*].price.amount" and "exchange rate" in err.message


def test_no_warehouse() -> None:
    (err,) = errors(pr=prefs(warehouse_map=()))
    assert err.field == "skus[*].inventory"
    assert errors(pr=prefs(warehouse_map=(), default_warehouse_id="W0")) == []


def test_generated_products_errors_are_consistent() -> None:
    """Property loop: whatever the variant mix, errors name existing SKU indexes."""
    import random

    rng = random.Random(3)
    for _ in range(200):
        n = rng.randint(1, 12)
        vs = tuple(
            variant(f"v{i}", f"{rng.randint(0, 900000) / 100:.2f}",
                    sku=rng.choice(["", "DUP", f"S{i}", f"S {i}"]),
                    options=(("Size", rng.choice(["S", "M", "", "L"])),), position=i)
            for i in range(n)
        )
        p = dataclasses.replace(product(vs, option_names=("Size",)),
                                images=(ImageSnapshot("https://cdn/a.jpg"),))
        for e in errors(p):
            if e.field.startswith("skus["):
                index = int(e.field[5:e.field.index("]")])
                assert 0 <= index < n
            assert e.fix


def test_upload_map_is_used_when_known() -> None:
    from .factories import uploads

    assert errors(images=uploads("https://cdn.shopify.com/a.jpg")) == []
    (err,) = errors(images={})
    assert err.field == "main_images" and "uploaded" in err.message
    many = "".join(f'<img src="https://s/{i}.jpg">' for i in range(30))
    text = "<p>" + "word " * 1700 + "</p>"
    p = product(body_html=text + many)
    assert errors(p) == []  # images not uploaded: dropped, not counted
    hosted = uploads("https://cdn.shopify.com/a.jpg", *(f"https://s/{i}.jpg" for i in range(30)))
    (err,) = errors(p, images=hosted)
    assert err.field == "description"


def test_several_variants_need_options() -> None:
    vs = (variant("a"), variant("b", position=2))
    (err,) = errors(product(vs))
    assert err.field == "sales_attributes" and "2 variants" in err.message


def test_template_of_another_region_is_refused() -> None:
    (err,) = errors(tpl=ok_template(region="GB"), keep_region=True)
    assert err.field == "category_id" and "TikTok GB" in err.message
    gb = prefs(price_rule=PriceRule(exchange_rate=D("0.8")))
    assert errors(tpl=ok_template(region="UK"), region=GB, pr=gb, keep_region=True) == []


def test_package_units_of_the_region() -> None:
    dims = PackageDimensions(D(8), D(6), D(2), "INCH")
    imperial = ok_template(package_weight=D("1.5"), package_weight_unit="POUND",
                           package_dimensions=dims)
    assert errors(tpl=imperial) == []  # the US takes lb and inches
    eu = prefs(price_rule=PriceRule(exchange_rate=D("0.9")))
    found = errors(tpl=imperial, region=DE, pr=eu)
    assert fields(found) == ["package_weight_unit", "package_dimensions.unit"]
    assert found[0].message == "TikTok DE takes package weights in kg, not lb."
    assert "in cm" in found[1].fix
    grams = ok_template(package_weight=D("400"), package_weight_unit="GRAM")
    assert errors(tpl=grams, region=JP, pr=prefs(price_rule=PriceRule(
        exchange_rate=D("150")))) == []
    assert fields(errors(tpl=grams, region=DE, pr=eu)) == ["package_weight_unit"]


def test_certificate_expiry_when_the_rule_asks() -> None:
    rls = rules({"product_certifications": [
        {"id": "c1", "name": "CPC", "is_required": True,
         "expiration_date": {"is_required": True}}]})
    pdf = CertificationFile("v09a", "cpc.pdf", "PDF")
    undated = ok_template(certifications=(CertificationSpec("c1", "CPC", files=(pdf,)),))
    found = errors(tpl=undated, rls=rls)
    assert fields(found) == ["certifications.c1.expiration_date"]
    assert "expiry date of the “CPC” certificate" in found[0].message
    dated = ok_template(certifications=(CertificationSpec("c1", "CPC", files=(pdf,),
                                                          expiration_date=1_900_000_000),))
    assert errors(tpl=dated, rls=rls) == []
