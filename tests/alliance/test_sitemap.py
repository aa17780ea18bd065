"""sitemap.xml (every public page in both languages, with alternates, no draft), robots.txt and
the absolute hreflang links of every page."""

import re

import pytest

from tests.factories.events import EventFactory
from tests.factories.initiatives import PathwayFactory, ProjectFactory
from tests.factories.members import AllyFactory, MemberOrganizationFactory

pytestmark = pytest.mark.django_db


def locations(response):
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_sitemap_lists_public_pages_in_both_languages_and_no_draft(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = MemberOrganizationFactory(name="Orti Urbani", slug="orti-urbani")
        AllyFactory(slug="in-attesa")
        ProjectFactory(slug="cooperiamo", lead_ally=lead)
        ProjectFactory(slug="bozza", lead_ally=lead, draft=True)
        EventFactory(slug="giornata")
        EventFactory(slug="evento-bozza", draft=True)
        PathwayFactory(slug="costruire-comunita")
        PathwayFactory(slug="percorso-bozza", status="draft")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert not response.cookies
    content = {
        loc
        for loc in locations(response)
        if "/alleat" in loc
        or "/allies/" in loc
        or "/progett" in loc
        or "/projects/" in loc
        or "/event" in loc
        or "/percors" in loc
        or "/pathways/" in loc
    }
    base = "http://testserver"
    assert content >= {
        f"{base}/alleati/orti-urbani/",
        f"{base}/en/allies/orti-urbani/",
        f"{base}/progetti/cooperiamo/",
        f"{base}/en/projects/cooperiamo/",
        f"{base}/eventi/giornata/",
        f"{base}/en/events/giornata/",
        f"{base}/percorsi/costruire-comunita/",
        f"{base}/en/pathways/costruire-comunita/",
    }
    everything = " ".join(locations(response))
    for draft in ("in-attesa", "bozza", "evento-bozza", "percorso-bozza"):
        assert f"/{draft}/" not in everything
    html = response.content.decode()
    assert (f'<xhtml:link rel="alternate" hreflang="en" href="{base}/en/events/giornata/"/>') in html
    assert (f'<xhtml:link rel="alternate" hreflang="x-default" href="{base}/eventi/giornata/"/>') in html
    # The home page and the lists, in both languages.
    assert {f"{base}/", f"{base}/en/", f"{base}/eventi/", f"{base}/en/events/"} <= set(locations(response))


def test_sitemap_query_count_does_not_grow(client, django_capture_on_commit_callbacks, django_assert_num_queries):
    for count in (1, 3):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(count):
                EventFactory()
        with django_assert_num_queries(1):
            client.get("/sitemap.xml")


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Disallow: /coordinamento/" in lines and "Disallow: /en/coordination/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert not response.cookies


def test_hreflang_links_are_absolute_with_x_default(client):
    html = client.get("/en/search/?q=orti").content.decode()
    assert '<link rel="alternate" hreflang="it" href="http://testserver/cerca/?q=orti">' in html
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/search/?q=orti">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/cerca/?q=orti">' in html
