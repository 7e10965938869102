"""Category templates page beyond CRUD: the list (filters, sort, pages, counts), the editor's
live preview of unsaved rules and draft validation, the priority order (persisted), and bad
input / another shop's templates (4xx, never 500)."""

from __future__ import annotations

from typing import Any

from .conftest import PRODUCTS, Tenant
from .helpers import fillable_category, template_body


async def _create(tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    response = await tenant.http.post(tenant.url("/templates"), json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _cleanup(tenant: Tenant, *templates: dict[str, Any]) -> None:
    for t in templates:
        await tenant.http.delete(tenant.url(f"/templates/{t['id']}"))


async def _overview(tenant: Tenant, **params: Any) -> dict[str, Any]:
    response = await tenant.http.get(tenant.url("/templates/overview"), params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def _types(tenant: Tenant) -> list[str]:
    types: list[str] = (await tenant.http.get(tenant.url("/products/filters"))).json()[
        "product_types"]
    return types


async def _count_of_type(tenant: Tenant, ptype: str) -> int:
    total: int = (await tenant.http.get(tenant.url("/products"), params={
        "product_type": ptype, "page_size": 250})).json()["total"]
    return total


async def test_overview_counts_filters_sorts_and_pages(alice: Tenant) -> None:
    category = await fillable_category(alice)
    ptype = (await _types(alice))[0]
    by_type = await _create(alice, template_body(category, name="Zeta by type", priority=5,
                                                 selection_rules=[{"field": "product_type",
                                                                   "value": ptype}]))
    catch_all = await _create(alice, template_body(category, name="Alpha default",
                                                   is_default=True))
    try:
        page = await _overview(alice, q="by type")
        assert [r["id"] for r in page["items"]] == [by_type["id"]] and page["total"] == 1
        row = page["items"][0]
        assert row["product_count"] == await _count_of_type(alice, ptype) > 0
        assert row["category_path"][-1] == category["name"] and len(row["category_path"]) > 1
        assert row["position"] is not None and row["rule_count"] == 1
        default = (await _overview(alice, status="default"))["items"]
        assert [r["id"] for r in default] == [catch_all["id"]]
        # Nothing active: the default would take every product.
        assert default[0]["product_count"] == PRODUCTS and default[0]["position"] is None
        by_name = await _overview(alice, sort="name")
        names = [r["name"] for r in by_name["items"]]
        assert names == sorted(names, key=str.casefold)
        desc = await _overview(alice, sort="name", direction="desc")
        assert [r["name"] for r in desc["items"]] == names[::-1]
        one = await _overview(alice, page_size=1, page=2)
        assert len(one["items"]) == 1 and one["total"] == by_name["total"] >= 2
        assert one["items"][0]["id"] == by_name["items"][1]["id"] or one["items"][0]["id"] in {
            r["id"] for r in by_name["items"]}
        assert (await _overview(alice, status="active"))["total"] == 0
    finally:
        await _cleanup(alice, by_type, catch_all)


async def test_draft_preview_follows_the_rules(alice: Tenant) -> None:
    types = await _types(alice)
    url = alice.url("/templates/preview")
    nothing = (await alice.http.post(url, json={"selection_rules": []})).json()
    assert nothing["count"] == 0 and nothing["products"] == []
    one = (await alice.http.post(url, json={"selection_rules": [
        {"field": "product_type", "op": "equals", "value": types[0]}]})).json()
    assert one["count"] == await _count_of_type(alice, types[0]) > 0
    assert one["not_synced_count"] <= one["count"] and len(one["products"]) == one["count"]
    both_any = (await alice.http.post(url, json={"match_mode": "any", "selection_rules": [
        {"field": "product_type", "op": "equals", "value": types[0]},
        {"field": "product_type", "op": "equals", "value": types[1]}]})).json()
    assert both_any["count"] == one["count"] + await _count_of_type(alice, types[1])
    both_all = (await alice.http.post(url, json={"match_mode": "all", "selection_rules": [
        {"field": "product_type", "op": "equals", "value": types[0]},
        {"field": "product_type", "op": "equals", "value": types[1]}]})).json()
    assert both_all["count"] == 0
    limited = (await alice.http.post(url, json={"limit": 1, "selection_rules": [
        {"field": "product_type", "op": "equals", "value": types[0]}]})).json()
    assert limited["count"] == one["count"] and len(limited["products"]) == 1
    default = (await alice.http.post(url, json={"is_default": True})).json()
    assert default["count"] == PRODUCTS


async def test_draft_preview_of_a_saved_template_replaces_it(alice: Tenant) -> None:
    category = await fillable_category(alice)
    types = await _types(alice)
    saved = await _create(alice, template_body(category, name="Saved", selection_rules=[
        {"field": "product_type", "value": types[0]}]))
    try:
        draft = (await alice.http.post(alice.url("/templates/preview"), json={
            "template_id": saved["id"],
            "selection_rules": [{"field": "product_type", "value": types[1]}]})).json()
        assert draft["count"] == await _count_of_type(alice, types[1])
    finally:
        await _cleanup(alice, saved)


async def test_draft_validation(alice: Tenant) -> None:
    category = await fillable_category(alice)
    url = alice.url("/templates/validation")
    ok = (await alice.http.post(url, json=template_body(category))).json()
    assert ok == {"valid": True, "errors": []}
    missing = (await alice.http.post(url, json=template_body(category, attributes=[]))).json()
    assert not missing["valid"]
    assert {f"product_attributes.{a['name']}" for a in category["required"]} <= {
        e["field"] for e in missing["errors"]}
    assert all(e["fix"] for e in missing["errors"])
    metric = (await alice.http.post(url, json=template_body(
        category, package_dimensions={"length": 1, "width": 1, "height": 1, "unit": "INCH"})))
    assert metric.json()["valid"]  # the US takes inches


async def test_move_persists_the_priority_order(alice: Tenant) -> None:
    category = await fillable_category(alice)
    made = [await _create(alice, template_body(category, name=f"Order {i}", priority=i,
                                               selection_rules=[{"field": "tag",
                                                                 "value": f"x{i}"}]))
            for i in (1, 2, 3)]
    try:
        ids = [t["id"] for t in made]
        moved = await alice.http.post(alice.url(f"/templates/{ids[2]}/move"),
                                      json={"direction": "up"})
        assert moved.status_code == 200, moved.text
        mine = [t["id"] for t in moved.json() if t["id"] in ids]
        assert mine == [ids[0], ids[2], ids[1]]
        page = await _overview(alice, sort="priority", page_size=100)
        assert [r["id"] for r in page["items"] if r["id"] in ids] == [ids[0], ids[2], ids[1]]
        positions = [r["position"] for r in page["items"] if r["id"] in ids]
        assert positions == sorted(positions)
        again = await alice.http.get(alice.url(f"/templates/{ids[2]}"))
        assert again.json()["priority"] < (await alice.http.get(
            alice.url(f"/templates/{ids[1]}"))).json()["priority"]
        top = await alice.http.post(alice.url(f"/templates/{ids[0]}/move"),
                                    json={"direction": "up"})  # already first: unchanged
        assert next(t["id"] for t in top.json() if t["id"] in ids) == ids[0]
    finally:
        await _cleanup(alice, *made)


async def test_default_cannot_move(alice: Tenant) -> None:
    category = await fillable_category(alice)
    default = await _create(alice, template_body(category, name="D", is_default=True))
    try:
        response = await alice.http.post(alice.url(f"/templates/{default['id']}/move"),
                                         json={"direction": "up"})
        assert response.status_code == 409
    finally:
        await _cleanup(alice, default)


async def test_bad_input_is_4xx_never_500(alice: Tenant) -> None:
    category = await fillable_category(alice)
    bad: list[tuple[str, str, Any]] = [
        ("POST", "/templates/preview", {"selection_rules": [{"field": "price", "value": "1"}]}),
        ("POST", "/templates/preview", {"selection_rules": [{"field": "tag", "value": ""}]}),
        ("POST", "/templates/preview", {"selection_rules": [{"field": "tag",
                                                             "value": "a\u0000b"}]}),
        ("POST", "/templates/preview", {"priority": 10**12}),
        ("POST", "/templates/preview", {"limit": "NaN"}),
        ("POST", "/templates/preview", {"template_id": 0}),
        ("POST", "/templates/preview", "not an object"),
        ("POST", "/templates/validation", template_body(category, package_weight="NaN")),
        ("POST", "/templates/validation", template_body(category, name="x\u0000")),
        ("POST", "/templates/validation", template_body(category, package_weight="1e400")),
        ("POST", "/templates", template_body(category, name="nul\u0000")),
        ("POST", "/templates/1/move", {"direction": "left"}),
        ("POST", "/templates/abc/move", {"direction": "up"}),
        ("GET", "/templates/overview?page=0", None),
        ("GET", "/templates/overview?page_size=1000", None),
        ("GET", "/templates/overview?sort=evil", None),
        ("GET", "/templates/overview?page=NaN", None),
        ("GET", "/tiktok/categories?parent_id=abc", None),
        ("GET", f"/templates/{2**70}", None),
        ("POST", f"/templates/{2**70}/move", {"direction": "up"}),
        ("GET", "/tiktok/categories/abc%00/attributes", None),
    ]
    for method, path, body in bad:
        response = await alice.http.request(method, alice.url(path), json=body)
        assert response.status_code == 422, (path, body, response.status_code, response.text)
    huge = await alice.http.post(alice.url("/templates/preview"), json={
        "template_id": 2**62, "selection_rules": []})
    assert huge.status_code in (404, 422), huge.text


async def test_another_shops_template_is_404(alice: Tenant, bob: Tenant) -> None:
    category = await fillable_category(bob)
    theirs = await _create(bob, template_body(category, name="Bob's secret"))
    try:
        preview = await alice.http.post(alice.url("/templates/preview"),
                                        json={"template_id": theirs["id"]})
        assert preview.status_code == 404
        move = await alice.http.post(alice.url(f"/templates/{theirs['id']}/move"),
                                     json={"direction": "down"})
        assert move.status_code == 404
        page = await _overview(alice, q="Bob's secret")
        assert page["total"] == 0
        other = await alice.http.get(
            f"{alice.merchant.stack.app_url}/api/connections/{bob.connection_id}"
            "/templates/overview")
        assert other.status_code == 404
    finally:
        await _cleanup(bob, theirs)


async def test_region_and_category_browsing(alice: Tenant) -> None:
    region = (await alice.http.get(alice.url("/tiktok/region"))).json()
    assert region["code"] == "US" and "POUND" in region["weight_units"]
    assert "INCH" in region["dimension_units"]
    roots = (await alice.http.get(alice.url("/tiktok/categories"),
                                  params={"parent_id": "0"})).json()["categories"]
    assert roots and all(len(c["path"]) == 1 and not c["is_leaf"] for c in roots)
    children = (await alice.http.get(alice.url("/tiktok/categories"),
                                     params={"parent_id": roots[0]["id"]})).json()["categories"]
    assert children and all(c["parent_id"] == roots[0]["id"] for c in children)
    few = (await alice.http.get(alice.url("/tiktok/categories"),
                                params={"leaves_only": True, "limit": 3})).json()
    assert len(few["categories"]) == 3 and all(c["is_leaf"] for c in few["categories"])
