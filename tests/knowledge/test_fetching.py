"""Fetching: limits, content types and statuses against a real server on loopback."""

from __future__ import annotations

import httpx

from samtale.knowledge.fetching import Fetcher, PageStatus, Validators
from samtale.knowledge.robots import read_robots
from tests.knowledge.site import Site


async def test_a_page_is_read_with_its_validators(site: Site, http: httpx.AsyncClient) -> None:
    got = await Fetcher(http).fetch(f"{site.url}/help/shipping")
    assert got.status is PageStatus.INDEXED and got.kind == "html" and got.etag
    again = await Fetcher(http).fetch(f"{site.url}/help/shipping", Validators(etag=got.etag))
    assert again.status is PageStatus.UNCHANGED and again.body == b""
    assert site.not_modified["/help/shipping"] == 1


async def test_limits_give_a_clear_status(site: Site, http: httpx.AsyncClient) -> None:
    fetcher = Fetcher(http, max_bytes=1_000_000)
    assert (await fetcher.fetch(f"{site.url}/files/huge.html")).status is PageStatus.TOO_LARGE
    photo = await fetcher.fetch(f"{site.url}/files/photo.jpg")
    assert photo.status is PageStatus.WRONG_TYPE and "image/jpeg" in (photo.error or "")
    missing = await fetcher.fetch(f"{site.url}/nope")
    assert missing.status is PageStatus.NOT_FOUND and missing.http_status == 404
    closed = await fetcher.fetch("http://127.0.0.1:9/")
    assert closed.status is PageStatus.NETWORK_ERROR
    pdf = await fetcher.fetch(f"{site.url}/files/tent-care.pdf")
    assert pdf.status is PageStatus.INDEXED and pdf.kind == "pdf"


async def test_a_guard_refusing_the_address_is_a_status(http: httpx.AsyncClient) -> None:
    from samtale.shop.addresses import PublicOnlyTransport

    async with httpx.AsyncClient(transport=PublicOnlyTransport()) as guarded:
        got = await Fetcher(guarded).fetch("http://127.0.0.1:1/")
    assert got.status is PageStatus.BLOCKED_ADDRESS


async def test_robots_rules_are_read(site: Site, http: httpx.AsyncClient) -> None:
    robots = await read_robots(Fetcher(http), f"{site.url}/help/shipping")
    assert robots.allowed(f"{site.url}/help/shipping")
    assert not robots.allowed(f"{site.url}/private/staff")
