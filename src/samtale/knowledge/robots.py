"""`robots.txt`: which paths of a host the crawler may read.

Read once per host and crawl with the standard library's parser. A missing file (404) allows
everything; a file the server refuses to show (401, 403) allows nothing, as the convention
has it; a file that cannot be fetched for another reason (timeout, 5xx) also allows nothing,
since a shop whose server is struggling is better left alone until the next crawl.
"""

from __future__ import annotations

from urllib.robotparser import RobotFileParser

import httpx

from samtale.knowledge.fetching import Fetcher, PageStatus

ROBOTS_AGENT = "SamtaleKnowledge"


class Robots:
    def __init__(self, parser: RobotFileParser | None, *, allow_all: bool) -> None:
        self._parser = parser
        self._allow_all = allow_all

    def allowed(self, url: str) -> bool:
        if self._parser is None:
            return self._allow_all
        return self._parser.can_fetch(ROBOTS_AGENT, url)

    @property
    def sitemaps(self) -> list[str]:
        if self._parser is None:
            return []
        return list(self._parser.site_maps() or [])


async def read_robots(fetcher: Fetcher, url: str) -> Robots:
    """The robots rules of `url`'s host."""
    parsed = httpx.URL(url)
    robots_url = str(parsed.copy_with(path="/robots.txt", query=None, fragment=None))
    got = await fetcher.fetch(robots_url, kinds=frozenset({"text", "html", "markdown"}))
    if got.status in (PageStatus.NOT_FOUND, PageStatus.WRONG_TYPE):
        return Robots(None, allow_all=True)
    if got.status is not PageStatus.INDEXED:
        return Robots(None, allow_all=False)
    parser = RobotFileParser()
    parser.parse(got.text().splitlines())
    return Robots(parser, allow_all=True)
