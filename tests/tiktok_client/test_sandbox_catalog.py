"""Client against the TikTok sandbox over real HTTP: OAuth, shops, reference data, uploads,
Event API subscriptions."""

from __future__ import annotations

import struct
import time
import zlib
from typing import Any

import pytest

from ecomsend.integrations.tiktok import (
    AuthInvalid,
    Permanent,
    ShopContext,
    TikTokClient,
    TokenSet,
)

from .conftest import Control, Persisted, connect_shop

Shop = tuple[ShopContext, dict[str, Any]]


def png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size (MAIN_IMAGE must be 300–4000 px per side)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


async def test_oauth_code_exchange_and_authorized_shops(client: TikTokClient,
                                                        control: Control) -> None:
    shop, view = await connect_shop(client, control, "GB")
    assert shop.cipher == view["cipher"] and shop.region == "GB"
    # `*_expire_in` are absolute Unix timestamps (7-day access token by default), not durations.
    now = time.time()
    assert now + 6 * 86400 < shop.tokens.access_token_expires_at < now + 8 * 86400
    assert shop.tokens.refresh_token_expires_at > shop.tokens.access_token_expires_at
    # A used auth code is single use (Get access token doc).
    with pytest.raises(Permanent):
        await client.auth.get_access_token(view["auth_code"])


async def test_refresh_gives_both_new_tokens(client: TikTokClient, us_shop: Shop) -> None:
    shop, _ = us_shop
    fresh = TokenSet.from_response(await client.auth.refresh_access_token(
        shop.tokens.refresh_token))
    assert fresh.access_token != shop.tokens.access_token
    assert fresh.refresh_token
    # The new access token works.
    shop.tokens = fresh
    assert (await client.logistics.get_warehouses(shop)).warehouses


async def test_bad_refresh_token_is_auth_invalid_or_permanent(client: TikTokClient) -> None:
    with pytest.raises(Permanent):
        await client.auth.refresh_access_token("not-a-refresh-token")


async def test_categories_attributes_rules_brands(client: TikTokClient, us_shop: Shop) -> None:
    shop, _ = us_shop
    tree = await client.categories.get_categories(shop)  # US → v2 tree
    leaves = [c for c in tree.categories if c.is_leaf]
    assert leaves
    leaf = leaves[0].id
    attrs = await client.categories.get_category_attributes(shop, leaf)
    assert attrs.attributes
    assert any(a.type == "PRODUCT_PROPERTY" for a in attrs.attributes)
    rules = await client.categories.get_category_rules(shop, leaf)
    assert rules.package_dimension is not None
    brands = await client.categories.get_brands(shop, page_size=5, category_id=leaf)
    assert len(brands.brands) <= 5
    if brands.has_more:
        nxt = await client.categories.get_brands(shop, page_size=5, category_id=leaf,
                                                 page_token=brands.next_page_token)
        assert {b.id for b in nxt.brands}.isdisjoint({b.id for b in brands.brands})


async def test_wrong_category_version_is_a_readable_permanent_error(
        client: TikTokClient, us_shop: Shop) -> None:
    shop, _ = us_shop
    with pytest.raises(Permanent) as info:
        await client.categories.get_categories(shop, category_version="v1")
    assert "v2" in info.value.human()


async def test_prerequisites_ok_and_failing(client: TikTokClient, control: Control) -> None:
    ok_shop, _ = await connect_shop(client, control, "DE")
    assert not (await client.categories.get_listing_prerequisites(ok_shop)).failed
    bad_shop, _ = await connect_shop(client, control, "FR", prerequisites_ok=False)
    failed = (await client.categories.get_listing_prerequisites(bad_shop)).failed
    assert {c.check_item for c in failed} >= {"RETURN_WAREHOUSE"}
    assert all(c.fail_reasons for c in failed)


async def test_warehouses_delivery_options_shipping_providers(client: TikTokClient,
                                                              us_shop: Shop) -> None:
    shop, view = us_shop
    warehouses = (await client.logistics.get_warehouses(shop)).warehouses
    sales = [w for w in warehouses if w.is_sales]
    assert {w.id for w in warehouses} == {w["id"] for w in view["warehouses"]}
    options = await client.logistics.get_warehouse_delivery_options(shop, sales[0].id)
    assert options.delivery_options
    providers = await client.logistics.get_shipping_providers(shop,
                                                              options.delivery_options[0].id)
    assert providers.shipping_providers and providers.shipping_providers[0].name


async def test_image_upload_multipart(client: TikTokClient, us_shop: Shop) -> None:
    shop, _ = us_shop
    image = await client.categories.upload_image(shop, png(320, 320), filename="a.png",
                                                 mime_type="image/png", use_case="MAIN_IMAGE")
    assert image.uri and image.width == 320
    with pytest.raises(Permanent) as info:
        await client.categories.upload_image(shop, png(10, 10), filename="tiny.png",
                                             mime_type="image/png")
    assert "300" in info.value.message


async def test_event_api_webhook_subscriptions(client: TikTokClient, us_shop: Shop) -> None:
    shop, _ = us_shop
    await client.events.update_webhook(shop, event_type="ORDER_STATUS_CHANGE",
                                       address="https://hooks.example.com/tiktok")
    subs = await client.events.get_webhooks(shop)
    assert any(s.event_type == "ORDER_STATUS_CHANGE" and
               s.address == "https://hooks.example.com/tiktok" for s in subs.webhooks)
    await client.events.delete_webhook(shop, event_type="ORDER_STATUS_CHANGE")
    subs = await client.events.get_webhooks(shop)
    assert not any(s.event_type == "ORDER_STATUS_CHANGE" for s in subs.webhooks)


async def test_token_for_another_shop_is_rejected(client: TikTokClient, control: Control,
                                                  persisted: Persisted) -> None:
    a, _ = await connect_shop(client, control, "US")
    b, _ = await connect_shop(client, control, "US")
    mixed = ShopContext(tokens=a.tokens, shop_id=b.shop_id, cipher=b.cipher, region="US")
    with pytest.raises((AuthInvalid, Permanent)):
        await client.logistics.get_warehouses(mixed)
    assert persisted.calls == []
