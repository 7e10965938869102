"""The Activity page's JSON API over `activity_log`: filter by kind, status, connection and
date range, text search, server-side sort and pagination; the CSV export of the current
filter (streamed, spreadsheet-formula safe); bulk Retry of failed rows through the sync
engine. Every row is the signed-in shop's (`CurrentShopDep`); another shop's ids are absent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from ecomsend.db.models import TikTokShop
from ecomsend.db.session import Database
from ecomsend.db.types import utcnow
from ecomsend.sync.retry import error_text, retry_rows, states_by_ref
from ecomsend.web import activity_queries as aq
from ecomsend.web.api_common import ERROR_RESPONSES, FieldErrorOut, field_errors_out
from ecomsend.web.deps import DbDep, QueueDep
from ecomsend.web.session import CurrentShopDep

router = APIRouter(prefix="/api/activity", tags=["activity"], responses=ERROR_RESPONSES)

#: Rows per batch while streaming the CSV export.
EXPORT_BATCH = 500
#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ["Date (UTC)", "Kind", "Status", "Direction", "TikTok region", "Subject",
              "Entity", "Message", "Error"]


class ActivityRetryStateOut(BaseModel):
    possible: bool
    #: Why Retry cannot act on this row (None when it can, or the row did not fail).
    reason: str | None


class ActivityRowOut(BaseModel):
    id: int
    created_at: datetime
    kind: str
    kind_label: str
    status: str
    status_label: str
    direction: str | None
    connection_id: int | None
    region: str | None
    entity_id: str | None
    subject: str
    #: Where the subject lives in the admin (a path of this app), if anywhere.
    url: str | None
    message: str | None
    error: str | None
    field_errors: list[FieldErrorOut]
    retry: ActivityRetryStateOut


class ActivityPageOut(BaseModel):
    items: list[ActivityRowOut]
    total: int
    page: int
    page_size: int


class ActivityRetryIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(min_length=1, max_length=250)


class ActivityRetryResultOut(BaseModel):
    id: int
    retried: bool
    reason: str | None


class ActivityRetryOut(BaseModel):
    retried: int
    skipped: int
    results: list[ActivityRetryResultOut]


KindsQuery = Annotated[list[aq.Kind] | None, Query(description="Only these kinds")]
StatusQuery = Annotated[list[aq.Status] | None, Query(description="Only these statuses")]
ConnectionQuery = Annotated[int | None, Query(ge=1, le=2**62,
                                              description="Only this TikTok connection")]
SinceQuery = Annotated[date | None, Query(description="From this day (UTC), inclusive")]
UntilQuery = Annotated[date | None, Query(description="Up to this day (UTC), inclusive")]
SearchQuery = Annotated[str | None, Query(max_length=200, description="Text in the message, "
                                          "the entity id or the product title")]


def _bad_query(field: str, message: str) -> HTTPException:
    return HTTPException(422, detail=[{"loc": ["query", field], "msg": message,
                                       "type": "value_error"}])


async def _filter(db: Database, shop_id: int, kind: Sequence[str] | None,
                  status: Sequence[str] | None,
                  connection_id: int | None, since: date | None, until: date | None,
                  q: str | None, sort: aq.SortKey = "created_at",
                  direction: aq.SortDir = "desc") -> aq.ActivityFilter:
    """The validated filter; a connection of another shop is a 404."""
    if q is not None and any(ord(c) < 32 for c in q):
        raise _bad_query("q", "The search text contains characters that cannot be searched.")
    if since is not None and until is not None and since > until:
        raise _bad_query("until", "The end date is before the start date.")
    if connection_id is not None:
        async with db.sessionmaker() as session:
            found = (await session.execute(select(TikTokShop.id).where(
                TikTokShop.id == connection_id, TikTokShop.shop_id == shop_id))).first()
        if found is None:
            raise HTTPException(404, "No such TikTok connection for this shop.")
    return aq.ActivityFilter(tuple(kind or ()), tuple(status or ()), connection_id, since,
                             until, q, sort, direction)


def _out(info: aq.RowInfo) -> ActivityRowOut:
    r = info.row
    err = r.error or {}
    return ActivityRowOut(
        id=r.id, created_at=r.created_at, kind=r.kind, kind_label=aq.KIND_LABELS.get(
            r.kind, r.kind), status=r.status, status_label=aq.STATUS_LABELS.get(
            r.status, r.status), direction=r.direction, connection_id=r.tiktok_shop_id,
        region=info.region, entity_id=r.entity_id, subject=info.subject.label,
        url=info.subject.url, message=r.message, error=error_text(r.error),
        field_errors=field_errors_out(err.get("field_errors") or []),
        retry=ActivityRetryStateOut(possible=info.can_retry, reason=info.retry_blocked))


@router.get("", response_model=ActivityPageOut,
            summary="Activity log: filter, search, sort, paginate (newest first by default)")
async def list_activity(db: DbDep, current: CurrentShopDep, kind: KindsQuery = None,
                        status: StatusQuery = None, connection_id: ConnectionQuery = None,
                        since: SinceQuery = None, until: UntilQuery = None,
                        q: SearchQuery = None, sort: aq.SortKey = "created_at",
                        direction: aq.SortDir = "desc",
                        page: Annotated[int, Query(ge=1, le=100000)] = 1,
                        page_size: Annotated[int, Query(ge=1, le=100)] = 25,
                        ) -> ActivityPageOut:
    f = await _filter(db, current.id, kind, status, connection_id, since, until, q, sort,
                      direction)
    async with db.sessionmaker() as session:
        total = await aq.count(session, current.id, f)
        rows = await aq.page(session, current.id, f, limit=page_size,
                             offset=(page - 1) * page_size)
        infos = await aq.describe(session, current.id, rows)
    return ActivityPageOut(items=[_out(i) for i in infos], total=total, page=page,
                           page_size=page_size)


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: formula-looking text gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_line(cells: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(c) for c in cells])
    return buffer.getvalue()


async def _csv_lines(db: Database, shop_id: int, f: aq.ActivityFilter) -> AsyncIterator[str]:
    """The header, then every matching row, read in batches (one short session each)."""
    yield csv_line(CSV_HEADER)
    offset = 0
    while True:
        async with db.sessionmaker() as session:
            rows = await aq.page(session, shop_id, f, limit=EXPORT_BATCH, offset=offset)
            infos = await aq.describe(session, shop_id, rows)
        for i in infos:
            r = i.row
            yield csv_line([r.created_at.isoformat(timespec="seconds"),
                            aq.KIND_LABELS.get(r.kind, r.kind),
                            aq.STATUS_LABELS.get(r.status, r.status), r.direction, i.region,
                            i.subject.label, r.entity_id, r.message, error_text(r.error)])
        if len(rows) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH


@router.get("/export", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}},
                             "description": "The rows of the filter as CSV (attachment)."}},
            summary="CSV export of the activity rows matching the filter")
async def export_activity(db: DbDep, current: CurrentShopDep, kind: KindsQuery = None,
                          status: StatusQuery = None, connection_id: ConnectionQuery = None,
                          since: SinceQuery = None, until: UntilQuery = None,
                          q: SearchQuery = None, sort: aq.SortKey = "created_at",
                          direction: aq.SortDir = "desc") -> StreamingResponse:
    f = await _filter(db, current.id, kind, status, connection_id, since, until, q, sort,
                      direction)
    name = f"activity-{utcnow():%Y%m%d-%H%M%S}.csv"
    return StreamingResponse(_csv_lines(db, current.id, f), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store"})


@router.post("/retry", response_model=ActivityRetryOut,
             summary="Retry the syncs behind failed activity rows (each row says why not)")
async def retry_activity(body: ActivityRetryIn, db: DbDep, queue: QueueDep,
                         current: CurrentShopDep) -> ActivityRetryOut:
    ids = list(dict.fromkeys(body.ids))
    async with db.unit_of_work() as session:
        rows = {r.id: r for r in await aq.by_ids(session, current.id, ids)}
        failed = [i for i in ids if i in rows and rows[i].status == "failed"]
        refs = {i: aq.entity_ref(rows[i]) for i in failed}
        states = await states_by_ref(session, [ref for ref in refs.values() if ref])
        pairs = [(rows[i].kind, states.get(ref) if (ref := refs[i]) else None) for i in failed]
        outcomes = dict(zip(failed, await retry_rows(session, queue, current.id, pairs),
                            strict=True))
    results = []
    for i in ids:
        found = outcomes.get(i)
        if found is not None:
            results.append(ActivityRetryResultOut(id=i, retried=found.retried, reason=found.reason))
        else:
            results.append(ActivityRetryResultOut(id=i, retried=False, reason=(
                "This row did not fail: nothing to retry." if i in rows
                else "No such activity row.")))
    done = sum(r.retried for r in results)
    return ActivityRetryOut(retried=done, skipped=len(results) - done, results=results)
