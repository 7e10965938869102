"""Fault injection on Shopify routes: 5xx, 429 with Retry-After, hangs past the client
timeout, dropped connections and latency; faulted requests do not execute."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from tests.sandbox_shopify.conftest import ShopClient

QUERY = "{ shop { name } }"


def test_5xx_and_429(shop: ShopClient) -> None:
    shop.control("PUT", "/faults", json={"seed": 1, "error_rate": 1.0,
                                         "error_statuses": [503]})
    r = shop.gql_raw(QUERY)
    assert r.status_code == 503 and r.json() == {"errors": "Internal Server Error"}
    shop.control("PUT", "/faults", json={"throttle_429_rate": 1.0, "retry_after_s": 2.0})
    r = shop.gql_raw(QUERY)
    assert r.status_code == 429 and r.headers["retry-after"] == "2.0"
    shop.control("DELETE", "/faults")
    assert shop.gql_raw(QUERY).status_code == 200
    assert shop.control("GET", "")["stats"]["graphql_requests"] == 1  # faulted ones never ran


def test_rates_are_seeded_and_deterministic(shop: ShopClient) -> None:
    def pattern() -> list[int]:
        shop.control("PUT", "/faults", json={"seed": 42, "error_rate": 0.5})
        return [shop.gql_raw(QUERY).status_code for _ in range(12)]

    first = pattern()
    assert 200 in first and any(code >= 500 for code in first)
    assert pattern() == first


def test_timeout_hangs_past_the_client_timeout(shop: ShopClient, sandbox_url: str) -> None:
    shop.control("PUT", "/faults", json={"timeout_rate": 1.0, "hang_s": 1.5})
    with httpx.Client(base_url=sandbox_url, timeout=0.3) as client, \
            pytest.raises(httpx.TimeoutException):
        client.post(f"/store/{shop.domain}/admin/api/2026-07/graphql.json",
                    json={"query": QUERY}, headers={"X-Shopify-Access-Token": shop.token})
    shop.control("DELETE", "/faults")


def test_connection_reset(shop: ShopClient, sandbox_url: str) -> None:
    shop.control("PUT", "/faults", json={"reset_rate": 1.0})
    with httpx.Client(base_url=sandbox_url, timeout=5) as client, \
            pytest.raises(httpx.TransportError):
        client.post(f"/store/{shop.domain}/admin/api/2026-07/graphql.json",
                    json={"query": QUERY}, headers={"X-Shopify-Access-Token": shop.token})
    shop.control("DELETE", "/faults")
    assert shop.gql_raw(QUERY).status_code == 200


def test_latency(shop: ShopClient) -> None:
    shop.control("PUT", "/faults", json={"latency_ms": 200})
    started = time.monotonic()
    assert shop.gql_raw(QUERY).status_code == 200
    assert time.monotonic() - started >= 0.2
    bad = shop.http.put(f"/_sandbox/shops/{shop.domain}/faults", json={"nonsense": 1})
    assert bad.status_code == 422


def test_bulk_file_faults(seeded: ShopClient) -> None:
    op = seeded.run_bulk("{ products { nodes { id } } }")
    seeded.control("PUT", "/faults", json={"error_rate": 1.0, "routes": ["bulk_file"]})
    assert seeded.gql_raw(QUERY).status_code == 200  # only the file route is faulted
    with httpx.Client(timeout=10) as client:
        assert client.get(op["url"]).status_code >= 500
    seeded.control("DELETE", "/faults")
