"""Issue 10 end to end in Chromium, with axe-core on every page visited: the manager of a promoting ally runs the
demo pathway “Costruire comunità” (initiatives/demo.py), edits a stage, admits an organization, then creates an
event in the event editor linked to its project and to that stage, with a speaker linked to an ally through the
type-ahead (keyboard only); the published event shows on the pathway page and on the project page.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event
from initiatives.demo import _costruire_comunita
from initiatives.models import Pathway, PathwayApplication
from tests.browser.test_initiatives_journey import log_in
from tests.factories.initiatives import PathwayApplicationFactory, ProjectFactory
from tests.factories.members import AllyManagerFactory, CoordinatorFactory, MemberOrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_pathway(taxonomy, principles):
    """The demo's “Costruire comunità” with its two promoters; the test links it to a project of the first."""
    promoter = AllyManagerFactory(
        ally=MemberOrganizationFactory(name="Fondazione Carisap", slug="fondazione-carisap"),
        user__email="paola@carisap.example.org",
        user__full_name="Paola Neri",
        user__preferred_language="en",
    )
    bottega = AllyManagerFactory(ally=MemberOrganizationFactory(name="Bottega del Terzo Settore", slug="bottega"))
    allies = {ally.name: ally for ally in (promoter.ally, bottega.ally)}
    _costruire_comunita(allies, CoordinatorFactory())
    pathway = Pathway.objects.get(title="Costruire comunità")
    pathway.project = ProjectFactory(title="Cooperiamo per il buon vivere", slug="cooperiamo", lead_ally=promoter.ally)
    pathway.save(update_fields=["project"])
    PathwayApplicationFactory(
        pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Sole"), contact_email="anna@sole.example.org"
    )
    return pathway


def test_a_promoting_ally_runs_costruire_comunita_and_links_an_event_to_its_stage_from_the_event_editor(
    demo_pathway, page, assert_accessible
):
    log_in(page, "paola@carisap.example.org")
    page.goto("/en/my-area/pathways/")
    page.get_by_role("link", name="Run “Costruire comunità”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications to “Costruire comunità”")
    assert_accessible(page)

    # It edits the third stage.
    page.get_by_role("link", name="Edit the pathway").click()
    expect(page.locator("#id_stages-2-title")).to_have_value("Tavoli di facilitazione")
    page.locator("#id_stages-2-title").fill("Tavoli di facilitazione nel Piceno")
    page.get_by_role("button", name="Save the pathway").click()
    expect(page.get_by_text("The pathway “Costruire comunità” was saved.")).to_be_visible()

    # It admits an organization (the demo admitted the Bottega already).
    page.get_by_role("link", name="Applications – Costruire comunità").click()
    page.get_by_role("link", name="Cooperativa Sole").click()
    page.get_by_label("Admit").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Admitted: 2 of 12 places.")).to_be_visible()
    assert_accessible(page)

    # It creates the event of the stage in the event editor.
    day = (timezone.localdate() + timedelta(days=20)).isoformat()
    page.goto("/en/coordination/events/new/")
    expect(page.get_by_role("checkbox", name="Fondazione Carisap")).to_be_checked()  # its own ally, ticked
    page.locator("#id_title").fill("Tavolo di facilitazione ad Ascoli")
    page.locator("#id_summary").fill("Un tavolo tra enti pubblici, fondazioni e terzo settore.")
    page.locator("#id_venue_name").fill("Palazzo dei Capitani")
    page.locator("#id_city").fill("Ascoli Piceno")
    page.locator("#id_start").fill(f"{day}T15:00")
    page.locator("#id_end").fill(f"{day}T18:00")
    project = page.get_by_role("combobox", name="Related project")
    project.focus()
    page.keyboard.type("Cooperiamo", delay=30)
    expect(page.locator("#id_project-listbox").get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(project).to_have_value("Cooperiamo per il buon vivere")
    page.get_by_label("Pathway stage it carries out").select_option(
        label="Costruire comunità — stage 3: Tavoli di facilitazione nel Piceno"
    )
    page.locator("#id_speakers-0-name").fill("Sara Fermani")
    speaker_ally = page.locator("#id_speakers-0-ally")
    speaker_ally.focus()
    page.keyboard.type("Bottega", delay=30)
    expect(page.locator("#id_speakers-0-ally-listbox").get_by_role("option")).to_have_count(1)
    assert_accessible(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(speaker_ally).to_have_value("Bottega del Terzo Settore")
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.get_by_text("The event is saved as a draft")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("“Tavolo di facilitazione ad Ascoli” is published")).to_be_visible()

    event = Event.objects.get(title="Tavolo di facilitazione ad Ascoli")
    assert event.pathway_stage.title == "Tavoli di facilitazione nel Piceno"
    assert event.project.slug == "cooperiamo"
    assert event.speakers.get().ally.name == "Bottega del Terzo Settore"

    # The event is on the pathway page and on the project page, which lists the pathway.
    page.goto("/en/pathways/costruire-comunita/")
    expect(page.get_by_role("link", name="Tavolo di facilitazione ad Ascoli").first).to_be_visible()
    assert_accessible(page)
    page.goto("/en/projects/cooperiamo/")
    expect(page.get_by_role("link", name="Costruire comunità").first).to_be_visible()
    expect(page.get_by_role("link", name="Tavolo di facilitazione ad Ascoli")).to_be_visible()
    expect(page.get_by_text("Stage “Tavoli di facilitazione nel Piceno” of")).to_be_visible()
    assert_accessible(page)

    assert PathwayApplication.objects.get(ally__name="Cooperativa Sole").status == PathwayApplication.Status.ADMITTED
