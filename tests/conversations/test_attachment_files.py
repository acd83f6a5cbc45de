"""What a file is (from its bytes) and what is kept of a photo: the type is never taken from the
name, programs and markup are refused by name, a photo loses its EXIF and GPS data but keeps its
orientation, HEIC becomes JPEG, and a picture too big to decode safely is refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from samtale.conversations.attachments.images import reencode
from samtale.conversations.attachments.kinds import sniff
from samtale.conversations.attachments.service import clean_name
from samtale.kernel.errors import UnsupportedType
from tests.files import SVG_WITH_SCRIPT, heic_photo, pdf, photo, windows_program


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (photo(), "jpeg"),
        (photo(fmt="PNG"), "png"),
        (photo(fmt="WEBP"), "webp"),
        (heic_photo(), "heic"),
        (pdf(), "pdf"),
    ],
)
def test_accepted_kinds_are_known_by_their_bytes(data: bytes, kind: str) -> None:
    assert sniff(data[:8192]) == kind


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (windows_program(), "executable_refused"),
        (b"\x7fELF\x02\x01\x01" + b"\0" * 64, "executable_refused"),
        (SVG_WITH_SCRIPT, "markup_refused"),
        (b"\xef\xbb\xbf  <!doctype html><script>alert(1)</script>", "markup_refused"),
        (b"GIF89a" + b"\0" * 64, "type_refused"),
        (b"PK\x03\x04" + b"\0" * 64, "type_refused"),
        (b"just some text", "type_refused"),
    ],
)
def test_everything_else_is_refused_and_named(data: bytes, code: str) -> None:
    with pytest.raises(UnsupportedType) as refused:
        sniff(data)
    assert refused.value.code == code
    assert "JPEG, PNG, WebP, HEIC" in refused.value.message


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_and_gps_are_not_kept(fmt: str) -> None:
    original = photo(fmt=fmt)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the GPS block is there
    kept = reencode(original, sniff(original))
    image = Image.open(io.BytesIO(kept.data))
    assert image.format == fmt and image.size == (640, 480)
    assert not image.getexif() and b"PhoneMaker" not in kept.data
    thumb = Image.open(io.BytesIO(kept.thumbnail))
    assert thumb.format == "JPEG" and max(thumb.size) == 320


def test_a_sideways_photo_is_turned_upright_before_its_exif_goes() -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    Image.new("RGB", (400, 200), (10, 10, 10)).save(out, format="JPEG", exif=exif.tobytes())
    kept = reencode(out.getvalue(), "jpeg")
    assert (kept.width, kept.height) == (200, 400)


def test_heic_is_kept_as_jpeg() -> None:
    kept = reencode(heic_photo(), "heic")
    assert kept.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(kept.data)).format == "JPEG"


def test_undecodable_and_oversized_pictures_are_refused() -> None:
    with pytest.raises(UnsupportedType) as refused:
        reencode(b"\xff\xd8\xff\xe0" + b"garbage" * 100, "jpeg")
    assert refused.value.code == "image_unreadable"
    # 10 000 × 10 000 pixels of one colour: a few kilobytes as PNG, 300 MB decoded.
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    assert len(out.getvalue()) < 100_000
    with pytest.raises(UnsupportedType):
        reencode(out.getvalue(), "png")


@pytest.mark.parametrize(
    ("name", "content_type", "kept"),
    [
        ("IMG_0001.HEIC", "image/jpeg", "IMG_0001.jpg"),
        ("../../etc/passwd.png", "image/png", "passwd.png"),
        ("C:\\Users\\ida\\skade.webp", "image/webp", "skade.webp"),
        ('fak"tura<1>.pdf', "application/pdf", "fak_tura_1_.pdf"),
        ("", "image/jpeg", "photo.jpg"),
        (None, "application/pdf", "document.pdf"),
        ("a" * 300 + ".jpg", "image/jpeg", "a" * 196 + ".jpg"),
        ("evil.exe", "application/pdf", "evil.pdf"),
    ],
)
def test_names_are_safe_and_say_what_the_file_is(
    name: str | None, content_type: str, kept: str
) -> None:
    assert clean_name(name, content_type) == kept
