"""`/api/compliance/exports`: the customer data exports that Shopify's customers/data_request
webhook produced (`sync.compliance`), for the signed-in shop to download and hand to the buyer.
Another shop's export is a 404."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel
from sqlalchemy import select

from ecomsend.db.models import ActivityLog
from ecomsend.sync.compliance import EXPORT_KIND, EXPORT_STATUS
from ecomsend.web.api_common import ERROR_RESPONSES, MAX_ID
from ecomsend.web.deps import DbDep
from ecomsend.web.session import CurrentShopDep

router = APIRouter(prefix="/api/compliance", tags=["compliance"], responses=ERROR_RESPONSES)


class ExportSummary(BaseModel):
    id: int
    created_at: datetime
    customer_id: str | None
    message: str | None


class ExportOut(ExportSummary):
    data: dict[str, Any]


def _mine(shop_id: int) -> Any:
    return select(ActivityLog).where(ActivityLog.shop_id == shop_id,
                                     ActivityLog.kind == EXPORT_KIND,
                                     ActivityLog.status == EXPORT_STATUS)


@router.get("/exports", summary="Customer data exports (customers/data_request)")
async def list_exports(db: DbDep, current: CurrentShopDep) -> list[ExportSummary]:
    """Newest first; at most 200."""
    async with db.sessionmaker() as session:
        rows = (await session.execute(_mine(current.id).order_by(ActivityLog.id.desc())
                                      .limit(200))).scalars().all()
    return [ExportSummary(id=r.id, created_at=r.created_at, customer_id=r.entity_id,
                          message=r.message) for r in rows]


@router.get("/exports/{export_id}", summary="One customer data export, with the data")
async def get_export(db: DbDep, current: CurrentShopDep,
                     export_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> ExportOut:
    async with db.sessionmaker() as session:
        row = (await session.execute(_mine(current.id).where(ActivityLog.id == export_id))
               ).scalar_one_or_none()
    if row is None:
        raise HTTPException(404, "No such export for this shop.")
    return ExportOut(id=row.id, created_at=row.created_at, customer_id=row.entity_id,
                     message=row.message, data=json.loads(row.response_excerpt or "{}"))
