"""The bot's uploaded picture: checked, made small and stored with the shop's settings.

A shop may give its bot's picture as a URL or upload one. Either way Samtale keeps its own copy
(a URL is fetched once, when the admin saves it, through the guarded client that refuses
internal addresses) and serves it from `/api/v1/widget/<key>/avatar`, so it works under the
strictest page policy (`img-src` the Samtale origin) and is safe to serve: whatever was uploaded is decoded by Pillow and written
anew as a small PNG, so no script (an SVG), no metadata (a photo's location) and nothing that
merely claims to be a picture gets through. The result is a few kilobytes, kept in
`tenant.settings["widget_avatar"]` (media type, base64 data, digest); the digest goes into the
picture's URL so browsers may cache it for long and still see a new one at once.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
from typing import Any

import httpx
from PIL import Image, UnidentifiedImageError

from samtale.infra.outgoing import OutgoingClient
from samtale.kernel.errors import Invalid
from samtale.model import Tenant

SECTION = "widget_avatar"
MAX_UPLOAD_BYTES = 48 * 1024
SIZE = 128  # pixels, square; shown at 38 px (three times that for sharp screens)
FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
MAX_PIXELS = 4096 * 4096


class AvatarInvalid(Invalid):
    """An upload that is not a picture we take (format, size)."""

    code = "avatar_invalid"


def normalise(data: bytes) -> bytes:
    """The upload as a square PNG of `SIZE` pixels (centre-cropped), or `AvatarInvalid`."""
    if not data:
        raise AvatarInvalid("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise AvatarInvalid(f"The picture is over {MAX_UPLOAD_BYTES // 1024} KB.")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in FORMATS:
                raise AvatarInvalid("Use a PNG, JPEG, WebP or GIF picture.")
            if img.width * img.height > MAX_PIXELS:
                raise AvatarInvalid("The picture has too many pixels.")
            img.seek(0)
            picture = img.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise AvatarInvalid("This file is not a picture we can read.") from None
    side = min(picture.width, picture.height)
    left, top = (picture.width - side) // 2, (picture.height - side) // 2
    picture = picture.crop((left, top, left + side, top + side))
    picture = picture.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


class AvatarUnreachable(AvatarInvalid):
    """A picture URL that did not answer with a picture in time."""

    code = "avatar_unreachable"


async def fetch(client: OutgoingClient, url: str, deadline: float = 10.0) -> bytes:
    """The picture at `url`, normalised; read no further than `MAX_UPLOAD_BYTES`."""
    data = bytearray()
    try:
        async with asyncio.timeout(deadline):
            async with client.http.stream("GET", url, headers={"accept": "image/*"}) as r:
                if r.status_code != 200:
                    raise AvatarUnreachable(f"The picture's address answered {r.status_code}.")
                async for chunk in r.aiter_bytes():
                    data += chunk
                    if len(data) > MAX_UPLOAD_BYTES:
                        break
    except (httpx.HTTPError, TimeoutError):
        raise AvatarUnreachable("The picture's address could not be reached.") from None
    return normalise(bytes(data))


def stored(png: bytes, source: str | None = None) -> dict[str, Any]:
    """The settings section for a normalised picture (`source`: the URL it was fetched from)."""
    return {
        "media_type": "image/png",
        "data": base64.b64encode(png).decode("ascii"),
        "digest": hashlib.sha256(png).hexdigest()[:12],
        "source": source,
    }


def source(tenant: Tenant) -> str | None:
    """The URL the kept picture was fetched from (None: uploaded)."""
    raw = (tenant.settings or {}).get(SECTION)
    value = raw.get("source") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


def uploaded(tenant: Tenant) -> tuple[bytes, str] | None:
    """The shop's uploaded picture and its digest, if it has one."""
    raw = (tenant.settings or {}).get(SECTION)
    if not isinstance(raw, dict) or raw.get("media_type") != "image/png":
        return None
    try:
        return base64.b64decode(raw["data"], validate=True), str(raw["digest"])
    except (KeyError, ValueError, TypeError):
        return None
