"""Shop readiness: TikTok's listing prerequisites, and what to set up in Seller Center.

TikTok refuses every Create Product until the shop passes `GET /product/202312/prerequisites`
(warehouses, return warehouse, shipping template, tax information…). This endpoint asks on each
call (no cache: the merchant re-checks right after fixing Seller Center), through the listing
pipeline's `shop_readiness` use-case.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ecomsend.sync.listing.commands import shop_readiness
from ecomsend.web.api_common import TIKTOK_RESPONSES, ConnectionDep, sync_call
from ecomsend.web.deps import ServicesDep

router = APIRouter(prefix="/api/connections/{connection_id}", tags=["readiness"],
                   responses=TIKTOK_RESPONSES)

#: check_item → what the merchant sees as its name.
LABELS: dict[str, str] = {
    "SHOP_STATUS": "Shop status", "SHOP_TAX": "Tax information",
    "PICKUP_WAREHOUSE": "Pickup (sales) warehouse", "RETURN_WAREHOUSE": "Return warehouse",
    "DELIVERY_OPTION": "Delivery option", "SHIPPING_TEMPLATE": "Shipping template",
}


class CheckOut(BaseModel):
    item: str
    label: str
    ok: bool
    reasons: list[str]
    how_to_fix: str | None


class ReadinessOut(BaseModel):
    ready: bool
    region: str
    summary: str
    checks: list[CheckOut]


@router.get("/readiness", response_model=ReadinessOut,
            summary="Can this TikTok shop list products? What to set up in Seller Center")
async def readiness(connection: ConnectionDep, services: ServicesDep) -> ReadinessOut:
    found = await sync_call(shop_readiness(services, connection))
    checks = [CheckOut(item=i.check, label=LABELS.get(i.check, i.check.replace("_", " ")
                                                      .capitalize()),
                       ok=i.ok, reasons=list(i.reasons), how_to_fix=i.fix) for i in found.items]
    failing = [c for c in checks if not c.ok]
    summary = ("Ready: TikTok accepts new listings from this shop." if not failing else
               f"Not ready: set up {', '.join(c.label.lower() for c in failing)} in TikTok "
               "Seller Center, then check again.")
    return ReadinessOut(ready=found.ready, region=connection.region, summary=summary,
                        checks=checks)
