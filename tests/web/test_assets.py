"""Assets come from Konvoi itself, compressed for a slow link, and cached by version."""

import re

from fastapi.testclient import TestClient

from app.web.assets import vendor_url


def test_htmx_and_the_stylesheet_are_served_gzipped_from_the_installed_packages(
    anonymous: TestClient,
) -> None:
    for name in ("htmx.min.js", "pico.classless.min.css"):
        url = vendor_url(name)
        assert "/missing/" not in url, "front-end packages not installed (npm ci)"
        packed = anonymous.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.status_code == 200
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["cache-control"] == "public, max-age=31536000, immutable"
        plain = anonymous.get(url, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        # httpx decodes the gzipped body: both are the same file, the first a third the size.
        assert packed.content == plain.content
        assert int(packed.headers["content-length"]) < len(plain.content) / 3


def test_own_files_are_revalidated_by_etag(anonymous: TestClient) -> None:
    first = anonymous.get("/static/app/konvoi.js")
    assert first.headers["cache-control"] == "no-cache"
    again = anonymous.get("/static/app/konvoi.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert anonymous.get("/static/app/../main.py").status_code == 404


def test_pages_name_own_files_by_content_kept_for_a_year(anonymous: TestClient) -> None:
    """A reload of a page costs no request for its script and stylesheet: the page names
    them by their content's digest, and such a name is kept for a year."""
    login = anonymous.get("/login").text
    named = re.findall(r'(?:href|src)="(/static/app/[0-9a-f]{16}/konvoi\.(?:css|js))"', login)
    assert len(named) == 2, login
    for url in named:
        answer = anonymous.get(url)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.content == anonymous.get(url.replace(url.split("/")[3] + "/", "")).content
    # A page made before the file changed gets the current file, not kept for long.
    stale = anonymous.get("/static/app/0000000000000000/konvoi.js")
    assert (stale.status_code, stale.headers["cache-control"]) == (200, "no-cache")


def test_the_service_worker_may_serve_the_whole_site(anonymous: TestClient) -> None:
    worker = anonymous.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
