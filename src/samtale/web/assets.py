"""Static files under content hashes: the widget bundle, the demo page's stylesheet and pictures.

Every file in `web/static/` is read once per process (scripts without their indentation and
comment lines), hashed (the first 12 hex digits of its SHA-256) and gzipped. It is served at `/static/<stem>.<hash>.<ext>` with a year-long immutable
cache, so a new release is a new URL and browsers never run a stale widget. The name without the
hash answers too, cached briefly and revalidated by ETag (for links that cannot know the hash).

The shop's script tag points at `/widget.js`: a loader of a few hundred bytes, cached for five
minutes, that loads the current hashed bundle and hands it the tag's `data-samtale-*`
attributes. Calls to `window.Samtale` made before the bundle has loaded are queued and replayed.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

STATIC_DIR = Path(__file__).parent / "static"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
HASHED_NAME = re.compile(r"^(?P<stem>[a-z0-9-]+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[a-z]+)$")
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300, stale-while-revalidate=86400"

LOADER = """/* Samtale widget loader: loads the current widget (cached for a year under its hash). */
(function () {
  var me = document.currentScript;
  if (!me || window.__samtaleLoader) return;
  window.__samtaleLoader = true;
  var q = [], s = window.Samtale = window.Samtale || {};
  if (!s.open) {
    s._q = q;
    ["open", "close", "toggle", "on", "off"].forEach(function (m) {
      s[m] = function () { q.push([m, [].slice.call(arguments)]); return s; };
    });
  }
  var el = document.createElement("script");
  el.src = new URL("__BUNDLE__", me.src).href;
  el.async = true;
  if (me.nonce) el.nonce = me.nonce;
  for (var i = 0; i < me.attributes.length; i++) {
    var a = me.attributes[i];
    if (a.name.indexOf("data-") === 0) el.setAttribute(a.name, a.value);
  }
  (document.head || document.documentElement).appendChild(el);
})();
"""


def strip_js(source: str) -> str:
    """The script as served: without indentation, blank lines and comment lines (`// …` lines
    and `/* … */` blocks that start a line; the `/*! … */` licence header stays). Lines are
    never joined, so automatic semicolons and template literals keep their meaning; the
    readable source stays in the repository."""
    out: list[str] = []
    in_comment = False
    for raw in source.splitlines():
        line = raw.strip()
        if in_comment:
            in_comment = "*/" not in line
            continue
        if line.startswith("/*") and not line.startswith("/*!"):
            in_comment = "*/" not in line
            continue
        if line and not line.startswith("//"):
            out.append(line)
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Asset:
    name: str
    data: bytes
    gzipped: bytes
    digest: str
    media_type: str

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Asset:
        return cls(
            name=name,
            data=data,
            gzipped=gzip.compress(data, compresslevel=9, mtime=0),
            digest=hashlib.sha256(data).hexdigest()[:12],
            media_type=MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream"),
        )

    @property
    def hashed_name(self) -> str:
        path = Path(self.name)
        return f"{path.stem}.{self.digest}{path.suffix}"

    @property
    def url(self) -> str:
        return f"/static/{self.hashed_name}"

    def response(self, request: Request, cache_control: str) -> Response:
        etag = f'W/"{self.digest}"'  # weak: the gzipped and the plain bytes share it
        headers = {
            "Cache-Control": cache_control,
            "ETag": etag,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
            # Shop pages that isolate themselves (COEP) may still load it.
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if f'"{self.digest}"' in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(self.gzipped, media_type=self.media_type, headers=headers)
        return Response(self.data, media_type=self.media_type, headers=headers)


class Assets:
    def __init__(self, folder: Path = STATIC_DIR) -> None:
        self.by_name: dict[str, Asset] = {}
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in MEDIA_TYPES:
                data = path.read_bytes()
                if path.suffix == ".js":
                    data = strip_js(data.decode()).encode()
                self.by_name[path.name] = Asset.from_bytes(path.name, data)
        self.loader = Asset.from_bytes(
            "widget.js", LOADER.replace("__BUNDLE__", self.by_name["widget.js"].url).encode()
        )

    def url(self, name: str) -> str:
        return self.by_name[name].url

    def find(self, requested: str) -> tuple[Asset, bool] | None:
        """The asset a `/static/` name means, and whether the name carried its current hash."""
        match = HASHED_NAME.match(requested)
        if match:
            # A hash from another release (a cached loader during an upgrade): the current file,
            # cached briefly.
            asset = self.by_name.get(match["stem"] + match["ext"])
            return (asset, asset.digest == match["digest"]) if asset else None
        asset = self.by_name.get(requested)
        return (asset, False) if asset else None


@cache
def assets() -> Assets:
    return Assets()
