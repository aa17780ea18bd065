"""Pathways run by the managers of their promoting allies, every change on the record, sane dates everywhere.

Issue 8 (one log, services with plain data, places never below the admitted,
sane dates through every form and the admin) and issue 10 (pathway
management by the promoting allies, the project page with its pathways and
the events of their stages, demo numbering, the date of a progress note).
"""

import re
from datetime import date, timedelta

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.translation import ngettext

from alliance import workflow
from alliance.models import LogEntry, OutgoingEmail
from initiatives import services
from initiatives.models import (
    Pathway,
    PathwayApplication,
    PathwayObjective,
    ProgressUpdate,
    Project,
    Stage,
    StageProgress,
)
from tests.factories.events import EventFactory
from tests.factories.initiatives import (
    PathwayApplicationFactory,
    PathwayFactory,
    ProjectFactory,
    StageFactory,
    status_log,
)
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)
from tests.initiatives.test_pathways import formset, pathway_data, url
from tests.initiatives.test_projects import project_data, rows

pytestmark = pytest.mark.django_db
Status = PathwayApplication.Status
SANE = "Enter a date between 01/01/1950 and 31/12/2100."


def editor_data(*, objectives=(), stages=(), initial_stages=0, **overrides):
    """The pathway editor's fields with exactly these objective and stage rows."""
    data = {k: v for k, v in pathway_data(**overrides).items() if not k.startswith(("objectives-", "stages-"))}
    data.update(formset("objectives", list(objectives)))
    data.update(formset("stages", list(stages), initial=initial_stages))
    return data


def manager_of(ally, **fields):
    return AllyManagerFactory(ally=ally, user=VerifiedUserFactory(**fields)).user


@pytest.fixture
def costruire():
    """ "Costruire comunità", promoted by a foundation and a third-sector network, with an admitted organization."""
    foundation = MemberOrganizationFactory(name="Fondazione Carisap")
    network = MemberOrganizationFactory(name="Bottega del Terzo Settore")
    pathway = PathwayFactory(title="Costruire comunità", slug="costruire-comunita", places=2, status="running")
    pathway.organizers.set([foundation, network])
    stage = StageFactory(
        pathway=pathway,
        position=1,
        title="Tavoli di facilitazione",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
    )
    admitted = PathwayApplicationFactory(
        pathway=pathway,
        ally=MemberOrganizationFactory(name="Cooperativa Sole"),
        status=Status.ADMITTED,
        contact_name="Anna Ricci",
        contact_email="anna@sole.example.org",
        applicant=VerifiedUserFactory(preferred_language="en"),
    )
    StageProgress.objects.create(application=admitted, stage=stage)
    submitted = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Luna"))
    return {
        "pathway": pathway,
        "stage": stage,
        "admitted": admitted,
        "submitted": submitted,
        "promoter": manager_of(foundation, full_name="Paola Fondazione"),
        "outsider": manager_of(MemberOrganizationFactory(name="Altra Cooperativa")),
    }


# Pathway management by the promoting allies -------------------------------------------------------


def manage_pages(pathway, application):
    return [
        url("initiatives:pathway_edit", slug=pathway.slug),
        url("initiatives:pathway_applications", slug=pathway.slug),
        url("initiatives:pathway_application_decide", slug=pathway.slug, pk=application.pk),
        url("initiatives:progress_grid", slug=pathway.slug),
        url("initiatives:progress_csv", slug=pathway.slug),
        url("initiatives:pathway_message", slug=pathway.slug),
    ]


def test_a_manager_of_a_promoting_ally_opens_every_page_of_its_pathway(client, costruire):
    client.force_login(costruire["promoter"])
    for page in manage_pages(costruire["pathway"], costruire["submitted"]):
        response = client.get(page)
        assert response.status_code == 200, page
        # Each page is about this pathway (the CSV names its stage, the others its title).
        assert ("Tavoli di facilitazione" if page.endswith(".csv") else "Costruire comunità") in (
            response.content.decode("utf-8-sig")
        ), page
    decide = client.get(
        url("initiatives:pathway_application_decide", slug="costruire-comunita", pk=costruire["submitted"].pk)
    ).content.decode()
    assert "Cooperativa Luna" in decide
    grid = client.get(url("initiatives:progress_grid", slug="costruire-comunita")).content.decode()
    assert "Cooperativa Sole" in grid and "Cooperativa Luna" not in grid  # only the admitted are on the grid
    listing = client.get(url("initiatives:pathway_manage_list")).content.decode()
    assert "<h1>Pathways you promote</h1>" in listing
    assert "Costruire comunità" in listing
    assert "New pathway" not in listing
    assert client.get(url("initiatives:pathway_create")).status_code == 404


def test_a_manager_of_another_ally_finds_none_of_them(client, costruire):
    other = PathwayFactory(title="Un altro percorso")
    other.organizers.add(MemberOrganizationFactory())
    client.force_login(costruire["outsider"])
    for page in manage_pages(costruire["pathway"], costruire["submitted"]):
        assert client.get(page).status_code == 404, page
        assert client.post(page, {"decision": "admitted", "subject": "x", "body": "y"}).status_code == 404, page
    assert client.get(url("initiatives:pathway_manage_list")).status_code == 404
    costruire["submitted"].refresh_from_db()
    assert costruire["submitted"].status == Status.SUBMITTED
    # ...and the services refuse them whatever the page.
    with pytest.raises(PermissionDenied):
        services.decide_pathway_application(
            application=costruire["submitted"], actor=costruire["outsider"], status=Status.ADMITTED
        )
    with pytest.raises(PermissionDenied):
        services.message_admitted_organizations(
            pathway=costruire["pathway"], actor=costruire["outsider"], subject="Ciao", body="Ciao"
        )


@pytest.mark.parametrize("status", ["suspended", "ended"])
def test_the_manager_of_a_suspended_or_former_member_cannot_manage(client, costruire, status):
    foundation = costruire["pathway"].organizers.get(name="Fondazione Carisap")
    foundation.membership_status = status
    foundation.save(update_fields=["membership_status"])
    client.force_login(costruire["promoter"])
    for page in manage_pages(costruire["pathway"], costruire["submitted"]):
        assert client.get(page).status_code == 404, page
    with pytest.raises(PermissionDenied):
        services.decide_pathway_application(
            application=costruire["submitted"], actor=costruire["promoter"], status=Status.ADMITTED
        )


def test_the_promoter_decides_within_the_places_and_it_is_on_the_record(
    client, costruire, django_capture_on_commit_callbacks, mailoutbox
):
    pathway, promoter = costruire["pathway"], costruire["promoter"]
    client.force_login(promoter)
    page = url("initiatives:pathway_application_decide", slug=pathway.slug, pk=costruire["submitted"].pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"decision": "admitted", "reason": "Benvenuti"})

    assert response.status_code == 302
    assert status_log(costruire["submitted"])[-1] == ("submitted", "admitted", promoter.pk, "Benvenuti")
    third = PathwayApplicationFactory(pathway=pathway)
    response = client.post(
        url("initiatives:pathway_application_decide", slug=pathway.slug, pk=third.pk), {"decision": "admitted"}
    )
    assert "All 2 places are taken" in response.content.decode()
    third.refresh_from_db()
    assert third.status == Status.SUBMITTED
    history = client.get(page).content.decode().split('id="history-application"')[1].split("</section>")[0]
    assert re.findall(r"</time>\s*—\s*([^<]+?)\s*<span class=\"text-muted\">\(([^)]+)\)", history) == [
        ("Submitted", costruire["submitted"].applicant.full_name),
        ("Submitted → Admitted", "Paola Fondazione"),
    ]


def test_the_promoter_keeps_the_grid_with_a_dated_note_and_exports_it(client, costruire):
    pathway, stage, admitted = costruire["pathway"], costruire["stage"], costruire["admitted"]
    client.force_login(costruire["promoter"])
    grid = client.get(url("initiatives:progress_grid", slug=pathway.slug)).content.decode()
    today = timezone.localdate()
    assert f'name="note_date" class="form-control" min="1950-01-01" max="2100-12-31" value="{today:%Y-%m-%d}"' in grid

    client.post(
        url("initiatives:progress_grid", slug=pathway.slug),
        {"application": admitted.pk, "stage": stage.pk, "state": "in_progress", "note": "Ottimo avvio"},
    )

    progress = StageProgress.objects.get(application=admitted, stage=stage)
    assert (progress.state, progress.note, progress.note_date) == ("in_progress", "Ottimo avvio", today)
    entry = workflow.history(admitted).last()
    assert (entry.action, entry.actor, entry.data["to"]) == (
        "initiatives.pathwayapplication.progress",
        costruire["promoter"],
        "in_progress",
    )
    csv = client.get(url("initiatives:progress_csv", slug=pathway.slug)).content.decode("utf-8-sig")
    assert csv.splitlines() == ["Organization,Tavoli di facilitazione", "Cooperativa Sole,In progress"]


def test_the_promoter_writes_to_the_admitted_organizations_after_commit(
    client, costruire, django_capture_on_commit_callbacks, mailoutbox
):
    pathway = costruire["pathway"]
    client.force_login(costruire["promoter"])
    page = url("initiatives:pathway_message", slug=pathway.slug)
    assert "Cooperativa Sole (Anna Ricci)" in client.get(page).content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(page, {"subject": "Prossimo tavolo", "body": "Ci vediamo il 12 ad Ascoli."})
        # Nothing is rendered or stored while the pathway's lock is held: only after the commit.
        assert OutgoingEmail.objects.count() == 0
    assert response.status_code == 302
    assert len(callbacks) == 1
    callbacks[0]()

    email = OutgoingEmail.objects.get()
    assert (email.to, email.template, email.language, email.subject) == (
        "anna@sole.example.org",
        "pathway_message",
        "en",
        "Prossimo tavolo – Costruire comunità",
    )
    assert "Ci vediamo il 12 ad Ascoli." in email.body_text
    entry = workflow.history(pathway).last()
    assert (entry.action, entry.actor, entry.data) == (
        "initiatives.pathway.message",
        costruire["promoter"],
        {"subject": "Prossimo tavolo", "recipients": 1},
    )


def test_the_promoter_edits_the_pathway_and_its_stages_but_only_its_own_allies_among_promoters(client, costruire):
    pathway = costruire["pathway"]
    foundation, network = pathway.organizers.order_by("name").reverse()
    client.force_login(costruire["promoter"])
    data = editor_data(
        title="Costruire comunità ad Ascoli",
        places="3",
        status="running",
        organizers=[str(foundation.pk)],  # the network is not theirs: it stays
        stages=[
            {
                "id": str(costruire["stage"].pk),
                "kind": "facilitation_table",
                "title": "Tavoli",
                "start_date": "2026-02-01",
                "position": "1",
            }
        ],
        initial_stages=1,
    )

    response = client.post(url("initiatives:pathway_edit", slug=pathway.slug), data)

    assert response.status_code == 302
    pathway.refresh_from_db()
    assert (pathway.title, pathway.places) == ("Costruire comunità ad Ascoli", 3)
    assert set(pathway.organizers.all()) == {foundation, network}
    assert list(pathway.stages.values_list("title", "start_date")) == [("Tavoli", date(2026, 2, 1))]
    entry = workflow.history(pathway).last()
    assert (entry.action, entry.actor, entry.data) == (
        "initiatives.pathway.changed",
        costruire["promoter"],
        {"places": {"from": 2, "to": 3}},
    )
    # A promoter cannot add an ally it does not manage.
    with translation.override("en"), pytest.raises(services.InitiativeError) as refused:
        services.save_pathway(
            actor=costruire["promoter"],
            pathway=pathway,
            data=services.PathwayData(
                title=pathway.title,
                purpose=pathway.purpose,
                status=pathway.status,
                places=3,
                organizers=[foundation, network, MemberOrganizationFactory()],
            ),
        )
    with translation.override("en"):
        assert refused.value.message_dict == {"organizers": ["You may add or remove only the allies you manage."]}


def test_places_are_never_fewer_than_the_admitted_through_the_editor(client, costruire):
    pathway = costruire["pathway"]
    PathwayApplicationFactory(pathway=pathway, status=Status.ADMITTED)
    client.force_login(costruire["promoter"])
    data = editor_data(places="1", status="running", organizers=[str(o.pk) for o in pathway.organizers.all()])

    response = client.post(url("initiatives:pathway_edit", slug=pathway.slug), data)

    assert response.status_code == 200
    assert response.context["editor"].form.errors["places"] == [
        "2 organizations are already admitted: the places cannot be fewer."
    ]
    pathway.refresh_from_db()
    assert pathway.places == 2


# The project page: its pathways and the events of their stages -------------------------------------


def test_the_project_page_lists_its_pathways_and_the_events_of_their_stages(client, costruire):
    project = ProjectFactory(title="Cooperiamo")
    pathway = costruire["pathway"]
    pathway.project = project
    pathway.save(update_fields=["project"])
    PathwayFactory(title="Bozza nascosta", status="draft", project=project)
    soon = timezone.localdate() + timedelta(days=10)
    EventFactory(title="Tavolo di facilitazione a Fermo", pathway_stage=costruire["stage"], day=soon)
    EventFactory(title="Evento del progetto", project=project, day=soon + timedelta(days=1))

    html = client.get(project.get_absolute_url()).content.decode()

    pathways = html.split('id="pathways-title"')[1].split("</section>")[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', pathways) == [
        (pathway.get_absolute_url(), "Costruire comunità")
    ]
    events = html.split('id="events-title"')[1].split("</section>")[0]
    # The event of a stage says which stage of which pathway (a link to the pathway).
    assert re.findall(r'<a href="[^"]+">([^<]+)</a>', events) == [
        "Tavolo di facilitazione a Fermo",
        "Costruire comunità",
        "Evento del progetto",
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_the_project_page_query_count_does_not_grow_with_pathways(client, django_assert_num_queries, count):
    project = ProjectFactory(title="Cooperiamo")
    for n in range(count):
        pathway = PathwayFactory(project=project, status="running")
        stage = StageFactory(pathway=pathway)
        EventFactory(pathway_stage=stage, day=timezone.localdate() + timedelta(days=n + 1))
    client.get(project.get_absolute_url())

    # the project with its lead ally; themes, regions, provinces, objectives, external partners, attachments,
    # links, updates, partners, events, pathways, their stages, the stages' events
    with django_assert_num_queries(14):
        response = client.get(project.get_absolute_url())
    assert response.status_code == 200


def test_the_history_of_a_project_is_shown_to_its_managers_only(client):
    lead = MemberOrganizationFactory(name="Cooperativa Sole")
    owner = manager_of(lead, full_name="Marta Zanon")
    project = services.save_project(
        actor=owner,
        data=services.ProjectData(
            title="Orti condivisi",
            summary="Orti nei quartieri.",
            lead_ally=lead,
        ),
    )
    project.publication = Project.Publication.PUBLISHED
    project.save(update_fields=["publication"])

    client.force_login(owner)
    page = url("initiatives:project_detail", slug=project.slug)
    history = client.get(page).content.decode().split('id="history-project"')[1]
    assert re.findall(r"</time>\s*—\s*([^<]+?)\s*<span class=\"text-muted\">\(([^)]+)\)", history) == [
        ("Draft", "Marta Zanon")
    ]
    client.logout()
    assert 'id="history-project"' not in client.get(page).content.decode()


# Services take plain data --------------------------------------------------------------------------


def test_save_project_takes_plain_data_and_holds_the_rules():
    lead = MemberOrganizationFactory(name="Cooperativa Sole")
    partner = MemberOrganizationFactory(name="Università")
    owner = manager_of(lead)
    project = services.save_project(
        actor=owner,
        data=services.ProjectData(
            title="  Orti   condivisi ", summary="Orti.", lead_ally=lead, start_date=date(2026, 1, 1)
        ),
        objectives=[
            services.Row(values={"text": "Coltivare"}, position=2),
            services.Row(values={"text": "Incontrarsi"}, position=1),
        ],
        partners=[services.Row(values={"ally": partner, "role": "Ricerca"})],
    )
    assert (project.title, project.publication, project.created_by) == ("Orti condivisi", "draft", owner)
    assert list(project.objectives.values_list("position", "text")) == [(1, "Incontrarsi"), (2, "Coltivare")]
    assert status_log(project) == [("", "draft", owner.pk, "")]

    with translation.override("en"), pytest.raises(services.InitiativeError) as refused:
        services.save_project(
            actor=owner,
            project=project,
            data=services.ProjectData(
                title="Orti", summary="Orti.", lead_ally=lead, start_date=date(2026, 1, 1), end_date=date(2025, 1, 1)
            ),
        )
    assert refused.value.message_dict == {"end_date": ["The end cannot come before the start."]}
    with pytest.raises(services.InitiativeError):
        services.save_project(
            actor=owner,
            project=project,
            data=services.ProjectData(title="Orti", summary="Orti.", lead_ally=lead),
            partners=[services.Row(values={"ally": lead})],
        )
    with pytest.raises(PermissionDenied):
        services.save_project(
            actor=manager_of(partner),
            project=project,
            data=services.ProjectData(title="Presi", summary="Orti.", lead_ally=lead),
        )
    project.refresh_from_db()
    assert project.title == "Orti condivisi"


def test_a_row_of_another_project_cannot_be_touched():
    lead = MemberOrganizationFactory()
    owner = manager_of(lead)
    mine = services.save_project(actor=owner, data=services.ProjectData(title="Mio", summary="s", lead_ally=lead))
    other = ProjectFactory()
    theirs = other.objectives.create(position=1, text="Loro")
    with pytest.raises(services.InitiativeError):
        services.save_project(
            actor=owner,
            project=mine,
            data=services.ProjectData(title="Mio", summary="s", lead_ally=lead),
            objectives=[services.Row(pk=theirs.pk, remove=True)],
        )
    assert other.objectives.count() == 1


# Sane dates: every date field of the editors, the grid, the progress notes and the admin ------------


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_the_project_editor_refuses_a_date_outside_the_sane_range(client, taxonomy, field, value):
    lead = MemberOrganizationFactory()
    client.force_login(manager_of(lead))
    data = project_data(lead, **{"start_date": "", "end_date": "", field: value})

    response = client.post(url("initiatives:project_create"), data)

    assert response.status_code == 200
    assert response.context["editor"].form.errors[field] == [SANE]
    assert Project.objects.count() == 0


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_progress_update_refuses_a_date_outside_the_sane_range_and_defaults_to_today(client, value):
    lead = MemberOrganizationFactory()
    project = ProjectFactory(lead_ally=lead)
    client.force_login(manager_of(lead))
    page = url("initiatives:project_add_update", slug=project.slug)
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in client.get(page).content.decode()

    response = client.post(page, {"date": value, "text": "Primo incontro"})

    assert response.context["form"].errors["date"] == [SANE]
    assert ProgressUpdate.objects.count() == 0


@pytest.mark.parametrize("value", ["0001-01-01T10:00", "9999-12-31T10:00"])
@pytest.mark.parametrize("field", ["applications_open_at", "applications_close_at"])
def test_the_pathway_editor_refuses_a_window_outside_the_sane_range(client, field, value):
    client.force_login(CoordinatorFactory())
    data = editor_data(**{"applications_open_at": "", "applications_close_at": "", field: value})

    response = client.post(url("initiatives:pathway_create"), data)

    assert response.status_code == 200
    assert response.context["editor"].form.errors[field]
    assert Pathway.objects.count() == 0


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_pathway_editor_refuses_stage_dates_outside_the_sane_range(client, value):
    client.force_login(CoordinatorFactory())
    stage = {"kind": "listening", "title": "Ascolto", "start_date": value, "end_date": value}
    data = editor_data(stages=[stage])

    response = client.post(url("initiatives:pathway_create"), data)

    assert response.status_code == 200
    errors = response.context["editor"].stages.forms[0].errors
    assert (errors["start_date"], errors["end_date"]) == ([SANE], [SANE])
    assert (Pathway.objects.count(), Stage.objects.count()) == (0, 0)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_grid_refuses_a_note_date_outside_the_sane_range(client, costruire, value):
    client.force_login(costruire["promoter"])
    response = client.post(
        url("initiatives:progress_grid", slug=costruire["pathway"].slug),
        {
            "application": costruire["admitted"].pk,
            "stage": costruire["stage"].pk,
            "state": "completed",
            "note": "Fatto",
            "note_date": value,
        },
        follow=True,
    )
    assert f"The change was not saved: {SANE}" in response.content.decode()
    progress = StageProgress.objects.get(application=costruire["admitted"])
    assert (progress.state, progress.note, progress.note_date) == ("not_started", "", None)
    with pytest.raises(services.InitiativeError):
        services.set_stage_progress(
            application=costruire["admitted"],
            stage=costruire["stage"],
            actor=costruire["promoter"],
            state="completed",
            note="x",
            note_date=date(1, 1, 1),
        )


def admin_form(model, obj, data):
    request = RequestFactory().get("/")
    request.user = VerifiedUserFactory(is_staff=True, is_superuser=True)
    form_class = admin_site._registry[model].get_form(request, obj)
    return form_class(data, instance=obj)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_admin_refuses_project_dates_outside_the_sane_range(value):
    project = ProjectFactory()
    data = {f: getattr(project, f) for f in ["title", "slug", "summary", "scope", "status"]}
    data.update({"lead_ally": project.lead_ally_id, "start_date": value, "end_date": value})
    with translation.override("en"):
        form = admin_form(Project, project, data)
        assert form.is_valid() is False
        assert (form.errors["start_date"], form.errors["end_date"]) == ([SANE], [SANE])


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_admin_refuses_stage_dates_outside_the_sane_range(value):
    stage = StageFactory()
    request = RequestFactory().get("/")
    request.user = VerifiedUserFactory(is_staff=True, is_superuser=True)
    inline = next(
        i for i in admin_site._registry[Pathway].get_inline_instances(request, stage.pathway) if i.model is Stage
    )
    form_class = inline.get_formset(request, stage.pathway).form
    with translation.override("en"):
        form = form_class(
            {"pathway": stage.pathway_id, "position": 1, "kind": "listening", "title": "Ascolto", "start_date": value},
            instance=stage,
        )
        assert form.is_valid() is False
        assert form.errors["start_date"] == [SANE]


def test_the_admin_shows_workflow_fields_read_only_and_acts_through_the_services(client, costruire):
    pathway_admin = admin_site._registry[Pathway]
    application_admin = admin_site._registry[PathwayApplication]
    project_admin = admin_site._registry[Project]
    request = RequestFactory().get("/")
    request.user = CoordinatorFactory(is_staff=True, is_superuser=True)
    assert {"status", "places", "places_and_admitted"} <= set(pathway_admin.get_readonly_fields(request))
    assert {"status", "decided_by", "decided_at", "decision_reason"} <= set(
        application_admin.get_readonly_fields(request)
    )
    assert {"publication", "published_at", "review_comment"} <= set(project_admin.get_readonly_fields(request))

    client.force_login(request.user)
    third = PathwayApplicationFactory(pathway=costruire["pathway"])
    changelist = "/admin/initiatives/pathwayapplication/"
    response = client.post(
        changelist, {"action": "admit", "_selected_action": [costruire["submitted"].pk, third.pk]}, follow=True
    )
    # One admitted: the sentence for one (ngettext, in the admin's Italian), after the refusal of the other.
    with translation.override("it"):
        admitted_one = ngettext("%(count)d application admitted.", "%(count)d applications admitted.", 1)
    assert [str(m) for m in response.context["messages"]][-1] == admitted_one % {"count": 1}

    statuses = dict(PathwayApplication.objects.filter(pathway=costruire["pathway"]).values_list("pk", "status"))
    # Two places: the admitted one and one of the two selected; the other is refused by the service.
    assert sorted([statuses[costruire["submitted"].pk], statuses[third.pk]]) == ["admitted", "submitted"]
    admitted_now = costruire["submitted"] if statuses[costruire["submitted"].pk] == "admitted" else third
    assert status_log(admitted_now)[-1][:3] == ("submitted", "admitted", request.user.pk)


# Demo numbering and the timeline's words ------------------------------------------------------------


def test_the_demo_numbers_objectives_and_stages_from_one_and_the_editor_saves_them_again(client):
    from initiatives.demo import _pathway

    pathway, _new = _pathway(
        "Percorso demo",
        purpose="Scopo.",
        eligibility="organizations",
        status="open",
        places=5,
        organizers=[],
        themes=[],
        region_slugs=[],
        objectives=["Primo", "Secondo"],
        stages=[
            ("listening", "Ascolto", date(2026, 1, 1), date(2026, 2, 1), ""),
            ("contest", "Concorso", date(2026, 3, 1), None, ""),
        ],
    )
    assert list(pathway.objectives.values_list("position", flat=True)) == [1, 2]
    assert list(pathway.stages.values_list("position", flat=True)) == [1, 2]

    client.force_login(CoordinatorFactory())
    page = url("initiatives:pathway_edit", slug=pathway.slug)
    form_html = client.get(page).content.decode()
    data = {}
    for name, value in re.findall(
        r'<input type="(?:text|number|date|datetime-local|hidden)" name="([^"]+)"'
        r'(?: [^>]*?)? value="([^"]*)"',
        form_html,
    ):
        data[name] = value
    for name, value in re.findall(
        r'<input type="(?:text|number|date|hidden)" name="([^"]+)" id="[^"]+" '
        r'value="([^"]*)"',
        form_html,
    ):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form_html, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', body)
        if chosen:
            data[name] = chosen if name == "organizers" else chosen[0]
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form_html, re.S):
        data[name] = body.strip()

    response = client.post(page, data)

    assert response.status_code == 302, response.context["editor"].form.errors
    assert list(pathway.objectives.values_list("position", "text")) == [(1, "Primo"), (2, "Secondo")]
    assert list(pathway.stages.values_list("position", "title")) == [(1, "Ascolto"), (2, "Concorso")]


def test_the_admitted_organization_timeline_says_its_participation_is_shown(client, costruire):
    application = costruire["admitted"]
    owner = manager_of(application.ally)
    client.force_login(owner)

    html = client.get(url("initiatives:application_timeline", pk=application.pk)).content.decode()

    assert "Our participation is shown (" in html
    assert "once admitted" not in html
    application.status = Status.SUBMITTED
    application.save(update_fields=["status"])
    html = client.get(url("initiatives:application_timeline", pk=application.pk)).content.decode()
    assert "Our participation is shown once admitted" in html


def test_every_application_change_is_one_log_entry_with_its_actor(costruire):
    promoter = costruire["promoter"]
    before = LogEntry.objects.count()
    services.decide_pathway_application(application=costruire["submitted"], actor=promoter, status="waitlisted")
    services.withdraw_pathway_application(
        application=costruire["submitted"], actor=manager_of(costruire["submitted"].ally)
    )
    assert LogEntry.objects.count() == before + 2
    assert [(f, t) for f, t, _a, _n in status_log(costruire["submitted"])] == [
        ("", "submitted"),
        ("submitted", "waitlisted"),
        ("waitlisted", "withdrawn"),
    ]
    assert PathwayObjective.objects.count() == 0  # nothing else was touched


# Pickers that work on a phone -------------------------------------------------------------------------


def test_the_provinces_are_checkboxes_grouped_by_region_in_details(client, taxonomy):
    from alliance.models import Province

    lead = MemberOrganizationFactory()
    project = ProjectFactory(lead_ally=lead)
    spezia = Province.objects.get(abbreviation="SP")
    project.provinces.set([spezia])
    client.force_login(manager_of(lead))

    html = client.get(url("initiatives:project_edit", slug=project.slug)).content.decode()

    picker = html.split('<div class="province-picker" id="id_provinces">')[1].split("</fieldset>")[0]
    assert "<select" not in picker
    assert picker.count("<details") == 20
    assert picker.count('type="checkbox"') == Province.objects.count()
    opened = re.findall(r'<details class="province-picker__region" open><summary>([^<]+) <span', picker)
    assert opened == ["Liguria"]
    assert (
        f'<input type="checkbox" class="form-check-input" name="provinces" value="{spezia.pk}" '
        f'id="id_provinces_{spezia.pk}" checked>'
    ) in picker
    assert f'<label class="form-check-label" for="id_provinces_{spezia.pk}">La Spezia (SP)</label>' in picker


def test_a_partner_ally_is_typed_by_name_and_several_matches_are_listed(client, taxonomy):
    lead = MemberOrganizationFactory(name="Cooperativa Sole")
    MemberOrganizationFactory(name="Università di Padova")
    MemberOrganizationFactory(name="Università di Verona")
    client.force_login(manager_of(lead))
    data = project_data(lead)
    data.update(rows("partners", [{"ally": "università", "role": "Ricerca"}]))

    response = client.post(url("initiatives:project_create"), data)

    assert response.context["editor"].formsets["partners"].forms[0].errors["ally"] == [
        "Several allies match “università”: Università di Padova, Università di Verona. Write the full name of one."
    ]
    assert Project.objects.count() == 0
    data.update(rows("partners", [{"ally": "verona", "role": "Ricerca"}]))
    assert client.post(url("initiatives:project_create"), data).status_code == 302
    assert list(Project.objects.get().partners.values_list("ally__name", flat=True)) == ["Università di Verona"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_ally_search_answers_at_most_twenty_members_in_constant_queries(client, django_assert_num_queries, count):
    lead = MemberOrganizationFactory(name="Cooperativa Sole")
    for n in range(count * 10):
        MemberOrganizationFactory(name=f"Rete {n:02d}")
    MemberOrganizationFactory(name="Rete sospesa", membership_status="suspended")
    user = manager_of(lead)
    client.force_login(user)
    client.get(url("initiatives:ally_search"), {"q": "rete"})

    # session, user, may propose, allies named exactly so, allies whose name contains it
    with django_assert_num_queries(5):
        response = client.get(url("initiatives:ally_search"), {"q": "rete"})

    names = [row["name"] for row in response.json()["results"]]
    assert names == [f"Rete {n:02d}" for n in range(min(count * 10, 20))]
    client.logout()
    client.force_login(VerifiedUserFactory())
    assert client.get(url("initiatives:ally_search"), {"q": "rete"}).status_code == 404


def test_a_coordinator_names_the_promoters_one_per_line_and_hears_of_unknown_names(client):
    MemberOrganizationFactory(name="Fondazione Carisap")
    MemberOrganizationFactory(name="Bottega del Terzo Settore")
    MemberOrganizationFactory(name="Rete sospesa", membership_status="suspended")
    client.force_login(CoordinatorFactory())

    response = client.post(
        url("initiatives:pathway_create"), editor_data(organizers="Fondazione Carisap\nRete sospesa\nNessuno")
    )

    assert response.context["editor"].form.errors["organizers"] == [
        "No ally is called “Rete sospesa”: check the name on the ally's page.",
        "No ally is called “Nessuno”: check the name on the ally's page.",
    ]
    response = client.post(
        url("initiatives:pathway_create"), editor_data(organizers="Fondazione Carisap\nbottega del terzo settore")
    )
    assert response.status_code == 302
    pathway = Pathway.objects.get()
    assert sorted(pathway.organizers.values_list("name", flat=True)) == [
        "Bottega del Terzo Settore",
        "Fondazione Carisap",
    ]
    html = client.get(url("initiatives:pathway_edit", slug=pathway.slug)).content.decode()
    assert re.search(
        r'<textarea name="organizers"[^>]*>\s*Bottega del Terzo Settore\nFondazione Carisap</textarea>', html
    )


@pytest.mark.parametrize("count", [1, 3])
def test_the_lists_of_promoted_pathways_keep_their_query_count(client, django_assert_num_queries, count):
    foundation = MemberOrganizationFactory(name="Fondazione Carisap")
    promoter = manager_of(foundation)
    for n in range(count):
        pathway = PathwayFactory(title=f"Percorso {n}")
        pathway.organizers.add(foundation)
        PathwayApplicationFactory(pathway=pathway)
    PathwayFactory(title="Di altri").organizers.add(MemberOrganizationFactory())
    client.force_login(promoter)
    client.get(url("initiatives:pathway_manage_list"))

    # session, user, may manage some pathway (coordinator check, then the promoters), coordinator check,
    # the pathways with their counts, may create (coordinator check), the navigation's coordinator check
    with django_assert_num_queries(8):
        response = client.get(url("initiatives:pathway_manage_list"))
    assert [p.title for p in response.context["pathways"]] == [f"Percorso {n}" for n in reversed(range(count))]

    # session, user, applications of the user (none here), promoted pathways with their counts, navigation
    with django_assert_num_queries(5):
        response = client.get(url("initiatives:my_pathways"))
    assert [(p.title, p.submitted_count) for p in response.context["promoted"]] == [
        (f"Percorso {n}", 1) for n in reversed(range(count))
    ]
