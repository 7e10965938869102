"""TikTok errors the caller caused are 4xx, not 502 (which stays for TikTok being down): an
unknown category, a bad page token, a TikTok product that is not this shop's. Over real HTTP
against both sandboxes, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from ecomsend.db.models import ShopifyVariant
from ecomsend.db.session import Database

from .conftest import Tenant


async def test_unknown_category_is_404(alice: Tenant) -> None:
    for what in ("attributes", "rules"):
        response = await alice.http.get(alice.url(f"/tiktok/categories/999999999/{what}"))
        assert response.status_code == 404, response.text
        assert "Category does not exist" in response.json()["detail"]


async def test_bad_page_token_is_400(alice: Tenant) -> None:
    response = await alice.http.get(alice.url("/links/listings"),
                                    params={"page_token": "not-a-token"})
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith("TikTok Shop refused the request")


async def test_linking_a_product_that_is_not_this_shops_is_404(alice: Tenant,
                                                               db: Database) -> None:
    async with db.sessionmaker() as session:
        variant = (await session.execute(select(ShopifyVariant.shopify_id).where(
            ShopifyVariant.shop_id == alice.shop_id).limit(1))).scalar_one()
    response = await alice.http.post(alice.url("/links"), json={"pairs": [{
        "shopify_variant_id": variant, "tiktok_product_id": "1729999999999999999",
        "tiktok_sku_id": "1729999999999999998"}]})
    assert response.status_code == 404, response.text
