"""Fetching one document for the knowledge base, with limits and a clear status.

The fetcher does not decide which addresses may be called: it is handed an
`httpx.AsyncClient`-compatible client by the composition root, which gives it the guarded
outgoing client (it resolves once, refuses private and loopback addresses unless the operator
allows them, and connects to the address it checked). Tests hand it a plain client pointed at a
site on loopback.

What the fetcher adds is what a crawl of somebody else's site needs:

- a deadline per request (`timeout`) on top of whatever the client has;
- a size limit read while streaming, so a 2 GB file is cut off after `max_bytes`, not
  downloaded and then refused;
- a content-type allow-list (HTML, PDF, Markdown, plain text, XML for sitemaps);
- conditional requests: the ETag and Last-Modified of the previous crawl are sent back, and a
  304 becomes `PageStatus.UNCHANGED` without a body;
- one status per fetch from a closed list (`PageStatus`), which is what the admin page shows
  next to each page.
"""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

USER_AGENT = "SamtaleKnowledge/1.0 (+https://github.com/samtale; reads a shop's help pages)"
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5_000_000

# What the knowledge base reads, by the media type a server names.
CONTENT_KINDS: dict[str, str] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
    "application/xml": "xml",
    "text/xml": "xml",
}


class PageStatus(enum.StrEnum):
    """What happened to a page on its latest crawl."""

    INDEXED = "indexed"  # read and its passages indexed
    UNCHANGED = "unchanged"  # same ETag, Last-Modified or text as before: not re-indexed
    EMPTY = "empty"  # read, but no text worth indexing in it
    NOT_FOUND = "not_found"  # 404 or 410
    HTTP_ERROR = "http_error"  # any other status that is not a success
    BLOCKED_ROBOTS = "blocked_robots"  # robots.txt disallows it
    BLOCKED_ADDRESS = "blocked_address"  # the outgoing guard refused the address
    TOO_LARGE = "too_large"  # longer than the size limit
    WRONG_TYPE = "wrong_type"  # a content type the knowledge base does not read
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network_error"
    EXCLUDED = "excluded"  # left out by the shop admin


class AsyncHTTPClient(Protocol):
    """The part of `httpx.AsyncClient` the fetcher uses."""

    def stream(self, method: str, url: str, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class Validators:
    """What the previous crawl saw, sent back so an unchanged page costs a 304."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Fetched:
    url: str  # the final URL, after redirects
    status: PageStatus
    http_status: int | None = None
    kind: str | None = None  # html, pdf, markdown, text, xml
    body: bytes = b""
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is PageStatus.INDEXED and bool(self.body)

    def text(self) -> str:
        return self.body.decode(self.encoding or "utf-8", errors="replace")


def content_kind(content_type: str | None, url: str) -> str | None:
    """The kind of document a response holds, from its media type (or, when a server says
    nothing useful, from the URL's extension)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in CONTENT_KINDS:
        return CONTENT_KINDS[media]
    if media in ("", "application/octet-stream", "binary/octet-stream"):
        path = httpx.URL(url).path.lower()
        for ext, kind in ((".pdf", "pdf"), (".md", "markdown"), (".txt", "text"),
                          (".xml", "xml"), (".html", "html"), (".htm", "html")):  # fmt: skip
            if path.endswith(ext):
                return kind
    return None


def _blocked(exc: BaseException) -> bool:
    # The guarded clients raise a ConnectError subclass named for the refusal.
    return "Blocked" in type(exc).__name__


class Fetcher:
    """Fetches documents through an injected HTTP client, within limits."""

    def __init__(
        self,
        client: AsyncHTTPClient | httpx.AsyncClient,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent

    async def fetch(
        self, url: str, validators: Validators | None = None, *, kinds: frozenset[str] | None = None
    ) -> Fetched:
        """Fetch `url`; never raises for what a remote site does (the status says it)."""
        headers = {"User-Agent": self.user_agent, "Accept": ", ".join(CONTENT_KINDS)}
        if validators is not None:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        try:
            async with asyncio.timeout(self.timeout):
                return await self._fetch(url, headers, kinds)
        except TimeoutError:
            return Fetched(url, PageStatus.TIMEOUT, error=f"no answer within {self.timeout:g} s")
        except httpx.TimeoutException:
            return Fetched(url, PageStatus.TIMEOUT, error="timed out")
        except httpx.HTTPError as exc:
            if _blocked(exc):
                return Fetched(url, PageStatus.BLOCKED_ADDRESS, error=str(exc)[:300])
            return Fetched(
                url, PageStatus.NETWORK_ERROR, error=f"{type(exc).__name__}: {exc}"[:300]
            )
        except OSError as exc:
            return Fetched(
                url, PageStatus.NETWORK_ERROR, error=f"{type(exc).__name__}: {exc}"[:300]
            )

    async def _fetch(
        self, url: str, headers: dict[str, str], kinds: frozenset[str] | None
    ) -> Fetched:
        async with self.client.stream(
            "GET", url, headers=headers, follow_redirects=True, timeout=self.timeout
        ) as response:
            final = str(response.url)
            code = int(response.status_code)
            etag = response.headers.get("etag")
            modified = response.headers.get("last-modified")
            if code == 304:
                return Fetched(final, PageStatus.UNCHANGED, code, etag=etag, last_modified=modified)
            if code in (404, 410):
                return Fetched(final, PageStatus.NOT_FOUND, code, error=f"HTTP {code}")
            if code >= 400 or code < 200:
                return Fetched(final, PageStatus.HTTP_ERROR, code, error=f"HTTP {code}")
            kind = content_kind(response.headers.get("content-type"), final)
            if kind is None or (kinds is not None and kind not in kinds):
                media = response.headers.get("content-type", "none")
                return Fetched(
                    final, PageStatus.WRONG_TYPE, code, error=f"content type {media}"[:300]
                )
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                return Fetched(final, PageStatus.TOO_LARGE, code, kind, error=f"{declared} bytes")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > self.max_bytes:
                    return Fetched(
                        final,
                        PageStatus.TOO_LARGE,
                        code,
                        kind,
                        error=f"more than {self.max_bytes} bytes",
                    )
            return Fetched(
                final,
                PageStatus.INDEXED,
                code,
                kind,
                bytes(body),
                response.charset_encoding,
                etag,
                modified,
            )
