"""Refund operations of `ShopifyClient`: `refundCreate` and an order's refunds.

A mixin so `client.py` stays small; it needs only the client's `_gql` transport. Called by the
return sync (`sync.returns.to_shopify`). `refundCreate` carries `@idempotent(key:)`, required
from 2026-04 (schema description): the same key and input return the first refund, so a resend
after a lost answer is safe and the transport may retry it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ecomsend.integrations.shopify.parsing import parse_datetime
from ecomsend.integrations.shopify.responses import mutation_payload
from ecomsend.integrations.shopify.transport import GraphQLTransport


@dataclass(frozen=True, slots=True)
class Refund:
    """A refund of an order (id, note, when, how much in shop currency)."""

    id: str
    note: str | None
    created_at: datetime | None
    amount: Decimal
    currency: str | None


def parse_refund(data: Mapping[str, Any]) -> Refund:
    """A Refund node as selected by RefundCreate / OrderRefunds."""
    money = ((data.get("totalRefundedSet") or {}).get("shopMoney") or {})
    return Refund(id=str(data["id"]), note=data.get("note"),
                  created_at=parse_datetime(data.get("createdAt")),
                  amount=Decimal(str(money.get("amount") or "0")),
                  currency=money.get("currencyCode"))


class RefundOperations:
    """refundCreate and Order.refunds."""

    _gql: GraphQLTransport

    async def create_refund(self, refund: Mapping[str, Any], *, idempotency_key: str) -> Refund:
        """`refundCreate` with a `RefundInput` under `@idempotent(key:)`; user errors raise."""
        data = await self._gql.execute("RefundCreate", {"input": dict(refund),
                                                        "key": idempotency_key})
        payload = mutation_payload(data, "refundCreate")
        return parse_refund(payload["refund"])

    async def order_refunds(self, order_id: str) -> list[Refund] | None:
        """The refunds of an order, oldest first; None when the order is unknown."""
        data = await self._gql.execute("OrderRefunds", {"id": order_id})
        node = data.get("order")
        if node is None:
            return None
        return [parse_refund(r) for r in node.get("refunds") or ()]
