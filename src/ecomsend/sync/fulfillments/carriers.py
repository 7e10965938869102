"""Carrier mapping: Shopify tracking company ↔ TikTok shipping provider (pure).

Resolution, both ways: the merchant's rules first; then the defaults — names that match once
normalised (case, spaces, punctuation) between Shopify's tracking-company list
(`contracts/shopify/tracking-companies.json`, the version the app is pinned to) and TikTok's
providers for the order's delivery option, plus a few well-known aliases. Shopify → TikTok must
land on a provider TikTok offers, else it fails naming the rule to add; TikTok → Shopify never
fails (Shopify accepts free text) and sends a tracking URL when the company is not one Shopify
knows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import quote

from ecomsend.integrations.tiktok.models.logistics import ShippingProvider
from ecomsend.regions import region_code
from ecomsend.sync.orders.settings import CarrierRule

API_VERSION = "2026-07"
#: TikTok region → the country name Shopify's per-country lists use.
REGION_COUNTRY = {"US": "United States", "GB": "United Kingdom", "FR": "France",
                  "DE": "Germany", "IT": "Italy", "ES": "Spain", "IE": "Ireland", "JP": "Japan",
                  "MX": "Mexico"}
#: Normalised TikTok provider name → the Shopify tracking companies (first = the one TikTok →
#: Shopify sends) that mean the same carrier where the names differ. Shopify lists the Japanese
#: carriers twice, "(EN)" and "(JA)", and Seino only by its Japanese name (西濃運輸); its list
#: has DHL Express / DPD UK where TikTok's providers say DHL / DPD (tracking-companies.json).
ALIASES: dict[str, tuple[str, ...]] = {
    "dhl": ("DHL Express", "DHL"), "dhlmexico": ("DHL Express", "DHL"),
    "fedexmexico": ("FedEx",), "dpd": ("DPD", "DPD UK", "DPD Local"),
    "yamatotransport": ("Yamato (EN)", "Yamato (JA)"),
    "sagawaexpress": ("Sagawa (EN)", "Sagawa (JA)"),
    "japanpost": ("Japan Post (EN)", "Japan Post (JA)"),
    "seinotransportation": ("西濃運輸", "西濃スーパーエキスプレス"),
    "dpdfrance": ("DPD",), "dpdireland": ("DPD Ireland", "DPD"),
    "glsfrance": ("GLS",), "glsitaly": ("GLS Italy", "GLS"), "glsspain": ("GLS",),
    "glsireland": ("GLS",), "lapostecolissimo": ("Colissimo", "La Poste Colissimo"),
    "colissimo": ("Colissimo", "La Poste Colissimo"), "hermes": ("Hermes", "Evri"),
}
#: Tracking pages for carriers whose name Shopify may not turn into a link by itself.
TRACKING_URLS = {
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}",
    "ups": "https://www.ups.com/track?tracknum={n}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={n}",
    "dhlexpress": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={n}",
    "dhlecommerce": "https://www.dhl.com/us-en/home/tracking.html?tracking-id={n}",
    "ontrac": "https://www.ontrac.com/tracking/?number={n}",
    "royalmail": "https://www.royalmail.com/track-your-item#/tracking-results/{n}",
    "evri": "https://www.evri.com/track/parcel/{n}",
}
GENERIC_TRACKING_URL = "https://t.17track.net/en#nums={n}"


class CarrierMismatch(ValueError):
    """No TikTok provider for a Shopify tracking company: says which mapping to add."""


def normalise(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (name or "").lower())


@cache
def shopify_companies(region: str) -> tuple[str, ...]:
    """Shopify's tracking companies valid for a shop in `region`'s country."""
    raw = resources.files("ecomsend.contracts.shopify").joinpath("tracking-companies.json")
    data = json.loads(raw.read_text(encoding="utf-8"))["versions"][API_VERSION]
    extra = data["by_shop_country"].get(REGION_COUNTRY[region_code(region)], [])
    return tuple(data["any_country"]) + tuple(extra)


def _default_companies(provider_name: str, region: str) -> list[str]:
    """The Shopify tracking companies that mean this TikTok provider in `region`: the same name
    in Shopify's list for the shop's country, then the aliases; empty when Shopify has none."""
    wanted = normalise(provider_name)
    same = [c for c in shopify_companies(region) if normalise(c) == wanted]
    return list(dict.fromkeys([*same[:1], *ALIASES.get(wanted, ())]))


def _default_company(provider_name: str, region: str) -> str | None:
    """The one Shopify company TikTok → Shopify sends for a provider, or None."""
    found = _default_companies(provider_name, region)
    return found[0] if found else None


def default_rules(providers: Sequence[ShippingProvider], region: str) -> list[CarrierRule]:
    """The rules the app applies when the merchant has none for a carrier: each TikTok
    provider of the order's delivery option with every Shopify company that names it."""
    return [CarrierRule(shopify_company=company, tiktok_provider=provider.name or "")
            for provider in providers
            for company in _default_companies(provider.name or "", region)]


@dataclass(frozen=True)
class CarrierMap:
    """The merchant's rules for one connection, and its region."""

    rules: Sequence[CarrierRule]
    region: str

    def provider_for(self, company: str | None,
                     providers: Sequence[ShippingProvider]) -> ShippingProvider:
        """The TikTok provider to ship with for a Shopify tracking company."""
        offered = ", ".join(p.name or p.id for p in providers) or "none"
        by_name = {normalise(p.name): p for p in providers}
        for rule in self.rules:
            if normalise(rule.shopify_company) == normalise(company):
                hit = by_name.get(normalise(rule.tiktok_provider))
                if hit is None:
                    raise CarrierMismatch(
                        f"Your carrier mapping sends '{company}' to TikTok provider "
                        f"'{rule.tiktok_provider}', which TikTok does not offer for this order "
                        f"(offered: {offered}). Edit that carrier mapping.")
                return hit
        for rule in default_rules(providers, self.region):
            if normalise(rule.shopify_company) == normalise(company):
                return by_name[normalise(rule.tiktok_provider)]
        # A custom company typed in Shopify ("Other": e.g. Estafeta, Redpack, 99minutos, which
        # Shopify's list lacks) that is exactly one of TikTok's providers needs no rule either.
        if normalise(company) in by_name:
            return by_name[normalise(company)]
        raise CarrierMismatch(
            f"No carrier mapping for Shopify tracking company '{company or '(none)'}'. Add a "
            f"carrier mapping rule '{company or '(none)'}' → one of TikTok's providers for "
            f"this order: {offered}.")

    def company_for(self, provider_name: str | None) -> str:
        """The Shopify tracking company for a TikTok provider (free text when unknown)."""
        for rule in self.rules:
            if normalise(rule.tiktok_provider) == normalise(provider_name):
                return rule.shopify_company
        return _default_company(provider_name or "", self.region) or (provider_name or "Other")

    def tracking_url(self, company: str, number: str) -> str | None:
        """A tracking URL to send with the number (Shopify builds its own for known names,
        but an explicit one is harmless and covers free-text companies)."""
        template = TRACKING_URLS.get(normalise(company), GENERIC_TRACKING_URL)
        return template.format(n=quote(number, safe=""))
