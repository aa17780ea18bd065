"""A visitor opens the portal, switches to English and signs in: in Chromium, with axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories.members import PASSWORD, VerifiedUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_language_switch_and_sign_in(page, assert_accessible):
    VerifiedUserFactory(email="elena@example.org", full_name="Elena Marchetti", preferred_language="en")

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alleanza per la Generatività Sociale")
    expect(page.get_by_role("heading", name="Rigenerazione dei beni comuni")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="What we work on")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Log in").first.click()
    expect(page).to_have_url(re.compile(r"/en/accounts/login/"))
    assert_accessible(page)
    page.get_by_label("Email").fill("elena@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The email address and/or password you specified are not correct."
    )
    assert_accessible(page)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.locator("summary.account-menu__toggle")).to_contain_text("Elena")
    assert_accessible(page)


def test_home_fits_a_phone_screen(browser, live_server, taxonomy, assert_accessible):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_role("searchbox", name="Cerca nel portale")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow == 0
        assert_accessible(page)
    finally:
        context.close()
