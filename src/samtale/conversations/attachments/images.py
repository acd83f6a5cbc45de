"""Photos are decoded and encoded again with Pillow before they are kept.

Re-encoding is what makes a photo safe to hand on: whatever the file carried besides the
picture (EXIF with the camera's GPS position, comments, appended data, a polyglot payload) is
not copied, because only the decoded pixels are written out. The picture is turned upright
first (EXIF orientation), since the orientation tag goes with the rest. HEIC (iPhones) is
decoded by `pillow-heif` and kept as JPEG, which every browser shows. A file Pillow cannot decode
is refused, as is one whose pixel count would blow up memory (a "decompression bomb").

Runs in a worker thread (CPU-bound); the attachment service calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from samtale.conversations.attachments.kinds import Kind
from samtale.kernel.errors import UnsupportedType

pillow_heif.register_heif_opener()

# 40 megapixels: more than any phone's photo, far below what would exhaust memory.
MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = (320, 320)
JPEG_QUALITY = 88

FORMATS: dict[Kind, tuple[str, str]] = {
    "jpeg": ("JPEG", "image/jpeg"),
    "heic": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
    "webp": ("WEBP", "image/webp"),
}
PIL_FORMATS: dict[Kind, tuple[str, ...]] = {
    "jpeg": ("JPEG",),
    "png": ("PNG",),
    "webp": ("WEBP",),
    "heic": ("HEIF",),
}


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str
    thumbnail: bytes
    width: int
    height: int


def _refused() -> UnsupportedType:
    return UnsupportedType(
        "This picture could not be read. Send it as JPEG, PNG, WebP or HEIC.",
        code="image_unreadable",
    )


def reencode(data: bytes, kind: Kind) -> Encoded:
    """The picture without its metadata, in the format it is kept in, and a JPEG thumbnail."""
    target, content_type = FORMATS[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=PIL_FORMATS[kind])
            if image.width * image.height > MAX_PIXELS:
                raise _refused()
            image.load()
            image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise _refused() from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refused() from exc
    if target == "JPEG" and image.mode not in ("RGB", "L"):
        image = _flatten(image)
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    # JPEG without `optimize` (it halves the speed for 7 % smaller files; see bench.attachments).
    options: dict[str, object] = {"quality": JPEG_QUALITY} if target in ("JPEG", "WEBP") else {}
    # No `exif=`, `icc_profile=` or text chunks: nothing but the pixels is written.
    image.save(out, format=target, **options)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb = _flatten(thumb) if thumb.mode not in ("RGB", "L") else thumb
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, format="JPEG", quality=80)
    return Encoded(out.getvalue(), content_type, thumb_out.getvalue(), image.width, image.height)


def _flatten(image: Image.Image) -> Image.Image:
    """On white, without alpha (JPEG has none)."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
