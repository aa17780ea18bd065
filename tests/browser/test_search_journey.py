"""Finding things in Chromium, with axe-core on every page: the header search, groups, filters
and highlights; the home page by region; the network page's map by keyboard and without
JavaScript; a 360 px phone."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from alliance.models import Province, Region
from tests.factories.events import EventFactory, SessionFactory, SpeakerFactory
from tests.factories.initiatives import PathwayFactory, ProjectFactory
from tests.factories.members import MemberOrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def content(taxonomy):
    veneto = Region.objects.get(slug="veneto")
    orti = MemberOrganizationFactory(
        name="Cooperativa Sociale Orti Urbani",
        slug="orti-urbani",
        city="Verona",
        province=Province.objects.get(abbreviation="VR"),
        regions=[veneto],
    )
    partner = MemberOrganizationFactory(name="Rete Aperta", slug="rete-aperta")
    project = ProjectFactory(
        title="Cooperiamo per l'Economia del Buon Vivere", slug="cooperiamo", lead_ally=orti, regions=[veneto]
    )
    project.partners.create(ally=partner)
    event = EventFactory(
        title="Giornata della Generatività Sociale", slug="giornata", city="Milano", organizers=[orti, partner]
    )
    speaker = SpeakerFactory(event=event, name="Stefano Granata")
    SessionFactory(event=event, title="Workshop tematico: orti condivisi", kind="workshop", speakers=[speaker])
    PathwayFactory(
        title="Costruire comunità",
        slug="costruire-comunita",
        purpose="Accompagnare le organizzazioni verso la generatività.",
    )


def test_a_visitor_finds_events_sessions_and_places_with_the_words_they_type(page, content, assert_accessible):
    page.goto("/en/")
    assert_accessible(page)
    page.get_by_label("Search the portal").fill("generativita")
    page.get_by_label("Search the portal").press("Enter")
    expect(page).to_have_url(re.compile(r"/en/search/\?q=generativita$"))
    expect(page.get_by_role("status")).to_have_text("4 results for “generativita”.")
    expect(page.locator("main h2")).to_have_text(
        ["Events (1)", "Sessions and workshops (1)", "Speakers (1)", "Pathways (1)"]
    )
    event_link = page.get_by_role("link", name="Giornata della Generatività Sociale")
    expect(event_link.locator("mark")).to_have_text("Generatività")
    assert_accessible(page)

    page.get_by_label("Words to look for").fill("orti")
    page.get_by_label("Kind").select_option(label="Sessions and workshops")
    page.get_by_role("button", name="Search").last.click()
    expect(page.get_by_role("link", name="Workshop tematico: orti condivisi")).to_be_visible()
    expect(page.locator(".search-hit")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name="Workshop tematico: orti condivisi").click()
    expect(page).to_have_url(re.compile(r"/en/events/giornata/#programme-title$"))

    page.goto("/en/search/?q=Verona")
    expect(page.locator("main h2")).to_have_text(["Places (1)", "Allies (1)"])
    page.get_by_role("link", name="Verona").click()
    expect(page).to_have_url(re.compile(r"/en/search/\?q=Verona&region=veneto$"))
    expect(page.get_by_label("Region")).to_have_value("veneto")
    assert_accessible(page)


def test_the_home_page_puts_the_chosen_region_first(page, content, assert_accessible):
    page.goto("/en/")
    expect(page.locator(".home-figures__list li")).to_have_text(
        ["2 allies", "1 region where the network is present", "1 project", re.compile(r"\d+ events? this year")]
    )
    page.get_by_label("Show first what happens in").select_option(label="Veneto")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/en/\?region=veneto$"))
    expect(page.locator(".home-section--projects .home-badge")).to_have_text(["in Veneto"])
    assert_accessible(page)


@pytest.fixture
def screenshots(tmp_path_factory):
    folder = os.environ.get("SCREENSHOTS_DIR")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


def test_the_map_is_reached_by_keyboard_and_works_without_javascript(
    browser, live_server, page, content, assert_accessible, screenshots
):
    page.goto("/en/network/")
    assert_accessible(page)
    regions = page.locator("svg.presence-map a")
    expect(regions).to_have_count(20)
    expect(page.locator("svg.presence-map path")).to_have_count(20)
    box = page.locator("svg.presence-map").bounding_box()
    assert box["width"] > 300 and box["height"] > 380  # drawn, not collapsed
    page.screenshot(path=str(screenshots / "network-map.png"), full_page=False)
    page.get_by_text("A map of Italy's regions").click()  # start tabbing from the text before the map
    reached = []
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('aria-label')"))
    assert len(set(reached)) == 20 and all(label and ": " in label for label in reached)
    assert "Veneto: 1 ally, 1 project, 0 events" in reached
    expect(page.get_by_role("link", name="Cooperativa Sociale Orti Urbani, works with one ally")).to_be_visible()

    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    phone = context.new_page()
    phone.goto("/en/network/")
    phone.locator('svg.presence-map a[aria-label^="Veneto"]').click()
    expect(phone).to_have_url(re.compile(r"/en/search/\?region=veneto$"))
    expect(phone.get_by_role("link", name="Cooperativa Sociale Orti Urbani")).to_be_visible()
    for path in ["/en/", "/en/search/?q=orti", "/en/network/"]:
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
    context.close()


def test_the_lists_filter_by_a_typed_ally_with_or_without_javascript(
    browser, live_server, page, content, assert_accessible
):
    page.goto("/en/projects/")
    field = page.get_by_label("Ally involved")
    expect(field).to_have_attribute("role", "combobox")  # the type-ahead of static/js/ally-search.js
    field.fill("orti")
    expect(page.get_by_role("option", name="Cooperativa Sociale Orti Urbani")).to_be_visible()
    assert_accessible(page)
    field.press("ArrowDown")
    field.press("Enter")
    expect(field).to_have_value("Cooperativa Sociale Orti Urbani")
    page.get_by_role("button", name="Show projects").click()
    expect(page).to_have_url(re.compile(r"/en/projects/\?.*ally=Cooperativa\+Sociale\+Orti\+Urbani"))
    expect(page.locator(".project-list li")).to_have_count(1)
    expect(page.get_by_role("link", name="Cooperiamo per l'Economia del Buon Vivere")).to_be_visible()
    assert_accessible(page)

    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    phone = context.new_page()
    phone.goto("/en/events/")
    phone.get_by_label("Organized by").fill("rete aperta")
    phone.get_by_role("button", name="Show events").click()
    expect(phone.get_by_label("Organized by")).to_have_value("Rete Aperta")  # the full name, found on the server
    expect(phone.get_by_role("link", name="Giornata della Generatività Sociale")).to_be_visible()
    phone.get_by_label("Organized by").fill("a")
    phone.get_by_role("button", name="Show events").click()
    expect(phone.locator("#id_organizer_error")).to_contain_text("Several allies match “a”")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
