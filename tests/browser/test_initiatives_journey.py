"""Projects and pathways end to end in Chromium, with axe-core on every page visited.

An ally proposes a project, a coordinator publishes it and a visitor finds it
by region; an organization applies to a pathway, is admitted, submits the
report of a stage and follows its progress; the manager of a promoting ally
runs its pathway (edits a stage, admits an organization) and the event of the
stage shows on the pathway and project pages.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliance import workflow
from alliance.models import OutgoingEmail, Region
from initiatives.models import PathwayApplication, Project, StageProgress
from tests.factories.initiatives import PathwayFactory, StageFactory
from tests.factories.members import PASSWORD, AllyManagerFactory, CoordinatorFactory, MemberOrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/en/$"))


def new_tab(browser, live_server):
    """A tab in a new browser context (another person), which records errors as the `page` fixture does."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.errors = []
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.on("response", lambda r: tab.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return context, tab


def open_my_area(page, assert_accessible):
    page.locator("summary.account-menu__toggle").click()
    page.get_by_role("link", name="My area").click()
    expect(page).to_have_url(re.compile(r"/en/my-area/$"))
    assert_accessible(page)


def test_an_ally_proposes_a_project_a_coordinator_publishes_it_and_a_visitor_finds_it_by_region(
    browser, live_server, taxonomy, principles, page, assert_accessible
):
    veneto = Region.objects.get(slug="veneto")
    CoordinatorFactory(email="coordinatrice@example.org", full_name="Giulia Ferri", preferred_language="en")
    manager = AllyManagerFactory(
        ally=MemberOrganizationFactory(name="Cooperativa Sociale Il Melograno", slug="il-melograno", regions=[veneto]),
        user__email="marta@melograno.example.org",
        user__full_name="Marta Zanon",
        user__preferred_language="en",
    )
    lead = manager.ally
    partner = MemberOrganizationFactory(name="Associazione Rete Giovani", slug="rete-giovani")

    # The ally proposes the project from its area.
    log_in(page, "marta@melograno.example.org")
    open_my_area(page, assert_accessible)
    page.get_by_role("link", name="Projects of my organizations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My projects")
    assert_accessible(page)
    page.get_by_role("link", name="Propose a project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose a project")
    assert_accessible(page)
    page.locator("#id_title").fill("Orti Condivisi del Brenta")  # rows of links and attachments have a title too
    page.get_by_role("textbox", name="Summary", exact=True).fill("Orti di comunità lungo il Brenta, curati insieme.")
    expect(page.locator("#id_lead_ally")).to_have_value(str(lead.pk))  # the only ally she manages
    page.locator("#id_lead_ally").select_option(label="Cooperativa Sociale Il Melograno")
    page.get_by_role("group", name="Regions").get_by_label("Veneto", exact=True).check()
    page.get_by_role("group", name="Themes").get_by_label("Work inclusion and activation").check()
    page.locator("#id_status").select_option("running")
    page.locator("#id_start_date").fill("2026-03-01")
    page.locator("#id_objectives-0-text").fill("Coltivare dieci orti con le famiglie del quartiere.")
    page.locator("#id_partners-0-ally").fill("Rete Giovani")
    page.locator("#id_partners-0-role").fill("Animazione con i giovani")
    assert_accessible(page)
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Orti Condivisi del Brenta”")
    expect(page.get_by_role("status").first).to_be_visible()
    assert_accessible(page)

    project = Project.objects.get(title="Orti Condivisi del Brenta")
    assert (project.publication, project.lead_ally, project.status, str(project.start_date)) == (
        "draft",
        lead,
        "running",
        "2026-03-01",
    )
    assert list(project.regions.all()) == [veneto]
    assert [t.slug for t in project.themes.all()] == ["inserimento-lavorativo"]
    assert [o.text for o in project.objectives.all()] == ["Coltivare dieci orti con le famiglie del quartiere."]
    assert [(p.ally, p.role) for p in project.partners.all()] == [(partner, "Animazione con i giovani")]

    # Not public while a draft.
    visitor, anonymous = new_tab(browser, live_server)
    anonymous.goto("/en/projects/")
    expect(anonymous.get_by_role("link", name="Orti Condivisi del Brenta")).to_have_count(0)

    # Submitted for review from the list of her projects.
    page.get_by_role("link", name="My projects").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review Orti Condivisi del Brenta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My projects")
    expect(page.get_by_text("Submitted for review", exact=True)).to_be_visible()
    assert_accessible(page)

    # The coordinator publishes it from the coordination area.
    coordination, coordinator = new_tab(browser, live_server)
    log_in(coordinator, "coordinatrice@example.org")
    coordinator.goto("/en/coordination/")
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Projects to review").first.click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Projects to review")
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Orti Condivisi del Brenta").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Review of “Orti Condivisi del Brenta”")
    expect(coordinator.get_by_text("Animazione con i giovani")).to_be_visible()
    assert_accessible(coordinator)
    coordinator.get_by_label("Publish the project").check()
    coordinator.get_by_role("button", name="Save the decision").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Projects to review")
    expect(coordinator.get_by_text("No project is waiting for review.")).to_be_visible()
    assert_accessible(coordinator)
    coordination.close()
    assert coordinator.errors == []

    # A visitor finds it by region and opens it.
    anonymous.goto("/en/projects/")
    assert_accessible(anonymous)
    anonymous.get_by_label("Region").select_option(label="Veneto")
    anonymous.get_by_role("button", name="Show projects").click()
    expect(anonymous).to_have_url(re.compile(r"region=veneto"))
    expect(anonymous.get_by_text("One project found.")).to_be_visible()
    assert_accessible(anonymous)
    anonymous.get_by_role("link", name="Orti Condivisi del Brenta").click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Orti Condivisi del Brenta")
    expect(anonymous.get_by_role("link", name="Associazione Rete Giovani")).to_be_visible()
    expect(anonymous.get_by_text("Coltivare dieci orti con le famiglie del quartiere.")).to_be_visible()
    assert_accessible(anonymous)

    # ... and sees Veneto with one project in the view of the regions.
    anonymous.goto("/en/projects/")
    anonymous.get_by_role("link", name="See the network's presence region by region").click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("The network in the regions")
    assert_accessible(anonymous)
    row = anonymous.get_by_role("row").filter(has=anonymous.get_by_role("rowheader", name="Veneto", exact=True))
    expect(row.get_by_role("cell")).to_have_text(["1", "1 ally in Veneto"])
    visitor.close()
    assert anonymous.errors == []

    project.refresh_from_db()
    assert project.publication == Project.Publication.PUBLISHED
    assert project.published_at is not None
    assert [(e.data["from"], e.data["to"], e.actor.email) for e in workflow.history(project) if "field" in e.data] == [
        ("", "draft", "marta@melograno.example.org"),
        ("draft", "submitted", "marta@melograno.example.org"),
        ("submitted", "published", "coordinatrice@example.org"),
    ]
    assert [(e.to, e.subject, e.status) for e in OutgoingEmail.objects.order_by("pk")] == [
        ("coordinatrice@example.org", "Project to review: Orti Condivisi del Brenta", "sent"),
        ("marta@melograno.example.org", "Your project “Orti Condivisi del Brenta” is published", "sent"),
    ]


def test_an_organization_applies_to_a_pathway_is_admitted_reports_on_a_stage_and_follows_its_progress(
    browser, live_server, taxonomy, principles, page, assert_accessible
):
    today = timezone.localdate()
    CoordinatorFactory(email="coordinatrice@example.org", full_name="Giulia Ferri", preferred_language="en")
    manager = AllyManagerFactory(
        ally=MemberOrganizationFactory(name="Cooperativa Sociale Il Melograno", slug="il-melograno"),
        user__email="marta@melograno.example.org",
        user__full_name="Marta Zanon",
        user__preferred_language="en",
    )
    pathway = PathwayFactory(title="Costruire comunità", slug="costruire-comunita", places=5)
    listening = StageFactory(
        pathway=pathway,
        position=1,
        kind="listening",
        title="Ascolto del territorio",
        start_date=today - timedelta(days=5),
        end_date=today + timedelta(days=10),
        report_prompt="Raccontate in poche righe che cosa avete ascoltato.",
    )
    StageFactory(
        pathway=pathway,
        position=2,
        kind="facilitation_table",
        title="Tavoli di facilitazione",
        start_date=today + timedelta(days=11),
        end_date=today + timedelta(days=40),
    )
    StageFactory(
        pathway=pathway,
        position=3,
        kind="crowdfunding",
        title="Campagna di crowdfunding",
        start_date=today + timedelta(days=41),
        end_date=today + timedelta(days=90),
    )

    # The organization opens the pathway: the current stage is marked.
    log_in(page, "marta@melograno.example.org")
    page.goto("/en/pathways/")
    assert_accessible(page)
    page.get_by_role("link", name="Costruire comunità").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Costruire comunità")
    current = page.locator("li[aria-current=step]")
    expect(current).to_have_count(1)
    expect(current.get_by_role("heading", level=3)).to_have_text("Ascolto del territorio")
    expect(current.get_by_text("Current stage")).to_be_visible()
    expect(page.get_by_text("The pathway is now in the stage “Ascolto del territorio”, marked below.")).to_be_visible()
    assert_accessible(page)

    # It applies.
    page.get_by_role("link", name="Apply to Costruire comunità").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to “Costruire comunità”")
    assert_accessible(page)
    expect(page.get_by_role("radio", name="Cooperativa Sociale Il Melograno")).to_be_checked()
    page.get_by_role("textbox", name="Motivation", exact=True).fill(
        "Vogliamo imparare ad ascoltare il quartiere e a costruire alleanze."
    )
    page.get_by_role("textbox", name="Contact person", exact=True).fill("Marta Zanon")
    page.get_by_role("textbox", name="Contact e-mail", exact=True).fill("percorsi@melograno.example.org")
    page.get_by_role("button", name="Send the application").click()
    expect(page).to_have_url(re.compile(r"/en/my-area/pathways/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My pathways")
    application_item = page.locator("li.pathway-application")
    expect(application_item).to_have_count(1)
    expect(application_item.get_by_role("heading", level=2)).to_have_text("Costruire comunità")
    expect(application_item.get_by_text("Submitted", exact=True)).to_be_visible()
    assert_accessible(page)
    application = PathwayApplication.objects.get(pathway=pathway, ally=manager.ally)
    assert (application.status, application.contact_name, application.contact_email) == (
        "submitted",
        "Marta Zanon",
        "percorsi@melograno.example.org",
    )

    # The coordinator admits it, then sets the first stage in progress.
    coordination, coordinator = new_tab(browser, live_server)
    log_in(coordinator, "coordinatrice@example.org")
    coordinator.goto("/en/coordination/")
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Pathway applications to decide").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Pathways: coordination")
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Applications – Costruire comunità").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Applications to “Costruire comunità”")
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Cooperativa Sociale Il Melograno").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        "Application of Cooperativa Sociale Il Melograno to “Costruire comunità”"
    )
    expect(coordinator.get_by_text("Vogliamo imparare ad ascoltare il quartiere")).to_be_visible()
    assert_accessible(coordinator)
    coordinator.get_by_label("Admit").check()
    coordinator.get_by_role("button", name="Save the decision").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Applications to “Costruire comunità”")
    expect(coordinator.get_by_text("Admitted: 1 of 5 places.")).to_be_visible()
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Progress of the admitted organizations").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Progress in “Costruire comunità”")
    assert_accessible(coordinator)
    cell = coordinator.locator(f"#cell-{application.pk}-{listening.pk}")
    cell.get_by_label("State of Cooperativa Sociale Il Melograno in “Ascolto del territorio”").select_option(
        "in_progress"
    )
    cell.get_by_role("button", name="Save Cooperativa Sociale Il Melograno, “Ascolto del territorio”").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Progress in “Costruire comunità”")
    expect(coordinator.locator(f"#cell-{application.pk}-{listening.pk} .progress-cell__state")).to_have_text(
        "In progress"
    )
    assert_accessible(coordinator)

    # The organization follows its timeline and sends the report on the first stage.
    page.goto("/en/")
    open_my_area(page, assert_accessible)
    page.get_by_role("link", name="Pathways we follow").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My pathways")
    expect(application_item.get_by_text("Admitted", exact=True)).to_be_visible()
    expect(application_item.get_by_text("0 of 3 stages completed")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Follow the pathway").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Costruire comunità: the pathway of Cooperativa Sociale Il Melograno"
    )
    stage = page.locator(f"#stage-{listening.pk}")
    expect(stage).to_have_attribute("aria-current", "step")
    expect(stage.locator(".pathway-stage__state")).to_have_text("Your progress: In progress")
    expect(stage.get_by_text("Raccontate in poche righe che cosa avete ascoltato.")).to_be_visible()
    assert_accessible(page)
    stage.get_by_role("textbox", name="Your report", exact=True).fill(
        "Abbiamo incontrato trenta famiglie e due scuole del quartiere."
    )
    stage.get_by_role("button", name="Send the report on “Ascolto del territorio”").click()
    expect(page).to_have_url(re.compile(rf"/en/my-area/pathways/{application.pk}/#stage-{listening.pk}$"))
    expect(page.get_by_role("status").first).to_be_visible()
    stage = page.locator(f"#stage-{listening.pk}")
    expect(stage.locator(".pathway-report__text")).to_have_text(
        "Abbiamo incontrato trenta famiglie e due scuole del quartiere."
    )
    expect(stage.get_by_text(re.compile(r"^Your report, sent on "))).to_be_visible()
    expect(stage.get_by_role("textbox", name="Your report")).to_have_count(0)
    expect(stage.locator(".pathway-stage__state")).to_have_text("Your progress: In progress")
    assert_accessible(page)

    # The coordinator finds the report in the grid.
    coordinator.reload()
    expect(coordinator.get_by_role("heading", level=2, name="Reports submitted")).to_be_visible()
    expect(coordinator.get_by_text("Abbiamo incontrato trenta famiglie e due scuole del quartiere.")).to_be_visible()
    assert_accessible(coordinator)
    coordination.close()
    assert coordinator.errors == []

    application.refresh_from_db()
    assert application.status == PathwayApplication.Status.ADMITTED
    assert [
        (e.data["from"], e.data["to"], e.actor.email) for e in workflow.history(application) if "field" in e.data
    ] == [
        ("", "submitted", "marta@melograno.example.org"),
        ("submitted", "admitted", "coordinatrice@example.org"),
    ]
    assert [
        (p.stage.title, p.state, p.report, p.report_submitted_at is not None)
        for p in StageProgress.objects.filter(application=application)
    ] == [
        (
            "Ascolto del territorio",
            "in_progress",
            "Abbiamo incontrato trenta famiglie e due scuole del quartiere.",
            True,
        ),
        ("Tavoli di facilitazione", "not_started", "", False),
        ("Campagna di crowdfunding", "not_started", "", False),
    ]
    assert [(e.to, e.subject, e.status) for e in OutgoingEmail.objects.order_by("pk")] == [
        (
            "percorsi@melograno.example.org",
            "We received the application of Cooperativa Sociale Il Melograno to “Costruire comunità”",
            "sent",
        ),
        (
            "coordinatrice@example.org",
            "New application to “Costruire comunità”: Cooperativa Sociale Il Melograno",
            "sent",
        ),
        (
            "percorsi@melograno.example.org",
            "Cooperativa Sociale Il Melograno is admitted to “Costruire comunità”",
            "sent",
        ),
    ]


def test_a_promoting_ally_runs_its_pathway_and_the_stage_event_shows_on_the_pathway_and_project_pages(
    browser, live_server, taxonomy, principles, page, assert_accessible
):
    from tests.factories.events import EventFactory
    from tests.factories.initiatives import PathwayApplicationFactory, ProjectFactory

    today = timezone.localdate()
    promoter = AllyManagerFactory(
        ally=MemberOrganizationFactory(name="Fondazione Carisap", slug="fondazione-carisap"),
        user__email="paola@carisap.example.org",
        user__full_name="Paola Neri",
        user__preferred_language="en",
    )
    project = ProjectFactory(title="Cooperiamo per il buon vivere", slug="cooperiamo")
    pathway = PathwayFactory(
        title="Costruire comunità", slug="costruire-comunita", places=12, status="running", project=project
    )
    pathway.organizers.add(promoter.ally)
    stage = StageFactory(
        pathway=pathway,
        position=1,
        kind="facilitation_table",
        title="Tavoli di facilitazione",
        start_date=today,
        end_date=today + timedelta(days=60),
    )
    application = PathwayApplicationFactory(
        pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Sole"), contact_email="anna@sole.example.org"
    )
    # The event is linked to the stage (in the event editor, by its organizers).
    EventFactory(title="Tavolo di facilitazione a Fermo", pathway_stage=stage, day=today + timedelta(days=20))

    log_in(page, "paola@carisap.example.org")
    page.goto("/en/my-area/pathways/")
    expect(page.get_by_role("heading", level=2, name="Pathways you promote")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Run “Costruire comunità”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications to “Costruire comunità”")
    assert_accessible(page)

    # It edits the stage.
    page.get_by_role("link", name="Edit the pathway").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Costruire comunità”")
    assert_accessible(page)
    page.locator("#id_stages-0-title").fill("Tavoli di facilitazione nel Piceno")
    page.get_by_role("button", name="Save the pathway").click()
    expect(page.get_by_text("The pathway “Costruire comunità” was saved.")).to_be_visible()
    assert_accessible(page)

    # It admits an organization.
    page.get_by_role("link", name="Applications – Costruire comunità").click()
    page.get_by_role("link", name="Cooperativa Sole").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application of Cooperativa Sole to “Costruire comunità”")
    assert_accessible(page)
    page.get_by_label("Admit").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Admitted: 1 of 12 places.")).to_be_visible()
    assert_accessible(page)

    # The event of the stage is on the pathway page and on the project page.
    page.goto("/en/pathways/costruire-comunita/")
    expect(page.get_by_role("link", name="Tavolo di facilitazione a Fermo").first).to_be_visible()
    expect(page.get_by_role("heading", name="Tavoli di facilitazione nel Piceno").first).to_be_visible()
    assert_accessible(page)
    page.goto("/en/projects/cooperiamo/")
    expect(page.get_by_role("link", name="Costruire comunità").first).to_be_visible()  # also by its stage's event
    expect(page.get_by_role("link", name="Tavolo di facilitazione a Fermo")).to_be_visible()
    assert_accessible(page)

    application.refresh_from_db()
    assert application.status == PathwayApplication.Status.ADMITTED
    assert [(e.data["from"], e.data["to"], e.actor.email) for e in workflow.history(application) if "field" in e.data][
        -1
    ] == ("submitted", "admitted", "paola@carisap.example.org")
    assert list(pathway.stages.values_list("title", flat=True)) == ["Tavoli di facilitazione nel Piceno"]
