"""Photos and PDFs sent in a chat: what receiving one costs.

- Re-encoding (in process, one core): a phone's 12-megapixel JPEG with EXIF and GPS, the same
  photo as HEIC, a phone screenshot as PNG, and a WebP, each decoded, turned upright, written
  again without metadata and given a 320-pixel preview (`conversations.attachments.images`).
  The peer, measured in the same run on the same files, is the least any re-encoding costs:
  Pillow opening the file and saving it again in its format, nothing else.
- Uploading through the visitor API (in process, SQLite in a temporary folder): the median and
  95th percentile of `POST …/attachments` for the JPEG and a 2 MB PDF, with the folder storage
  and the database storage; and the time to refuse an upload that announces 50 MB (refused
  before its body is read).

    .venv/bin/python -m bench.attachments [--runs 10]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image

from bench.common import machine, percentile, table
from samtale.app.container import Container
from samtale.conversations.attachments.images import reencode
from samtale.conversations.attachments.kinds import sniff
from samtale.conversations.responder import StaticRegistry
from samtale.kernel.config import Settings
from samtale.tenants.service import TenantCreate, create_tenant
from samtale.web.app import create_app


def phone_photo(size: tuple[int, int], fmt: str) -> bytes:
    """A photo-like picture (smooth gradients and noise, so it compresses like a photo)."""
    import numpy as np

    rng = np.random.default_rng(7)
    w, h = size
    x = np.linspace(0, 255, w, dtype=np.float32)
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None]
    rgb = np.stack([(x + y) / 2, np.abs(x - y), 255 - (x + y) / 2], axis=-1)
    rgb += rng.normal(0, 12, size=rgb.shape).astype(np.float32)
    image = Image.fromarray(np.clip(rgb, 0, 255).astype("uint8"), "RGB")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (55.0, 40.0, 34.0), 3: "E", 4: (12.0, 34.0, 6.0)}
    out = io.BytesIO()
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
        image.save(out, format="HEIF", quality=80, exif=exif.tobytes())
    else:
        image.save(out, format=fmt, quality=90, exif=exif.tobytes())
    return out.getvalue()


def plain_resave(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    fmt = "JPEG" if image.format == "HEIF" else image.format
    image.save(io.BytesIO(), format=fmt)


def timed(fn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - start) * 1000)
    return out


def reencoding(runs: int) -> list[list[object]]:
    files = {
        "JPEG 4032×3024 (phone)": phone_photo((4032, 3024), "JPEG"),
        "HEIC 4032×3024 (iPhone)": phone_photo((4032, 3024), "HEIF"),
        "PNG 1170×2532 (screenshot)": phone_photo((1170, 2532), "PNG"),
        "WebP 1600×1200": phone_photo((1600, 1200), "WEBP"),
    }
    rows: list[list[object]] = []
    for name, data in files.items():
        kind = sniff(data[:8192])
        ours = timed(lambda d=data, k=kind: reencode(d, k), runs)
        peer = timed(lambda d=data: plain_resave(d), runs)
        kept = reencode(data, kind)
        rows.append(
            [
                name,
                f"{len(data) / 1e6:.1f} MB",
                percentile(ours, 0.5),
                percentile(peer, 0.5),
                f"{len(kept.data) / 1e6:.1f} MB",
                f"{len(kept.thumbnail) / 1e3:.0f} KB",
            ]
        )
    return rows


async def uploading(runs: int) -> list[list[object]]:
    jpeg = phone_photo((4032, 3024), "JPEG")
    pdf = b"%PDF-1.4\n" + b"0" * 2_000_000 + b"\n%%EOF\n"
    rows: list[list[object]] = []
    for storage in ("folder", "database"):
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                data_dir=Path(folder),
                secret_key="bench",
                attachment_storage=storage,
                messages_per_minute=1_000_000,
            )
            rt = Container.build(settings, responders=StaticRegistry())
            await rt.start(migrate=True, bots=False)
            async with rt.db.transaction() as session:
                from samtale.kernel.clock import SystemClock

                tenant = await create_tenant(
                    session,
                    TenantCreate(
                        name="Bench", slug="bench", widget_key="wk-bench", allowed_origins=[]
                    ),
                    SystemClock(),
                )
                tenant.settings = {"attachments": {"max_files": 50, "max_file_mb": 25}}
            transport = httpx.ASGITransport(app=create_app(rt, manage_runtime=False))
            async with httpx.AsyncClient(transport=transport, base_url="http://b") as api:
                for label, body in (("JPEG 4032×3024", jpeg), ("PDF 2 MB", pdf)):
                    times = []
                    for _ in range(runs):
                        r = await api.post("/api/v1/widget/wk-bench/conversations", json={})
                        conv = r.json()
                        headers = {"authorization": f"Bearer {conv['token']}"}
                        start = time.perf_counter()
                        r = await api.post(
                            f"/api/v1/conversations/{conv['conversation_id']}/attachments",
                            content=body,
                            headers=headers,
                        )
                        times.append((time.perf_counter() - start) * 1000)
                        assert r.status_code == 201, r.text
                    rows.append(
                        [f"{label}, {storage}", percentile(times, 0.5), percentile(times, 0.95)]
                    )
                big = b"\0" * (50 * 1024 * 1024)
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    r = await api.post(
                        f"/api/v1/conversations/{conv['conversation_id']}/attachments",
                        content=big,
                        headers=headers,
                    )
                    times.append((time.perf_counter() - start) * 1000)
                    assert r.status_code == 413
                rows.append(
                    [f"50 MB refused, {storage}", percentile(times, 0.5), percentile(times, 0.95)]
                )
            await rt.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print()
    print("Re-encoding a photo (median ms, one core)")
    print(
        table(
            ["file", "size", "Samtale (ms)", "peer: Pillow re-save (ms)", "kept", "preview"],
            reencoding(args.runs),
        )
    )
    print()
    print("Uploading through the visitor API (in process, SQLite)")
    print(table(["upload", "median ms", "p95 ms"], asyncio.run(uploading(args.runs))))


if __name__ == "__main__":
    main()
