"""The product audit: PENDING → ACTIVATE, or FAILED with reasons, after a delay.

Fires PRODUCT_STATUS_CHANGE (type 5; `product_id` a JSON number as in the doc's example) and
PRODUCT_AUDIT_STATUS_CHANGE (type 37) webhooks (reference §5.3).
"""

from __future__ import annotations

import asyncio

from ecomsend.sandbox.tiktok.core import Sandbox
from ecomsend.sandbox.tiktok.state import Product, Shop, now

#: Reason given when a failing audit has no configured reasons.
DEFAULT_FAIL_REASON = "The product information does not meet the platform's listing policy."
#: Where the failure reasons point (Get Product audit_failed_reasons[].position).
FAIL_POSITION = "PRODUCT_INFO"


def start_audit(sb: Sandbox, shop: Shop, product: Product) -> None:
    """Put the product under review and schedule the result."""
    product.status = "PENDING"
    product.audit_status = "AUDITING"
    product.audit_failed_reasons = []
    product.audit_generation += 1
    generation = product.audit_generation
    delay = shop.settings.audit_delay_s
    delay = sb.options.audit_delay_s if delay is None else delay
    sb.spawn(_run(sb, shop, product, generation, delay))


async def _run(sb: Sandbox, shop: Shop, product: Product, generation: int, delay: float) -> None:
    """Wait the audit delay, then apply the shop's (or the app's) audit outcome."""
    await asyncio.sleep(delay)
    if product.audit_generation != generation or product.status != "PENDING":
        return
    result = shop.settings.audit_result or sb.options.audit_result
    finish_audit(sb, shop, product, result, shop.settings.audit_fail_reasons)


def finish_audit(sb: Sandbox, shop: Shop, product: Product, result: str,
                 reasons: list[str]) -> None:
    """Complete the audit now with `result` ("ACTIVATE" or "FAILED") and send the webhooks."""
    product.audit_generation += 1  # cancels a scheduled result
    t = now()
    product.update_time = t
    pid = int(product.id)
    if result == "ACTIVATE":
        product.status = "ACTIVATE"
        product.audit_status = "APPROVED"
        product.audit_failed_reasons = []
        status = "PRODUCT_STATUS_CHANGED" if product.ever_approved else "PRODUCT_FIRST_PASS_REVIEW"
        product.ever_approved = True
        sb.webhooks.emit(shop, 5, {"product_id": pid, "status": status, "suspended_reason": "",
                                   "update_time": t})
        sb.webhooks.emit(shop, 37, {"product_id": pid, "audit": {"status": "APPROVED"},
                                    "update_time": t})
        return
    texts = reasons or [DEFAULT_FAIL_REASON]
    product.status = "FAILED"
    product.audit_status = "FAILED"
    product.audit_failed_reasons = [{"position": FAIL_POSITION, "reasons": texts,
                                     "suggestions": ["Edit the product and submit it again."]}]
    sb.webhooks.emit(shop, 5, {"product_id": pid, "status": "PRODUCT_AUDIT_FAILURE",
                               "suspended_reason": "; ".join(texts), "update_time": t})
    sb.webhooks.emit(shop, 37, {"product_id": pid, "audit": {"status": "FAILED"},
                                "update_time": t})
