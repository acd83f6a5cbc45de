"""What a file is, decided from its first bytes (never from its name or the client's word).

Accepted: JPEG, PNG, WebP and HEIC/HEIF photos, and PDF documents. Everything else is refused;
executables, HTML and SVG (which can carry scripts) get a message that names them, so the
customer knows why. `filetype` reads the magic numbers; HTML and SVG are text, which it does not
classify, so a leading `<` (after a byte-order mark and white space) is taken for markup.
"""

from __future__ import annotations

from typing import Literal

import filetype

from samtale.kernel.errors import UnsupportedType

Kind = Literal["jpeg", "png", "webp", "heic", "pdf"]
KINDS: dict[str, Kind] = {
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heic",
    "application/pdf": "pdf",
}
EXECUTABLES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-elf",
    "application/x-mach-binary",
    "application/x-sharedlib",
    "application/x-dosexec",
    "application/vnd.microsoft.portable-executable",
}
# Enough for every signature filetype knows.
HEAD_BYTES = 8192
ACCEPTED = "Only photos (JPEG, PNG, WebP, HEIC) and PDF files can be sent."


def sniff(head: bytes) -> Kind:
    """The kind of a file from its first bytes; `UnsupportedType` when it is not accepted."""
    if head[:2] == b"MZ" or head[:4] in (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf"):
        raise UnsupportedType(f"Programs cannot be sent. {ACCEPTED}", code="executable_refused")
    if head[:5] == b"%PDF-":
        return "pdf"
    guess = filetype.guess(head[:HEAD_BYTES])
    if guess is not None:
        if guess.mime in KINDS:
            return KINDS[guess.mime]
        if guess.mime in EXECUTABLES:
            raise UnsupportedType(f"Programs cannot be sent. {ACCEPTED}", code="executable_refused")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        raise UnsupportedType(
            f"Web pages and SVG images cannot be sent. {ACCEPTED}", code="markup_refused"
        )
    raise UnsupportedType(ACCEPTED, code="type_refused")
