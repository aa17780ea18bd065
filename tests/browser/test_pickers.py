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
