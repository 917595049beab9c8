"""Front-end files, served by Konvoi itself: no CDN, nothing third-party in the repository.

htmx and the classless stylesheet come from the npm registry (``npm ci`` at set-up, listed in
package.json); Konvoi's own small script, stylesheet and service worker live in app/web/static.
Names carry the package version, so browsers may keep them for a year.
"""

import gzip
import hashlib
import json
import mimetypes
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
OWN = Path(__file__).resolve().parent / "static"

# Public name -> file inside node_modules.
VENDOR = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "pico.classless.min.css": "@picocss/pico/css/pico.classless.min.css",
}
YEAR = "public, max-age=31536000, immutable"

router = APIRouter(include_in_schema=False)


@cache
def _version(package: str) -> str:
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.exists():
        return "missing"
    version: str = json.loads(manifest.read_text())["version"]
    return version


def vendor_url(name: str) -> str:
    package = VENDOR[name].split("/dist/")[0].split("/css/")[0]
    return f"/static/vendor/{_version(package)}/{name}"


@cache
def _packed(path: Path, modified_ns: int) -> tuple[bytes, bytes, str]:
    """The file, gzipped once (a driver on 400 kbit/s pays for every byte), and its ETag."""
    del modified_ns  # part of the cache key: a changed file is read again
    raw = path.read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()[:16]


def _send(request: Request, path: Path, cache_control: str) -> Response:
    raw, packed, digest = _packed(path, path.stat().st_mtime_ns)
    headers = {"cache-control": cache_control, "etag": f'"{digest}"', "vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response(status_code=304, headers=headers)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["content-encoding"] = "gzip"
        return Response(packed, media_type=media_type, headers=headers)
    return Response(raw, media_type=media_type, headers=headers)


@router.get("/static/vendor/{version}/{name}")
def vendor(request: Request, version: str, name: str) -> Response:
    path = VENDOR.get(name)
    if path is None or not (NODE_MODULES / path).exists():
        raise HTTPException(404, f"{name} is not installed; run the set-up (npm ci)")
    return _send(request, NODE_MODULES / path, YEAR)


def _own(name: str) -> Path:
    path = OWN / name
    if "/" in name or not path.is_file():
        raise HTTPException(404, f"no file {name}")
    return path


def own_url(name: str) -> str:
    """Konvoi's own file by its content's digest: a page names the file it was made with,
    which a phone may keep for a year and need not ask for again (a reload costs nothing)."""
    path = _own(name)
    return f"/static/app/{_packed(path, path.stat().st_mtime_ns)[2]}/{name}"


@router.get("/static/app/{name}")
def own(request: Request, name: str) -> Response:
    # By name alone (the service worker, older pages): revalidated each time by its ETag.
    return _send(request, _own(name), "no-cache")


@router.get("/static/app/{digest}/{name}")
def own_by_digest(request: Request, digest: str, name: str) -> Response:
    path = _own(name)
    current = _packed(path, path.stat().st_mtime_ns)[2]
    # A page made before Konvoi changed the file gets the current one, revalidated.
    return _send(request, path, YEAR if digest == current else "no-cache")


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """The driver page's offline copy. Served from the root so its scope covers the pages;
    never cached, so a new version reaches the phones at once."""
    return FileResponse(
        OWN / "sw.js",
        media_type="text/javascript",
        headers={"cache-control": "no-cache", "service-worker-allowed": "/"},
    )
