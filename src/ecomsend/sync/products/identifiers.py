"""Barcodes → TikTok `identifier_code` (GS1 check digit validated).

Called by `mapping` for each SKU and by `preflight` to explain a barcode we leave out. TikTok
formats (Create Product doc, `identifier_code.code`): GTIN 14 digits, EAN 8/13/14, UPC 12,
ISBN 13 (or 9 + "X"), JAN 8/13. We send what a Shopify barcode usually is: UPC-A (12), EAN-8,
EAN-13 and GTIN-14, and only when the GS1 check digit is right — a wrong one is refused
(`12052591`) and can only be fixed while the product is a draft (same doc), so sending nothing
is better than sending garbage.
"""

from __future__ import annotations

from typing import Literal

IdentifierType = Literal["GTIN", "EAN", "UPC"]

#: Digits → TikTok type. 13 digits (EAN-13, which also covers ISBN-13/JAN) are sent as EAN.
_TYPE_BY_LENGTH: dict[int, IdentifierType] = {8: "EAN", 12: "UPC", 13: "EAN", 14: "GTIN"}


def gs1_check_digit_ok(digits: str) -> bool:
    """True when the last digit is the GS1 mod-10 check digit of the others (all GTIN sizes)."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    body, check = digits[:-1], int(digits[-1])
    # From the right of the body: weights 3, 1, 3, 1, …
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def normalise_barcode(barcode: str | None) -> str:
    """The barcode without spaces and dashes (how merchants often type them)."""
    return "".join(ch for ch in (barcode or "") if ch not in " -")


def identifier_for(barcode: str | None) -> tuple[str, IdentifierType] | None:
    """`(code, type)` for a valid GTIN-8/12/13/14 barcode, else None."""
    code = normalise_barcode(barcode)
    kind = _TYPE_BY_LENGTH.get(len(code))
    if kind is None or not gs1_check_digit_ok(code):
        return None
    return code, kind
