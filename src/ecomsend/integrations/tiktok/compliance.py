"""Product compliance calls: Upload Product File, Search Size Charts, Create/Search
Manufacturer and Create/Search Responsible Person (EU GPSR).

Called by the web API behind the category-template editor and the manual-sync form (the
merchant uploads a certificate, picks a size chart, or creates a manufacturer on TikTok). None
of these endpoints takes a `shop_cipher` (their docs list none): the records belong to the
seller behind the access token, so any connected shop of that seller may be passed.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.models.compliance import (
    ManufacturerInput,
    Manufacturers,
    ResponsiblePersonInput,
    ResponsiblePersons,
    SizeCharts,
    UploadedFile,
)
from ecomsend.integrations.tiktok.transport import TikTokTransport, drop_none

#: `page_size` range of the three searches (their docs: required, 1–100).
MAX_PAGE_SIZE = 100


def _page(page_size: int, page_token: str | None) -> dict[str, str | int]:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError("page_size must be 1..100")
    return drop_none({"page_size": str(page_size), "page_token": page_token})


def _filters(**given: list[str] | str | None) -> dict[str, object]:
    """A search body without the filters left empty."""
    return {k: v for k, v in given.items() if v}


class ComplianceApi:
    """One typed method per compliance endpoint."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def upload_file(self, shop: ShopContext, content: bytes, *, name: str,
                          mime_type: str = "application/pdf") -> UploadedFile:
        """Upload a PDF or video (multipart `data` + `name`, the name with its extension)."""
        data = await self._t.call(ep.FILE_UPLOAD, shop, files={"data": (name, content, mime_type)},
                                  form={"name": name})
        return UploadedFile.model_validate(data)

    async def search_size_charts(self, shop: ShopContext, *, ids: Sequence[str] = (),
                                 keyword: str | None = None, page_size: int = MAX_PAGE_SIZE,
                                 page_token: str | None = None) -> SizeCharts:
        """The seller's size-chart templates (`ids` win over `keyword`, doc)."""
        body = _filters(ids=list(ids), keyword=keyword)
        data = await self._t.call(ep.SIZE_CHART_SEARCH, shop, query=_page(page_size, page_token),
                                  body=body)
        return SizeCharts.model_validate(data)

    async def create_manufacturer(self, shop: ShopContext, manufacturer: ManufacturerInput) -> str:
        """Create a manufacturer; returns its `manufacturer_id`."""
        data = await self._t.call(ep.MANUFACTURER_CREATE, shop,
                                  body=manufacturer.model_dump(exclude_none=True))
        return str(data["manufacturer_id"])

    async def search_manufacturers(self, shop: ShopContext, *, ids: Sequence[str] = (),
                                   keyword: str | None = None, page_size: int = MAX_PAGE_SIZE,
                                   page_token: str | None = None) -> Manufacturers:
        """The seller's manufacturers, by ids or keyword."""
        body = _filters(manufacturer_ids=list(ids), keyword=keyword)
        data = await self._t.call(ep.MANUFACTURER_SEARCH, shop,
                                  query=_page(page_size, page_token), body=body)
        return Manufacturers.model_validate(data)

    async def create_responsible_person(self, shop: ShopContext,
                                        person: ResponsiblePersonInput) -> str:
        """Create an EU responsible person; returns its `responsible_person_id`."""
        data = await self._t.call(ep.RESPONSIBLE_PERSON_CREATE, shop,
                                  body=person.model_dump(exclude_none=True))
        return str(data["responsible_person_id"])

    async def search_responsible_persons(self, shop: ShopContext, *, ids: Sequence[str] = (),
                                         keyword: str | None = None,
                                         page_size: int = MAX_PAGE_SIZE,
                                         page_token: str | None = None) -> ResponsiblePersons:
        """The seller's responsible persons, by ids or keyword."""
        body = _filters(responsible_person_ids=list(ids), keyword=keyword)
        data = await self._t.call(ep.RESPONSIBLE_PERSON_SEARCH, shop,
                                  query=_page(page_size, page_token), body=body)
        return ResponsiblePersons.model_validate(data)
