"""The store's customers, as `orderCreate`'s `customer` input finds, updates or creates them.

`OrderCreateCustomerInput` is `@oneOf` (admin-2026-10.graphql): `toAssociate` names an existing
customer by id; `toUpsert` updates the customer its `id` names, else the one with its `email`
("If no `id` is provided, this is used to uniquely identify the customer"), else (our reading:
phones are unique per customer too, per the same input's `phone` doc) the one with its phone,
and creates one when none matches. Only the fields given are changed.
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify.resolvers.base import Ctx, user_error
from ecomsend.sandbox.shopify.util import parse_gid

#: The input fields `toUpsert` copies onto the customer, by their stored names.
UPSERT_FIELDS = {"email": "email", "firstName": "first_name", "lastName": "last_name",
                 "phone": "phone", "note": "note"}


def _match(customers: dict[int, dict[str, Any]], data: dict[str, Any]) -> dict[str, Any] | None:
    cid = parse_gid(data.get("id"), "Customer") if data.get("id") else None
    if cid is not None:
        return customers.get(cid)
    email = (data.get("email") or "").strip().lower()
    phone = (data.get("phone") or "").strip()
    for customer in customers.values():
        if email and (customer.get("email") or "").lower() == email:
            return customer
        if phone and not email and customer.get("phone") == phone:
            return customer
    return None


#: (customer or None, userError or None)
Outcome = tuple[dict[str, Any] | None, dict[str, Any] | None]


def order_customer(ctx: Ctx, inp: dict[str, Any]) -> Outcome:
    """The customer an order input names (found, updated or created in the shop; None when it
    names none), or the userError that refuses it. Called by `order_input.build_order`."""
    given = inp.get("customer") or {}
    path = ["order", "customer"]
    if len([k for k, v in given.items() if v]) > 1:
        return None, user_error(path, "Only one of toAssociate or toUpsert may be given",
                                "INVALID")
    if given.get("toAssociate"):
        cid = parse_gid(given["toAssociate"].get("id"), "Customer")
        found = ctx.shop.customers.get(cid or 0)
        if found is None:
            return None, user_error([*path, "toAssociate", "id"], "Customer does not exist",
                                    "INVALID")
        return found, None
    data = given.get("toUpsert")
    if not data:
        return None, None
    customer = _match(ctx.shop.customers, data)
    if customer is None:
        if data.get("id"):
            return None, user_error([*path, "toUpsert", "id"], "Customer does not exist",
                                    "INVALID")
        customer = {"id": ctx.sandbox.next_id()}
        ctx.shop.customers[customer["id"]] = customer
    for field_name, stored in UPSERT_FIELDS.items():
        if data.get(field_name):
            customer[stored] = data[field_name]
    return customer, None
