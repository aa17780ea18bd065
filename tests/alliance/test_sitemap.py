"""The sitemap (an index of section sitemaps, each paginated; every public page in both languages,
with alternates, no draft), robots.txt and the absolute hreflang links of every page."""

import xml.etree.ElementTree as ET

import pytest

from alliance.sitemaps import ContentPages
from tests.factories.events import EventFactory
from tests.factories.initiatives import PathwayFactory, ProjectFactory
from tests.factories.members import AllyFactory, MemberOrganizationFactory

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


def read(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert not response.cookies
    return ET.fromstring(response.content)


def index_locations(client):
    return [loc.text for loc in read(client, "/sitemap.xml").findall("s:sitemap/s:loc", NS)]


def entries(client, path):
    """[(loc, [(hreflang, href), …]), …] of a section page, in order."""
    return [
        (
            url.find("s:loc", NS).text,
            [(link.get("hreflang"), link.get("href")) for link in url.findall("xhtml:link", NS)],
        )
        for url in read(client, path).findall("s:url", NS)
    ]


def content_locations(client):
    """Every address of every page of the content sections that the index lists."""
    return [
        loc
        for page in index_locations(client)
        if not page.startswith(f"{BASE}/sitemap-pages.xml")
        for loc, _alternates in entries(client, page.removeprefix(BASE))
    ]


def bilingual(it_path, en_path):
    alternates = [("it", BASE + it_path), ("en", BASE + en_path), ("x-default", BASE + it_path)]
    return [(BASE + it_path, alternates), (BASE + en_path, alternates)]


@pytest.fixture
def two_per_page(monkeypatch):
    monkeypatch.setattr(ContentPages, "limit", 2)


def test_index_lists_every_page_of_every_section(client, django_capture_on_commit_callbacks, two_per_page):
    with django_capture_on_commit_callbacks(execute=True):
        lead = MemberOrganizationFactory(slug="orti-urbani")
        for number in range(3):
            EventFactory(slug=f"incontro-{number}")
        ProjectFactory(slug="cooperiamo", lead_ally=lead)
    assert index_locations(client) == [
        f"{BASE}/sitemap-pages.xml",
        f"{BASE}/sitemap-allies.xml",
        f"{BASE}/sitemap-projects.xml",
        f"{BASE}/sitemap-events.xml",
        f"{BASE}/sitemap-events.xml?p=2",
        f"{BASE}/sitemap-pathways.xml",
    ]
    response = client.get("/sitemap.xml")
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"


def test_section_pages_list_both_languages_with_alternates(client, django_capture_on_commit_callbacks, two_per_page):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            EventFactory(slug=f"incontro-{number}")
    assert entries(client, "/sitemap-events.xml") == [
        *bilingual("/eventi/incontro-0/", "/en/events/incontro-0/"),
        *bilingual("/eventi/incontro-1/", "/en/events/incontro-1/"),
    ]
    assert entries(client, "/sitemap-events.xml?p=2") == bilingual("/eventi/incontro-2/", "/en/events/incontro-2/")
    pages = entries(client, "/sitemap-pages.xml")
    assert pages[:2] == bilingual("/", "/en/")
    assert [loc for loc, _alternates in pages] == [
        f"{BASE}{path}"
        for it_path, en_path in [
            ("/", "/en/"),
            ("/alleati/", "/en/allies/"),
            ("/progetti/", "/en/projects/"),
            ("/percorsi/", "/en/pathways/"),
            ("/eventi/", "/en/events/"),
            ("/rete/", "/en/network/"),
            ("/contatti/", "/en/contacts/"),
            ("/privacy/", "/en/privacy/"),
        ]
        for path in (it_path, en_path)
    ]


def test_sitemap_lists_public_pages_and_never_a_draft(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = MemberOrganizationFactory(name="Orti Urbani", slug="orti-urbani")
        AllyFactory(slug="in-attesa")
        ProjectFactory(slug="cooperiamo", lead_ally=lead)
        ProjectFactory(slug="bozza", lead_ally=lead, draft=True)
        ProjectFactory(slug="proposto", lead_ally=lead, submitted=True)
        EventFactory(slug="giornata")
        EventFactory(slug="evento-bozza", draft=True)
        PathwayFactory(slug="costruire-comunita")
        PathwayFactory(slug="percorso-bozza", status="draft")
    assert content_locations(client) == [
        f"{BASE}/alleati/orti-urbani/",
        f"{BASE}/en/allies/orti-urbani/",
        f"{BASE}/progetti/cooperiamo/",
        f"{BASE}/en/projects/cooperiamo/",
        f"{BASE}/eventi/giornata/",
        f"{BASE}/en/events/giornata/",
        f"{BASE}/percorsi/costruire-comunita/",
        f"{BASE}/en/pathways/costruire-comunita/",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap-events.xml?p=3",
        "/sitemap-events.xml?p=0",
        "/sitemap-events.xml?p=due",
        "/sitemap-pathways.xml?p=2",
        "/sitemap-pages.xml?p=2",
        "/sitemap-drafts.xml",
    ],
)
def test_a_page_beyond_the_last_is_not_found(client, django_capture_on_commit_callbacks, two_per_page, path):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            EventFactory()
    assert client.get("/sitemap-events.xml?p=2").status_code == 200
    response = client.get(path)
    assert response.status_code == 404
    assert not response.cookies


def test_an_empty_section_has_its_first_page(client):
    assert entries(client, "/sitemap-pathways.xml") == []


def test_query_counts_do_not_grow(client, django_capture_on_commit_callbacks, django_assert_num_queries, two_per_page):
    # 1, then 3 events (two pages), then 5 (three pages): the same queries each time.
    for count in (1, 2, 2):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(count):
                EventFactory()
        with django_assert_num_queries(1):
            client.get("/sitemap-events.xml")
        with django_assert_num_queries(1) as queries:
            client.get("/sitemap-events.xml?p=2")
        # The page reads its own rows, never the whole section.
        assert "ORDER BY 1 ASC LIMIT 2 OFFSET 2)" in queries.captured_queries[0]["sql"]
        with django_assert_num_queries(0):
            client.get("/sitemap-pages.xml")
        with django_assert_num_queries(4):  # one count per content section
            client.get("/sitemap.xml")


def test_anonymous_readers_get_the_index_and_the_pages_from_the_page_cache(
    client, django_capture_on_commit_callbacks, settings
):
    settings.PAGE_CACHE_ENABLED = True
    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(slug="giornata")
    for path in ("/sitemap.xml", "/sitemap-events.xml"):
        first, second = client.get(path), client.get(path)
        assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
        assert second.content == first.content
        assert not first.cookies and not second.cookies
        # Django's sitemaps ask search engines not to list the file itself: the stored copy says so too.
        assert second["X-Robots-Tag"] == first["X-Robots-Tag"] == "noindex, noodp, noarchive"
    with django_capture_on_commit_callbacks(execute=True):
        EventFactory(slug="seconda-giornata")
    assert f"{BASE}/eventi/seconda-giornata/" in client.get("/sitemap-events.xml").content.decode()


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
