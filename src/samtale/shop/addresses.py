"""Which addresses a shop's HTTP connector may call.

A shop admin types the connector's base URL, and the "test connection" button reports what each
call did. Without a guard, that is a way to probe the operator's own network from inside it
(loopback, the database, Redis, a cloud's metadata address). So by default the connector only
calls public (globally routable) addresses: the host is resolved before every request and the
request is refused when any of its addresses is loopback, private, link-local, shared or
reserved. An operator whose shops' systems live on the same private network turns the guard off
with `SAMTALE_SHOP_PRIVATE_ADDRESSES=true`.

Calls themselves go through `samtale.infra.outgoing` (resolve once, connect to the checked
address); `non_public_address` is the save-time check, and `PublicOnlyTransport` guards a
transport given from outside (tests).

The check is made at save time (a clear form error) and again at call time (DNS may change).
"""

from __future__ import annotations

import asyncio
import socket

import httpx

from samtale.infra.outgoing import BlockedAddress
from samtale.infra.outgoing import is_public as _is_public

__all__ = ["BlockedAddress", "PublicOnlyTransport", "non_public_address"]


async def non_public_address(host: str, port: int | None = None) -> str | None:
    """The first address of `host` that is not public, or None when all are (or the name does
    not resolve: the call itself will then fail with a connection error)."""
    host = host.strip("[]")
    try:
        return None if _is_public(host) else host
    except ValueError:
        pass  # a name, not an address
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port or 443, type=socket.SOCK_STREAM
        )
    except OSError:
        return None
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            return address
    return None


class PublicOnlyTransport(httpx.AsyncBaseTransport):
    """An httpx transport that refuses requests to non-public addresses."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        blocked = await non_public_address(request.url.host, request.url.port)
        if blocked is not None:
            raise BlockedAddress(f"{request.url.host} is not a public address", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
