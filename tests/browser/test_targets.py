"""Measured in Chromium on the real pages (issue 14): the pathway progress grid scrolls inside its box
and never widens a 360 px phone; targets that are only a number ("0") and the account menu toggle are
at least 24 × 24 px (WCAG 2.5.8)."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.test_initiatives_journey import log_in
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.initiatives import PathwayApplicationFactory, PathwayFactory, StageFactory
from tests.factories.members import CoordinatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def en(name, **kwargs):
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def sizes(page, selector):
    return page.locator(selector).evaluate_all(
        "nodes => nodes.map(node => { const box = node.getBoundingClientRect();"
        " return [node.textContent.trim().split(' ')[0], Math.round(box.width), Math.round(box.height)]; })"
    )


def test_the_progress_grid_scrolls_inside_its_box_on_a_360_px_phone(browser, live_server, taxonomy):
    pathway = PathwayFactory(title="Costruire comunità", slug="costruire-comunita", places=10, status="running")
    for position in range(1, 7):
        StageFactory(pathway=pathway, position=position, title=f"Fase con un titolo lungo numero {position}")
    for _ in range(3):
        PathwayApplicationFactory(pathway=pathway, status="admitted")
    coordinator = CoordinatorFactory()
    context, page = phone(browser, live_server)
    log_in(page, coordinator.email)

    page.goto(en("initiatives:progress_grid", slug=pathway.slug))

    box = page.locator(".progress-grid")
    expect(box).to_be_visible()
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")  # the grid scrolls, inside its box
    assert page.evaluate("document.documentElement.scrollWidth") == 360  # the page does not
    context.close()


def test_number_links_and_the_account_menu_toggle_are_at_least_24_px(browser, live_server, taxonomy):
    event = EventFactory(slug="giornata", capacity=10)
    RegistrationFactory(event=event)  # one confirmed; the other counts are "0"
    coordinator = CoordinatorFactory()
    context, page = phone(browser, live_server)
    log_in(page, coordinator.email)

    toggle = sizes(page, "summary.account-menu__toggle")
    page.goto(en("events:registrations", slug=event.slug))
    counts = sizes(page, ".registration-summary__counts dd a")
    context.close()

    assert len(toggle) == 1 and toggle[0][1] >= 24 and toggle[0][2] >= 24, toggle
    assert "0" in [text for text, _w, _h in counts]
    assert [(text, width >= 24, height >= 24) for text, width, height in counts] == [
        (text, True, True) for text, _w, _h in counts
    ]
