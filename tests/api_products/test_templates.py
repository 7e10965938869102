"""Category templates page: CRUD, validation against the category, preview, activation with
auto-sync of Not-synced products, one default per connection; 404 and 422."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select

from ecomsend.db.models import SyncState
from ecomsend.db.session import Database
from ecomsend.demo.stack import LocalStack
from ecomsend.jobs.runtime import build_queue
from ecomsend.jobs.tasks import build_registry
from ecomsend.sync import bulk_mark, state
from ecomsend.sync.listing import commands

from .conftest import PRODUCTS, Tenant, _tenant
from .helpers import fillable_category, product_ids, template_body


async def _create(tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    response = await tenant.http.post(tenant.url("/templates"), json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_crud_and_default(alice: Tenant) -> None:
    category = await fillable_category(alice)
    first = await _create(alice, template_body(category, name="First", is_default=True))
    assert first["region"] == "US" and first["active"] is False and first["is_default"]
    second = await _create(alice, template_body(category, name="Second"))
    made = (await alice.http.post(alice.url(f"/templates/{second['id']}/default"))).json()
    assert made["is_default"]
    listed = {t["id"]: t for t in (await alice.http.get(alice.url("/templates"))).json()}
    assert not listed[first["id"]]["is_default"] and listed[second["id"]]["is_default"]
    preview = (await alice.http.get(alice.url(f"/templates/{second['id']}/preview"))).json()
    if not any(t["active"] for t in listed.values()):  # the default catches every product
        assert preview["count"] == PRODUCTS
    updated = await alice.http.put(alice.url(f"/templates/{first['id']}"), json=template_body(
        category, name="Renamed", priority=3,
        selection_rules=[{"field": "tag", "op": "contains", "value": "sale"}]))
    assert updated.status_code == 200 and updated.json()["name"] == "Renamed"
    assert (await alice.http.get(alice.url(f"/templates/{first['id']}"))).json()[
        "selection_rules"][0]["value"] == "sale"
    for tid in (first["id"], second["id"]):
        assert (await alice.http.delete(alice.url(f"/templates/{tid}"))).status_code == 204
    assert (await alice.http.get(alice.url(f"/templates/{first['id']}"))).status_code == 404


async def test_validation_against_the_category(alice: Tenant) -> None:
    category = await fillable_category(alice)
    incomplete = await _create(alice, template_body(category, name="Missing attrs",
                                                    attributes=[]))
    report = (await alice.http.get(alice.url(f"/templates/{incomplete['id']}/validation"))
              ).json()
    assert not report["valid"]
    missing = {e["field"] for e in report["errors"]}
    assert {f"product_attributes.{a['name']}" for a in category["required"]} <= missing
    refused = await alice.http.post(alice.url(f"/templates/{incomplete['id']}/activate"))
    assert refused.status_code == 422
    assert any("product_attributes" in ".".join(map(str, e["loc"]))
               for e in refused.json()["detail"])
    not_leaf = await _create(alice, template_body(category, name="Root", category_id="800000",
                                                  attributes=[]))
    report = (await alice.http.get(alice.url(f"/templates/{not_leaf['id']}/validation"))).json()
    assert report["errors"][0]["field"] == "category_id"
    complete = await _create(alice, template_body(category, name="Complete"))
    ok = (await alice.http.get(alice.url(f"/templates/{complete['id']}/validation"))).json()
    assert ok == {"valid": True, "errors": []}
    for t in (incomplete, not_leaf, complete):
        await alice.http.delete(alice.url(f"/templates/{t['id']}"))


async def test_preview_then_activate_queues_not_synced_products(alice: Tenant,
                                                                db: Database) -> None:
    category = await fillable_category(alice)
    ptype = (await alice.http.get(alice.url("/products/filters"))).json()["product_types"][-1]
    expected = (await alice.http.get(alice.url("/products"), params={
        "product_type": ptype, "page_size": 250})).json()
    template = await _create(alice, template_body(category, name=f"All {ptype}", selection_rules=[
        {"field": "product_type", "op": "equals", "value": ptype.upper()}]))
    preview = (await alice.http.get(alice.url(f"/templates/{template['id']}/preview"))).json()
    assert preview["count"] == expected["total"] > 0
    assert {p["id"] for p in preview["products"]} == {i["id"] for i in expected["items"]}
    activated = await alice.http.post(alice.url(f"/templates/{template['id']}/activate"))
    assert activated.status_code == 200, activated.text
    body = activated.json()
    assert body["template"]["active"] and body["queued"] == preview["not_synced_count"]
    gids = {p["shopify_id"] for p in preview["products"]}
    async with db.sessionmaker() as s:
        touched = set((await s.execute(select(SyncState.entity_id).where(
            SyncState.tiktok_shop_id == alice.connection_id, SyncState.kind == "product",
            SyncState.entity_id.in_(gids)))).scalars())
    assert len(touched) >= body["queued"] > 0
    off = (await alice.http.post(alice.url(f"/templates/{template['id']}/deactivate"))).json()
    assert off["active"] is False


async def test_another_shops_templates_are_404(alice: Tenant, bob: Tenant) -> None:
    category = await fillable_category(bob)
    theirs = await _create(bob, template_body(category, name="Bob's"))
    tid = theirs["id"]
    for method, path, body in (
            ("GET", f"/templates/{tid}", None), ("DELETE", f"/templates/{tid}", None),
            ("PUT", f"/templates/{tid}", template_body(category)),
            ("POST", f"/templates/{tid}/activate", None),
            ("POST", f"/templates/{tid}/deactivate", None),
            ("POST", f"/templates/{tid}/default", None),
            ("GET", f"/templates/{tid}/preview", None),
            ("GET", f"/templates/{tid}/validation", None)):
        response = await alice.http.request(method, alice.url(path), json=body)
        assert response.status_code == 404, (path, response.text)
    assert (await bob.http.get(bob.url(f"/templates/{tid}"))).json()["name"] == "Bob's"
    assert tid not in {t["id"] for t in (await alice.http.get(alice.url("/templates"))).json()}


async def test_bad_templates_are_422(alice: Tenant, db: Database) -> None:
    category = await fillable_category(alice)
    cases = [
        (template_body(category, name=""), "name"),
        (template_body(category, package_weight="-1"), "package_weight"),
        (template_body(category, match_mode="some"), "match_mode"),
        (template_body(category, selection_rules=[{"field": "colour", "value": "x"}]), "field"),
        (template_body(category, package_dimensions={"length": 0, "width": 1, "height": 1}),
         "length"),
        (template_body(category, package_dimensions={"length": 1, "width": 1, "height": 1,
                                                      "unit": "FOOT"}), "unit"),
    ]
    for body, field in cases:
        response = await alice.http.post(alice.url("/templates"), json=body)
        assert response.status_code == 422, (field, response.text)
        assert any(field in err["loc"] for err in response.json()["detail"]), response.text
    assert (await alice.http.get(alice.url("/templates/0"))).status_code == 422
    assert len(await product_ids(db, alice)) > 0


async def test_activation_marks_in_batches_with_running_backlog_positions(
        db: Database, stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """`commands.activate_template` marks bulk_mark.MARK_BATCH products per write transaction
    (SQLite's write lock is released between them), the backlog positions (priorities and
    lanes) running on across batches, and every product it reports is marked once. A shop of
    its own: the listing it starts must not change the other tests' shared catalogs."""
    alice = await _tenant(stack, db, "dana-batched-api.myshopify.com", seed=14)
    try:
        await _activate_in_batches(alice, db, stack, monkeypatch)
    finally:
        await alice.merchant.close()


async def _activate_in_batches(alice: Tenant, db: Database, stack: LocalStack,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    category = await fillable_category(alice)
    template = await _create(alice, template_body(category, name="Batched", is_default=True))
    marks: list[tuple[int, int | None]] = []
    real_mark = state.mark_changed

    async def spy(session: Any, queue: Any, key: state.EntityKey, *,
                  backlog: int | None = None) -> int:
        marks.append((id(session), backlog))
        return await real_mark(session, queue, key, backlog=backlog)

    monkeypatch.setattr(bulk_mark, "MARK_BATCH", 3)
    monkeypatch.setattr(state, "mark_changed", spy)
    queue = build_queue(stack.settings, db, build_registry())
    try:
        marked = await commands.activate_template(db, queue, template["id"])
    finally:
        await queue.close()
    assert marked >= 4, "too few products to make two batches"
    assert [backlog for _, backlog in marks] == list(range(marked))
    sessions = [session for session, _ in marks]
    runs = [len(list(group)) for _, group in itertools.groupby(sessions)]
    assert runs == [3] * (marked // 3) + ([marked % 3] if marked % 3 else []), runs
    listed = (await alice.http.get(alice.url(f"/templates/{template['id']}"))).json()
    assert listed["active"] is True
