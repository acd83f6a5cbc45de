"""From a fetched document to its main text, in blocks under their headings.

A shop's help page is mostly chrome: the menu, the footer with the company's address, a cookie
banner, a newsletter box, "customers also bought". Indexing that makes every page look alike
(every page has "contact", "delivery", "returns" in its menu) and lets a question about cookies
be answered from the delivery page. So HTML goes through `trafilatura`, which keeps the main
content and, in its XML output, the headings (`<head rend="h2">`); we walk that output and keep
each paragraph, list item and table row under the path of headings above it ("Delivery ›
Norway"), which is what the passage keeps as its context.

FAQ pages often carry their questions and answers as `FAQPage` JSON-LD (schema.org), which is
better than anything scraped from the markup: each pair becomes a block of its own, the
question as its heading. The JSON-LD is read here with lxml and `json` (`extruct` would pull in
a dozen parsers for the one format we read).

PDFs are read with `pypdf` (text only; headings guessed from short lines without a full stop),
Markdown by its `#` headings, plain text by its paragraphs.

A page's language comes from its markup (`<html lang>`, `content-language`) when that names
a language Samtale speaks, and otherwise from detection with lingua over its text.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from samtale.kernel.languages import LANGUAGES, normalize_language

_MAX_HEADING = 200
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Block:
    headings: tuple[str, ...]
    text: str
    kind: str = "text"  # text, or faq (a question's answer; the question is the last heading)


@dataclass
class Document:
    title: str
    language: str | None
    blocks: list[Block] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


def clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# -- language -------------------------------------------------------------------------------


def detect_language(text: str, languages: Sequence[str] = LANGUAGES) -> str | None:
    """The most likely of `languages` for `text`, or None when there is too little text."""
    from samtale.bot.language import confidences

    sample = clean(text)[:2000]
    if len(sample.split()) < 3:
        return None
    scores = confidences(sample, languages)
    return max(scores, key=lambda k: scores[k]) if scores else None


def _markup_language(doc: Any) -> str | None:
    for value in (
        *doc.xpath("/html/@lang"),
        *doc.xpath("/html/@xml:lang"),
        *doc.xpath(
            "//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content"
        ),
    ):
        lang = normalize_language(str(value))
        if lang:
            return lang
    return None


# -- HTML -----------------------------------------------------------------------------------


def _jsonld_objects(doc: Any) -> Iterator[dict[str, Any]]:
    for script in doc.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if "@graph" in item:
                    stack.append(item["@graph"])


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    return set(value) if isinstance(value, list) else {str(value)}


def _html_text(fragment: str) -> str:
    if "<" not in fragment:
        return clean(fragment)
    try:
        return clean(lxml_html.fromstring(f"<div>{fragment}</div>").text_content())
    except (etree.ParserError, ValueError):
        return clean(re.sub(r"<[^>]+>", " ", fragment))


def faq_pairs(doc: Any) -> list[tuple[str, str]]:
    """Question and answer pairs from `FAQPage` JSON-LD."""
    pairs: list[tuple[str, str]] = []
    for obj in _jsonld_objects(doc):
        if "FAQPage" not in _types(obj):
            continue
        entities = obj.get("mainEntity") or []
        for q in entities if isinstance(entities, list) else [entities]:
            if not isinstance(q, dict) or "Question" not in _types(q):
                continue
            answer = q.get("acceptedAnswer") or q.get("suggestedAnswer") or {}
            if isinstance(answer, list):
                answer = answer[0] if answer else {}
            question = _html_text(str(q.get("name") or q.get("text") or ""))
            text = _html_text(str(answer.get("text") or "")) if isinstance(answer, dict) else ""
            if question and text:
                pairs.append((question[:_MAX_HEADING], text))
    return pairs


def _title(doc: Any) -> str:
    h1 = doc.xpath("//h1")
    if h1:
        text = clean(h1[0].text_content())
        if text:
            return text[:300]
    title = doc.xpath("//title")
    if title:
        text = clean(title[0].text_content())
        return re.split(r"\s+[|–—-]\s+", text)[0][:300]
    return ""


def _walk_trafilatura(xml: str) -> list[Block]:
    root = etree.fromstring(xml.encode())
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []

    def heading_path() -> tuple[str, ...]:
        return tuple(text for _, text in path)

    def visit(el: Any) -> None:
        tag = el.tag
        if tag == "head":
            rend = str(el.get("rend") or "h2")
            level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
            text = clean("".join(el.itertext()))[:_MAX_HEADING]
            while path and path[-1][0] >= level:
                path.pop()
            if text:
                path.append((level, text))
            return
        if tag in ("p", "item", "quote", "code"):
            text = clean("".join(el.itertext()))
            if text:
                blocks.append(Block(heading_path(), text))
            return
        if tag == "row":
            cells = [clean("".join(c.itertext())) for c in el if c.tag == "cell"]
            text = " · ".join(c for c in cells if c)
            if text:
                blocks.append(Block(heading_path(), text))
            return
        for child in el:
            visit(child)

    for part in root:
        if part.tag in ("main", "body"):
            visit(part)
    return blocks


def extract_html(body: bytes | str, url: str | None = None) -> Document:
    import trafilatura

    raw = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        doc = lxml_html.fromstring(raw)
    except (etree.ParserError, ValueError):
        return Document("", None)
    title = _title(doc)
    language = _markup_language(doc)
    xml = trafilatura.extract(
        raw,
        url=url,
        output_format="xml",
        include_tables=True,
        include_comments=False,
        include_links=False,
        favor_recall=True,
        deduplicate=False,
    )
    blocks = _walk_trafilatura(xml) if xml else []
    # The page's own title is the top of every heading path; trafilatura keeps the <h1> as a
    # heading when it is inside the main content, and drops it when it is not.
    if title:
        blocks = [
            b if b.headings[:1] == (title,) else Block((title, *b.headings), b.text, b.kind)
            for b in blocks
        ]
    pairs = faq_pairs(doc)
    if pairs:
        answers = " ".join(a for _, a in pairs)
        questions = {q for q, _ in pairs}
        blocks = [b for b in blocks if b.text not in answers and b.text not in questions]
        base = (title,) if title else ()
        blocks.extend(Block((*base, q), a, "faq") for q, a in pairs)
    if language is None:
        language = detect_language(" ".join(b.text for b in blocks))
    return Document(title, language, blocks)


# -- PDF, Markdown, text --------------------------------------------------------------------


def _looks_like_heading(line: str) -> bool:
    return (
        0 < len(line) <= 70
        and not line.endswith((".", ",", ";", ":", "!", "?"))
        and len(line.split()) <= 9
        and line[0].isupper()
    )


def _paragraph_blocks(lines: Iterable[str], title: str, guess_headings: bool) -> list[Block]:
    blocks: list[Block] = []
    heading: tuple[str, ...] = (title,) if title else ()
    para: list[str] = []

    def flush() -> None:
        text = clean(" ".join(para))
        if text:
            blocks.append(Block(heading, text))
        para.clear()

    for raw in lines:
        line = clean(raw)
        if not line:
            flush()
            continue
        if line == title and not blocks and not para:
            continue
        if guess_headings and _looks_like_heading(line):
            flush()
            heading = (title, line) if title else (line,)
            continue
        para.append(line)
    flush()
    return blocks


def extract_pdf(body: bytes) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
        meta_title = str(meta.get("/Title") or "") if meta is not None else ""
    except (PdfReadError, ValueError, KeyError, TypeError):
        return Document("", None)
    lines = "\n".join(pages).splitlines()
    first = next((clean(x) for x in lines if clean(x)), "")
    title = clean(meta_title) or (first if _looks_like_heading(first) else "")
    blocks = _paragraph_blocks(lines, title, guess_headings=True)
    return Document(title[:300], detect_language(" ".join(b.text for b in blocks)), blocks)


def extract_markdown(text: str) -> Document:
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    para: list[str] = []
    title = ""

    def flush() -> None:
        joined = clean(" ".join(para))
        if joined:
            blocks.append(Block(tuple(t for _, t in path), joined))
        para.clear()

    for raw in text.splitlines():
        match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", raw)
        if match:
            flush()
            level, heading = len(match.group(1)), clean(match.group(2))[:_MAX_HEADING]
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, heading))
            title = title or heading
        elif not raw.strip() or re.match(r"^\s*([-*+]|\d+\.)\s+", raw):
            flush()
            item = re.sub(r"^\s*([-*+]|\d+\.)\s+", "", raw)
            if item.strip():
                para.append(item)
                flush()
        else:
            para.append(raw)
    flush()
    return Document(title, detect_language(" ".join(b.text for b in blocks)), blocks)


def extract_text(text: str) -> Document:
    lines = text.splitlines()
    first = next((clean(x) for x in lines if clean(x)), "")
    title = first if _looks_like_heading(first) else ""
    rest = lines[[clean(x) for x in lines].index(first) + 1 :] if title else lines
    blocks = _paragraph_blocks(rest, title, guess_headings=False)
    return Document(title, detect_language(" ".join(b.text for b in blocks)), blocks)


def extract(
    body: bytes, kind: str, url: str | None = None, encoding: str | None = None
) -> Document:
    """The main text of a document of `kind` (html, pdf, markdown, text)."""
    if kind == "html":
        return extract_html(body, url)
    if kind == "pdf":
        return extract_pdf(body)
    text = body.decode(encoding or "utf-8", errors="replace")
    if kind == "markdown":
        return extract_markdown(text)
    return extract_text(text)


def kind_of_filename(name: str) -> str | None:
    """The document kind of an uploaded file, by its name."""
    lower = name.lower()
    for ext, kind in ((".html", "html"), (".htm", "html"), (".pdf", "pdf"), (".md", "markdown"),
                      (".markdown", "markdown"), (".txt", "text")):  # fmt: skip
        if lower.endswith(ext):
            return kind
    return None
