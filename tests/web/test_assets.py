"""Assets come from Konvoi itself, compressed for a slow link, and cached by version."""

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


def test_the_service_worker_may_serve_the_whole_site(anonymous: TestClient) -> None:
    worker = anonymous.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
