"""WebhookSubscription; webhookSubscriptionCreate/Delete and webhookSubscriptions (§4.2).

Only JSON over HTTP(S) is delivered by the sandbox; Pub/Sub and EventBridge URIs are refused
as unsupported. Only API-created subscriptions are listed here (TOML-style ones are not).
"""

from __future__ import annotations

from typing import Any

from ecomsend.sandbox.shopify.resolvers.base import (
    Ctx,
    SandboxError,
    attr,
    const,
    paginate,
    register,
    user_error,
)
from ecomsend.sandbox.shopify.schema import API_VERSION
from ecomsend.sandbox.shopify.store import Subscription
from ecomsend.sandbox.shopify.topics import enum_to_rest, rest_to_enum
from ecomsend.sandbox.shopify.util import gid, iso, parse_gid

register("WebhookSubscription", {
    "id": lambda s, c, a: gid("WebhookSubscription", s.id),
    "legacyResourceId": lambda s, c, a: str(s.id),
    "topic": lambda s, c, a: rest_to_enum()[s.topic], "uri": attr("uri"),
    "callbackUrl": attr("uri"), "format": const("JSON"),
    "includeFields": lambda s, c, a: list(s.include_fields), "filter": const(None),
    "name": attr("name"), "metafieldNamespaces": const([]), "metafields": const([]),
    "createdAt": lambda s, c, a: iso(s.created_at), "updatedAt": lambda s, c, a: iso(s.created_at),
    "apiVersion": const({"handle": API_VERSION, "displayName": API_VERSION, "supported": True}),
    "endpoint": lambda s, c, a: {"__typename": "WebhookHttpEndpoint", "callbackUrl": s.uri},
}, Subscription)


def _create(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """webhookSubscriptionCreate: HTTP(S) JSON only; one per topic and URI."""
    sub_in = args["webhookSubscription"]
    uri = sub_in.get("uri") or sub_in.get("callbackUrl")
    if not uri:
        return {"webhookSubscription": None, "userErrors": [user_error(
            ["webhookSubscription", "callbackUrl"], "Address can't be blank")]}
    if not uri.startswith(("http://", "https://")):
        raise SandboxError("Only HTTP(S) webhook URIs are supported by the sandbox "
                           "(no Pub/Sub or EventBridge)",
                           extensions={"code": "NOT_SUPPORTED_BY_SANDBOX"})
    if sub_in.get("format") == "XML":
        raise SandboxError("XML webhooks are not supported by the sandbox",
                           extensions={"code": "NOT_SUPPORTED_BY_SANDBOX"})
    topic = enum_to_rest()[args["topic"]]
    if any(s.topic == topic and s.uri == uri and s.source == "api"
           for s in ctx.shop.subscriptions.values()):
        return {"webhookSubscription": None, "userErrors": [user_error(
            ["webhookSubscription", "callbackUrl"], "Address for this topic has already been "
            "taken")]}
    sub = Subscription(id=ctx.sandbox.next_id(), topic=topic, uri=uri,
                       include_fields=list(sub_in.get("includeFields") or []),
                       name=sub_in.get("name"))
    ctx.shop.subscriptions[sub.id] = sub
    return {"webhookSubscription": sub, "userErrors": []}


def _delete(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """webhookSubscriptionDelete (API-created subscriptions only)."""
    sid = parse_gid(args["id"], "WebhookSubscription")
    sub = ctx.shop.subscriptions.get(sid or 0)
    if sub is None or sub.source != "api":
        return {"deletedWebhookSubscriptionId": None,
                "userErrors": [user_error(["id"], "Webhook subscription does not exist")]}
    del ctx.shop.subscriptions[sub.id]
    return {"deletedWebhookSubscriptionId": gid("WebhookSubscription", sub.id), "userErrors": []}


def _update(root: Any, ctx: Ctx, args: dict[str, Any]) -> dict[str, Any]:
    """webhookSubscriptionUpdate: a new URI, includeFields or name."""
    sub = ctx.shop.subscriptions.get(parse_gid(args["id"], "WebhookSubscription") or 0)
    if sub is None or sub.source != "api":
        return {"webhookSubscription": None,
                "userErrors": [user_error(["id"], "Webhook subscription does not exist")]}
    changes = args["webhookSubscription"]
    uri = changes.get("uri") or changes.get("callbackUrl")
    if uri:
        if not uri.startswith(("http://", "https://")):
            raise SandboxError("Only HTTP(S) webhook URIs are supported by the sandbox",
                               extensions={"code": "NOT_SUPPORTED_BY_SANDBOX"})
        sub.uri = uri
    if changes.get("includeFields") is not None:
        sub.include_fields = list(changes["includeFields"])
    if "name" in changes:
        sub.name = changes["name"]
    return {"webhookSubscription": sub, "userErrors": []}


def _list(root: Any, ctx: Ctx, args: dict[str, Any]) -> Any:
    """QueryRoot.webhookSubscriptions(topics:, uri:)."""
    topics = {enum_to_rest()[t] for t in args.get("topics") or []}
    uri = args.get("uri") or args.get("callbackUrl")
    subs = [s for s in ctx.shop.subscriptions.values() if s.source == "api"
            and (not topics or s.topic in topics) and (not uri or s.uri == uri)]
    return paginate(subs, args)


register("Mutation", {"webhookSubscriptionCreate": _create, "webhookSubscriptionDelete": _delete,
                      "webhookSubscriptionUpdate": _update})
register("QueryRoot", {
    "webhookSubscriptions": _list,
    "webhookSubscription": lambda r, c, a: c.shop.subscriptions.get(
        parse_gid(a["id"], "WebhookSubscription") or 0),
})
