"""Image downloads cannot be turned against the app's own network: http(s) only, no private /
loopback / link-local address unless configured (the sandboxes), redirects re-checked, size and
total time capped. Against a real local HTTP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ecomsend.serving import BackgroundServer
from ecomsend.sync.listing import image_fetch
from ecomsend.sync.listing.image_fetch import ImageRefused, safe_get

PNG = b"\x89PNG\r\n\x1a\n" + b"x" * 100


async def _image(_: Request) -> Response:
    return Response(PNG, media_type="image/png")


async def _huge(_: Request) -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(image_fetch.MAX_IMAGE_BYTES // 65536 + 2):
            yield b"\0" * 65536
    return StreamingResponse(chunks(), media_type="image/png")  # no Content-Length


async def _slow(_: Request) -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"\0"
            await asyncio.sleep(0.1)
    return StreamingResponse(chunks(), media_type="image/png")


async def _to_metadata(_: Request) -> RedirectResponse:
    return RedirectResponse("http://169.254.169.254/latest/meta-data/", status_code=302)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = Starlette(routes=[Route("/a.png", _image), Route("/huge.png", _huge),
                            Route("/slow.png", _slow), Route("/redirect.png", _to_metadata)])
    with BackgroundServer(app) as url:
        yield url


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def test_loopback_is_refused_unless_configured(server: str, http: httpx.AsyncClient
                                                     ) -> None:
    host = server.split("//", 1)[1]
    with pytest.raises(ImageRefused, match="not a public address"):
        await safe_get(http, f"{server}/a.png", ())
    assert await safe_get(http, f"{server}/a.png", (host,)) == PNG
    localhost = server.replace("127.0.0.1", "localhost")
    with pytest.raises(ImageRefused):
        await safe_get(http, f"{localhost}/a.png", (host,))  # another name of the same host


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.png",
                                 "gopher://x/", "http://169.254.169.254/latest/meta-data/",
                                 "http://10.0.0.1/a.png", "http://[::1]/a.png",
                                 "http://0.0.0.0/a.png", "http://[fe80::1]/a.png"])
async def test_schemes_and_private_addresses_are_refused(url: str,
                                                         http: httpx.AsyncClient) -> None:
    with pytest.raises(ImageRefused):
        await safe_get(http, url, ())


async def test_redirects_size_and_time_are_capped(server: str, http: httpx.AsyncClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    allowed = (server.split("//", 1)[1],)
    with pytest.raises(ImageRefused, match="not a public address"):
        await safe_get(http, f"{server}/redirect.png", allowed)
    with pytest.raises(ImageRefused, match="larger than"):
        await safe_get(http, f"{server}/huge.png", allowed)
    monkeypatch.setattr(image_fetch, "FETCH_TOTAL_S", 0.5)
    with pytest.raises(ImageRefused, match="took over"):
        await safe_get(http, f"{server}/slow.png", allowed)
