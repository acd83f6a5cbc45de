"""The guarded outgoing client against real servers on loopback: one resolution per connection,
the connection made to the checked address (a rebinding DNS answer cannot redirect it), names
that do not resolve refused, TLS verified for the original host name, and the deadline."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpcore
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from samtale.infra.outgoing import (
    BlockedAddress,
    DeadlineExceeded,
    GuardedBackend,
    OutgoingClient,
    UnresolvedHost,
    is_public,
)
from tests.shop.standins.serving import self_signed, serving

PUBLIC = "93.184.216.34"  # a globally routable address; the test network routes it to loopback


async def echo(request: Request) -> JSONResponse:
    if request.query_params.get("sleep"):
        await asyncio.sleep(float(request.query_params["sleep"]))
    return JSONResponse({"host": request.headers.get("host")})


APP = Starlette(routes=[Route("/", echo)])


class Rebinding:
    """A DNS stub whose answers change: the first answer, then the next, and so on (the last
    one repeats)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def __call__(self, host: str, port: int) -> list[str]:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return answer


class Network(httpcore.AsyncNetworkBackend):
    """The wire: records every address a socket is opened to; `PUBLIC` leads to loopback."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connected: list[str] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append(host)
        target = "127.0.0.1" if host == PUBLIC else host
        return await self.inner.connect_tcp(target, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2a00:1450:4001:80b::200e", True),
        (PUBLIC, True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # shared address space
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),  # reserved
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:8.8.8.8", True),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public(address) is public


async def test_a_rebinding_answer_cannot_redirect_the_connection() -> None:
    dns = Rebinding([PUBLIC], ["127.0.0.1"])
    network = Network()
    async with serving(APP) as url:
        port = _port(url)
        client = OutgoingClient(resolver=dns, inner=network)
        first = await client.get(f"http://shop.example:{port}/")
        second = await client.get(f"http://shop.example:{port}/")  # the pooled connection
        await client.aclose()
        assert first.status_code == second.status_code == 200
        assert first.json() == {"host": f"shop.example:{port}"}  # the name, not the address
        assert dns.calls == 1  # resolved once, for the one connection
        assert network.connected == [PUBLIC]  # connected to what was checked

        # A new connection resolves again: now the name points at loopback, and it is refused
        # before any socket is opened.
        client = OutgoingClient(resolver=dns, inner=network)
        with pytest.raises(BlockedAddress):
            await client.get(f"http://shop.example:{port}/")
        await client.aclose()
        assert network.connected == [PUBLIC]


async def test_one_private_answer_among_public_ones_is_refused() -> None:
    network = Network()
    client = OutgoingClient(resolver=Rebinding([PUBLIC, "10.0.0.5"]), inner=network)
    with pytest.raises(BlockedAddress):
        await client.get("http://shop.example/")
    await client.aclose()
    assert network.connected == []


async def test_private_addresses_when_the_operator_allows_them() -> None:
    dns = Rebinding(["127.0.0.1"])
    network = Network()
    async with serving(APP) as url:
        client = OutgoingClient(resolver=dns, inner=network, private_addresses=True)
        response = await client.get(f"http://shop.internal:{_port(url)}/")
        await client.aclose()
    assert response.status_code == 200
    assert network.connected == ["127.0.0.1"]


async def test_address_literals_are_checked_without_resolving() -> None:
    dns = Rebinding([PUBLIC])
    async with serving(APP) as url:
        client = OutgoingClient(resolver=dns)
        with pytest.raises(BlockedAddress):
            await client.get(url)
        with pytest.raises(BlockedAddress):
            await client.get("http://[::1]:9/")
        await client.aclose()
    assert dns.calls == 0


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    async def nxdomain(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    async def empty(host: str, port: int) -> list[str]:
        return []

    for resolver in (nxdomain, empty):
        client = OutgoingClient(resolver=resolver, private_addresses=True)
        with pytest.raises(UnresolvedHost):
            await client.get("http://nowhere.example/")
        await client.aclose()


async def test_unix_sockets_are_not_an_address() -> None:
    with pytest.raises(BlockedAddress):
        await GuardedBackend(private_addresses=True).connect_unix_socket("/var/run/x.sock")


async def test_tls_is_verified_for_the_original_host_name(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, "shop.example")
    trust = ssl.create_default_context(cafile=str(cert))
    network = Network()
    async with serving(APP, ssl_certfile=str(cert), ssl_keyfile=str(key)) as url:
        port = _port(url)
        client = OutgoingClient(resolver=Rebinding([PUBLIC]), inner=network, verify=trust)
        response = await client.get(f"https://shop.example:{port}/")
        await client.aclose()
        assert response.json() == {"host": f"shop.example:{port}"}
        assert network.connected == [PUBLIC]

        # The same server under a name its certificate does not hold fails verification: the
        # name (not the address connected to) is what TLS checks.
        client = OutgoingClient(resolver=Rebinding([PUBLIC]), inner=network, verify=trust)
        with pytest.raises(Exception, match=r"certificate|hostname|match"):
            await client.get(f"https://other.example:{port}/")
        await client.aclose()


async def test_the_deadline_bounds_the_whole_call() -> None:
    async with serving(APP) as url:
        client = OutgoingClient(private_addresses=True, timeout=5.0, deadline=0.3)
        start = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            await client.get(f"{url}/?sleep=2")
        assert time.monotonic() - start < 1.0
        ok = await client.get(f"{url}/", deadline=2.0)
        assert ok.status_code == 200
        with pytest.raises(DeadlineExceeded):
            await client.get(f"{url}/", deadline=0)
        await client.aclose()
