"""The one guarded client for calls out of Samtale: shop platforms, carriers, knowledge crawls.

A shop admin types a URL and Samtale calls it. Without a guard that is a way to make Samtale
call into the operator's own network (loopback, the database, Redis, a cloud's metadata address)
and read what comes back through the "test connection" button or an error message. Checking the
host name before the request is not enough: httpx would resolve the name a second time when it
connects, and a name whose DNS answers change (DNS rebinding: public for the check, 127.0.0.1 for
the connection) slips through between the two look-ups.

So the check and the connection are one step, below httpx, in the httpcore network backend
(`GuardedBackend.connect_tcp`):

1. the host is resolved once (an injectable resolver; the system's by default);
2. every address it resolves to must be public (globally routable, not loopback, private,
   link-local, shared, reserved or multicast; an IPv4-mapped IPv6 address is judged as its IPv4
   address) unless the operator allows private ones (`SAMTALE_SHOP_PRIVATE_ADDRESSES=true`);
   a name that does not resolve is refused too (fail closed);
3. the socket connects to one of *those* addresses. httpcore then starts TLS with the original
   host name as SNI and verifies the certificate for it, and httpx sends the original `Host`
   header, so virtual hosting and certificate checks work as if nothing were in between.

A pooled connection is reused only for the same origin, so every new connection is checked and
every reused one goes to an address that was. Proxies from the environment are ignored
(`trust_env=False`): a proxy would do the resolving, out of our sight. Redirects are not
followed (a redirect to an internal address is the oldest trick).

`OutgoingClient.request(..., deadline=)` bounds a whole call, connecting included; running out
raises `DeadlineExceeded`, an `httpx.TimeoutException`, so callers treat it like any timeout.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import httpcore
import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]


class BlockedAddress(httpx.ConnectError):
    """The host resolves to an address outgoing calls may not reach."""


class UnresolvedHost(httpx.ConnectError):
    """The host name does not resolve: refused rather than left to a second look-up."""


class DeadlineExceeded(httpx.TimeoutException):
    """The call as a whole took longer than its deadline."""


def is_public(address: str) -> bool:
    """Is `address` globally routable (and not multicast)? Raises ValueError for a non-address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address of `host`, in the system's order, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def checked_addresses(
    host: str, port: int, *, resolver: Resolver, private_addresses: bool
) -> list[str]:
    """The addresses a connection to `host` may use; `BlockedAddress` or `UnresolvedHost`."""
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await resolver(host, port)
        except (OSError, UnicodeError):
            addresses = []
        if not addresses:
            raise UnresolvedHost(f"{host} does not resolve")
    if not private_addresses:
        for address in addresses:
            try:
                public = is_public(address)
            except ValueError:
                public = False
            if not public:
                raise BlockedAddress(f"{host} resolves to a non-public address")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves once, checks, and connects to what it checked.

    `inner` makes the actual connection (httpcore's own by default); tests give one that
    records where connections go."""

    def __init__(
        self,
        *,
        private_addresses: bool = False,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.private_addresses = private_addresses
        self.resolver = resolver or system_resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await checked_addresses(
            host, port, resolver=self.resolver, private_addresses=self.private_addresses
        )
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix sockets are not an outgoing address")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (request and error mapping, pooling, TLS) over `GuardedBackend`."""

    def __init__(
        self,
        *,
        private_addresses: bool = False,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        super().__init__(verify=verify, trust_env=False)
        limits = limits or httpx.Limits(max_connections=20, max_keepalive_connections=10)
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else None
        if ssl_context is None:
            ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self.backend = GuardedBackend(
            private_addresses=private_addresses, resolver=resolver, inner=inner
        )
        # httpx 0.28 takes no network backend of its own; the pool it built is swapped for one
        # with the same settings over the guarded backend.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=self.backend,
        )


class OutgoingClient:
    """An `httpx.AsyncClient` over `GuardedTransport`, with a deadline per call.

    `transport` replaces the guarded transport only in tests of code above this one (an
    `httpx.MockTransport`); everything that reaches a network goes through the guard."""

    def __init__(
        self,
        *,
        base_url: str = "",
        headers: Mapping[str, str] | None = None,
        timeout: float = 5.0,
        deadline: float = 10.0,
        private_addresses: bool = False,
        resolver: Resolver | None = None,
        verify: ssl.SSLContext | bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.deadline = deadline
        self.transport = transport or GuardedTransport(
            private_addresses=private_addresses, resolver=resolver, inner=inner, verify=verify
        )
        self.http = httpx.AsyncClient(
            base_url=base_url,
            headers=dict(headers or {}),
            timeout=httpx.Timeout(timeout),
            transport=self.transport,
            follow_redirects=False,
            trust_env=False,
        )

    async def request(
        self, method: str, url: str, *, deadline: float | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One request, finished (body read) within `deadline` seconds or `DeadlineExceeded`."""
        limit = self.deadline if deadline is None else deadline
        if limit <= 0:
            raise DeadlineExceeded("no time left")
        try:
            async with asyncio.timeout(limit):
                return await self.http.request(method, url, **kwargs)
        except TimeoutError:
            raise DeadlineExceeded(f"no answer within {limit:.2f}s") from None

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        await self.http.aclose()


class Deadline:
    """Seconds left of a call that may make several requests (retries, pages, a token)."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def expired(self) -> bool:
        return self.left() <= 0.0
