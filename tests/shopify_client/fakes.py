"""A scripted Shopify for transport tests: httpx.MockTransport with queued answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

Responder = Callable[[httpx.Request], httpx.Response]


def cost_ext(available: float = 1990, requested: float = 10, actual: float | None = 5,
             maximum: float = 2000, restore: float = 100) -> dict[str, Any]:
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                     "throttleStatus": {"maximumAvailable": maximum,
                                        "currentlyAvailable": available,
                                        "restoreRate": restore}}}


def ok(data: dict[str, Any], **cost: Any) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "extensions": cost_ext(**cost)})


def throttled(available: float = 5, requested: float = 50) -> httpx.Response:
    return httpx.Response(200, json={
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": cost_ext(available=available, requested=requested, actual=None)})


class ScriptedShopify:
    """Answers requests from a queue of responses (or callables); records every request."""

    def __init__(self, *answers: httpx.Response | Responder | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))
