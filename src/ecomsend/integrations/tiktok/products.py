"""Product calls: create, edit, partial edit, get, search, delete, (de)activate, stock, price.

Called by the product sync use-cases (DESIGN.md §4.2), which push "the cheapest call that
carries the change": inventory-only and price-only changes use their own endpoints.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from ecomsend.integrations.tiktok import endpoints as ep
from ecomsend.integrations.tiktok.context import ShopContext
from ecomsend.integrations.tiktok.envelope import raise_on_item_errors
from ecomsend.integrations.tiktok.models.common import Empty
from ecomsend.integrations.tiktok.models.products import (
    BatchResult,
    Product,
    ProductPage,
    ProductSearchFilter,
    ProductUpsert,
    ProductWriteResult,
    SkuInventoryUpdate,
    SkuPriceUpdate,
)
from ecomsend.integrations.tiktok.transport import TikTokTransport, drop_none

#: Max product ids per delete / activate / deactivate call (those docs: ≤ 20).
MAX_PRODUCT_IDS_PER_BATCH = 20
#: Max `page_size` for Search Products (doc: required, 1–100).
SEARCH_MAX_PAGE_SIZE = 100

Body = ProductUpsert | Mapping[str, Any]


def _body(product: Body) -> dict[str, Any]:
    return product.to_body() if isinstance(product, ProductUpsert) else dict(product)


def _check_batch(product_ids: Sequence[str]) -> list[str]:
    ids = [str(i) for i in product_ids]
    if not 1 <= len(ids) <= MAX_PRODUCT_IDS_PER_BATCH:
        raise ValueError(f"between 1 and {MAX_PRODUCT_IDS_PER_BATCH} product ids per call")
    return ids


class ProductsApi:
    """One typed method per product endpoint."""

    def __init__(self, transport: TikTokTransport) -> None:
        self._t = transport

    async def create_product(self, shop: ShopContext, product: Body) -> ProductWriteResult:
        """Create a listing; it then goes to audit (webhooks 5/37 or Get Product `audit`).

        An `idempotency_key` is always sent (Create Product doc: unique per shop, ≤128 chars),
        so a retry after a lost response cannot create the product twice.
        """
        body = _body(product)
        body.setdefault("idempotency_key", uuid.uuid4().hex)
        data = await self._t.call(ep.PRODUCT_CREATE, shop, body=body)
        return ProductWriteResult.model_validate(data)

    async def edit_product(self, shop: ShopContext, product_id: str,
                           product: Body) -> ProductWriteResult:
        """Full replace: omitted SKUs are deleted; price/inventory kept if omitted (Edit doc)."""
        data = await self._t.call(ep.PRODUCT_EDIT, shop, path_params={"product_id": product_id},
                                  body=_body(product))
        return ProductWriteResult.model_validate(data)

    async def partial_edit_product(self, shop: ShopContext, product_id: str,
                                   product: Body) -> ProductWriteResult:
        """Change only the top-level properties sent; a sent object/array must be complete."""
        body = _body(product)
        # Partial Edit takes the create fields minus category_id/category_version (doc).
        body.pop("category_id", None)
        body.pop("category_version", None)
        data = await self._t.call(ep.PRODUCT_PARTIAL_EDIT, shop,
                                  path_params={"product_id": product_id}, body=body)
        return ProductWriteResult.model_validate(data)

    async def get_product(self, shop: ShopContext, product_id: str, *,
                          return_under_review_version: bool | None = None,
                          locale: str | None = None) -> Product:
        """The product with status, audit, SKUs (prices read back as `sale_price`)."""
        query = drop_none({
            "return_under_review_version": None if return_under_review_version is None
            else str(return_under_review_version).lower(),
            "locale": locale})
        data = await self._t.call(ep.PRODUCT_GET, shop, path_params={"product_id": product_id},
                                  query=query)
        return Product.model_validate(data)

    async def search_products(self, shop: ShopContext, *, page_size: int = SEARCH_MAX_PAGE_SIZE,
                              page_token: str | None = None,
                              filters: ProductSearchFilter | None = None) -> ProductPage:
        """One page of products (cursor in `next_page_token`; results capped at 10,000)."""
        if not 1 <= page_size <= SEARCH_MAX_PAGE_SIZE:
            raise ValueError("page_size must be 1..100")
        query = drop_none({"page_size": page_size, "page_token": page_token})
        data = await self._t.call(ep.PRODUCT_SEARCH, shop, query=query,
                                  body=(filters or ProductSearchFilter()).to_body())
        return ProductPage.model_validate(data)

    async def _batch(self, endpoint: ep.Endpoint, shop: ShopContext,
                     product_ids: Sequence[str], what: str) -> BatchResult:
        data = await self._t.call(endpoint, shop, body={"product_ids": _check_batch(product_ids)})
        raise_on_item_errors(data, endpoint.api, what)
        return BatchResult.model_validate(data)

    async def delete_products(self, shop: ShopContext, product_ids: Sequence[str]) -> BatchResult:
        """Delete ≤20 products (DELETE with a JSON body); per-item failures raise."""
        return await self._batch(ep.PRODUCT_DELETE, shop, product_ids, "delete products")

    async def activate_products(self, shop: ShopContext,
                                product_ids: Sequence[str]) -> BatchResult:
        """Re-list ≤20 deactivated products; per-item failures raise `PartialFailure`."""
        return await self._batch(ep.PRODUCT_ACTIVATE, shop, product_ids, "activate products")

    async def deactivate_products(self, shop: ShopContext,
                                  product_ids: Sequence[str]) -> BatchResult:
        """Unlist ≤20 products; per-item failures raise `PartialFailure`."""
        return await self._batch(ep.PRODUCT_DEACTIVATE, shop, product_ids, "deactivate products")

    async def update_inventory(self, shop: ShopContext, product_id: str,
                               skus: Sequence[SkuInventoryUpdate]) -> BatchResult:
        """Set stock per SKU and warehouse (all SKUs of one product; include every warehouse).

        TikTok answers `code: 0` with `data.errors[]` for SKUs it refused (Update Inventory
        doc): those raise `PartialFailure` carrying each SKU's and warehouse's reason.
        """
        body = {"skus": [s.to_body() for s in skus]}
        data = await self._t.call(ep.INVENTORY_UPDATE, shop,
                                  path_params={"product_id": product_id}, body=body)
        raise_on_item_errors(data, ep.INVENTORY_UPDATE.api, "update inventory")
        return BatchResult.model_validate(data)

    async def update_price(self, shop: ShopContext, product_id: str,
                           skus: Sequence[SkuPriceUpdate]) -> Empty:
        """Set SKU prices; the product must be ACTIVATE and not in a promotion (Update Price
        doc, code 12019045). The response `data` is documented as empty."""
        body = {"skus": [s.to_body() for s in skus]}
        data = await self._t.call(ep.PRICE_UPDATE, shop, path_params={"product_id": product_id},
                                  body=body)
        return Empty.model_validate(data)
