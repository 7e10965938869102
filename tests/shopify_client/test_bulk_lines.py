"""The bulk JSONL reader splits raw bytes into lines itself: lines cut across chunks, blank
lines, a last line without a newline, non-ASCII text; numbers as GraphQL sends them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from ecomsend.integrations.shopify.bulk import _parse_line, _raw_lines


async def _chunks() -> AsyncIterator[bytes]:
    for chunk in (b'{"id":"gid://shopify/Product/1","title":"Caf', 'é 東京"}\n\n{"a"'.encode(),
                  b':1}\n', b'{"qty":-2147483648,"weight":0.25,"id":"18446744073709551615"}'):
        yield chunk


async def test_lines_are_reassembled_across_chunks_and_parsed() -> None:
    response = httpx.Response(200, content=_chunks())
    lines = [line async for line in _raw_lines(response)]
    parsed = [_parse_line(line) for line in lines]
    assert parsed == [{"id": "gid://shopify/Product/1", "title": "Café 東京"}, {"a": 1},
                      {"qty": -2147483648, "weight": 0.25, "id": "18446744073709551615"}]
