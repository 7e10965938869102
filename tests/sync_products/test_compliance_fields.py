"""The compliance JSON of templates and manual-sync overrides → TemplateSpec, and the default
template built from a sample Create Product body keeping its size chart, certificates and EU ids."""

from __future__ import annotations

from decimal import Decimal

from ecomsend.db.models.templates import CategoryTemplate
from ecomsend.sync.links.overrides import effective_template, with_override
from ecomsend.sync.listing.bootstrap import default_template
from ecomsend.sync.products.compliance import compliance_fields
from ecomsend.sync.products.converters import template_spec
from ecomsend.sync.products.types import CertificationFile, CertificationSpec

JSON = {"size_chart": {"template_id": "77", "template_name": "Baby", "image_uri": None},
        "certifications": [
            {"id": "c1", "name": "CE", "images": [{"uri": "tos/ce", "url": "https://x"}],
             "files": [{"id": "v09a", "name": "ce.pdf", "format": "PDF"}]},
            {"id": "", "name": "no id"}, "junk"],
        "manufacturers": [{"id": "m1", "name": "Kinder Werk"}, {"id": "m1"}],
        "responsible_persons": [{"id": "r1", "name": "EU Rep"}]}


def row(**kw: object) -> CategoryTemplate:
    base: dict[str, object] = dict(
        id=5, name="Baby", region="DE", category_id="600365", category_name=None, attributes=[],
        brand_id=None, package_weight=Decimal("0.4"), package_weight_unit="KILOGRAM",
        package_dimensions={}, selection_rules=[], match_mode="all", priority=0, active=True,
        is_default=False, compliance=JSON)
    return CategoryTemplate(**{**base, **kw})


def test_fields_from_json_and_malformed_parts_dropped() -> None:
    fields = compliance_fields(JSON)
    assert fields["size_chart_template_id"] == "77" and fields["size_chart_image_uri"] is None
    assert fields["certifications"] == (CertificationSpec(
        "c1", "CE", ("tos/ce",), (CertificationFile("v09a", "ce.pdf", "PDF"),)),)
    assert fields["manufacturer_ids"] == ("m1",) and fields["responsible_person_ids"] == ("r1",)
    empty = compliance_fields(None)
    assert empty["certifications"] == () and empty["size_chart_template_id"] is None
    spec = template_spec(row())
    assert spec.manufacturer_ids == ("m1",) and spec.certifications[0].has_proof


def test_expiry_dates_become_unix_seconds() -> None:
    raw = {"certifications": [{"id": "c1", "files": [{"id": "f"}],
                               "expiration_date": "2027-06-30"},
                              {"id": "c2", "images": [{"uri": "u"}], "expiration_date": 1234},
                              {"id": "c3", "images": [{"uri": "u"}], "expiration_date": "soon"}]}
    certs = compliance_fields(raw)["certifications"]
    # The end of the day in UTC: 2027-06-30T23:59:59Z.
    assert [c.expiration_date for c in certs] == [1814399999, 1234, None]


def test_override_replaces_only_the_keys_it_sets() -> None:
    base = template_spec(row())
    chart = {"size_chart": {"image_uri": "tos/chart"}}
    spec = effective_template(base, chart, "DE")
    assert spec is not None
    assert (spec.size_chart_image_uri, spec.size_chart_template_id) == ("tos/chart", None)
    assert spec.manufacturer_ids == ("m1",) and spec.certifications == base.certifications
    other = effective_template(base, {"category_id": "600999"}, "DE")
    assert other is not None and other.certifications == () and other.manufacturer_ids == ("m1",)
    alone = effective_template(None, {"category_id": "1", "manufacturers": [{"id": "m9"}]}, "DE")
    assert alone is not None and alone.manufacturer_ids == ("m9",)
    stored = with_override({}, "gid://shopify/Product/1", {**chart, "bogus": 1})
    assert stored["overrides"]["gid://shopify/Product/1"] == chart


def test_default_template_keeps_the_sample_bodys_compliance() -> None:
    body = {"category_id": "600365", "package_weight": {"value": "0.5", "unit": "KILOGRAM"},
            "size_chart": {"image": {"uri": "tos/sample-size-chart"}},
            "certifications": [{"id": "c1", "images": [{"uri": "tos/main"}]}],
            "manufacturer_ids": ["m1"], "responsible_person_ids": ["r1"]}
    spec = template_spec(default_template(3, "DE", body))
    assert spec.size_chart_image_uri == "tos/sample-size-chart"
    assert spec.certifications == (CertificationSpec("c1", None, ("tos/main",)),)
    assert (spec.manufacturer_ids, spec.responsible_person_ids) == (("m1",), ("r1",))
