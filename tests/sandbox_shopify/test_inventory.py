"""inventorySetQuantities / inventoryAdjustQuantities: @idempotent keys, changeFromQuantity
compare-and-set, userErrors with field paths and codes, and the inventory_levels webhook."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import Receiver, ShopClient

SET = """mutation InventorySet($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange
      item { id } location { id } } }
    userErrors { field message code } } }"""
ADJUST = """mutation InventoryAdjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code } } }"""


def _stocked(shop: ShopClient) -> tuple[str, str, int]:
    """(inventory item GID, location GID, available) of some stocked level."""
    level = shop.control("GET", "/inventory")["inventory_levels"][0]
    return (f"gid://shopify/InventoryItem/{level['inventory_item_id']}",
            f"gid://shopify/Location/{level['location_id']}", level["available"])


def _available(shop: ShopClient, item: str, loc: str) -> int:
    rows = shop.control("GET", "/inventory", params={"inventory_item_id": item,
                                                      "location_id": loc})["inventory_levels"]
    return int(rows[0]["available"])


def _set_vars(item: str, loc: str, qty: int, change_from: Any, key: str) -> dict[str, Any]:
    return {"key": key, "input": {"name": "available", "reason": "correction",
                                  "referenceDocumentUri": "gid://ecomsend/Sync/1",
                                  "quantities": [{"inventoryItemId": item, "locationId": loc,
                                                  "quantity": qty,
                                                  "changeFromQuantity": change_from}]}}


def test_set_applies_once_per_idempotency_key(seeded: ShopClient) -> None:
    item, loc, before = _stocked(seeded)
    key = str(uuid.uuid4())
    first = seeded.gql(SET, _set_vars(item, loc, before + 7, before, key))
    payload = first["data"]["inventorySetQuantities"]
    assert payload["userErrors"] == []
    changes = {c["name"]: c for c in payload["inventoryAdjustmentGroup"]["changes"]}
    assert changes["available"]["delta"] == 7
    assert changes["available"]["quantityAfterChange"] == before + 7
    assert _available(seeded, item, loc) == before + 7
    replay = seeded.gql(SET, _set_vars(item, loc, before + 7, before, key))
    assert replay["data"] == first["data"]  # same result, same group id
    assert _available(seeded, item, loc) == before + 7  # not applied twice


def test_same_key_with_other_input_is_a_mismatch(seeded: ShopClient) -> None:
    item, loc, before = _stocked(seeded)
    key = str(uuid.uuid4())
    seeded.gql(SET, _set_vars(item, loc, before + 1, None, key))
    other = seeded.gql(SET, _set_vars(item, loc, before + 2, None, key))
    errors = other["data"]["inventorySetQuantities"]["userErrors"]
    assert errors[0]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    assert _available(seeded, item, loc) == before + 1


def test_missing_idempotent_directive_is_refused(seeded: ShopClient) -> None:
    item, loc, before = _stocked(seeded)
    no_key = SET.replace(" @idempotent(key: $key)", "").replace(", $key: String!", "")
    variables = _set_vars(item, loc, before + 5, None, "x")
    variables.pop("key")
    body = seeded.gql(no_key, variables)
    assert body["data"]["inventorySetQuantities"] is None
    assert "@idempotent" in body["errors"][0]["message"]
    assert _available(seeded, item, loc) == before


def test_change_from_quantity_stale_and_required(seeded: ShopClient) -> None:
    item, loc, before = _stocked(seeded)
    stale = seeded.gql(SET, _set_vars(item, loc, 3, before + 100, str(uuid.uuid4())))
    err = stale["data"]["inventorySetQuantities"]["userErrors"][0]
    assert err["code"] == "CHANGE_FROM_QUANTITY_STALE"
    assert err["field"] == ["input", "quantities", "0", "changeFromQuantity"]
    assert _available(seeded, item, loc) == before
    omitted = _set_vars(item, loc, 3, None, str(uuid.uuid4()))
    del omitted["input"]["quantities"][0]["changeFromQuantity"]
    body = seeded.gql(SET, omitted)
    assert body["data"]["inventorySetQuantities"]["userErrors"][0]["field"][-1] == \
        "changeFromQuantity"
    assert _available(seeded, item, loc) == before


def test_failed_key_cannot_be_reused(seeded: ShopClient) -> None:
    item, loc, before = _stocked(seeded)
    key = str(uuid.uuid4())
    seeded.gql(SET, _set_vars(item, loc, 3, before + 100, key))
    again = seeded.gql(SET, _set_vars(item, loc, 3, before + 100, key))
    assert again["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == \
        "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"


def test_invalid_inputs_get_codes_and_paths(seeded: ShopClient) -> None:
    item, loc, _ = _stocked(seeded)
    bad = _set_vars("gid://shopify/InventoryItem/1", loc, 1, None, str(uuid.uuid4()))
    bad["input"]["reason"] = "because"
    errors = seeded.gql(SET, bad)["data"]["inventorySetQuantities"]["userErrors"]
    codes = {e["code"]: e["field"] for e in errors}
    assert codes["INVALID_REASON"] == ["input", "reason"]
    assert codes["INVALID_INVENTORY_ITEM"] == ["input", "quantities", "0", "inventoryItemId"]
    other_loc = seeded.http.post("/_sandbox/shops", json={"domain": seeded.domain,
                                                          "locations": 4}).json()
    unstocked = [lid for lid in other_loc["location_ids"] if lid != loc][-1]
    errors = seeded.gql(SET, _set_vars(item, unstocked, 1, None, str(uuid.uuid4())))
    codes2 = {e["code"] for e in errors["data"]["inventorySetQuantities"]["userErrors"]}
    assert codes2 == {"ITEM_NOT_STOCKED_AT_LOCATION"}


def test_adjust_and_webhook(seeded: ShopClient, receiver: Receiver) -> None:
    name = f"inv-{uuid.uuid4().hex[:6]}"
    sub = seeded.gql("""mutation($uri: String!) { webhookSubscriptionCreate(
        topic: INVENTORY_LEVELS_UPDATE, webhookSubscription: {uri: $uri, format: JSON}) {
        webhookSubscription { id topic uri } userErrors { field message } } }""",
                     {"uri": receiver.endpoint(name)})
    assert sub["data"]["webhookSubscriptionCreate"]["userErrors"] == []
    item, loc, before = _stocked(seeded)
    body = seeded.gql(ADJUST, {"key": str(uuid.uuid4()), "input": {
        "name": "available", "reason": "correction",
        "changes": [{"inventoryItemId": item, "locationId": loc, "delta": -2}]}})
    group = body["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    assert group["changes"][0] == {"name": "available", "delta": -2,
                                   "quantityAfterChange": before - 2}
    hook = receiver.wait_for(name, 1)[0]
    assert hook["headers"]["x-shopify-topic"] == "inventory_levels/update"
    payload = json.loads(hook["body"])
    assert payload["available"] == before - 2
    assert payload["admin_graphql_api_id"] == \
        f"gid://shopify/InventoryLevel/{loc.rsplit('/', 1)[1]}?inventory_item_id=" \
        f"{item.rsplit('/', 1)[1]}"


def test_activate_at_a_new_location(seeded: ShopClient) -> None:
    item, _, _ = _stocked(seeded)
    new_loc = seeded.http.post("/_sandbox/shops", json={"domain": seeded.domain,
                                                        "locations": 5}).json()["location_ids"][-1]
    body = seeded.gql("""mutation($i: ID!, $l: ID!) { inventoryActivate(inventoryItemId: $i,
        locationId: $l, available: 4) { inventoryLevel { id quantities(names: ["available"]) {
        quantity } } userErrors { field message } } }""", {"i": item, "l": new_loc})
    level = body["data"]["inventoryActivate"]["inventoryLevel"]
    assert level["quantities"] == [{"quantity": 4}]
    assert _available(seeded, item, new_loc) == 4
