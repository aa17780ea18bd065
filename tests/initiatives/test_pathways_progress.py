"""Following a pathway: the current stage by date, the organization's timeline and reports,
the coordinators' progress grid and its CSV, the completion mark.

Texts of the interface are checked on the English pages (the source strings).
"""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from initiatives import selectors, services
from initiatives.models import PathwayApplication, StageProgress
from initiatives.services import InitiativeError
from tests.factories.initiatives import PathwayApplicationFactory, PathwayFactory, StageFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

Status = PathwayApplication.Status
State = StageProgress.State


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def page_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def manager(ally):
    return AllyManagerFactory(ally=ally, user=VerifiedUserFactory()).user


def three_stages(pathway, today=None):
    """Ten days each, five days apart: 1–10, 16–25, 31–40 days from `today`."""
    today = today or timezone.localdate()
    return [
        StageFactory(
            pathway=pathway,
            position=number,
            title=title,
            start_date=today + timedelta(days=start),
            end_date=today + timedelta(days=start + 9),
        )
        for number, (title, start) in enumerate([("Ascolto", 1), ("Tavoli", 16), ("Sportelli", 31)], start=1)
    ]


def admit(application):
    services.decide_pathway_application(application=application, actor=CoordinatorFactory(), status=Status.ADMITTED)
    application.refresh_from_db()


# The current stage ---------------------------------------------------------------------------


def test_the_current_stage_follows_the_dates():
    pathway = PathwayFactory()
    start = date(2025, 9, 1)
    listening, tables, desks = three_stages(pathway, start)

    def current(day):
        return pathway.current_stage(today=day)

    assert current(date(2025, 9, 1)) is None  # before the first stage
    assert current(date(2025, 9, 2)) == listening
    assert current(date(2025, 9, 11)) == listening  # its last day
    assert current(date(2025, 9, 12)) is None  # between two stages
    assert current(date(2025, 9, 20)) == tables
    assert current(date(2025, 10, 11)) == desks
    assert current(date(2025, 10, 12)) is None  # after the last


def test_the_page_marks_the_stage_of_today(client):
    pathway = PathwayFactory()
    listening, tables, desks = three_stages(pathway, timezone.localdate() - timedelta(days=20))
    page = url("initiatives:pathway_detail", slug=pathway.slug)

    html = client.get(page).content.decode()

    assert re.findall(r'<li id="stage-(\d+)" class="([^"]+)"( aria-current="step")?>', html) == [
        (str(listening.pk), "pathway-stage", ""),
        (str(tables.pk), "pathway-stage pathway-stage--current", ' aria-current="step"'),
        (str(desks.pk), "pathway-stage", ""),
    ]
    assert "The pathway is now in the stage “Tavoli”, marked below." in html


@pytest.mark.parametrize("days_ago", [0, 60])
def test_before_the_first_and_after_the_last_stage_none_is_marked(client, days_ago):
    pathway = PathwayFactory()
    three_stages(pathway, timezone.localdate() - timedelta(days=days_ago))

    html = client.get(url("initiatives:pathway_detail", slug=pathway.slug)).content.decode()

    assert "aria-current" not in html.split('id="stages-title"')[1].split("</section>")[0]
    assert "No stage is under way today." in html


# The organization's timeline and its reports -----------------------------------------------------


def test_admission_opens_the_timeline_with_every_stage(client):
    pathway = PathwayFactory(title="Costruire comunità")
    listening, tables, desks = three_stages(pathway)
    tables.report_prompt = "Che cosa è emerso dai tavoli?"
    tables.save()
    application = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Sole"))
    user = manager(application.ally)
    client.force_login(user)
    page = url("initiatives:application_timeline", pk=application.pk)

    html = client.get(page).content.decode()
    assert "The coordinators are reviewing the application" in html
    assert "Your progress:" not in html
    assert 'name="stage-' not in html

    admit(application)
    assert StageProgress.objects.filter(application=application).count() == 3
    response = client.get(page)

    html = response.content.decode()
    assert [(row["stage"].title, row["state"]) for row in response.context["rows"]] == [
        ("Ascolto", "not_started"),
        ("Tavoli", "not_started"),
        ("Sportelli", "not_started"),
    ]
    assert html.count("<h1") == 1
    assert "Costruire comunità: the pathway of Cooperativa Sole" in html
    assert html.count('Your progress: <span class="pathway-badge pathway-badge--not_started">Not started</span>') == 3
    assert "<p>Che cosa è emerso dai tavoli?</p>" in html
    assert f'action="{url("initiatives:stage_report", pk=application.pk, stage_pk=tables.pk)}"' in html
    assert f'name="stage-{tables.pk}-report"' in html
    assert html.count('name="stage-') == 1
    history = html.split('id="history-application"')[1].split("</section>")[0]
    assert re.findall(r"</time>\s*—\s*([^<]+?)\s*<span", history) == ["Submitted", "Submitted → Admitted"]


def test_the_organization_submits_a_report_and_sees_it(client):
    pathway = PathwayFactory()
    listening, tables, desks = three_stages(pathway)
    tables.report_prompt = "Che cosa è emerso dai tavoli?"
    tables.save()
    application = PathwayApplicationFactory(pathway=pathway)
    admit(application)
    client.force_login(manager(application.ally))
    before = timezone.now()

    response = client.post(
        url("initiatives:stage_report", pk=application.pk, stage_pk=tables.pk),
        {f"stage-{tables.pk}-report": "  Tre idee di impresa di comunità.  "},
    )

    timeline = url("initiatives:application_timeline", pk=application.pk)
    assert response.status_code == 302
    assert response["Location"] == f"{timeline}#stage-{tables.pk}"
    assert page_messages(response) == ["Your report on “Tavoli” was sent to the coordinators."]
    progress = StageProgress.objects.get(application=application, stage=tables)
    assert progress.report == "Tre idee di impresa di comunità."
    assert before <= progress.report_submitted_at <= timezone.now()

    html = client.get(timeline).content.decode()
    sent = timezone.localtime(progress.report_submitted_at)
    with translation.override("en"):
        from django.utils.formats import date_format

        when = date_format(sent, "DATETIME_FORMAT")
    assert f"Your report, sent on {when}:" in html
    assert '<blockquote class="pathway-report__text"><p>Tre idee di impresa di comunità.</p></blockquote>' in html
    assert 'name="stage-' not in html


def test_an_empty_report_or_one_nobody_asked_for_is_refused(client):
    pathway = PathwayFactory()
    listening, tables, desks = three_stages(pathway)
    tables.report_prompt = "Che cosa è emerso?"
    tables.save()
    application = PathwayApplicationFactory(pathway=pathway)
    admit(application)
    user = manager(application.ally)
    client.force_login(user)

    response = client.post(
        url("initiatives:stage_report", pk=application.pk, stage_pk=tables.pk), {f"stage-{tables.pk}-report": "   "}
    )
    assert response.status_code == 200
    assert response.context["rows"][1]["form"].errors == {"report": ["This field is required."]}

    with translation.override("en"), pytest.raises(InitiativeError) as refused:
        services.submit_stage_report(
            progress=StageProgress.objects.get(application=application, stage=listening), actor=user, report="Testo"
        )
    assert refused.value.messages == ["This stage asks for no report."]
    assert list(StageProgress.objects.values_list("report", flat=True)) == ["", "", ""]


def test_the_timeline_is_only_for_the_organization(client):
    pathway = PathwayFactory()
    stage = StageFactory(pathway=pathway, report_prompt="Raccontate.")
    application = PathwayApplicationFactory(pathway=pathway)
    admit(application)
    client.force_login(manager(MemberOrganizationFactory()))

    assert client.get(url("initiatives:application_timeline", pk=application.pk)).status_code == 404
    response = client.post(
        url("initiatives:stage_report", pk=application.pk, stage_pk=stage.pk), {f"stage-{stage.pk}-report": "Intruso"}
    )
    assert response.status_code == 404
    assert StageProgress.objects.get().report == ""

    anonymous = client.__class__()
    response = anonymous.get(url("initiatives:application_timeline", pk=application.pk))
    assert response.status_code == 302


# The coordinators' grid ------------------------------------------------------------------------


def test_coordinators_set_progress_cell_by_cell(client):
    pathway = PathwayFactory()
    listening, tables, desks = three_stages(pathway)
    application = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Sole"))
    admit(application)
    client.force_login(CoordinatorFactory())
    grid = url("initiatives:progress_grid", slug=pathway.slug)

    response = client.post(
        grid, {"application": application.pk, "stage": tables.pk, "state": "in_progress", "note": " Ottimo avvio. "}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{grid}#cell-{application.pk}-{tables.pk}"
    assert page_messages(response) == ["“Cooperativa Sole”, Tavoli: in progress."]
    assert list(
        StageProgress.objects.filter(application=application).order_by("stage__position").values_list("state", "note")
    ) == [("not_started", ""), ("in_progress", "Ottimo avvio."), ("not_started", "")]

    html = client.get(grid).content.decode()
    cell = html.split(f'<td id="cell-{application.pk}-{tables.pk}" class="progress-cell">')[1].split("</td>")[0]
    assert '<span class="pathway-badge pathway-badge--in_progress">In progress</span>' in cell
    assert '<option value="in_progress" selected>In progress</option>' in cell
    assert ">Ottimo avvio.</textarea>" in cell
    assert (
        f'<label for="state-{application.pk}-{tables.pk}">State<span class="visually-hidden"> of Cooperativa Sole in “Tavoli”</span></label>'
        in cell
    )
    assert '<th scope="row">Cooperativa Sole</th>' in html
    assert re.findall(r'<th scope="col">([^<]+) <span', html) == ["Ascolto", "Tavoli", "Sportelli"]


def test_the_grid_refuses_what_is_not_an_admitted_organization_on_its_stages(client):
    pathway = PathwayFactory()
    stage = StageFactory(pathway=pathway)
    other_stage = StageFactory()
    submitted = PathwayApplicationFactory(pathway=pathway)
    admitted = PathwayApplicationFactory(pathway=pathway)
    admit(admitted)
    client.force_login(CoordinatorFactory())
    grid = url("initiatives:progress_grid", slug=pathway.slug)

    response = client.post(grid, {"application": submitted.pk, "stage": stage.pk, "state": "completed"})
    assert page_messages(response) == [
        "Progress is kept only for admitted organizations, on the stages of their pathway."
    ]
    assert (
        client.post(grid, {"application": admitted.pk, "stage": other_stage.pk, "state": "completed"}).status_code
        == 404
    )
    response = client.post(grid, {"application": admitted.pk, "stage": stage.pk, "state": "finished"})
    assert page_messages(response) == [
        "The change was not saved: choose a state, and keep the note under 2000 characters."
    ]
    assert list(StageProgress.objects.values_list("application", "state")) == [(admitted.pk, "not_started")]


def test_the_grid_lists_the_reports_submitted(client):
    pathway = PathwayFactory()
    stage = StageFactory(pathway=pathway, title="Ascolto", report_prompt="Che cosa avete ascoltato?")
    application = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Sole"))
    admit(application)
    progress = StageProgress.objects.get()
    services.submit_stage_report(progress=progress, actor=manager(application.ally), report="Venti interviste.")
    client.force_login(CoordinatorFactory())

    html = client.get(url("initiatives:progress_grid", slug=pathway.slug)).content.decode()

    assert f'<a href="#report-{progress.pk}">Report' in html
    report = html.split(f'<li id="report-{progress.pk}" class="progress-report">')[1].split("</li>")[0]
    assert "Cooperativa Sole on “Ascolto”" in report
    assert "<p>Venti interviste.</p>" in report
    assert stage.title in html


def test_the_grid_exports_as_csv(client):
    pathway = PathwayFactory(slug="costruire-comunita")
    listening, tables, desks = three_stages(pathway)
    tables.report_prompt = "Che cosa è emerso?"
    tables.save()
    sole = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Sole"))
    ape = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="=Ape e Fiori"))
    PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Non ammessa"))
    for application in (sole, ape):
        admit(application)
    coordinator = CoordinatorFactory()
    services.set_stage_progress(application=sole, stage=listening, actor=coordinator, state="completed")
    services.set_stage_progress(application=sole, stage=tables, actor=coordinator, state="in_progress")
    services.submit_stage_report(
        progress=StageProgress.objects.get(application=sole, stage=tables), actor=manager(sole.ally), report="Idee."
    )
    client.force_login(coordinator)

    response = client.get(url("initiatives:progress_csv", slug=pathway.slug))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="costruire-comunita-progress.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffOrganization,")
    assert list(csv.reader(io.StringIO(body.removeprefix("\ufeff")))) == [
        ["Organization", "Ascolto", "Tavoli", "Sportelli"],
        ["'=Ape e Fiori", "Not started", "Not started; report submitted: no", "Not started"],
        ["Cooperativa Sole", "Completed", "In progress; report submitted: yes", "Not started"],
    ]


def make_grid(count):
    pathway = PathwayFactory(slug="percorso", places=None)
    stages = three_stages(pathway)
    coordinator = CoordinatorFactory()
    for _ in range(count):
        application = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory())
        admit(application)
        services.set_stage_progress(application=application, stage=stages[0], actor=coordinator, state="completed")
    return pathway, coordinator


@pytest.mark.parametrize("count", [1, 3])
def test_grid_query_count_does_not_grow(client, django_assert_num_queries, count):
    pathway, coordinator = make_grid(count)
    client.force_login(coordinator)

    # session, user, pathway, stages, coordinator check, admitted applications, their progress,
    # and the coordinator check of the navigation
    with django_assert_num_queries(8):
        response = client.get(url("initiatives:progress_grid", slug=pathway.slug))

    assert len(response.context["rows"]) == count


# Completion --------------------------------------------------------------------------------------


def test_completing_every_stage_gives_the_completion_mark(client):
    pathway = PathwayFactory(title="Costruire comunità")
    stages = three_stages(pathway)
    application = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Sole"))
    other = PathwayApplicationFactory(pathway=PathwayFactory(), ally=application.ally)
    StageFactory(pathway=other.pathway)
    admit(application)
    admit(other)
    coordinator = CoordinatorFactory()
    for stage in stages[:2]:
        services.set_stage_progress(application=application, stage=stage, actor=coordinator, state="completed")
    assert selectors.completed_pathways(application.ally) == []

    services.set_stage_progress(application=application, stage=stages[2], actor=coordinator, state="completed")

    assert selectors.completed_pathways(application.ally) == [pathway]
    client.force_login(manager(application.ally))
    html = client.get(url("initiatives:application_timeline", pk=application.pk)).content.decode()
    assert (
        '<span class="pathway-badge pathway-badge--completed">Pathway completed</span> '
        "Cooperativa Sole completed every stage of the pathway."
    ) in html
    html = client.get(url("initiatives:my_pathways")).content.decode()
    assert "3 of 3 stages completed" in html
