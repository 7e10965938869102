"""The link logic without HTTP: pure proposals/suggestions, manual-sync overrides, and the
race-safe link insert on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from conftest import add_connection  # the root conftest (tests/ on path)
from ecomsend.db.models import ShopSettings
from ecomsend.db.session import Database
from ecomsend.sync.links.matching import (
    LinkPair,
    ShopifyVariantRef,
    TikTokSkuRef,
    norm_barcode,
    propose_by_sku,
    suggest_by_barcode,
    suggest_by_title,
)
from ecomsend.sync.links.overrides import effective_template, with_override
from ecomsend.sync.links.service import delete_link, insert_links, override_for
from ecomsend.sync.products.types import AttributeValueSpec, TemplateAttribute, TemplateSpec

V = ShopifyVariantRef
T = TikTokSkuRef


def test_sku_proposals_are_unambiguous_and_skip_linked() -> None:
    variants = [V("v1", "p1", "Mug", sku="MUG-1"), V("v2", "p2", "Cap", sku="cap-1"),
                V("v3", "p3", "Cap copy", sku="CAP-1"), V("v4", "p4", "Tee", sku="TEE"),
                V("v5", "p5", "No sku")]
    skus = [T("t1", "s1", "Mug", " mug-1 "), T("t2", "s2", "Cap", "CAP-1"),
            T("t3", "s3", "Tee", "TEE"), T("t4", "s4", "Other", None)]
    found = propose_by_sku(variants, skus, linked_skus={"s3"})
    assert [(p.shopify_variant_id, p.tiktok_sku_id) for p in found.pairs] == [("v1", "s1")]
    assert found.ambiguous == ["cap-1"]


def test_barcodes_match_across_upc_and_ean() -> None:
    assert norm_barcode("0012345678905") == norm_barcode("012345678905") == "12345678905"
    found = suggest_by_barcode([V("v1", "p1", "Mug", barcode="012345678905")],
                               [T("t1", "s1", "Mug", "X", barcode="0012345678905")])
    assert found.pairs[0].reason == "identical barcode"


def test_title_suggestions_rank_and_pair_single_variants() -> None:
    variants = [V("v1", "p1", "Blue ceramic coffee mug"), V("v2", "p2", "Red wool scarf"),
                V("v3", "p3", "Blue ceramic tea mug"), V("v4", "p3", "Blue ceramic tea mug")]
    found = suggest_by_title(variants, [T("t1", "s1", "Blue Ceramic Coffee Mug 350ml")])
    assert found[0].shopify_product_id == "p1" and found[0].pair is not None
    assert all(s.shopify_product_id != "p2" for s in found)
    assert all(s.pair is None for s in found if s.shopify_product_id == "p3")


def _template() -> TemplateSpec:
    return TemplateSpec(id="7", name="Mugs", region="US", category_id="100",
                        attributes=(TemplateAttribute("a1", (AttributeValueSpec(id="x"),)),
                                    TemplateAttribute("a2", (AttributeValueSpec(id="y"),))),
                        brand_id="b1", package_weight=Decimal("1"))


def test_override_on_top_of_the_template() -> None:
    base = _template()
    same = effective_template(base, {"category_id": "100", "package_weight": "2.5",
                                     "attributes": [{"id": "a2", "values": [{"id": "z"}]}]},
                              "US")
    assert same is not None and same.package_weight == Decimal("2.5")
    assert {a.attribute_id: a.values[0].id for a in same.attributes} == {"a1": "x", "a2": "z"}
    assert same.brand_id == "b1"
    other = effective_template(base, {"category_id": "200", "attributes": []}, "US")
    assert other is not None and other.category_id == "200" and other.attributes == ()
    alone = effective_template(None, {"category_id": "300", "package_weight": "1"}, "US")
    assert alone is not None and alone.category_id == "300" and alone.region == "US"
    assert effective_template(None, {"brand_id": "b"}, "US") is None
    assert effective_template(base, None, "US") is base
    stored = with_override({"price_rule": {}}, "gid://shopify/Product/1", {"brand_id": "b"})
    assert stored["overrides"] == {"gid://shopify/Product/1": {"brand_id": "b"}}
    assert with_override(stored, "gid://shopify/Product/1", None)["overrides"] == {}


async def test_concurrent_links_never_duplicate(any_db: Database) -> None:
    _, tts_id = await add_connection(any_db, "links-core.myshopify.com", "77")

    async def link(pair: LinkPair) -> tuple[int, int]:
        async with any_db.unit_of_work() as s:
            out = await insert_links(s, tts_id, [pair])
        return len(out.created), len(out.conflicts)

    same_variant = [LinkPair("v1", "p1", "tp", f"sku{i}", "manual") for i in range(4)]
    results = await asyncio.gather(*(link(p) for p in same_variant))
    assert sorted(results) == [(0, 1)] * 3 + [(1, 0)]
    same_sku = await link(LinkPair("v2", "p2", "tp", "sku0", "manual"))
    winner = await link(LinkPair("v2", "p2", "tp", "sku9", "manual"))
    assert (same_sku, winner) in {((0, 1), (1, 0)), ((1, 0), (0, 1))}
    async with any_db.unit_of_work() as s:
        out = await insert_links(s, tts_id, [LinkPair("v3", "p3", "tp", "sku5", "manual")])
        [(link_id, _)] = out.created
        assert await delete_link(s, tts_id, link_id) == ("p3", "tp")
        assert await delete_link(s, tts_id, link_id) is None
        assert await delete_link(s, tts_id + 1, link_id) is None


async def test_the_pipeline_reads_a_products_override(sqlite_db: Database) -> None:
    _, tts_id = await add_connection(sqlite_db, "override.myshopify.com", "78")
    async with sqlite_db.unit_of_work() as s:
        s.add(ShopSettings(tiktok_shop_id=tts_id, product=with_override(
            {}, "gid://shopify/Product/9", {"category_id": "300", "package_weight": "1"})))
    async with sqlite_db.sessionmaker() as s:
        found = await override_for(s, tts_id, "gid://shopify/Product/9")
        assert found == {"category_id": "300", "package_weight": "1"}
        assert await override_for(s, tts_id, "gid://shopify/Product/10") is None
        spec = effective_template(None, found, "US")
    assert spec is not None and spec.category_id == "300"
