"""The staff web page: static HTML, CSS and JavaScript served at ``/`` and ``/static/...``.

No build step, no CDN, no web fonts: the three files in ``static/`` are the whole page, and it calls
the versioned API (``/v1/...``) of the same server. Mount ``router`` once, without a prefix.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from learnsys.api.problems import not_found

STATIC_DIR = Path(__file__).resolve().parent / "static"
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".ico": "image/x-icon"}
# Same-origin only; inline SVG charts are built with DOM calls, so no 'unsafe-inline' script is needed.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin", "Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=FileResponse)
def index() -> Response:
    """The single page (hash routes: ``#/search``, ``#/doc/ID``, ``#/provider/ODS``, ``#/regional``)."""
    return FileResponse(STATIC_DIR / "index.html", media_type=MEDIA_TYPES[".html"], headers=HEADERS)


@router.get("/collaboratives", response_class=FileResponse)
def collaboratives_page() -> Response:
    """Improvement collaboratives (hash routes: ``#/``, ``#/c/ID`` dashboard, ``#/team/ID`` team page)."""
    return FileResponse(STATIC_DIR / "collaboratives.html", media_type=MEDIA_TYPES[".html"], headers=HEADERS)


@router.get("/static/{name}", response_class=FileResponse)
def static(name: str) -> Response:
    """One file from ``static/`` (flat folder; no path traversal: the name must be a listed file)."""
    path = STATIC_DIR / name
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file() \
            or path.suffix not in MEDIA_TYPES:
        raise not_found("static file", name, "name")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=HEADERS)
