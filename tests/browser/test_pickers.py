"""The ally picker of the project editor: keyboard only with the type-ahead, and without JavaScript.

The field is a plain text input that the server resolves by name (10,000 allies
never become 10,000 options); static/js/ally-search.js adds the combobox pattern.
"""

import re

import pytest
from playwright.sync_api import expect

from initiatives.models import Project
from tests.factories.members import PASSWORD, AllyManagerFactory, MemberOrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/en/$"))


@pytest.fixture
def people(taxonomy):
    manager = AllyManagerFactory(
        ally=MemberOrganizationFactory(name="Cooperativa Sociale Il Melograno", slug="il-melograno"),
        user__email="marta@melograno.example.org",
        user__preferred_language="en",
    )
    for name in ("Associazione Rete Giovani", "Associazione Rete Anziani", "Fondazione Rete Comune"):
        MemberOrganizationFactory(name=name)
    return manager


def fill_project(page):
    page.goto("/en/my-area/projects/new/")
    page.locator("#id_title").fill("Orti Condivisi del Brenta")
    page.get_by_role("textbox", name="Summary", exact=True).fill("Orti di comunità lungo il Brenta.")
    page.locator("#id_objectives-0-text").fill("Coltivare dieci orti.")
    page.locator("#id_partners-0-role").fill("Animazione")


def test_choosing_a_partner_with_the_keyboard_only(people, page, assert_accessible):
    log_in(page, "marta@melograno.example.org")
    fill_project(page)
    field = page.locator("#id_partners-0-ally")
    expect(field).to_have_attribute("role", "combobox")
    field.focus()
    page.keyboard.type("Rete", delay=30)
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(3)
    expect(field).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", re.compile(r"-1$"))
    chosen = listbox.get_by_role("option").nth(1).text_content()
    page.keyboard.press("Enter")  # chooses, does not submit
    expect(field).to_have_value(chosen)
    expect(field).to_have_attribute("aria-expanded", "false")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Orti Condivisi del Brenta”")
    project = Project.objects.get(title="Orti Condivisi del Brenta")
    assert [p.ally.name for p in project.partners.all()] == [chosen]


def test_without_javascript_the_server_resolves_the_name_or_lists_the_matches(people, browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "marta@melograno.example.org")
        fill_project(page)
        page.locator("#id_partners-0-ally").fill("Rete")  # three allies match
        page.get_by_role("button", name="Save as a draft").click()
        body = page.locator("body").text_content()
        assert "Several allies match “Rete”" in body
        assert "Associazione Rete Giovani" in body and "Fondazione Rete Comune" in body
        assert not Project.objects.filter(title="Orti Condivisi del Brenta").exists()  # nothing half-saved
        page.locator("#id_partners-0-ally").fill("Rete Giovani")  # one match now
        page.get_by_role("button", name="Save as a draft").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Orti Condivisi del Brenta”")
        project = Project.objects.get(title="Orti Condivisi del Brenta")
        assert [p.ally.name for p in project.partners.all()] == ["Associazione Rete Giovani"]
    finally:
        context.close()


# The picker of several allies (initiatives.forms.allies.AllyPickerField) in the event editor -------------------


@pytest.fixture
def event_to_edit(people):
    from tests.factories.events import EventFactory
    from tests.factories.members import CoordinatorFactory

    CoordinatorFactory(email="coordinatrice@example.org", preferred_language="en")
    event = EventFactory(title="Cantiere di comunità", slug="cantiere-di-comunita")
    event.organizers.set([people.ally])
    return event


def organizer_names(event):
    return sorted(event.organizers.values_list("name", flat=True))


def test_adding_organizers_with_the_keyboard_only(event_to_edit, page, assert_accessible):
    log_in(page, "coordinatrice@example.org")
    page.goto("/en/coordination/events/cantiere-di-comunita/")
    field = page.get_by_role("combobox", name="Add an ally: type part of its name").first
    expect(field).to_have_attribute("id", "id_organizers_search")
    field.focus()
    page.keyboard.type("Rete", delay=30)
    listbox = page.locator("#id_organizers_search-listbox")
    expect(listbox.get_by_role("option")).to_have_count(3)
    assert_accessible(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # adds it to the ticked list, does not send the form
    chosen = page.get_by_role("checkbox", name="Associazione Rete Anziani")
    expect(chosen).to_be_checked()
    expect(field).to_have_value("")
    expect(field).to_have_attribute("aria-expanded", "false")
    page.keyboard.type("Fondazione Rete", delay=30)
    expect(listbox.get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("checkbox", name="Fondazione Rete Comune")).to_be_checked()
    page.keyboard.press("Enter")  # nothing highlighted: Enter in a picker still does not send the form
    expect(page).to_have_url(re.compile(r"/cantiere-di-comunita/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Save", exact=True).last.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    assert organizer_names(event_to_edit) == [
        "Associazione Rete Anziani",
        "Cooperativa Sociale Il Melograno",
        "Fondazione Rete Comune",
    ]
    # Unticking removes one.
    page.get_by_role("checkbox", name="Associazione Rete Anziani").press("Space")
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    assert organizer_names(event_to_edit) == ["Cooperativa Sociale Il Melograno", "Fondazione Rete Comune"]


def test_without_javascript_search_brings_back_the_matches_to_tick(event_to_edit, browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "coordinatrice@example.org")
        page.goto("/en/coordination/events/cantiere-di-comunita/")
        page.locator("#id_organizers_search").fill("Rete")
        page.locator("#id_title").fill("Cantiere di comunità 2026")
        page.locator("[data-ally-picker='organizers']").get_by_role("button", name="Search").click()
        expect(page.get_by_text("3 allies found: tick the ones to add, then save.")).to_be_visible()
        expect(page.get_by_text("Nothing is saved yet")).to_be_visible()
        event_to_edit.refresh_from_db()
        assert event_to_edit.title == "Cantiere di comunità"  # nothing saved by searching
        expect(page.locator("#id_title")).to_have_value("Cantiere di comunità 2026")  # what was typed stays
        # (axe needs JavaScript: the page of the matches is checked in test_the_picker_fits_a_phone_screen.)
        page.locator("label", has_text="Associazione Rete Giovani").click()  # Bootstrap Italia draws the box
        expect(page.get_by_role("checkbox", name="Associazione Rete Giovani")).to_be_checked()
        # Enter in a text field saves (the form's first button is a hidden “Save”), it does not search.
        page.locator("#id_title").press("Enter")
        expect(page.get_by_text("Your changes are saved.")).to_be_visible()
        event_to_edit.refresh_from_db()
        assert event_to_edit.title == "Cantiere di comunità 2026"
        assert organizer_names(event_to_edit) == ["Associazione Rete Giovani", "Cooperativa Sociale Il Melograno"]
        # A full name typed and saved is taken at once.
        page.locator("#id_organizers_search").fill("Fondazione Rete Comune")
        page.get_by_role("button", name="Save", exact=True).last.click()
        expect(page.get_by_text("Your changes are saved.")).to_be_visible()
        assert "Fondazione Rete Comune" in organizer_names(event_to_edit)
    finally:
        context.close()


def test_the_picker_fits_a_phone_screen(event_to_edit, browser, live_server, assert_accessible):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, "coordinatrice@example.org")
        page.goto("/en/coordination/events/cantiere-di-comunita/")
        field = page.locator("#id_admission_allies_search")
        field.scroll_into_view_if_needed()
        field.focus()
        page.keyboard.type("Rete", delay=30)
        expect(page.locator("#id_admission_allies_search-listbox").get_by_role("option")).to_have_count(3)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator("#id_admission_allies_search-listbox").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert_accessible(page)
        # The page of the matches that “Search” brings back without JavaScript (sent here as a browser without
        # the script would: the button's own click handler is what the script adds).
        page.keyboard.press("Escape")
        page.locator("[data-ally-picker='admission_allies'] [data-ally-picker-search]").evaluate(
            "button => button.form.requestSubmit(button)"
        )
        expect(page.get_by_text("3 allies found: tick the ones to add, then save.")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert_accessible(page)
    finally:
        context.close()


def test_a_manager_adds_another_ally_they_manage_with_the_keyboard(event_to_edit, page, assert_accessible):
    """The organizers' type-ahead of a manager asks only among the allies they manage (its address
    carries ?scope=managed, to which the typed letters are added)."""
    from members.models import Ally

    giovani = Ally.objects.get(name="Associazione Rete Giovani")
    AllyManagerFactory(ally=giovani, user=event_to_edit.organizers.get().memberships.get().user)
    log_in(page, "marta@melograno.example.org")
    page.goto("/en/coordination/events/cantiere-di-comunita/")
    field = page.locator("#id_organizers_search")
    field.focus()
    page.keyboard.type("Rete", delay=30)
    listbox = page.locator("#id_organizers_search-listbox")
    expect(listbox.get_by_role("option")).to_have_count(1)  # not the two other "Rete" allies
    expect(listbox.get_by_role("option")).to_have_text(re.compile("Associazione Rete Giovani"))
    assert_accessible(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("checkbox", name="Associazione Rete Giovani")).to_be_checked()
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.get_by_text("Your changes are saved.")).to_be_visible()
    assert organizer_names(event_to_edit) == ["Associazione Rete Giovani", "Cooperativa Sociale Il Melograno"]
