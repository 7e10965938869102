"""The refund sync handler (kind `refund`, TikTok → Shopify): a TikTok return whose refund was
approved becomes one Shopify refund (`refundCreate`), exactly once.

Exactly once: the engine's lease lets one worker push a return at a time; the refund is sent
under `@idempotent(key:)` with a key derived from the connection and the return id, so a resend
after a crash or a lost answer returns the refund Shopify already made; before sending, the
order's refunds are read and one whose note names this return is taken as done (this also
covers an idempotency key Shopify no longer remembers); the refund id is committed on the
`after_sale` row, after which the handler does nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from ecomsend.db.models import AfterSale, OrderLink, ProductLink, TikTokOrder
from ecomsend.integrations.shopify.client import ShopifyClient
from ecomsend.integrations.shopify.refunds import Refund
from ecomsend.sync.errors import PushResult, SyncPermanent
from ecomsend.sync.orders import settings as settings_mod
from ecomsend.sync.orders.context import load_connection, order_gid, variant_gid
from ecomsend.sync.orders.errors import platform_errors
from ecomsend.sync.returns import mapping
from ecomsend.sync.returns.mirror import REFUNDED, RETURN

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ecomsend.jobs.registry import TaskContext
    from ecomsend.sync.state import Lease


async def _unit_skus(session: AsyncSession, tts_pk: int, row: AfterSale) -> list[str]:
    """TikTok sku_id of each refunded unit: from the return's lines, else the order mirror."""
    returned = {str(li.get("order_line_item_id")): str(li.get("sku_id") or "")
                for li in row.payload.get("return_line_items") or []}
    order = (await session.execute(select(TikTokOrder.payload).where(
        TikTokOrder.tiktok_shop_id == tts_pk, TikTokOrder.order_id == row.order_id))
    ).scalar_one_or_none() or {}
    sku_of = {str(li.get("id")): str(li.get("sku_id")) for li in order.get("line_items") or []}
    return [returned.get(i) or sku_of.get(i, "") for i in row.line_item_ids]


async def _variants(session: AsyncSession, tts_pk: int, skus: list[str]) -> dict[str, str]:
    rows = await session.execute(select(ProductLink.tiktok_sku_id, ProductLink.shopify_variant_id)
                                 .where(ProductLink.tiktok_shop_id == tts_pk,
                                        ProductLink.tiktok_sku_id.in_(set(skus))))
    return {sku: variant_gid(variant) for sku, variant in rows.all()}


async def _save(ctx: TaskContext, row_id: int, refund: Refund) -> None:
    async with ctx.db.unit_of_work() as session:
        row = await session.get(AfterSale, row_id)
        if row is not None and row.shopify_refund_id is None:
            row.shopify_refund_id = refund.id


async def _find_ours(client: ShopifyClient, order_id: str, return_id: str) -> Refund | None:
    refunds = await client.order_refunds(order_id)
    if refunds is None:
        raise SyncPermanent(f"The Shopify order {order_id} no longer exists.")
    return next((r for r in refunds if mapping.is_ours(r.note, return_id)), None)


async def sync_refund_to_shopify(ctx: TaskContext, lease: Lease) -> PushResult:
    """Handler for (`refund`, `to_shopify`)."""
    async with ctx.db.sessionmaker() as session:
        tts, shop = await load_connection(session, lease.key.tiktok_shop_id)
        row = (await session.execute(select(AfterSale).where(
            AfterSale.tiktok_shop_id == tts.id, AfterSale.kind == RETURN,
            AfterSale.external_id == lease.key.entity_id))).scalar_one_or_none()
        if row is None:
            raise SyncPermanent(f"TikTok return {lease.key.entity_id} is not known yet.")
        if row.shopify_refund_id:
            return PushResult(details={"shopify_refund_id": row.shopify_refund_id})
        if row.status not in REFUNDED:
            return PushResult(details={"skipped": f"the return is {row.status}"})
        link = (await session.execute(select(OrderLink).where(
            OrderLink.tiktok_shop_id == tts.id, OrderLink.tiktok_order_id == row.order_id))
        ).scalar_one_or_none()
        if link is None:
            return PushResult(details={"skipped": "the TikTok order is not in Shopify"})
        prefs = await settings_mod.load(session, tts.id)
        skus = await _unit_skus(session, tts.id, row)
        variants = await _variants(session, tts.id, skus)
    client = ctx.need_services().shopify(shop)
    ret = mapping.ReturnToRefund(row.external_id, row.request_type, row.reason_text,
                                 row.currency, row.refund_total, skus)
    gid = order_gid(link.shopify_order_id)
    async with platform_errors("Refunding the Shopify order"):
        refund = await _find_ours(client, gid, row.external_id)
        if refund is None:
            order = await client.order(gid)
            if order is None:
                raise SyncPermanent(f"The Shopify order {gid} no longer exists.")
            try:
                body = mapping.build_refund_input(ret, order, variants,
                                                  prefs.order.restock_on_refund)
            except mapping.UnmappedLines as exc:
                raise SyncPermanent(
                    f"TikTok SKU(s) {exc} of this return are not on the Shopify order "
                    f"{link.shopify_order_name or gid}: refund them in Shopify by hand.") from exc
            refund = await client.create_refund(
                body, idempotency_key=mapping.idempotency_key(tts.id, row.external_id))
    await _save(ctx, row.id, refund)
    return PushResult(api_calls=3, details={"shopify_refund_id": refund.id,
                                            "amount": str(refund.amount)})
