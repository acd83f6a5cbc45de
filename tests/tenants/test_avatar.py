"""An uploaded bot picture is decoded and written anew as a small square PNG; anything else is
refused with a clear error."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from samtale.tenants import avatar


def encoded(fmt: str, size: tuple[int, int], **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (47, 93, 80)).save(out, format=fmt, **save)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_pictures_become_a_square_png(fmt: str) -> None:
    png = avatar.normalise(encoded(fmt, (300, 120)))
    with Image.open(io.BytesIO(png)) as img:
        assert (img.format, img.size) == ("PNG", (avatar.SIZE, avatar.SIZE))
    stored = avatar.stored(png)
    assert stored["media_type"] == "image/png" and len(stored["digest"]) == 12


def test_metadata_does_not_survive() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Taget hjemme hos Ingeborg, Nørrebrogade 12")
    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, format="PNG", pnginfo=info)
    assert b"Ingeborg" not in avatar.normalise(out.getvalue())


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"GIF89a but not really",
        encoded("BMP", (10, 10)),  # a picture, but not a format we take
        b"\x89PNG\r\n\x1a\n" + b"\x00" * (avatar.MAX_UPLOAD_BYTES + 1),
    ],
)
def test_anything_else_is_refused(data: bytes) -> None:
    with pytest.raises(avatar.AvatarInvalid):
        avatar.normalise(data)


def test_a_decompression_bomb_is_refused() -> None:
    # Small on disk, huge in memory.
    out = io.BytesIO()
    Image.new("1", (6000, 6000)).save(out, format="PNG", optimize=True)
    data = out.getvalue()
    assert len(data) < avatar.MAX_UPLOAD_BYTES
    with pytest.raises(avatar.AvatarInvalid):
        avatar.normalise(data)
