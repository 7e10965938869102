"""Shared pieces of the connection-scoped JSON API (products, templates, links, settings).

Every page works on one TikTok connection: `/api/connections/{connection_id}/…`, where the id is
our `tiktok_shop.id`. `ConnectionDep` loads it *for the signed-in shop only*: another shop's
connection is a 404, never a 403 (tenant isolation: nothing says it exists).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Path
from pydantic import BaseModel
from sqlalchemy import select

from ecomsend.db.models import Shop, TikTokShop
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.errors import AuthInvalid, Permanent, RateLimited, TikTokError
from ecomsend.services import tiktok_context
from ecomsend.sync.errors import FieldError, SyncError, SyncPermanent, SyncRateLimited
from ecomsend.web.deps import DbDep
from ecomsend.web.session import CurrentShopDep

T = TypeVar("T")
#: The largest id a BIGINT (and SQLite INTEGER) holds: larger path ids are a 422, not a 500.
MAX_ID = 2**63 - 1


class ErrorBody(BaseModel):
    detail: str


#: Documented on every product-page route (FastAPI documents 422 by itself).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid session (cookie or App Bridge token)."},
    404: {"model": ErrorBody, "description": "Not found for the signed-in shop (another "
                                             "shop's objects are never visible)."},
}
#: TikTok codes of an id that does not exist (for this shop), from the endpoint cards'
#: error codes (reference/tiktok-api-endpoint-cards.md): category, brand, product (3 codes,
#: one "isn't listed in your account or shop"), warehouse, SKU.
TIKTOK_NOT_FOUND_CODES = frozenset({12052023, 12052026, 12019150, 12052032, 12052048, 12052260,
                                    12052097, 12052556})
#: Also on routes that call TikTok Shop.
TIKTOK_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    400: {"model": ErrorBody, "description": "TikTok Shop refused the request as wrong (a bad "
                                             "page token, an invalid value)."},
    409: {"model": ErrorBody, "description": "The TikTok connection must be reconnected."},
    502: {"model": ErrorBody, "description": "TikTok Shop is down or answered with an "
                                             "error of its own."},
    503: {"model": ErrorBody, "description": "TikTok Shop is rate limiting; retry shortly."},
}


class FieldErrorOut(BaseModel):
    """One problem a merchant can act on: which field, what is wrong, how to fix it."""

    field: str
    message: str
    fix: str | None = None


def field_errors_out(errors: Iterable[FieldError | dict[str, Any]]) -> list[FieldErrorOut]:
    out = []
    for e in errors:
        if isinstance(e, FieldError):
            out.append(FieldErrorOut(field=e.field, message=e.message, fix=e.fix))
        elif isinstance(e, dict):
            out.append(FieldErrorOut(field=str(e.get("field") or ""),
                                     message=str(e.get("message") or ""), fix=e.get("fix")))
    return out


def unprocessable(errors: Iterable[FieldError]) -> HTTPException:
    """A 422 in FastAPI's own validation shape (`detail[].loc/msg/type`) plus the fix."""
    detail = [{"loc": ["body", *e.field.split(".")], "msg": e.message, "type": "value_error",
               "fix": e.fix} for e in errors]
    return HTTPException(422, detail=detail)


async def get_connection(db: DbDep, current: CurrentShopDep,
                         connection_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> TikTokShop:
    """The signed-in shop's TikTok connection, or 404 (also for another shop's connection)."""
    async with db.sessionmaker() as session:
        row = (await session.execute(select(TikTokShop).where(
            TikTokShop.id == connection_id, TikTokShop.shop_id == current.id))).scalar_one_or_none()
    if row is None:
        raise HTTPException(404, "No such TikTok connection for this shop.")
    return row


ConnectionDep = Annotated[TikTokShop, Depends(get_connection)]


async def shop_currency(db: DbDep, shop_id: int) -> str:
    """The Shopify store currency (USD until the setup job has read it)."""
    async with db.sessionmaker() as session:
        value = (await session.execute(select(Shop.currency).where(Shop.id == shop_id))
                 ).scalar_one_or_none()
    return value or "USD"


def live_context(shop: TikTokShop) -> ShopContext:
    """The TikTok shop context of a connection, or 409 when it is disconnected (no tokens)."""
    try:
        return tiktok_context(shop)
    except PermissionError as exc:
        raise HTTPException(409, f"{exc}; reconnect it from the app.") from exc


async def tiktok_call(call: Awaitable[T]) -> T:
    """Await a TikTok client call; platform trouble becomes a 502/503/409 with plain words."""
    try:
        return await call
    except AuthInvalid as exc:
        raise HTTPException(409, "TikTok Shop no longer accepts this connection; reconnect it "
                                 f"from the app ({exc.message}).") from exc
    except RateLimited as exc:
        raise HTTPException(503, "TikTok Shop is busy; try again in a few seconds.",
                            headers={"Retry-After": str(int(exc.retry_after) + 1)}) from exc
    except Permanent as exc:  # the request was wrong, not TikTok: a 4xx for the caller
        status = 404 if exc.code in TIKTOK_NOT_FOUND_CODES else 400
        raise HTTPException(status, f"TikTok Shop refused the request: {exc.human()}") from exc
    except TikTokError as exc:
        raise HTTPException(502, f"TikTok Shop answered with an error: {exc.message}") from exc
    except PermissionError as exc:
        raise HTTPException(409, f"{exc}; reconnect it from the app.") from exc


async def sync_call(call: Awaitable[T]) -> T:
    """Await a sync use-case that calls TikTok; its `SyncError`s become 502/503/409."""
    try:
        return await call
    except SyncRateLimited as exc:
        raise HTTPException(503, "TikTok Shop is busy; try again in a few seconds.",
                            headers={"Retry-After": str(int(exc.retry_after_s) + 1)}) from exc
    except SyncPermanent as exc:
        raise HTTPException(409, str(exc)) from exc
    except SyncError as exc:
        raise HTTPException(502, f"TikTok Shop could not be reached: {exc}") from exc
