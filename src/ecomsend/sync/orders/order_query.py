"""The Orders page's list query: one SQL statement computes each order's order sync status and
its fulfillment sync status per direction, so the page can filter, sort, count and paginate
on them in the database (SQLite and PostgreSQL alike). Called by `overview.list_orders` and
`overview.status_counts`; runs in the caller's session, reads only.

Order sync status (what the badge shows):
- `cancelled`: cancelled on TikTok before it was imported (nothing to do);
- the order's `sync_state` status when it has one (`pending`, `running`, `synced`, `backoff`,
  `failed`, `review_failed`), except a stale `not_synced` on a linked order, which is `synced`;
- `synced` when linked (imported before any sync row existed, e.g. found by the idempotency
  lookup);
- `not_synced` when eligible (paid, past on-hold), `waiting` before that.
Fulfillment per direction (`to_tiktok` for seller shipping, `to_shopify` for TikTok shipping):
the direction's `sync_state` status, else `synced` when a shipment was linked that way, else
`not_synced` when the direction applies to the order, else `none` (not applicable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar, cast, get_args

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ecomsend.db.models import FulfillmentLink, OrderLink, SyncState, TikTokOrder
from ecomsend.sync import state
from ecomsend.sync.orders.mirror import (
    ELIGIBLE,
    FULFILLMENT_KIND,
    ORDER_KIND,
    STUB_STATUS,
    TO_SHOPIFY,
    TO_TIKTOK,
)

#: Every value the order sync status can take.
OrderSyncStatus = Literal["not_synced", "waiting", "pending", "running", "synced", "backoff",
                          "failed", "review_failed", "cancelled"]
#: Every value a fulfillment direction's status can take (`none`: not applicable).
#: `unfulfilled`: nothing shipped yet on the side that ships; `not_synced`: shipped there
#: (fulfilled in Shopify / shipped on TikTok) while fulfillment auto sync was off.
FulfillmentStatus = Literal["unfulfilled", "not_synced", "pending", "running", "synced",
                            "backoff", "failed", "review_failed", "none"]
UNFULFILLED = "unfulfilled"
ORDER_STATUSES: tuple[str, ...] = get_args(OrderSyncStatus)
FULFILLMENT_STATUSES: tuple[str, ...] = get_args(FulfillmentStatus)
_S = TypeVar("_S")
SortKey = Literal["created_at", "total", "order_id", "status"]
SortDir = Literal["asc", "desc"]


@dataclass(frozen=True)
class OrderFilter:
    """What the merchant filtered on; empty tuples and None mean "any"."""

    order_sync: tuple[str, ...] = ()
    fulfillment_sync: tuple[str, ...] = ()
    tiktok_status: tuple[str, ...] = ()
    created_from: datetime | None = None
    created_before: datetime | None = None
    query: str | None = None
    order_ids: tuple[str, ...] | None = None


class OrderColumns:
    """The outer-joined rows and computed status columns of one connection's orders."""

    def __init__(self, tts_pk: int) -> None:
        self.tts_pk = tts_pk
        self.link = aliased(OrderLink)
        self.order_state = aliased(SyncState)
        self.states = {d: aliased(SyncState) for d in (TO_TIKTOK, TO_SHOPIFY)}
        self.order_sync = self._order_status()
        self.fulfillment = {d: self._fulfillment_status(d) for d in (TO_TIKTOK, TO_SHOPIFY)}

    def _state_join(self, alias: Any, kind: str, direction: str) -> ColumnElement[bool]:
        return and_(alias.tiktok_shop_id == self.tts_pk, alias.kind == kind,
                    alias.entity_id == TikTokOrder.order_id, alias.direction == direction)

    def _order_status(self) -> ColumnElement[str]:
        st, link = self.order_state, self.link
        return case(
            (and_(link.id.is_(None), TikTokOrder.status == "CANCELLED",
                  or_(st.id.is_(None), st.status == state.SYNCED)), literal("cancelled")),
            (and_(st.id.is_not(None),
                  or_(link.id.is_(None), st.status != state.NOT_SYNCED)), st.status),
            (link.id.is_not(None), literal(state.SYNCED)),
            (TikTokOrder.status.in_(sorted(ELIGIBLE)), literal(state.NOT_SYNCED)),
            else_=literal("waiting"))

    def _fulfillment_status(self, direction: str) -> ColumnElement[str]:
        st = self.states[direction]
        shipped = exists().where(FulfillmentLink.tiktok_shop_id == self.tts_pk,
                                 FulfillmentLink.tiktok_order_id == TikTokOrder.order_id,
                                 FulfillmentLink.direction == direction)
        tiktok_ships = TikTokOrder.shipping_type == "TIKTOK"
        applies = tiktok_ships if direction == TO_SHOPIFY else or_(
            TikTokOrder.shipping_type.is_(None), ~tiktok_ships)
        return case(
            (st.id.is_not(None), st.status),
            (shipped, literal(state.SYNCED)),
            (applies, literal(UNFULFILLED)),
            else_=literal("none"))

    def joined(self, select_stmt: _S) -> _S:
        """`stmt` (selecting from TikTokOrder) with the link and the three sync rows joined."""
        stmt: Any = select_stmt
        stmt = stmt.outerjoin(self.link, and_(self.link.tiktok_shop_id == self.tts_pk,
                                              self.link.tiktok_order_id == TikTokOrder.order_id))
        stmt = stmt.outerjoin(self.order_state,
                              self._state_join(self.order_state, ORDER_KIND, TO_SHOPIFY))
        for direction, alias in self.states.items():
            stmt = stmt.outerjoin(alias, self._state_join(alias, FULFILLMENT_KIND, direction))
        return cast("_S", stmt)

    def where(self, f: OrderFilter) -> list[ColumnElement[bool]]:
        """The WHERE clauses of a filter (the connection's real orders only)."""
        out: list[ColumnElement[bool]] = [TikTokOrder.tiktok_shop_id == self.tts_pk,
                                          TikTokOrder.status != STUB_STATUS]
        if f.order_ids is not None:
            out.append(TikTokOrder.order_id.in_(f.order_ids))
        if f.order_sync:
            out.append(self.order_sync.in_(f.order_sync))
        if f.fulfillment_sync:
            out.append(or_(*(col.in_(f.fulfillment_sync) for col in self.fulfillment.values())))
        if f.tiktok_status:
            out.append(TikTokOrder.status.in_(f.tiktok_status))
        if f.created_from is not None:
            out.append(TikTokOrder.create_time >= f.created_from)
        if f.created_before is not None:
            out.append(TikTokOrder.create_time < f.created_before)
        if f.query:
            out.append(search_clause(f.query))
        return out

    def order_by(self, sort: SortKey, direction: SortDir) -> list[Any]:
        column: Any = {"created_at": TikTokOrder.create_time, "total": TikTokOrder.total_amount,
                       "order_id": TikTokOrder.order_id, "status": TikTokOrder.status}[sort]
        if direction == "desc":
            return [column.desc().nulls_last(), TikTokOrder.id.desc()]
        return [column.asc().nulls_last(), TikTokOrder.id.asc()]


def buyer_name() -> ColumnElement[str]:
    """The recipient's name from the stored TikTok payload (JSON path, both dialects)."""
    return cast("ColumnElement[str]",
                TikTokOrder.payload[("recipient_address", "name")].as_string())


def buyer_email() -> ColumnElement[str]:
    return cast("ColumnElement[str]", TikTokOrder.payload["buyer_email"].as_string())


def search_clause(query: str) -> ColumnElement[bool]:
    """Order id, buyer name or buyer email containing `query` (case-insensitive, literal)."""
    needle = query.strip().lower()
    return or_(TikTokOrder.order_id.contains(needle, autoescape=True),
               func.lower(buyer_name()).contains(needle, autoescape=True),
               func.lower(buyer_email()).contains(needle, autoescape=True))


def count_by(cols: OrderColumns, column: ColumnElement[str]) -> Any:
    """`SELECT column, count(*)` over the connection's orders, grouped by that column."""
    stmt = cols.joined(select(column.label("value"), func.count().label("n"))
                       .select_from(TikTokOrder))
    return stmt.where(*cols.where(OrderFilter())).group_by(column)
