"""Media served by the portal: nothing uploaded can run script on its origin."""

import pytest
from django.test import RequestFactory

from alliance.media import serve_media


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "brochure.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "old").write_bytes(b"<script>alert(1)</script>")
    return tmp_path


@pytest.mark.parametrize(
    ("path", "content_type", "attachment"),
    [("brochure.pdf", "application/pdf", True), ("logo.png", "image/png", False), ("old", None, True)],
)
def test_media_responses_are_sandboxed_and_documents_downloaded(media, path, content_type, attachment):
    response = serve_media(RequestFactory().get(f"/media/{path}"), path)

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "script-src" not in response["Content-Security-Policy"]
    assert (response.get("Content-Disposition") == "attachment") is attachment
    if content_type:
        assert response["Content-Type"] == content_type
    else:
        assert not response["Content-Type"].startswith("text/html")
