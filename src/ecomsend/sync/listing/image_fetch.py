"""Safe image downloads (called by `images.fetch` for every Shopify image URL without a
registered source). The URL comes from a product — anyone with product write access (or a
webhook body) chooses it — so the app must not become a proxy into its own network:
http(s) only, every address the host resolves to must be public (no private, loopback,
link-local, multicast, reserved or unspecified address) unless the host is one of the
configured `image_fetch_allowed_hosts` (the local sandboxes), redirects are re-checked hop by
hop, the body is capped at MAX_IMAGE_BYTES while streaming and the whole download at
FETCH_TOTAL_S.

Limit: the address is checked at resolution time; a DNS answer that changes between the check
and httpx's own resolution (rebinding) is not caught here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Collection
from urllib.parse import urljoin, urlsplit

import httpx

#: TikTok's Upload Product Image takes at most 5 MB (reference §4.5); Shopify's originals can be
#: larger (up to 20 MB): the cap leaves room for those and stops anything bigger unread.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT_S = 10.0
#: The whole download, however slowly the server drips bytes.
FETCH_TOTAL_S = 30.0
MAX_REDIRECTS = 3


class ImageRefused(ValueError):
    """An image URL the app will not download (scheme, address, size or redirects)."""


def _host_key(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImageRefused(f"only http(s) image URLs are fetched, not {parts.scheme or 'no'}:")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ImageRefused("bad port in image URL") from exc
    return parts.scheme, parts.hostname.lower(), port


async def check_url(url: str, allowed_hosts: Collection[str]) -> None:
    """Raise ImageRefused unless `url` is http(s) to a public address (or an allowed host,
    given as `host` or `host:port`)."""
    _, host, port = _host_key(url)
    if host in allowed_hosts or f"{host}:{port}" in allowed_hosts:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port,
                                                            type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ImageRefused(f"image host {host!r} does not resolve") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise ImageRefused(f"image host {host!r} is not a public address")


async def safe_get(http: httpx.AsyncClient, url: str, allowed_hosts: Collection[str]) -> bytes:
    """The body of `url` after the checks above; ImageRefused or httpx errors otherwise."""
    try:
        async with asyncio.timeout(FETCH_TOTAL_S):
            for _ in range(MAX_REDIRECTS + 1):
                await check_url(url, allowed_hosts)
                async with http.stream("GET", url, timeout=FETCH_TIMEOUT_S,
                                       follow_redirects=False) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    response.raise_for_status()
                    return await _capped(response)
    except TimeoutError as exc:
        raise ImageRefused(f"image download took over {FETCH_TOTAL_S:g} s") from exc
    raise ImageRefused(f"more than {MAX_REDIRECTS} redirects")


async def _capped(response: httpx.Response) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"image larger than {MAX_IMAGE_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_IMAGE_BYTES:
            raise ImageRefused(f"image larger than {MAX_IMAGE_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
