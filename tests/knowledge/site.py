"""A small fictional web shop, Fjellbu (outdoor gear), served on loopback by a real HTTP server
for the knowledge tests: help pages with a menu, a footer and a cookie banner, a FAQ page with
FAQPage JSON-LD, a PDF, a sitemap, a robots.txt that shuts out /private/, and ETags."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE = Path(__file__).resolve().parent / "site"

CHROME_TOP = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Fjellbu</title></head>
<body><div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience.
Accept all cookies or manage cookie preferences.</p></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/help/shipping">Shipping</a></li>
<li><a href="/help/returns">Returns</a></li><li><a href="/help/payment">Payment</a></li>
<li><a href="/help/warranty">Warranty</a></li><li><a href="/help/stores">Stores</a></li>
<li><a href="/faq">FAQ</a></li><li><a href="/private/staff">Staff</a></li></ul></nav></header><main>"""
CHROME_BOTTOM = """</main><footer><p>Fjellbu AS, Tindeveien 4, 0150 Oslo. Newsletter: sign up for
ten percent off your first order.</p><p>Copyright 2026 Fjellbu. All rights reserved.</p></footer></body></html>"""


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF with `lines` of text in Helvetica."""
    text = (
        "BT /F1 12 Tf 72 720 Td 16 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*"
            for line in lines
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


CARE_PDF = pdf_bytes(
    [
        "Caring for your tent",
        "Dry your tent completely before you store it, or mildew will damage the fabric.",
        "Clean the fly sheet with lukewarm water and a soft sponge, never with detergent.",
        "Store the tent loosely in a cool, dark place and not in its compression bag.",
    ]
)


def _page(title: str, body: str) -> bytes:
    return (CHROME_TOP.format(title=title) + body + CHROME_BOTTOM).encode()


def build_pages(extra: int = 30) -> dict[str, tuple[str, bytes]]:
    """path -> (content type, body)."""
    pages: dict[str, tuple[str, bytes]] = {}
    for path in sorted(SITE.glob("*.html")):
        body = path.read_text()
        title = body.split("</h1>", 1)[0].rsplit(">", 1)[-1]
        url = "/faq" if path.stem == "faq" else f"/help/{path.stem}"
        pages[url] = ("text/html; charset=utf-8", _page(title, body))
    pages["/"] = (
        "text/html; charset=utf-8",
        _page(
            "Fjellbu",
            "<h1>Fjellbu</h1><p>Tents, boots and jackets for the mountains.</p>"
            + "".join(f'<p><a href="/journal/{i}">Trip report {i}</a></p>' for i in range(extra))
            + '<p><a href="/files/tent-care.pdf">Tent care (PDF)</a></p>',
        ),
    )
    for i in range(extra):
        pages[f"/journal/{i}"] = (
            "text/html; charset=utf-8",
            _page(
                f"Trip report {i}",
                f"<h1>Trip report {i}</h1><p>Day {i} on the ridge: we "
                f"walked {10 + i} kilometres above the tree line and camped by lake {i}.</p>",
            ),
        )
    pages["/private/staff"] = ("text/html", _page("Staff", "<h1>Staff</h1><p>Rota.</p>"))
    pages["/files/tent-care.pdf"] = ("application/pdf", CARE_PDF)
    pages["/files/huge.html"] = (
        "text/html",
        b"<html><body>" + b"x" * 3_000_000 + b"</body></html>",
    )
    pages["/files/photo.jpg"] = ("image/jpeg", b"\xff\xd8\xff" + b"\x00" * 100)
    pages["/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /private/\n")
    return pages


SITEMAP_PATHS = ["/help/shipping", "/help/returns", "/help/payment", "/help/warranty",
                 "/help/stores", "/faq", "/private/staff", "/files/tent-care.pdf"]  # fmt: skip


class Site:
    """The server; `hits` counts requests per path, `edit` changes a page."""

    def __init__(self, extra: int = 30) -> None:
        self.pages = build_pages(extra)
        self.sitemap_paths = list(SITEMAP_PATHS)
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                site.hits[path] += 1
                if path == "/sitemap.xml":
                    body = site.sitemap().encode()
                    ctype = "application/xml"
                elif path in site.pages:
                    ctype, body = site.pages[path]
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    site.not_modified[path] += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def sitemap(self) -> str:
        urls = self.sitemap_paths
        locs = "".join(f"<url><loc>{self.url}{u}</loc></url>" for u in urls)
        return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'

    def edit(self, path: str, old: str, new: str) -> None:
        ctype, body = self.pages[path]
        self.pages[path] = (ctype, body.replace(old.encode(), new.encode()))

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
