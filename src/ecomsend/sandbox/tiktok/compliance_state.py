"""What a seller owns beyond its shops: EU manufacturers and responsible persons, uploaded
product files and size-chart templates (read by `compliance.py` and product validation).

None of these endpoints takes a `shop_cipher` (reference tiktok-api.md §1.5: `files/upload`,
`/product/*/compliance/*`; the Search Size Charts card lists no `shop_cipher` either): they
belong to the seller behind the access token, and a product may only reference the ones of its
own shop's seller (Create Product `12052285` / `12052290`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Size-chart templates every seller starts with (made in Seller Center; there is no create API,
#: Search Size Charts doc: "Retrieve size charts that a seller has created").
SEEDED_SIZE_CHARTS = ("Women's tops (EU sizes)", "Men's shirts", "Shoes (EU 35–46)",
                      "Baby clothing (0–24 months)")


@dataclass
class Manufacturer:
    """A Create Manufacturer body as stored (one regional profile per locale)."""

    id: str
    profile: dict[str, Any]
    locale: str

    def wire(self) -> dict[str, Any]:
        """Search Manufacturers item (the docs translate into every EU language; the sandbox
        keeps the one profile it was given, under its locale)."""
        return {"id": self.id, "regional_profiles": [{"locale": self.locale, **self.profile}]}


@dataclass
class ResponsiblePerson:
    """A Create Responsible Person body as stored."""

    id: str
    profile: dict[str, Any]
    locale: str

    def wire(self) -> dict[str, Any]:
        """Search Responsible Persons item."""
        return {"id": self.id, "regional_profiles": [{"locale": self.locale, **self.profile}]}


@dataclass
class ProductFile:
    """An Upload Product File result."""

    id: str
    name: str
    format: str
    url: str

    def wire(self) -> dict[str, Any]:
        """Upload Product File `data`."""
        return {"id": self.id, "url": self.url, "name": self.name, "format": self.format}


@dataclass
class SizeChart:
    """A size-chart template of the seller (Search Size Charts item)."""

    template_id: str
    template_name: str
    image_uri: str

    def wire(self, locale: str) -> dict[str, Any]:
        """Search Size Charts item."""
        url = f"https://sandbox-cdn.tiktokshop.invalid/{self.image_uri}~tplv-resize-jpeg:300:300"
        return {"template_id": self.template_id, "template_name": self.template_name,
                "images": [{"uri": self.image_uri, "url": url, "locale": locale}]}


@dataclass
class SellerCompliance:
    """Everything above for one seller."""

    manufacturers: dict[str, Manufacturer] = field(default_factory=dict)
    responsible_persons: dict[str, ResponsiblePerson] = field(default_factory=dict)
    files: dict[str, ProductFile] = field(default_factory=dict)
    size_charts: dict[str, SizeChart] = field(default_factory=dict)
