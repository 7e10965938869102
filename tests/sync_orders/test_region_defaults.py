"""Every region works with no typed mapping: one region normaliser keys every per-region table,
and each of TikTok's shipping providers in a region has a default Shopify tracking company (or
ships under its own name when the merchant types it as a custom company)."""

from __future__ import annotations

import pytest

from ecomsend.integrations.tiktok.models.logistics import ShippingProvider
from ecomsend.regions import REGIONS, UnknownRegion, canonical, region_code, shopify_country
from ecomsend.sandbox.tiktok.logistics import CARRIERS
from ecomsend.sync.fulfillments.carriers import REGION_COUNTRY, CarrierMap, CarrierMismatch
from ecomsend.sync.fulfillments.to_tiktok import PARTIAL_REGIONS
from ecomsend.sync.products.regions import REGIONS as LISTING_RULES
from ecomsend.sync.products.regions import region_rules

#: Per region: a Shopify tracking company a local merchant picks → the TikTok provider it is.
LOCAL_PICKS = {
    "US": ("USPS", "USPS"), "GB": ("DPD UK", "DPD"), "FR": ("La Poste Colissimo", "Colissimo"),
    "DE": ("DHL Express", "DHL"), "IT": ("GLS Italy", "GLS Italy"), "ES": ("Correos", "Correos"),
    "IE": ("DPD Ireland", "DPD Ireland"), "JP": ("Yamato (JA)", "Yamato Transport"),
    "MX": ("Estafeta", "Estafeta"),
}


def test_one_normaliser_keys_every_region_table() -> None:
    assert region_code(" uk ") == region_code("GB") == "GB" == canonical("Uk")
    assert canonical("sg") == "SG"
    with pytest.raises(UnknownRegion):
        region_code("SG")
    assert set(LISTING_RULES) == set(REGION_COUNTRY) == set(REGIONS) == set(CARRIERS)
    assert set(REGIONS) - {"MX"} == PARTIAL_REGIONS  # MX ships partially by Split Orders
    assert region_rules("UK").currency == "GBP" and shopify_country("uk") == "GB"


def _providers(region: str) -> list[ShippingProvider]:
    return [ShippingProvider(id=str(i), name=n) for i, n in enumerate(CARRIERS[region])]


@pytest.mark.parametrize("region", REGIONS)
def test_every_provider_maps_both_ways_without_rules(region: str) -> None:
    carriers = CarrierMap(rules=[], region=region)
    providers = _providers(region)
    for provider in providers:
        company = carriers.company_for(provider.name)
        assert carriers.provider_for(company, providers).name == provider.name
    picked, expected = LOCAL_PICKS[region]
    assert carriers.provider_for(picked, providers).name == expected
    assert CarrierMap(rules=[], region=region.lower()).provider_for(picked, providers)


def test_an_unmapped_carrier_still_gets_a_clear_reason() -> None:
    with pytest.raises(CarrierMismatch, match="Add a carrier mapping rule 'Canada Post'"):
        CarrierMap(rules=[], region="MX").provider_for("Canada Post", _providers("MX"))
