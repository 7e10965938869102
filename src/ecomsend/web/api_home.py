"""`GET /api/home`: whether the app is set up and working, in one call — the onboarding
checklist's stored steps, per TikTok connection the counts by status of products, orders and
fulfillments, its health and setup; the shop's current failures with Retry
(`POST /api/home/failures/retry`, through the sync engine). Shop readiness (a TikTok call) is
the separate `…/readiness` endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ecomsend.db.models import Shop, SyncState, TikTokShop
from ecomsend.sync.retry import error_text, retry_rows, why_not
from ecomsend.web import home_queries as hq
from ecomsend.web.activity_queries import KIND_LABELS, subjects
from ecomsend.web.api_common import ERROR_RESPONSES
from ecomsend.web.api_connections import HealthOut, health_out
from ecomsend.web.deps import DbDep, QueueDep
from ecomsend.web.session import CurrentShopDep

router = APIRouter(prefix="/api/home", tags=["home"], responses=ERROR_RESPONSES)
RECENT_FAILURES = 10


class SetupOut(BaseModel):
    active_templates: int
    default_template_active: bool
    order_auto_sync: bool
    fulfillment_auto_sync: bool


class CountsOut(BaseModel):
    #: not_synced, syncing, synced, failed, review_failed, not_listable, total
    products: dict[str, int]
    #: not_synced, waiting (not yet shippable), syncing, synced, failed, total
    orders: dict[str, int]
    #: to_tiktok, to_shopify (shipments synced), syncing, failed
    fulfillments: dict[str, int]


class ConnectionHomeOut(BaseModel):
    id: int
    tiktok_shop_id: str
    name: str | None
    region: str
    connected: bool
    health: HealthOut
    setup: SetupOut
    counts: CountsOut


class FailureOut(BaseModel):
    sync_state_id: int
    connection_id: int
    region: str
    kind: str
    kind_label: str
    status: str
    subject: str
    url: str | None
    error: str | None
    updated_at: datetime
    can_retry: bool
    retry_blocked: str | None


class ShopOut(BaseModel):
    domain: str
    name: str | None
    installed_at: datetime | None
    last_shopify_webhook_at: datetime | None


class HomeOut(BaseModel):
    shop: ShopOut
    connections: list[ConnectionHomeOut]
    recent_failures: list[FailureOut]


class FailureRetryIn(BaseModel):
    sync_state_ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(min_length=1,
                                                                        max_length=250)


class FailureRetryResult(BaseModel):
    sync_state_id: int
    retried: bool
    reason: str | None


class FailureRetryOut(BaseModel):
    retried: int
    results: list[FailureRetryResult]


async def _connection(session: AsyncSession, tts: TikTokShop) -> ConnectionHomeOut:
    setup = await hq.setup(session, tts)
    return ConnectionHomeOut(
        id=tts.id, tiktok_shop_id=tts.tiktok_shop_id, name=tts.name, region=tts.region,
        connected=tts.disconnected_at is None,
        health=health_out(await hq.health(session, tts)), setup=SetupOut(**vars(setup)),
        counts=CountsOut(products=await hq.product_counts(session, tts),
                         orders=await hq.order_counts(session, tts),
                         fulfillments=await hq.fulfillment_counts(session, tts)))


def _failure(st: SyncState, conns: dict[int, TikTokShop], subject_label: str,
             url: str | None) -> FailureOut:
    tts = conns[st.tiktok_shop_id]
    blocked = why_not(st.kind, st, tts.disconnected_at is None)
    return FailureOut(sync_state_id=st.id, connection_id=tts.id, region=tts.region,
                      kind=st.kind, kind_label=KIND_LABELS.get(st.kind, st.kind),
                      status=st.status, subject=subject_label, url=url,
                      error=error_text(st.last_error), updated_at=st.updated_at,
                      can_retry=blocked is None, retry_blocked=blocked)


@router.get("", response_model=HomeOut,
            summary="Home: setup progress, counts by status, connection health, failures")
async def home(db: DbDep, current: CurrentShopDep) -> HomeOut:
    async with db.sessionmaker() as session:
        shop = (await session.execute(select(Shop).where(Shop.id == current.id))).scalar_one()
        rows = list((await session.execute(select(TikTokShop).where(
            TikTokShop.shop_id == current.id).order_by(TikTokShop.region, TikTokShop.id)
        )).scalars())
        connections = [await _connection(session, t) for t in rows]
        failures = await hq.recent_failures(session, current.id, RECENT_FAILURES)
        labels = await subjects(session, current.id, [
            (f.tiktok_shop_id, f.kind, f.entity_id, f.direction) for f in failures])
        shop_out = ShopOut(domain=shop.domain, name=shop.name, installed_at=shop.installed_at,
                           last_shopify_webhook_at=await hq.last_shopify_webhook(
                               session, shop.domain))
    conns = {t.id: t for t in rows}
    return HomeOut(shop=shop_out, connections=sorted(connections, key=lambda c: not c.connected),
                   recent_failures=[_failure(f, conns, s.label, s.url)
                                    for f, s in zip(failures, labels, strict=True)])


@router.post("/failures/retry", response_model=FailureRetryOut,
             summary="Retry failed syncs (by sync_state id) through the sync engine")
async def retry_failures(body: FailureRetryIn, db: DbDep, queue: QueueDep,
                         current: CurrentShopDep) -> FailureRetryOut:
    ids = list(dict.fromkeys(body.sync_state_ids))
    async with db.unit_of_work() as session:
        found = {s.id: s for s in (await session.execute(select(SyncState).where(
            SyncState.id.in_(ids), SyncState.shop_id == current.id))).scalars()}
        asked = [i for i in ids if i in found]
        outcomes = dict(zip(asked, await retry_rows(
            session, queue, current.id, [(found[i].kind, found[i]) for i in asked]),
            strict=True))
    results = [FailureRetryResult(sync_state_id=i, retried=o.retried, reason=o.reason)
               if (o := outcomes.get(i)) else
               FailureRetryResult(sync_state_id=i, retried=False, reason="No such failure.")
               for i in ids]
    return FailureRetryOut(retried=sum(r.retried for r in results), results=results)
