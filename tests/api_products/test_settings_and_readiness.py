"""Product settings round trip (stored as `prefs_to_settings`), 422 with field errors; shop
readiness on a shop seeded with failing prerequisites; TikTok reference data cached."""

from __future__ import annotations

from sqlalchemy import select

from ecomsend.db.models import ShopSettings
from ecomsend.db.session import Database
from ecomsend.sync.products.converters import prefs_from_settings

from .conftest import Tenant


async def test_settings_round_trip(alice: Tenant, db: Database) -> None:
    current = (await alice.http.get(alice.url("/settings/product"))).json()
    assert current["store_currency"] == current["tiktok_currency"] == "USD"
    location = (current["known_locations"] or ["gid://shopify/Location/1"])[0]
    warehouses = (await alice.http.get(alice.url("/tiktok/warehouses"))).json()
    sales = next(w["id"] for w in warehouses if w["type"] == "SALES_WAREHOUSE")
    wanted = {
        "price_rule": {"markup_kind": "percent", "markup": "15", "rounding": "99",
                       "compare_at": "list_price", "exchange_rate": None},
        "inventory_rule": {"percent": "80", "reserve": 2, "out_of_stock_threshold": 1,
                           "maximum": 500},
        "warehouse_map": {location: sales},
        "default_warehouse_id": sales,
        "auto_update": ["inventory", "price"],
        "seller_type": "LOCAL",
    }
    saved = await alice.http.put(alice.url("/settings/product"), json=wanted)
    assert saved.status_code == 200, saved.text
    again = (await alice.http.get(alice.url("/settings/product"))).json()
    for key, value in wanted.items():
        assert again[key] == value, key
    async with db.sessionmaker() as s:
        stored = (await s.execute(select(ShopSettings.product).where(
            ShopSettings.tiktok_shop_id == alice.connection_id))).scalar_one()
    prefs = prefs_from_settings(stored)
    assert prefs.price_rule.markup_kind == "percent" and prefs.inventory_rule.maximum == 500
    assert prefs.location_to_warehouse == wanted["warehouse_map"]


async def test_bad_settings_are_422_with_field_errors(alice: Tenant) -> None:
    warehouses = (await alice.http.get(alice.url("/tiktok/warehouses"))).json()
    returns = next(w["id"] for w in warehouses if w["type"] == "RETURN_WAREHOUSE")
    cases = [
        ({"inventory_rule": {"percent": 150}}, ["body", "inventory_rule", "percent"]),
        ({"price_rule": {"markup_kind": "double"}}, ["body", "price_rule", "markup_kind"]),
        ({"price_rule": {"rounding": "97"}}, ["body", "price_rule", "rounding"]),
        ({"auto_update": ["colour"]}, ["body", "auto_update", 0]),
        ({"warehouse_map": {"gid://shopify/Location/1": "999"}},
         ["body", "warehouse_map", "gid://shopify/Location/1"]),
        ({"default_warehouse_id": returns}, ["body", "default_warehouse_id"]),
    ]
    for body, loc in cases:
        response = await alice.http.put(alice.url("/settings/product"), json=body)
        assert response.status_code == 422, (body, response.text)
        assert loc in [e["loc"] for e in response.json()["detail"]], response.text


async def test_readiness_reports_what_to_set_up(alice: Tenant, bob: Tenant) -> None:
    ok = (await alice.http.get(alice.url("/readiness"))).json()
    assert ok["ready"] and all(c["ok"] for c in ok["checks"])
    failing = (await bob.http.get(bob.url("/readiness"))).json()
    assert not failing["ready"]
    bad = {c["item"]: c for c in failing["checks"] if not c["ok"]}
    assert set(bad) == {"RETURN_WAREHOUSE", "SHIPPING_TEMPLATE"}
    assert all(c["reasons"] and "Seller Center" in c["how_to_fix"] for c in bad.values())
    assert "shipping template" in failing["summary"]


async def test_reference_data_is_cached(alice: Tenant) -> None:
    stack = alice.merchant.stack
    await alice.http.get(alice.url("/tiktok/categories"))
    log = f"{stack.tiktok_url}/_sandbox/requests"

    async def category_calls() -> int:
        """Calls for reference data only: background jobs (order polls, reconcile) may call
        other APIs of the shop meanwhile."""
        counts = (await alice.http.get(log, params={"shop_id": alice.tiktok_shop["shop_id"]})
                  ).json()["counts"]
        return sum(n for api, n in counts.items() if "/categories" in api)

    before = await category_calls()
    assert before >= 1
    tree = (await alice.http.get(alice.url("/tiktok/categories"),
                                 params={"keyword": "handbags", "leaves_only": True})).json()
    assert await category_calls() == before and tree["category_version"] == "v2"
    assert tree["categories"] and all(c["is_leaf"] for c in tree["categories"])
    assert all("handbags" in " ".join(c["path"]).lower() for c in tree["categories"])
    brands = (await alice.http.get(alice.url("/tiktok/brands"))).json()
    assert brands["brands"] and {"authorized", "available"} <= brands["brands"][0].keys()


async def test_tiktok_outage_is_a_502_in_plain_words(alice: Tenant) -> None:
    faults = (f"{alice.merchant.stack.tiktok_url}/_sandbox/shops/"
              f"{alice.tiktok_shop['shop_id']}/faults")
    await alice.http.put(faults, json={"error_rate": 1.0, "error_status": 503,
                                       "paths": ["/product/202309/brands"]})
    try:
        response = await alice.http.get(alice.url("/tiktok/brands"),
                                        params={"name": "outage-test"})
    finally:
        await alice.http.delete(faults)
    assert response.status_code == 502, response.text
    assert response.json()["detail"].startswith("TikTok Shop answered with an error")
