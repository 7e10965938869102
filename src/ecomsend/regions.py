"""The nine TikTok Shop regions and the one place their names are normalised.

TikTok's docs name the United Kingdom both "GB" and "UK" (reference §7, "GB (UK)"; Get
Authorized Shops returns `region` codes, the seller centre says UK). Every per-region table in
the app is keyed by the canonical code returned here, so normalise a code once where it enters
(the TikTok connection, the demo's `--region`, a template's region) and look tables up with
`region_code`; a table keyed "UK" would silently miss GB shops.

Called by `sync.connect` (stored region), `sync.products.regions` (listing rules),
`sync.fulfillments` (carriers, partial shipments), `sync.products.market_prices` (the Shopify
Markets country) and the demo. The sandboxes keep their own reading (import-linter).
"""

from __future__ import annotations

#: The supported regions, canonical codes (ISO 3166-1 alpha-2), in the order the docs list them.
REGIONS: tuple[str, ...] = ("US", "GB", "FR", "DE", "IT", "ES", "IE", "JP", "MX")
#: Other spellings seen in TikTok's docs and seller centre for the same market.
ALIASES: dict[str, str] = {"UK": "GB"}
#: Shopify names countries by ISO 3166-1 alpha-2 (`CountryCode` enum): GB, never UK.
_SHOPIFY_COUNTRY = {code: code for code in REGIONS}


class UnknownRegion(ValueError):
    """A region code outside the nine supported markets."""


def canonical(code: str | None) -> str:
    """The canonical spelling of a region code without validating it (`uk` → `GB`, `sg` →
    `SG`): for storing what TikTok reports even for a market we do not support yet."""
    key = (code or "").strip().upper()
    return ALIASES.get(key, key)


def region_code(code: str | None) -> str:
    """The canonical code of a supported region (`uk`, ` GB ` → `GB`); raises UnknownRegion
    for anything else (an empty code too)."""
    key = canonical(code)
    if key not in REGIONS:
        raise UnknownRegion(
            f"Region {code!r} is not supported; use one of {', '.join(REGIONS)} (UK = GB).")
    return key


def shopify_country(code: str) -> str:
    """The Shopify `CountryCode` of a region (for `contextualPricing(context: {country:})`)."""
    return _SHOPIFY_COUNTRY[region_code(code)]
