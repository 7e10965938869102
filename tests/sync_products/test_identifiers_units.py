"""Barcode → identifier code (GS1 check digits) and package unit conversions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecomsend.sync.products.identifiers import gs1_check_digit_ok, identifier_for
from ecomsend.sync.products.units import (
    convert_length,
    convert_weight,
    decimal_str,
    dimension_unit_for,
)

D = Decimal


@pytest.mark.parametrize(
    ("barcode", "expected"),
    [
        ("036000291452", ("036000291452", "UPC")),  # UPC-A
        ("4006381333931", ("4006381333931", "EAN")),  # EAN-13
        ("9780306406157", ("9780306406157", "EAN")),  # ISBN-13 is an EAN-13
        ("96385074", ("96385074", "EAN")),  # EAN-8
        ("10036000291459", ("10036000291459", "GTIN")),  # GTIN-14
        ("4006-3813 33931", ("4006381333931", "EAN")),  # typed with separators
        ("036000291453", None),  # wrong check digit
        ("12345", None),  # wrong length
        ("ABCDEFGHIJKL", None),
        ("", None),
        (None, None),
    ],
)
def test_identifier_for(barcode: str | None, expected: tuple[str, str] | None) -> None:
    assert identifier_for(barcode) == expected


def test_check_digit_property() -> None:
    base = "400638133393"
    valid = [d for d in "0123456789" if gs1_check_digit_ok(base + d)]
    assert valid == ["1"]
    assert not gs1_check_digit_ok("1")


def test_weight_conversions_round_up_to_tiktok_precision() -> None:
    assert convert_weight(D("200"), "GRAMS", "KILOGRAM") == D("0.200")
    assert convert_weight(D("1"), "GRAMS", "KILOGRAM") == D("0.001")
    assert convert_weight(D("0.1"), "GRAMS", "KILOGRAM") == D("0.001")  # never 0
    assert convert_weight(D("1"), "POUNDS", "KILOGRAM") == D("0.454")
    assert convert_weight(D("1"), "KILOGRAMS", "POUND") == D("2.21")
    assert convert_weight(D("8"), "OUNCES", "POUND") == D("0.50")
    assert convert_weight(D("1.2345"), "KILOGRAM", "GRAM") == D("1235")
    assert convert_weight(D("0.5"), "KILOGRAM", "KILOGRAM") == D("0.500")


def test_length_conversions_are_whole_numbers_rounded_up() -> None:
    assert convert_length(D("10"), "INCH", "CENTIMETER") == D("26")  # 25.4
    assert convert_length(D("25.4"), "CENTIMETER", "INCH") == D("10")
    assert convert_length(D("10.1"), "CENTIMETER", "CENTIMETER") == D("11")


def test_measurement_system_pairs_and_decimal_strings() -> None:
    assert dimension_unit_for("POUND") == "INCH"
    assert dimension_unit_for("KILOGRAM") == dimension_unit_for("GRAM") == "CENTIMETER"
    assert decimal_str(D("0.500")) == "0.5"
    assert decimal_str(D("1E+3")) == "1000"
    assert decimal_str(D("2.00")) == "2"
