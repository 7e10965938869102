"""The Link products page's paged lists over real HTTP: SKU proposals with both sides' titles
(paged), rejecting and restoring a suggestion, confirming a proposal and finding it in the
searchable linked list, variant search and TikTok listing search for a manual link; bad input
is a 4xx and another shop's connection or variants are a 404.

Runs on `bob` (listing prerequisites fail, so no push of ours adds TikTok listings)."""

from __future__ import annotations

from typing import Any

from ecomsend.db.session import Database

from .conftest import Tenant
from .test_links import _listing, _unique, _variants


async def _get(tenant: Tenant, path: str, **params: Any) -> dict[str, Any]:
    response = await tenant.http.get(tenant.url(path), params=params)
    assert response.status_code == 200, (path, params, response.text)
    result: dict[str, Any] = response.json()
    return result


def _pair(row: dict[str, Any]) -> dict[str, str]:
    return {k: row[k] for k in ("shopify_variant_id", "tiktok_product_id", "tiktok_sku_id")}


async def test_proposals_reject_restore_confirm_and_search(bob: Tenant, alice: Tenant,
                                                           db: Database) -> None:
    variants = await _variants(db, bob)
    first, second = [v for v in _unique(variants, "sku") if v["status"] == "ACTIVE"][-2:]
    one = await _listing(bob, seller_sku=first["sku"], title="UI proposal listing one")
    two = await _listing(bob, seller_sku=second["sku"].lower(), title="UI proposal listing two")
    ours = {one["skus"][0]["id"], two["skus"][0]["id"]}

    page = await _get(bob, "/links/proposals/sku", refresh="true", limit=100)
    rows = {r["tiktok_sku_id"]: r for r in page["items"] if r["tiktok_sku_id"] in ours}
    assert set(rows) == ours and page["listings_read"] >= 2
    row = rows[one["skus"][0]["id"]]
    assert (row["shopify_variant_id"], row["shopify_sku"], row["tiktok_seller_sku"]) == (
        first["id"], first["sku"], first["sku"])
    assert row["shopify_product_title"] == first["title"]
    assert row["tiktok_title"] == "UI proposal listing one" and row["reason"] == "identical SKU"
    single = await _get(bob, "/links/proposals/sku", limit=1, offset=1)
    assert single["total"] == page["total"] and len(single["items"]) == 1

    reject = {"items": [{"shopify_id": first["id"], "tiktok_id": one["skus"][0]["id"]}]}
    made = await bob.http.post(bob.url("/links/dismissals"), json=reject)
    assert made.status_code == 201 and made.json() == {"dismissed": 1}
    assert (await bob.http.post(bob.url("/links/dismissals"), json=reject)).json() == {
        "dismissed": 0}
    after = await _get(bob, "/links/proposals/sku", limit=100)
    assert one["skus"][0]["id"] not in {r["tiktok_sku_id"] for r in after["items"]}
    assert after["total"] == page["total"] - 1
    assert (await bob.http.delete(bob.url("/links/dismissals"))).status_code == 204
    assert (await _get(bob, "/links/proposals/sku", limit=100))["total"] == page["total"]

    linked = await bob.http.post(bob.url("/links"), json={"pairs": [_pair(rows[two["skus"][0][
        "id"]])]})
    assert linked.status_code == 201, linked.text
    found = await _get(bob, "/links/linked", q=second["sku"].upper())
    assert [x["shopify_variant_id"] for x in found["links"]] == [second["id"]]
    assert found["total"] == 1 and found["links"][0]["product_title"] == second["title"]
    assert (await _get(bob, "/links/linked", q="no such product zzz"))["total"] == 0
    everything = await _get(bob, "/links/linked", sort="product", limit=1)
    assert everything["total"] >= 1 and len(everything["links"]) == 1
    remaining = await _get(bob, "/links/proposals/sku", limit=100)
    assert two["skus"][0]["id"] not in {r["tiktok_sku_id"] for r in remaining["items"]}

    # Manual link pickers: both sides searchable, linked state shown.
    picked = await _get(bob, "/links/variants", q=second["sku"], unlinked_only="false")
    assert [v["variant_id"] for v in picked["variants"]] == [second["id"]]
    assert picked["variants"][0]["linked_tiktok_sku_id"] == two["skus"][0]["id"]
    assert (await _get(bob, "/links/variants", q=second["sku"]))["total"] == 0
    free = await _get(bob, "/links/variants", q=first["sku"])
    assert [v["variant_id"] for v in free["variants"]] == [first["id"]]
    listings = await _get(bob, "/links/listings/search", q="proposal LISTING two",
                          refresh="true")
    assert [x["product_id"] for x in listings["listings"]] == [two["id"]]
    assert listings["listings"][0]["skus"][0]["linked_variant_id"] == second["id"]
    by_sku = await _get(bob, "/links/listings/search", q=first["sku"].lower())
    assert one["id"] in {x["product_id"] for x in by_sku["listings"]}
    unlinked = await _get(bob, "/links/listings/search", q="UI proposal listing",
                          unlinked_only="true")
    assert [x["product_id"] for x in unlinked["listings"]] == [one["id"]]

    # A title suggestion for a listing named like a one-variant product, rejected at the
    # product level when it has no pair, else at the pair level; both kinds page the same way.
    titled = await _listing(bob, seller_sku="UI-TITLE-ONLY", title=first["title"])
    titles = await _get(bob, "/links/proposals/title", refresh="true", limit=100)
    hit = next(r for r in titles["items"] if r["tiktok_product_id"] == titled["id"])
    assert hit["reason"] == "similar title" and hit["tiktok_title"] == first["title"]
    key = ({"shopify_id": hit["shopify_variant_id"], "tiktok_id": hit["tiktok_sku_id"]}
           if hit["shopify_variant_id"] else
           {"shopify_id": hit["shopify_product_id"], "tiktok_id": hit["tiktok_product_id"]})
    assert (await bob.http.post(bob.url("/links/dismissals"), json={"items": [key]})
            ).status_code == 201
    again = await _get(bob, "/links/proposals/title", limit=100)
    assert hit["key"] not in {r["key"] for r in again["items"]}
    assert (await _get(bob, "/links/proposals/barcode", limit=5))["total"] >= 0

    # Another shop: neither bob's connection nor bob's variants.
    assert (await alice.http.get(bob.url("/links/linked"))).status_code == 404
    assert (await alice.http.get(bob.url("/links/proposals/sku"))).status_code == 404
    theirs = await alice.http.post(alice.url("/links/dismissals"), json=reject)
    assert theirs.status_code == 404
    assert (await alice.http.delete(bob.url("/links/dismissals"))).status_code == 404


async def test_bad_input_is_422(bob: Tenant) -> None:
    for path, params in (("/links/linked", {"limit": 0}), ("/links/linked", {"limit": "NaN"}),
                         ("/links/linked", {"offset": -1}), ("/links/linked", {"q": "a\x00"}),
                         ("/links/linked", {"sort": "evil"}),
                         ("/links/linked", {"offset": 10**20}),
                         ("/links/variants", {"q": "x" * 101}),
                         ("/links/variants", {"unlinked_only": "maybe"}),
                         ("/links/listings/search", {"limit": 1000}),
                         ("/links/proposals/bogus", {}), ("/links/proposals/sku", {"limit": -5})):
        response = await bob.http.get(bob.url(path), params=params)
        assert response.status_code == 422, (path, params, response.text)
    for body in ({"items": []}, {"items": [{"shopify_id": "", "tiktok_id": "1"}]},
                 {"items": [{"shopify_id": "gid://x\x00", "tiktok_id": "1"}]},
                 {"items": [{"shopify_id": "a", "tiktok_id": "1"}] * 501}, {"items": "x"}):
        response = await bob.http.post(bob.url("/links/dismissals"), json=body)
        assert response.status_code == 422, (body, response.text)
    assert (await bob.http.get(bob.url("/links/linked").replace(
        f"/{bob.connection_id}/", "/999999/"))).status_code == 404
