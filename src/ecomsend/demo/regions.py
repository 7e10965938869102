"""What the demo does differently per region: the Shopify Market that sells in the region's
country (so prices come from Shopify, not a typed rate), the local carriers the merchant
fulfils with in Shopify, and the order fees in the region's currency.

The demo store sells in USD (a merchant selling abroad through Shopify Markets); a US shop
needs no market. Rates are round illustrative figures (the Shopify sandbox's market rate stands
in for Shopify's own conversion).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ecomsend.regions import region_code
from ecomsend.sync.products.regions import region_rules


@dataclass(frozen=True)
class DemoRegion:
    """One region's demo set-up."""

    code: str
    currency: str
    #: USD → market currency for the Shopify Market (None: the store's own currency).
    market_rate: Decimal | None
    #: (Shopify tracking company, tracking number) the merchant fulfils with, in turn. Company
    #: names are Shopify's (tracking-companies.json) or, where Shopify has none, the carrier's
    #: own name typed as a custom company — no carrier mapping is set up by the demo.
    carriers: tuple[tuple[str, str], ...]
    shipping_fee: str
    tax: str


_RATES = {"US": None, "GB": Decimal("0.79"), "FR": Decimal("0.92"), "DE": Decimal("0.92"),
          "IT": Decimal("0.92"), "ES": Decimal("0.92"), "IE": Decimal("0.92"),
          "JP": Decimal("151"), "MX": Decimal("17.1")}
_CARRIERS = {
    "US": (("UPS", "1Z999AA1012345678"), ("USPS", "94001118992231974284")),
    "GB": (("Royal Mail", "RM123456785GB"), ("Evri", "H01HYA0012345678")),
    "FR": (("Colissimo", "6A12345678901"), ("Chronopost", "XY123456789FR")),
    "DE": (("DHL", "003404341234567890"), ("Hermes", "H1002345678901234")),
    "IT": (("Poste Italiane", "RR123456789IT"), ("BRT", "084123456789012")),
    "ES": (("Correos", "PQ4F6P0700123450"), ("SEUR", "SEUR123456789")),
    "IE": (("An Post", "CE123456789IE"), ("DPD Ireland", "15501234567890")),
    "JP": (("Yamato (JA)", "123456789012"), ("Japan Post (EN)", "EJ123456789JP")),
    "MX": (("Estafeta", "8055123456789012"), ("DHL Express", "1234567890")),
}
#: Order fees per currency: whole yen in JP (no minor unit), local-looking amounts elsewhere.
_FEES = {"USD": ("4.99", "1.10"), "GBP": ("3.99", "0.90"), "EUR": ("4.49", "1.00"),
         "JPY": ("600", "120"), "MXN": ("89.00", "14.00")}


def demo_region(code: str) -> DemoRegion:
    """The demo set-up of a region (`UK` is GB); raises UnknownRegion for anything else."""
    key = region_code(code)
    currency = region_rules(key).currency
    fee, tax = _FEES[currency]
    return DemoRegion(code=key, currency=currency, market_rate=_RATES[key],
                      carriers=_CARRIERS[key], shipping_fee=fee, tax=tax)
