"""Client compliance calls against the TikTok sandbox over real HTTP: a certificate PDF, the
seller's size charts, and an EU manufacturer / responsible person created and found again."""

from __future__ import annotations

import pytest

from ecomsend.integrations.tiktok import Permanent, TikTokClient
from ecomsend.integrations.tiktok.models.compliance import (
    ManufacturerInput,
    PersonAddress,
    PhoneNumber,
    ResponsiblePersonInput,
)

from .conftest import Control, connect_shop

PDF = b"%PDF-1.4\n%%EOF\n"


async def test_upload_search_create(client: TikTokClient, control: Control) -> None:
    shop, _ = await connect_shop(client, control, "DE")
    uploaded = await client.compliance.upload_file(shop, PDF, name="en71.pdf")
    assert uploaded.format == "PDF" and uploaded.id
    with pytest.raises(Permanent) as bad:
        await client.compliance.upload_file(shop, b"plain text", name="notes.txt")
    assert bad.value.code == 12019105
    charts = await client.compliance.search_size_charts(shop)
    assert charts.size_chart and charts.size_chart[0].images[0].uri
    mid = await client.compliance.create_manufacturer(shop, ManufacturerInput(
        name="Kinder Werk GmbH", email="gpsr@kinderwerk.example", address="Hauptstr. 1, Berlin",
        phone_number=PhoneNumber(country_code="+49", local_number="3012345678")))
    found = await client.compliance.search_manufacturers(shop, keyword="kinder")
    assert [m.id for m in found.manufacturers] == [mid]
    person = ResponsiblePersonInput(
        name="EU Rep", email="rep@eurep.example",
        phone_number=PhoneNumber(country_code="+353", local_number="81234567"),
        address=PersonAddress(street_address_line1="63 Cardiff Ln", postal_code="D02 HD23",
                              country="IE"))
    rid = await client.compliance.create_responsible_person(shop, person)
    people = await client.compliance.search_responsible_persons(shop, ids=[rid])
    assert people.responsible_persons[0].regional_profiles[0].name == "EU Rep"
    with pytest.raises(Permanent) as bad:
        await client.compliance.create_responsible_person(shop, person.model_copy(update={
            "address": PersonAddress(street_address_line1="1 Main St", postal_code="10001",
                                     country="US")}))
    assert bad.value.code == 38023026
