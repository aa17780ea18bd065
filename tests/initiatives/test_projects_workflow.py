"""The publication of projects: draft → submitted → published, or sent back with a comment.

Every step is taken through the pages, as the people do; the refused steps are
also tried on the services, and nothing changes when they are refused.
"""

import re
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from alliance import workflow
from alliance.models import OutgoingEmail
from initiatives import services
from initiatives.models import ProgressUpdate, Project
from initiatives.services import InitiativeError
from tests.factories.initiatives import ProjectFactory, status_log
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def absolute(name, language="en", **kwargs):
    return django_settings.SITE_URL.rstrip("/") + url(name, language, **kwargs)


def log_of(project):
    return status_log(project)


def put_on_record(project, previous, state, actor):
    workflow.log(
        project, f"publication.{state}", actor=actor, data={"field": "publication", "from": previous, "to": state}
    )


@pytest.fixture
def team(db):
    """A lead ally with two managers (English, Italian), and two coordinators (English, Italian)."""
    ally = MemberOrganizationFactory(name="Cooperativa Sole")
    owner = AllyManagerFactory(
        ally=ally,
        role="owner",
        user=VerifiedUserFactory(email="anna@example.org", full_name="Anna Ricci", preferred_language="en"),
    )
    editor = AllyManagerFactory(
        ally=ally,
        role="editor",
        user=VerifiedUserFactory(email="marco@example.org", preferred_language="it"),
    )
    coordinator = CoordinatorFactory(email="coordinator@example.org", full_name="Carla Conti", preferred_language="en")
    CoordinatorFactory(email="coordinatrice@example.org", preferred_language="it")
    return {"ally": ally, "owner": owner.user, "editor": editor.user, "coordinator": coordinator}


def draft_of(team, **fields):
    project = ProjectFactory(
        lead_ally=team["ally"], draft=True, title="Patto Generativo di Comunità", slug="patto-generativo", **fields
    )
    put_on_record(project, "", "draft", team["owner"])
    return project


# The way forward -------------------------------------------------------------------


def test_a_manager_submits_and_the_coordinators_are_told(client, team, django_capture_on_commit_callbacks, mailoutbox):
    project = draft_of(team)
    client.force_login(team["editor"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("initiatives:project_submit", slug=project.slug))

    project.refresh_from_db()
    assert response.status_code == 302
    assert response.url == url("initiatives:my_projects")
    assert project.publication == "submitted"
    assert log_of(project) == [("", "draft", team["owner"].pk, ""), ("draft", "submitted", team["editor"].pk, "")]
    rows = {row.to: row for row in OutgoingEmail.objects.all()}
    assert sorted(rows) == ["coordinator@example.org", "coordinatrice@example.org"]
    assert (rows["coordinator@example.org"].template, rows["coordinator@example.org"].language) == (
        "project_submitted",
        "en",
    )
    assert (rows["coordinatrice@example.org"].template, rows["coordinatrice@example.org"].language) == (
        "project_submitted",
        "it",
    )
    sent = {message.to[0]: message for message in mailoutbox}
    english = sent["coordinator@example.org"]
    assert english.subject == "Project to review: Patto Generativo di Comunità"
    assert english.body.startswith("Hello Carla Conti,")
    assert "Cooperativa Sole submitted the project “Patto Generativo di Comunità” for review." in english.body
    assert absolute("initiatives:project_review", slug=project.slug) in english.body
    html = english.alternatives[0][0]
    assert f'<a href="{absolute("initiatives:project_review", slug=project.slug)}">Review the project</a>' in html
    italian = rows["coordinatrice@example.org"]
    assert absolute("initiatives:project_review", "it", slug=project.slug) in italian.body_text
    page = client.get(response.url).content.decode()
    assert "“Patto Generativo di Comunità” is submitted: the coordinators will review it and write to you." in page


def test_a_coordinator_publishes_and_the_managers_are_told(
    client, team, django_capture_on_commit_callbacks, mailoutbox
):
    project = draft_of(team, review_comment="Un vecchio commento")
    Project.objects.filter(pk=project.pk).update(publication="submitted")
    client.force_login(team["coordinator"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("initiatives:project_review", slug=project.slug), {"decision": "publish"})

    project.refresh_from_db()
    assert response.status_code == 302
    assert response.url == url("initiatives:project_queue")
    assert project.publication == "published"
    assert project.published_at is not None
    assert project.review_comment == ""
    assert log_of(project)[-1] == ("submitted", "published", team["coordinator"].pk, "")
    rows = {row.to: (row.template, row.language) for row in OutgoingEmail.objects.all()}
    assert rows == {"anna@example.org": ("project_published", "en"), "marco@example.org": ("project_published", "it")}
    [english] = [message for message in mailoutbox if message.to == ["anna@example.org"]]
    assert english.subject == "Your project “Patto Generativo di Comunità” is published"
    assert absolute("initiatives:project_detail", slug=project.slug) in english.body
    page = client.get(response.url).content.decode()
    assert "“Patto Generativo di Comunità” is published; the managers of its lead ally were told by e-mail." in page
    client.logout()
    assert client.get(url("initiatives:project_detail", "it", slug=project.slug)).status_code == 200


def test_a_coordinator_sends_back_with_a_comment(client, team, django_capture_on_commit_callbacks, mailoutbox):
    project = draft_of(team)
    Project.objects.filter(pk=project.pk).update(publication="submitted")
    client.force_login(team["coordinator"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("initiatives:project_review", slug=project.slug),
            {"decision": "send_back", "comment": "  Aggiungete i partner e le date.  "},
        )

    project.refresh_from_db()
    assert response.status_code == 302
    assert (project.publication, project.review_comment) == ("draft", "Aggiungete i partner e le date.")
    assert project.published_at is None
    assert log_of(project)[-1] == ("submitted", "draft", team["coordinator"].pk, "Aggiungete i partner e le date.")
    rows = {row.to: (row.template, row.language) for row in OutgoingEmail.objects.all()}
    assert rows == {"anna@example.org": ("project_sent_back", "en"), "marco@example.org": ("project_sent_back", "it")}
    [english] = [message for message in mailoutbox if message.to == ["anna@example.org"]]
    assert english.subject == "Your project “Patto Generativo di Comunità” needs some changes"
    assert "\nAggiungete i partner e le date.\n" in english.body
    assert absolute("initiatives:project_edit", slug=project.slug) in english.body
    # the managers read the comment in their area, and submit again
    client.force_login(team["owner"])
    mine = client.get(url("initiatives:my_projects")).content.decode()
    assert "Sent back by the coordinators, with this comment" in mine
    assert "<p>Aggiungete i partner e le date.</p>" in mine
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("initiatives:project_submit", slug=project.slug))
    project.refresh_from_db()
    assert project.publication == "submitted"


def test_the_whole_way_from_proposal_to_publication(client, team, taxonomy, django_capture_on_commit_callbacks):
    from tests.initiatives.test_projects import project_data

    client.force_login(team["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("initiatives:project_create"), project_data(team["ally"], title="WILL"))
        project = Project.objects.get(title="WILL")
        client.post(url("initiatives:project_submit", slug=project.slug))
    client.force_login(team["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("initiatives:project_review", slug=project.slug), {"decision": "publish"})
    client.logout()

    project.refresh_from_db()
    listed = client.get(url("initiatives:project_list"), {"region": "liguria"}).context["page_obj"]
    assert project.publication == "published"
    assert [p.title for p in listed] == ["WILL"]
    assert [(f, t) for f, t, _a, _n in log_of(project)] == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "published"),
    ]
    assert OutgoingEmail.objects.filter(template="project_submitted").count() == 2
    assert OutgoingEmail.objects.filter(template="project_published").count() == 2


# Refused steps ---------------------------------------------------------------------


def test_sending_back_needs_a_comment(client, team, django_capture_on_commit_callbacks):
    project = draft_of(team)
    Project.objects.filter(pk=project.pk).update(publication="submitted")
    client.force_login(team["coordinator"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("initiatives:project_review", slug=project.slug), {"decision": "send_back", "comment": "   "}
        )

    project.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors == {"comment": ["Please tell the proposers what to change."]}
    assert project.publication == "submitted"
    assert OutgoingEmail.objects.count() == 0
    assert len(log_of(project)) == 1
    with pytest.raises(InitiativeError) as refused:
        services.send_back_project(project=project, actor=team["coordinator"], comment=" ")
    assert refused.value.messages == ["Please tell the proposers what to change."]
    project.refresh_from_db()
    assert project.publication == "submitted"


def test_a_draft_cannot_be_published(client, team, django_capture_on_commit_callbacks):
    project = draft_of(team)
    client.force_login(team["coordinator"])

    with translation.override("en"), pytest.raises(InitiativeError) as refused:
        services.publish_project(project=project, actor=team["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("initiatives:project_review", slug=project.slug), {"decision": "publish"})

    project.refresh_from_db()
    assert refused.value.messages == ["This project is draft and cannot go there."]
    assert response.status_code == 200
    assert "This project is draft: there is nothing to decide." in response.content.decode()
    assert (project.publication, project.published_at) == ("draft", None)
    assert OutgoingEmail.objects.count() == 0
    assert len(log_of(project)) == 1


def test_a_published_project_cannot_be_submitted_again(client, team):
    project = ProjectFactory(lead_ally=team["ally"])
    client.force_login(team["owner"])

    response = client.post(url("initiatives:project_submit", slug=project.slug), follow=True)

    project.refresh_from_db()
    assert project.publication == "published"
    assert "This project is published and cannot go there." in response.content.decode()
    assert OutgoingEmail.objects.count() == 0


def test_people_who_are_not_coordinators_cannot_publish(client, team):
    project = draft_of(team)
    Project.objects.filter(pk=project.pk).update(publication="submitted")
    project.refresh_from_db()

    for person in [team["owner"], VerifiedUserFactory()]:
        with pytest.raises(PermissionDenied):
            services.publish_project(project=project, actor=person)
        with pytest.raises(PermissionDenied):
            services.send_back_project(project=project, actor=person, comment="No")
        client.force_login(person)
        assert (
            client.post(url("initiatives:project_review", slug=project.slug), {"decision": "publish"}).status_code
            == 404
        )
        assert client.get(url("initiatives:project_review", slug=project.slug)).status_code == 404
        assert client.get(url("initiatives:project_queue")).status_code == 404
    client.logout()
    anonymous = client.post(url("initiatives:project_review", slug=project.slug), {"decision": "publish"})

    project.refresh_from_db()
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(url("account_login"))
    assert client.get(url("initiatives:project_queue")).url.startswith(url("account_login"))
    assert project.publication == "submitted"
    assert len(log_of(project)) == 1
    assert OutgoingEmail.objects.count() == 0


def test_outsiders_cannot_submit_or_add_updates(client, team):
    project = draft_of(team)
    outsider = AllyManagerFactory(ally=MemberOrganizationFactory()).user

    with pytest.raises(PermissionDenied):
        services.submit_project(project=project, actor=outsider)
    client.force_login(outsider)
    submit = client.post(url("initiatives:project_submit", slug=project.slug))
    update = client.post(
        url("initiatives:project_add_update", slug=project.slug), {"date": "2025-03-01", "text": "Intrusione"}
    )

    project.refresh_from_db()
    assert (submit.status_code, update.status_code) == (404, 404)
    assert project.publication == "draft"
    assert ProgressUpdate.objects.count() == 0


# Keeping a project current ---------------------------------------------------------


def test_a_published_project_edited_by_its_manager_stays_published(client, team, taxonomy):
    from tests.initiatives.test_projects import project_data

    project = ProjectFactory(lead_ally=team["ally"], title="Sportello Talenti")
    published_at = project.published_at
    client.force_login(team["editor"])

    response = client.post(
        url("initiatives:project_edit", slug=project.slug),
        project_data(team["ally"], title="Sportello Talenti 2025", status="concluded", results="120 giovani"),
    )

    project.refresh_from_db()
    assert response.status_code == 302
    assert (project.title, project.status, project.results) == ("Sportello Talenti 2025", "concluded", "120 giovani")
    assert (project.publication, project.published_at) == ("published", published_at)
    assert OutgoingEmail.objects.count() == 0
    assert "Your changes are saved and public." in client.get(response.url).content.decode()
    client.logout()
    public = client.get(project.get_absolute_url()).content.decode()
    assert '<h1 lang="it">Sportello Talenti 2025</h1>' in public


def test_a_manager_adds_a_progress_update_to_the_timeline(client, team):
    project = ProjectFactory(lead_ally=team["ally"])
    client.force_login(team["editor"])

    form = client.get(url("initiatives:project_add_update", slug=project.slug))
    response = client.post(
        url("initiatives:project_add_update", slug=project.slug),
        {"date": "2025-03-14", "text": "  Avviati i tavoli di quartiere. ", "percentage": "35"},
    )

    assert form.status_code == 200
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    assert list(ProgressUpdate.objects.values_list("project", "date", "text", "percentage", "created_by")) == [
        (project.pk, date(2025, 3, 14), "Avviati i tavoli di quartiere.", 35, team["editor"].pk)
    ]
    client.logout()
    page = client.get(url("initiatives:project_detail", slug=project.slug)).content.decode()
    assert '<progress max="100" value="35" aria-hidden="true">35%</progress>' in page


@pytest.mark.parametrize(
    "percentage, error",
    [
        ("120", "Ensure this value is less than or equal to 100."),
        ("-1", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_percentage_is_between_0_and_100(client, team, percentage, error):
    project = ProjectFactory(lead_ally=team["ally"])
    client.force_login(team["owner"])

    response = client.post(
        url("initiatives:project_add_update", slug=project.slug),
        {"date": "2025-03-14", "text": "Quasi finito", "percentage": percentage},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"percentage": [error]}
    assert ProgressUpdate.objects.count() == 0
    with pytest.raises(InitiativeError):
        services.add_progress_update(
            project=project, actor=team["owner"], date=date(2025, 3, 14), text="x", percentage=int(percentage)
        )
    assert ProgressUpdate.objects.count() == 0


# The lead ally's area and the coordinators' queue ----------------------------------


def test_my_projects_shows_the_projects_of_my_allies_with_their_state(client, team):
    ProjectFactory(lead_ally=team["ally"], title="Pubblicato")
    ProjectFactory(lead_ally=team["ally"], title="In revisione", submitted=True)
    ProjectFactory(lead_ally=team["ally"], title="Rimandato", draft=True, review_comment="Mancano le date.")
    ProjectFactory(title="Di un altro alleato")
    client.force_login(team["owner"])

    response = client.get(url("initiatives:my_projects"))

    html = response.content.decode()
    assert sorted(p.title for p in response.context["projects"]) == ["In revisione", "Pubblicato", "Rimandato"]
    assert "Di un altro alleato" not in html
    assert f'<a class="btn btn-primary" href="{url("initiatives:project_create")}">Propose a project</a>' in html
    assert '<span class="badge bg-success">Published</span>' in html
    assert '<span class="badge bg-primary">Submitted for review</span>' in html
    assert "<p>Mancano le date.</p>" in html
    # only a draft can be submitted
    assert len(re.findall(r"<button[^>]*>Submit for review", html)) == 1


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_queue_lists_submitted_projects_oldest_first(client, team, django_assert_num_queries, item_count):
    titles = [f"Proposta {number}" for number in range(item_count)]
    for title in titles:
        ProjectFactory(title=title, submitted=True)
    ProjectFactory(title="Bozza", draft=True)
    ProjectFactory(title="Già pubblicato")
    client.force_login(team["coordinator"])
    client.get(url("initiatives:project_queue"))  # the session is loaded once

    # session, user, coordinator group (for the view, then for the navigation), projects with their lead allies
    with django_assert_num_queries(5):
        response = client.get(url("initiatives:project_queue"))

    html = response.content.decode()
    assert [p.title for p in response.context["projects"]] == titles
    assert re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html) == titles
    assert "Bozza" not in html and "Già pubblicato" not in html


def test_the_review_page_shows_the_project_and_its_history(client, team):
    project = draft_of(team, summary="Una comunità che si prende cura.")
    Project.objects.filter(pk=project.pk).update(publication="submitted")
    put_on_record(project, "draft", "submitted", team["editor"])
    client.force_login(team["coordinator"])

    response = client.get(url("initiatives:project_review", slug=project.slug))

    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<h1>Review of “Patto Generativo di Comunità”</h1>" in html
    assert "Una comunità che si prende cura." in html
    history = html.split('id="history-project"')[1].split("</section>")[0]
    assert re.findall(r"</time>\s*—\s*([^<]+?)\s*<span class=\"text-muted\">\(([^)]+)\)", history) == [
        ("Draft", team["owner"].full_name),
        ("Draft → Submitted for review", team["editor"].full_name),
    ]
    assert 'name="decision"' in html
