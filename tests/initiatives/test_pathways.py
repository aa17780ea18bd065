"""Orientation pathways: the public pages, applying, the coordinators' decisions and editor, the e-mails.

Texts of the interface are checked on the English pages (the source strings).
"""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import OutgoingEmail
from events.models import Event
from initiatives import services
from initiatives.models import (
    Pathway,
    PathwayApplication,
    PathwayObjective,
    Stage,
    StageProgress,
)
from initiatives.services import InitiativeError
from tests.factories.initiatives import (
    PathwayApplicationFactory,
    PathwayFactory,
    ProjectFactory,
    StageFactory,
    pdf_bytes,
    status_log,
)
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    MemberPersonFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

Status = PathwayApplication.Status


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def absolute(name, language="en", **kwargs):
    return django_settings.SITE_URL.rstrip("/") + url(name, language, **kwargs)


def page_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def manager(ally, **user_fields):
    """A user who manages `ally`."""
    return AllyManagerFactory(ally=ally, user=VerifiedUserFactory(**user_fields)).user


def log_of(application):
    return status_log(application)


def application_data(ally, **overrides):
    return {
        "ally": ally.pk,
        "motivation": "Vogliamo imparare a co-progettare con il territorio.",
        "contact_name": "Anna Ricci",
        "contact_email": "anna@ape.example.org",
        "contact_phone": "+39 0522 123456",
        "show_publicly": "on",
        **overrides,
    }


def local(day: date, hour=10):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour, 0))


# The public list -----------------------------------------------------------------------


def test_the_list_shows_published_pathways_open_ones_first(client):
    today = timezone.localdate()
    PathwayFactory(title="Chiuso", status="closed")
    PathwayFactory(title="Aperto", status="open", applications_close_at=local(date(2030, 6, 30), 18))
    PathwayFactory(title="In corso", status="running")
    PathwayFactory(title="Bozza", status="draft")
    StageFactory(
        pathway=Pathway.objects.get(title="In corso"),
        title="Tavoli di facilitazione",
        kind="facilitation_table",
        start_date=today - timedelta(days=3),
        end_date=today + timedelta(days=3),
    )

    response = client.get(url("initiatives:pathway_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert [pathway.title for pathway in response.context["page_obj"]] == ["Aperto", "In corso", "Chiuso"]
    assert "Bozza" not in html
    assert html.count("<h1") == 1
    assert len(re.findall(r'<ul class="pathway-list">\s*<li><article class="pathway-card">', html)) == 1
    opened = Pathway.objects.get(title="Aperto")
    assert f'<a href="{url("initiatives:pathway_detail", slug=opened.slug)}">Aperto</a>' in html
    assert '<span class="pathway-badge pathway-badge--open">Open for applications</span>' in html
    assert "<dd>Member organizations of the alliance</dd>" in html
    assert "<dd>Open until 30 June 2030, 18:00</dd>" in html
    assert (
        '<dd><span lang="it">Tavoli di facilitazione</span> <span class="pathway-card__kind">(facilitation table)</span></dd>'
    ) in html
    assert html.count("<dd>None at the moment</dd>") == 2
    assert html.count("<dd>Closed</dd>") == 2  # the running and the closed pathway


def test_an_empty_list_says_so(client):
    PathwayFactory(status="draft")

    html = client.get(url("initiatives:pathway_list")).content.decode()

    assert "No pathway yet" in html


def make_pathways(count):
    today = timezone.localdate()
    organizers = [MemberOrganizationFactory(), MemberOrganizationFactory()]
    for number in range(count):
        pathway = PathwayFactory(title=f"Percorso {number}")
        pathway.organizers.set(organizers)
        for offset in (0, 30):
            StageFactory(
                pathway=pathway, start_date=today + timedelta(days=offset), end_date=today + timedelta(days=offset + 10)
            )


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_does_not_grow(client, django_assert_num_queries, count):
    make_pathways(count)

    # count, pathways, their stages, organizers, themes
    with django_assert_num_queries(5):
        response = client.get(url("initiatives:pathway_list"))

    assert len(response.context["page_obj"]) == count


# The page of a pathway -------------------------------------------------------------------


def test_the_page_shows_everything_about_the_pathway(client, taxonomy):
    today = timezone.localdate()
    project = ProjectFactory(title="Cooperiamo")
    pathway = PathwayFactory(
        title="Costruire comunità",
        purpose="Accompagnare le comunità di Ascoli Piceno.",
        eligibility="organizations",
        places=4,
        project=project,
        applications_close_at=local(today + timedelta(days=20), 12),
        brochure=SimpleUploadedFile("costruire.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    PathwayObjective.objects.create(pathway=pathway, position=2, text="Generare nuove imprese di comunità")
    PathwayObjective.objects.create(pathway=pathway, position=1, text="Ascoltare i bisogni del territorio")
    listening = StageFactory(
        pathway=pathway,
        position=1,
        kind="listening",
        title="Ascolto",
        start_date=today - timedelta(days=30),
        end_date=today - timedelta(days=1),
        description="Interviste e incontri nei quartieri.",
    )
    contest = StageFactory(
        pathway=pathway,
        position=2,
        kind="contest",
        title="Concorso di idee",
        start_date=today,
        end_date=today + timedelta(days=14),
    )
    StageFactory(
        pathway=pathway,
        position=3,
        kind="crowdfunding",
        title="Crowdfunding",
        start_date=today + timedelta(days=15),
        end_date=None,
    )
    shown = PathwayApplicationFactory(
        pathway=pathway,
        status=Status.ADMITTED,
        show_publicly=True,
        ally=MemberOrganizationFactory(name="Cooperativa Mondo"),
    )
    PathwayApplicationFactory(
        pathway=pathway, status=Status.ADMITTED, show_publicly=False, ally=MemberOrganizationFactory(name="Riservata")
    )
    PathwayApplicationFactory(
        pathway=pathway, status=Status.SUBMITTED, ally=MemberOrganizationFactory(name="In attesa")
    )
    later = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        title="Giornata del concorso",
        slug="giornata-del-concorso",
        summary="s",
        start=later,
        end=later + timedelta(hours=2),
        status="published",
        city="Ascoli Piceno",
        pathway_stage=contest,
    )
    Event.objects.create(
        title="Evento in bozza",
        slug="bozza",
        summary="s",
        start=later,
        end=later + timedelta(hours=2),
        status="draft",
        pathway_stage=contest,
    )
    Event.objects.create(
        title="Evento passato",
        slug="passato",
        summary="s",
        start=timezone.now() - timedelta(days=9),
        end=timezone.now() - timedelta(days=8),
        status="published",
        pathway_stage=listening,
    )

    response = client.get(url("initiatives:pathway_detail", slug=pathway.slug))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert '<h1 class="pathway-page__title" lang="it">Costruire comunità</h1>' in html
    assert "<p>Accompagnare le comunità di Ascoli Piceno.</p>" in html
    assert re.search(
        r'<ol class="pathway-objectives">\s*<li lang="it">Ascoltare i bisogni del territorio</li><li lang="it">Generare nuove',
        html,
    )
    assert re.findall(r'<h3 class="pathway-stage__title" lang="it">([^<]+)</h3>', html) == [
        "Ascolto",
        "Concorso di idee",
        "Crowdfunding",
    ]
    assert html.count('aria-current="step"') == 1
    assert f'<li id="stage-{contest.pk}" class="pathway-stage pathway-stage--current" aria-current="step">' in html
    assert "The pathway is now in the stage “Concorso di idee”, marked below." in html
    assert (
        '<p class="pathway-stage__kind">Contest <span class="pathway-badge pathway-badge--current">Current stage'
        in html
    )
    assert "<p>Interviste e incontri nei quartieri.</p>" in html
    assert "<dd>Any organization</dd>" in html
    assert "4 places, 1 taken" not in html  # two are admitted, one of them not shown
    assert "4 places, 2 taken" in html
    assert f'href="{url("initiatives:pathway_apply", slug=pathway.slug)}"' in html
    assert f'<a href="{project.get_absolute_url()}">Cooperiamo</a>' in html
    assert f'<a href="{pathway.brochure.url}">Download the brochure</a>' in html
    participants = html.split('id="participants-title"')[1].split("</section>")[0]
    assert re.findall(r"<li>(.*?)</li>", participants) == [
        f'<a href="{shown.ally.get_absolute_url()}">Cooperativa Mondo</a>'
    ]
    events = html.split('id="events-title"')[1].split("</section>")[0]
    assert f'<a href="{event.get_absolute_url()}" lang="it">Giornata del concorso</a>' in events
    assert "Stage: Concorso di idee" in events
    assert "Evento in bozza" not in html
    assert "Evento passato" not in html
    assert "csrfmiddlewaretoken" not in html


def test_an_unpublished_project_is_not_linked(client):
    pathway = PathwayFactory(project=ProjectFactory(title="Progetto in bozza", draft=True))

    html = client.get(url("initiatives:pathway_detail", slug=pathway.slug)).content.decode()

    assert "Progetto in bozza" not in html


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"status": "open", "applications_open_at": timezone.now() + timedelta(days=2)},
            "Applications are not open yet.",
        ),
        (
            {"status": "open", "applications_close_at": timezone.now() - timedelta(minutes=1)},
            "Applications are closed.",
        ),
        ({"status": "running"}, "Applications are closed."),
    ],
)
def test_the_page_says_why_one_cannot_apply(client, fields, reason):
    pathway = PathwayFactory(**fields)

    html = client.get(url("initiatives:pathway_detail", slug=pathway.slug)).content.decode()

    assert f"<p>{reason}</p>" in html
    assert url("initiatives:pathway_apply", slug=pathway.slug) not in html


def make_stages_with_events(count):
    today = timezone.localdate()
    pathway = PathwayFactory(slug="percorso")
    pathway.organizers.set([MemberOrganizationFactory()])
    PathwayObjective.objects.create(pathway=pathway, text="Un obiettivo")
    PathwayApplicationFactory(pathway=pathway, status=Status.ADMITTED)
    for number in range(count):
        stage = StageFactory(
            pathway=pathway,
            start_date=today + timedelta(days=number * 10),
            end_date=today + timedelta(days=number * 10 + 5),
        )
        start = timezone.now() + timedelta(days=number * 10 + 1)
        Event.objects.create(
            title=f"Evento {number}",
            slug=f"evento-{number}",
            summary="s",
            start=start,
            end=start + timedelta(hours=2),
            status="published",
            pathway_stage=stage,
        )
    return pathway


@pytest.mark.parametrize("count", [1, 3])
def test_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    pathway = make_stages_with_events(count)

    # the pathway, its objectives, organizers, themes, stages, their events, the participants
    with django_assert_num_queries(7):
        response = client.get(url("initiatives:pathway_detail", slug=pathway.slug))

    assert len(response.context["upcoming_events"]) == count


def test_a_draft_is_found_only_by_coordinators_and_the_managers_of_its_promoters(client):
    draft = PathwayFactory(title="Percorso in preparazione", status="draft")
    page = url("initiatives:pathway_detail", slug=draft.slug)

    assert client.get(page).status_code == 404
    client.force_login(manager(MemberOrganizationFactory()))
    assert client.get(page).status_code == 404
    assert client.get(url("initiatives:pathway_apply", slug=draft.slug)).status_code == 404

    client.force_login(CoordinatorFactory())
    html = client.get(page).content.decode()
    assert "This pathway is a draft: only the coordinators and the managers of its promoters see this page." in html
    assert f'href="{url("initiatives:pathway_edit", slug=draft.slug)}"' in html
    assert "<p>This pathway is not published.</p>" in html

    promoter = MemberOrganizationFactory()
    draft.organizers.add(promoter)
    client.force_login(manager(promoter))
    html = client.get(page).content.decode()
    assert "This pathway is a draft: only the coordinators and the managers of its promoters see this page." in html
    assert f'href="{url("initiatives:pathway_edit", slug=draft.slug)}"' in html


def test_anonymous_readers_get_no_cookie(client):
    pathway = PathwayFactory()
    StageFactory(pathway=pathway)

    for response in [
        client.get(url("initiatives:pathway_list")),
        client.get(url("initiatives:pathway_list", "it")),
        client.get(url("initiatives:pathway_detail", slug=pathway.slug)),
        client.get(url("initiatives:pathway_detail", "it", slug=pathway.slug)),
    ]:
        assert response.status_code == 200
        assert response.cookies == {}
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_public_pages_answer_only_get_and_head(client):
    pathway = PathwayFactory()

    assert client.post(url("initiatives:pathway_list")).status_code == 405
    assert client.post(url("initiatives:pathway_detail", slug=pathway.slug)).status_code == 405
    assert client.head(url("initiatives:pathway_detail", slug=pathway.slug)).status_code == 200


# Applying ----------------------------------------------------------------------------------


def test_an_approved_organization_applies_and_everyone_is_told(client, django_capture_on_commit_callbacks, mailoutbox):
    pathway = PathwayFactory(title="Costruire comunità", slug="costruire-comunita")
    ally = MemberOrganizationFactory(name="Cooperativa L'Ape")
    user = manager(ally, full_name="Anna Ricci", email="anna@example.org", preferred_language="en")
    CoordinatorFactory(email="coordinatrice@example.org", preferred_language="it")
    CoordinatorFactory(email="coordinator@example.org", preferred_language="en")
    client.force_login(user)

    form = client.get(url("initiatives:pathway_apply", slug=pathway.slug)).context["form"]
    assert form.initial == {"contact_name": "Anna Ricci", "contact_email": "anna@example.org", "ally": ally.pk}
    assert list(form.fields["ally"].queryset) == [ally]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("initiatives:pathway_apply", slug=pathway.slug),
            application_data(ally, contact_email="anna@ape.example.org"),
        )

    assert response.status_code == 302
    assert response["Location"] == url("initiatives:my_pathways")
    assert page_messages(response) == [
        "The application of “Cooperativa L'Ape” to “Costruire comunità” was sent: the coordinators will write to "
        "you with their decision."
    ]
    application = PathwayApplication.objects.get()
    assert (application.pathway, application.ally, application.applicant, application.status) == (
        pathway,
        ally,
        user,
        Status.SUBMITTED,
    )
    assert (
        application.motivation,
        application.contact_name,
        application.contact_email,
        application.contact_phone,
        application.show_publicly,
    ) == (
        "Vogliamo imparare a co-progettare con il territorio.",
        "Anna Ricci",
        "anna@ape.example.org",
        "+39 0522 123456",
        True,
    )
    assert log_of(application) == [("", Status.SUBMITTED, user.pk, "")]

    rows = {row.to: row for row in OutgoingEmail.objects.all()}
    assert sorted(rows) == ["anna@ape.example.org", "coordinator@example.org", "coordinatrice@example.org"]
    assert [
        (row.template, row.language)
        for row in (rows["anna@ape.example.org"], rows["coordinator@example.org"], rows["coordinatrice@example.org"])
    ] == [
        ("pathway_application_submitted", "en"),
        ("pathway_application_new", "en"),
        ("pathway_application_new", "it"),
    ]
    assert rows["anna@ape.example.org"].subject == (
        "We received the application of Cooperativa L'Ape to “Costruire comunità”"
    )
    assert rows["coordinator@example.org"].subject == "New application to “Costruire comunità”: Cooperativa L'Ape"
    sent = {message.to[0]: message for message in mailoutbox}
    assert sorted(sent) == sorted(rows)
    assert sent["anna@ape.example.org"].body.startswith("Hello Anna Ricci,")
    timeline = absolute("initiatives:application_timeline", pk=application.pk)
    assert timeline in sent["anna@ape.example.org"].body
    assert timeline in sent["anna@ape.example.org"].alternatives[0][0]
    decide = "initiatives:pathway_application_decide"
    assert absolute(decide, slug=pathway.slug, pk=application.pk) in sent["coordinator@example.org"].body
    assert absolute(decide, "it", slug=pathway.slug, pk=application.pk) in sent["coordinatrice@example.org"].body


def test_a_non_member_organization_is_told_to_join_first(client):
    pathway = PathwayFactory(eligibility="member_organizations")
    pending = OrganizationFactory(name="Cooperativa Nuova")
    user = manager(pending)
    client.force_login(user)

    response = client.get(url("initiatives:pathway_apply", slug=pathway.slug))

    html = response.content.decode()
    assert response.context["form"] is None
    assert (
        "— cannot apply: This pathway is for member organizations of the alliance: your organization must join "
        f'first.\n            <a href="{url("members:join")}">Join the alliance</a>'
    ) in html
    assert "None of your profiles may apply to this pathway now." in html

    response = client.post(url("initiatives:pathway_apply", slug=pathway.slug), application_data(pending))
    assert response.status_code == 200
    assert PathwayApplication.objects.count() == 0

    with pytest.raises(InitiativeError) as refused:
        services.apply_to_pathway(
            pathway=pathway,
            ally=pending,
            applicant=user,
            motivation="m",
            contact_name="c",
            contact_email="c@example.org",
        )
    assert refused.value.messages == [
        "This pathway is for member organizations of the alliance: your organization must join first."
    ]
    assert PathwayApplication.objects.count() == 0


def test_only_eligible_profiles_are_offered(client):
    pathway = PathwayFactory(eligibility="member_organizations")
    approved = MemberOrganizationFactory(name="Approvata")
    user = manager(approved)
    AllyManagerFactory(user=user, ally=OrganizationFactory(name="Non approvata"))
    AllyManagerFactory(user=user, ally=MemberPersonFactory(name="Anna Ricci"))
    client.force_login(user)

    response = client.get(url("initiatives:pathway_apply", slug=pathway.slug))

    assert list(response.context["form"].fields["ally"].queryset) == [approved]
    assert [(row["ally"].name, row["eligible"], row["must_join"]) for row in response.context["profiles"]] == [
        ("Anna Ricci", False, False),
        ("Approvata", True, False),
        ("Non approvata", False, True),
    ]
    html = response.content.decode()
    assert "— cannot apply: This pathway is for organizations: apply with the profile of your organization." in html


@pytest.mark.parametrize(
    ("eligibility", "factory", "message"),
    [
        (
            "organizations",
            MemberPersonFactory,
            "This pathway is for organizations: apply with the profile of your organization.",
        ),
        (
            "member_organizations",
            MemberPersonFactory,
            "This pathway is for organizations: apply with the profile of your organization.",
        ),
        ("persons", MemberOrganizationFactory, "This pathway is for persons: apply with your personal profile."),
    ],
)
def test_persons_and_organizations_apply_only_where_they_may(eligibility, factory, message):
    pathway = PathwayFactory(eligibility=eligibility)
    ally = factory()

    with translation.override("en"), pytest.raises(InitiativeError) as refused:
        services.apply_to_pathway(
            pathway=pathway,
            ally=ally,
            applicant=manager(ally),
            motivation="m",
            contact_name="c",
            contact_email="c@example.org",
        )

    assert refused.value.messages == [message]
    assert PathwayApplication.objects.count() == 0


@pytest.mark.parametrize(
    ("eligibility", "factory"),
    [("organizations", OrganizationFactory), ("persons", MemberPersonFactory)],
)
def test_any_organization_or_a_person_applies_where_it_may(eligibility, factory):
    pathway = PathwayFactory(eligibility=eligibility)
    ally = factory()

    application = services.apply_to_pathway(
        pathway=pathway,
        ally=ally,
        applicant=manager(ally),
        motivation="m",
        contact_name="c",
        contact_email="c@example.org",
    )

    assert (application.ally, application.status) == (ally, Status.SUBMITTED)


def test_nobody_applies_for_an_ally_they_do_not_manage(client):
    pathway = PathwayFactory()
    mine = MemberOrganizationFactory()
    theirs = MemberOrganizationFactory()
    user = manager(mine)
    client.force_login(user)

    response = client.post(url("initiatives:pathway_apply", slug=pathway.slug), application_data(theirs))

    assert response.status_code == 200
    assert response.context["form"].errors == {"ally": ["Choose one of the profiles you manage that may apply."]}
    assert PathwayApplication.objects.count() == 0
    with pytest.raises(PermissionDenied):
        services.apply_to_pathway(
            pathway=pathway,
            ally=theirs,
            applicant=user,
            motivation="m",
            contact_name="c",
            contact_email="c@example.org",
        )
    assert PathwayApplication.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"applications_open_at": timezone.now() + timedelta(days=1)}, "Applications are not open yet."),
        ({"applications_close_at": timezone.now() - timedelta(seconds=1)}, "Applications are closed."),
    ],
)
def test_outside_the_window_nobody_applies(client, fields, reason):
    pathway = PathwayFactory(**fields)
    ally = MemberOrganizationFactory()
    user = manager(ally)
    client.force_login(user)

    response = client.post(url("initiatives:pathway_apply", slug=pathway.slug), application_data(ally))

    assert response.status_code == 200
    assert response.context["form"] is None
    assert f'<div class="alert alert-info" role="status"><p>{reason}</p></div>' in response.content.decode()
    with pytest.raises(InitiativeError) as refused:
        services.apply_to_pathway(
            pathway=pathway, ally=ally, applicant=user, motivation="m", contact_name="c", contact_email="c@example.org"
        )
    assert refused.value.messages == [reason]
    assert PathwayApplication.objects.count() == 0


def test_one_application_per_organization(client):
    pathway = PathwayFactory()
    application = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Sole"))
    user = manager(application.ally)
    client.force_login(user)

    response = client.get(url("initiatives:pathway_apply", slug=pathway.slug))

    assert response.context["form"] is None
    assert f'href="{url("initiatives:application_timeline", pk=application.pk)}"' in response.content.decode()
    with pytest.raises(InitiativeError) as refused:
        services.apply_to_pathway(
            pathway=pathway,
            ally=application.ally,
            applicant=user,
            motivation="m",
            contact_name="c",
            contact_email="c@example.org",
        )
    assert refused.value.messages == ["Cooperativa Sole has already applied to this pathway."]
    assert PathwayApplication.objects.count() == 1


def test_a_user_with_no_profile_is_sent_to_join(client):
    pathway = PathwayFactory()
    client.force_login(VerifiedUserFactory())

    html = client.get(url("initiatives:pathway_apply", slug=pathway.slug)).content.decode()

    assert "You have no profile yet" in html
    assert f'href="{url("members:join")}"' in html


def test_applying_needs_a_login(client):
    pathway = PathwayFactory()

    for name, kwargs in [("initiatives:pathway_apply", {"slug": pathway.slug}), ("initiatives:my_pathways", {})]:
        response = client.get(url(name, **kwargs))
        assert response.status_code == 302
        assert response["Location"].startswith(url("account_login"))


def test_my_pathways_lists_my_applications_with_their_status(client):
    ally = MemberOrganizationFactory(name="Cooperativa Sole")
    user = manager(ally)
    declined = PathwayApplicationFactory(
        ally=ally,
        pathway=PathwayFactory(title="Primo"),
        status=Status.DECLINED,
        decision_reason="Posti riservati alle Marche.",
    )
    admitted = PathwayApplicationFactory(ally=ally, pathway=PathwayFactory(title="Secondo"), status=Status.ADMITTED)
    for stage, state in [
        (StageFactory(pathway=admitted.pathway), "completed"),
        (StageFactory(pathway=admitted.pathway), "in_progress"),
    ]:
        StageProgress.objects.create(application=admitted, stage=stage, state=state)
    PathwayApplicationFactory(pathway=PathwayFactory(title="Di altri"))
    client.force_login(user)

    response = client.get(url("initiatives:my_pathways"))

    html = response.content.decode()
    assert [a.pathway.title for a in response.context["applications"]] == ["Secondo", "Primo"]
    assert "Di altri" not in html
    assert '<span class="pathway-badge pathway-badge--declined">Declined</span>' in html
    assert "<dd>Posti riservati alle Marche.</dd>" in html
    assert "1 of 2 stages completed" in html
    assert f'href="{url("initiatives:application_timeline", pk=declined.pk)}"' in html
    assert f'href="{url("initiatives:application_withdraw", pk=admitted.pk)}"' in html
    assert f'href="{url("initiatives:application_withdraw", pk=declined.pk)}"' not in html


# Decisions ------------------------------------------------------------------------------------


def decide(client, application, decision, reason=""):
    return client.post(
        url("initiatives:pathway_application_decide", slug=application.pathway.slug, pk=application.pk),
        {"decision": decision, "reason": reason},
    )


def test_a_coordinator_admits_and_the_organization_follows_every_stage(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    pathway = PathwayFactory(title="Costruire comunità")
    stages = [StageFactory(pathway=pathway), StageFactory(pathway=pathway), StageFactory(pathway=pathway)]
    applicant = VerifiedUserFactory(preferred_language="en")
    application = PathwayApplicationFactory(
        pathway=pathway,
        ally=MemberOrganizationFactory(name="Cooperativa Sole"),
        applicant=applicant,
        contact_email="sole@example.org",
    )
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, application, "admitted", "Benvenuti!")

    assert response.status_code == 302
    assert response["Location"] == url("initiatives:pathway_applications", slug=pathway.slug)
    assert page_messages(response) == [
        "“Cooperativa Sole” is admitted to the pathway; the applicant was told by e-mail."
    ]
    application.refresh_from_db()
    assert (application.status, application.decided_by, application.decision_reason) == (
        Status.ADMITTED,
        coordinator,
        "Benvenuti!",
    )
    assert log_of(application)[1:] == [(Status.SUBMITTED, Status.ADMITTED, coordinator.pk, "Benvenuti!")]
    assert sorted(StageProgress.objects.filter(application=application).values_list("stage", "state")) == [
        (stage.pk, "not_started") for stage in stages
    ]
    [message] = mailoutbox
    assert (message.to, message.subject) == (
        ["sole@example.org"],
        "Cooperativa Sole is admitted to “Costruire comunità”",
    )
    assert absolute("initiatives:application_timeline", pk=application.pk) in message.body
    assert "Benvenuti!" in message.body
    assert OutgoingEmail.objects.get().language == "en"


def test_waitlisting_then_admitting(client, django_capture_on_commit_callbacks, mailoutbox):
    pathway = PathwayFactory(title="Costruire comunità")
    application = PathwayApplicationFactory(
        pathway=pathway, ally=MemberOrganizationFactory(name="Cooperativa Sole"), contact_email="sole@example.org"
    )
    client.force_login(CoordinatorFactory())

    with django_capture_on_commit_callbacks(execute=True):
        decide(client, application, "waitlisted")
    application.refresh_from_db()
    assert application.status == Status.WAITLISTED
    form = client.get(url("initiatives:pathway_application_decide", slug=pathway.slug, pk=application.pk)).context[
        "form"
    ]
    assert form.fields["decision"].choices == [("admitted", "Admit"), ("declined", "Decline")]

    with django_capture_on_commit_callbacks(execute=True):
        decide(client, application, "admitted")

    application.refresh_from_db()
    assert application.status == Status.ADMITTED
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["sole@example.org"], "Cooperativa Sole è in lista d'attesa per “Costruire comunità”"),
        (["sole@example.org"], "Candidatura ammessa: Cooperativa Sole partecipa a “Costruire comunità”"),
    ]
    assert list(OutgoingEmail.objects.order_by("pk").values_list("language", flat=True)) == ["it", "it"]


def test_declining_needs_a_reason_and_sends_it(client, django_capture_on_commit_callbacks, mailoutbox):
    pathway = PathwayFactory(title="Costruire comunità")
    application = PathwayApplicationFactory(
        pathway=pathway,
        ally=MemberOrganizationFactory(name="Cooperativa Sole"),
        contact_email="sole@example.org",
        applicant=VerifiedUserFactory(preferred_language="en"),
    )
    client.force_login(CoordinatorFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, application, "declined", "  ")

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Please give the applicant a reason."]}
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        decide(client, application, "declined", "I posti sono riservati alle Marche.")

    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (Status.DECLINED, "I posti sono riservati alle Marche.")
    [message] = mailoutbox
    assert (message.to, message.subject) == (
        ["sole@example.org"],
        "The application of Cooperativa Sole to “Costruire comunità” was not accepted",
    )
    assert "\nI posti sono riservati alle Marche.\n" in message.body
    with pytest.raises(InitiativeError) as refused:
        services.decide_pathway_application(application=application, actor=CoordinatorFactory(), status="declined")
    assert refused.value.messages == ["Please give the applicant a reason."]


@pytest.mark.parametrize(
    ("status", "decision", "message"),
    [
        (Status.DECLINED, Status.ADMITTED, "This application is declined and cannot be changed that way."),
        (Status.WITHDRAWN, Status.WAITLISTED, "This application is withdrawn and cannot be changed that way."),
        (Status.ADMITTED, Status.WAITLISTED, "This application is admitted and cannot be changed that way."),
        (
            Status.WAITLISTED,
            Status.WAITLISTED,
            "This application is on the waiting list and cannot be changed that way.",
        ),
    ],
)
def test_refused_transitions_change_nothing(django_capture_on_commit_callbacks, mailoutbox, status, decision, message):
    application = PathwayApplicationFactory(status=status)
    StageFactory(pathway=application.pathway)

    coordinator = CoordinatorFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        translation.override("en"),
        pytest.raises(InitiativeError) as refused,
    ):
        services.decide_pathway_application(application=application, actor=coordinator, status=decision, reason="r")

    assert refused.value.messages == [message]
    application.refresh_from_db()
    assert application.status == status
    assert len(log_of(application)) == 1
    assert StageProgress.objects.count() == 0
    assert mailoutbox == []


def test_the_decision_page_shows_the_application_and_its_history(client):
    pathway = PathwayFactory(title="Costruire comunità", places=4)
    applicant = VerifiedUserFactory(full_name="Anna Ricci", email="anna@example.org")
    application = PathwayApplicationFactory(
        pathway=pathway,
        ally=MemberOrganizationFactory(name="Cooperativa Sole"),
        applicant=applicant,
        motivation="Vogliamo co-progettare.",
        contact_name="Marco Neri",
        contact_email="marco@example.org",
        contact_phone="+39 333 1234567",
    )
    client.force_login(CoordinatorFactory())

    response = client.get(url("initiatives:pathway_application_decide", slug=pathway.slug, pk=application.pk))

    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<h1>Application of Cooperativa Sole to “Costruire comunità”</h1>" in html
    assert "Admitted so far: 0 of 4 places." in html
    # The review card (issue 9): the ally linked, its membership, its other applications.
    card = html.split(f'id="review-{application.pk}"')[1].split("</article>")[0]
    assert (
        f'<a href="{application.ally.get_absolute_url()}" aria-describedby="review-{application.pk}-name">'
        "Public profile</a>"
    ) in card
    assert '<span class="badge bg-success">Member</span>' in card
    assert "First application to a pathway." in card
    assert "<dd>Marco Neri</dd>" in html
    assert '<dd><a href="mailto:marco@example.org">marco@example.org</a></dd>' in html
    assert "<dd>+39 333 1234567</dd>" in html
    assert "<p>Vogliamo co-progettare.</p>" in html
    history = html.split('id="history-application"')[1].split("</section>")[0]
    assert re.findall(r"</time>\s*—\s*(\S[^<]*?)\s*<span class=\"text-muted\">\(([^)]+)\)", history) == [
        ("Submitted", "Anna Ricci")
    ]
    assert response.context["form"].fields["decision"].choices == [
        ("admitted", "Admit"),
        ("waitlisted", "Put on the waiting list"),
        ("declined", "Decline"),
    ]


def test_a_decided_application_offers_no_decision(client):
    application = PathwayApplicationFactory(status=Status.DECLINED, decision_reason="Fuori territorio.")
    client.force_login(CoordinatorFactory())

    response = client.get(
        url("initiatives:pathway_application_decide", slug=application.pathway.slug, pk=application.pk)
    )

    assert response.context["form"] is None
    assert "This application is declined: there is nothing to decide." in response.content.decode()


def test_no_more_admitted_than_places(client, django_capture_on_commit_callbacks, mailoutbox):
    pathway = PathwayFactory(places=1)
    PathwayApplicationFactory(pathway=pathway, status=Status.ADMITTED)
    application = PathwayApplicationFactory(pathway=pathway)
    client.force_login(CoordinatorFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, application, "admitted")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The only place is taken: put the application on the waiting list, or free the place."
    ]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert StageProgress.objects.count() == 0
    assert mailoutbox == []


def test_the_organization_withdraws(client, django_capture_on_commit_callbacks, mailoutbox):
    pathway = PathwayFactory(title="Costruire comunità")
    application = PathwayApplicationFactory(
        pathway=pathway,
        status=Status.ADMITTED,
        contact_email="sole@example.org",
        ally=MemberOrganizationFactory(name="Cooperativa Sole"),
    )
    user = manager(application.ally)
    client.force_login(user)
    page = url("initiatives:application_withdraw", pk=application.pk)

    assert "Do you want to withdraw the application of “Cooperativa Sole”" in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page)

    assert response["Location"] == url("initiatives:my_pathways")
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert log_of(application)[1:] == [(Status.ADMITTED, Status.WITHDRAWN, user.pk, "")]
    [message] = mailoutbox
    assert (message.to, message.subject) == (
        ["sole@example.org"],
        "La candidatura di Cooperativa Sole a “Costruire comunità” è stata ritirata",
    )

    response = client.post(page)
    assert response.status_code == 200
    assert response.context["error"] == "This application is withdrawn and cannot be changed that way."
    assert len(mailoutbox) == 1


def test_withdrawing_is_for_the_organization_only(client):
    application = PathwayApplicationFactory()
    client.force_login(manager(MemberOrganizationFactory()))

    assert client.get(url("initiatives:application_withdraw", pk=application.pk)).status_code == 404
    assert client.post(url("initiatives:application_withdraw", pk=application.pk)).status_code == 404
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


# Coordination pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("initiatives:pathway_manage_list", {}),
        ("initiatives:pathway_create", {}),
        ("initiatives:pathway_edit", {"slug": True}),
        ("initiatives:pathway_applications", {"slug": True}),
        ("initiatives:pathway_application_decide", {"slug": True, "pk": True}),
        ("initiatives:progress_grid", {"slug": True}),
        ("initiatives:progress_csv", {"slug": True}),
    ],
)
def test_coordination_is_for_coordinators_only(client, name, needs):
    application = PathwayApplicationFactory(pathway=PathwayFactory(status="draft"))
    kwargs = {key: application.pathway.slug if key == "slug" else application.pk for key in needs}
    page = url(name, **kwargs)

    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == f"{url('account_login')}?next={page}"

    client.force_login(manager(application.ally))
    assert client.get(page).status_code == 404
    assert client.post(page).status_code == 404

    client.force_login(CoordinatorFactory())
    assert client.get(page).status_code == 200


def test_the_coordinators_list_counts_the_applications(client):
    pathway = PathwayFactory(title="Costruire comunità", places=4)
    for status in ["submitted", "submitted", "admitted", "waitlisted", "declined"]:
        PathwayApplicationFactory(pathway=pathway, status=status)
    PathwayFactory(title="Bozza", status="draft", places=None)
    client.force_login(CoordinatorFactory())

    response = client.get(url("initiatives:pathway_manage_list"))

    html = response.content.decode()
    assert [
        (p.title, p.submitted_count, p.admitted_count, p.waitlisted_count) for p in response.context["pathways"]
    ] == [("Bozza", 0, 0, 0), ("Costruire comunità", 2, 1, 1)]
    assert "<td>1 / 4</td>" in html
    assert "<td>0 / no limit</td>" in html
    assert f'href="{url("initiatives:pathway_create")}"' in html


def test_the_applications_filter_by_status(client):
    pathway = PathwayFactory()
    submitted = PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Alfa"))
    PathwayApplicationFactory(pathway=pathway, ally=MemberOrganizationFactory(name="Beta"), status="admitted")
    PathwayApplicationFactory(ally=MemberOrganizationFactory(name="Altrove"))
    client.force_login(CoordinatorFactory())
    page = url("initiatives:pathway_applications", slug=pathway.slug)

    everyone = client.get(page)
    only_submitted = client.get(page, {"status": "submitted"})

    assert [a.ally.name for a in everyone.context["applications"]] == ["Alfa", "Beta"]
    assert [a.ally.name for a in only_submitted.context["applications"]] == ["Alfa"]
    assert (
        f'<a href="{url("initiatives:pathway_application_decide", slug=pathway.slug, pk=submitted.pk)}">Alfa</a>'
        in only_submitted.content.decode()
    )
    assert "<li>Submitted: 1</li><li>Admitted: 1</li><li>On the waiting list: 0</li>" in everyone.content.decode()


# The editor -----------------------------------------------------------------------------------


def formset(prefix, rows, *, initial=0, extra=3):
    data = {
        f"{prefix}-TOTAL_FORMS": str(max(len(rows), initial + extra)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def pathway_data(**overrides):
    return {
        "title": "Costruire comunità",
        "purpose": "Accompagnare le comunità di Ascoli Piceno.",
        "eligibility": "member_organizations",
        "applications_open_at": "2026-09-01T09:00",
        "applications_close_at": "2026-09-30T18:00",
        "places": "12",
        "status": "open",
        "project": "",
        **formset("objectives", [{"text": "Ascoltare"}, {"text": "Co-progettare", "position": "1"}]),
        **formset(
            "stages",
            [
                {"kind": "listening", "title": "Ascolto", "start_date": "2026-10-01", "end_date": "2026-10-31"},
                {
                    "kind": "contest",
                    "title": "Concorso",
                    "start_date": "2026-11-01",
                    "end_date": "2026-11-30",
                    "report_prompt": "Raccontateci la vostra idea.",
                },
            ],
        ),
        **overrides,
    }


def test_a_coordinator_creates_a_pathway_with_objectives_and_stages(client, taxonomy):
    organizer = MemberOrganizationFactory(name="Cooperativa Mondo")
    project = ProjectFactory(title="Cooperiamo")
    client.force_login(CoordinatorFactory())
    PathwayFactory(slug="costruire-comunita")

    response = client.post(
        url("initiatives:pathway_create"),
        pathway_data(
            organizers="cooperativa mondo\n",
            project=project.pk,
            brochure=SimpleUploadedFile("brochure.pdf", pdf_bytes(), content_type="application/pdf"),
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == url("initiatives:pathway_manage_list")
    assert page_messages(response) == ["The pathway “Costruire comunità” was created."]
    pathway = Pathway.objects.get(title="Costruire comunità")
    assert (pathway.slug, pathway.places, pathway.status, pathway.project) == (
        "costruire-comunita-2",
        12,
        "open",
        project,
    )
    assert (
        timezone.localtime(pathway.applications_open_at).isoformat(),
        timezone.localtime(pathway.applications_close_at).isoformat(),
    ) == (
        "2026-09-01T09:00:00+02:00",
        "2026-09-30T18:00:00+02:00",
    )
    assert list(pathway.organizers.all()) == [organizer]
    assert re.fullmatch(r"pathways/brochures/[\w-]{22}\.pdf", pathway.brochure.name)  # not guessable
    assert list(pathway.objectives.values_list("position", "text")) == [(1, "Co-progettare"), (2, "Ascoltare")]
    assert list(pathway.stages.values_list("position", "kind", "title", "start_date", "end_date", "report_prompt")) == [
        (1, "listening", "Ascolto", date(2026, 10, 1), date(2026, 10, 31), ""),
        (2, "contest", "Concorso", date(2026, 11, 1), date(2026, 11, 30), "Raccontateci la vostra idea."),
    ]


def test_an_error_anywhere_saves_nothing(client):
    client.force_login(CoordinatorFactory())
    data = pathway_data(
        applications_close_at="2026-08-01T09:00",
        brochure=SimpleUploadedFile("finto.pdf", b"<html>non sono un pdf</html>", content_type="application/pdf"),
        **formset(
            "stages",
            [
                {"kind": "listening", "title": "Ascolto", "start_date": "2026-10-31", "end_date": "2026-10-01"},
            ],
        ),
    )

    response = client.post(url("initiatives:pathway_create"), data)

    assert response.status_code == 200
    editor = response.context["editor"]
    assert editor.form.errors == {
        "applications_close_at": ["Applications must close after they open."],
        "brochure": ["This file is not a PDF document."],
    }
    assert editor.stages.errors[0] == {"end_date": ["The stage cannot end before it starts."]}
    assert "Nothing was saved: correct the fields marked below." in response.content.decode()
    assert (Pathway.objects.count(), Stage.objects.count(), PathwayObjective.objects.count()) == (0, 0, 0)


def test_editing_adds_and_removes_stages_and_admitted_organizations_follow_the_new_ones(client):
    pathway = PathwayFactory(title="Costruire comunità", slug="costruire-comunita")
    first = StageFactory(pathway=pathway, position=1, title="Ascolto")
    second = StageFactory(pathway=pathway, position=2, title="Da togliere")
    admitted = PathwayApplicationFactory(pathway=pathway, status=Status.ADMITTED)
    for stage in (first, second):
        StageProgress.objects.create(application=admitted, stage=stage, state="completed")
    client.force_login(CoordinatorFactory())

    data = pathway_data(
        title="Costruire comunità ad Ascoli",
        **formset("objectives", []),
        **formset(
            "stages",
            [
                {
                    "id": str(first.pk),
                    "kind": "listening",
                    "title": "Ascolto",
                    "start_date": "2026-10-01",
                    "position": "1",
                },
                {"id": str(second.pk), "kind": "other", "title": "Da togliere", "DELETE": "on"},
                {
                    "kind": "training_day",
                    "title": "Giornata formativa",
                    "start_date": "2026-12-05",
                    "end_date": "2026-12-05",
                },
            ],
            initial=2,
        ),
    )
    response = client.post(url("initiatives:pathway_edit", slug=pathway.slug), data)

    assert response.status_code == 302
    pathway.refresh_from_db()
    assert (pathway.title, pathway.slug) == ("Costruire comunità ad Ascoli", "costruire-comunita")
    assert list(pathway.stages.values_list("title", "position")) == [("Ascolto", 1), ("Giornata formativa", 2)]
    new = pathway.stages.get(title="Giornata formativa")
    assert sorted(StageProgress.objects.filter(application=admitted).values_list("stage", "state")) == sorted(
        [(first.pk, "completed"), (new.pk, "not_started")]
    )


def test_the_editor_shows_the_stored_pathway(client):
    pathway = PathwayFactory(title="Costruire comunità", applications_close_at=local(date(2026, 9, 30), 18))
    StageFactory(pathway=pathway, title="Ascolto", start_date=date(2026, 10, 1))
    client.force_login(CoordinatorFactory())

    html = client.get(url("initiatives:pathway_edit", slug=pathway.slug)).content.decode()

    assert 'value="Costruire comunità"' in html
    assert (
        '<input type="datetime-local" name="applications_close_at" id="id_applications_close_at" '
        'value="2026-09-30T18:00" class="form-control" min="1950-01-01T00:00" max="2100-12-31T23:59"'
    ) in html
    assert 'value="Ascolto"' in html
    assert (
        '<input type="date" name="stages-0-start_date" id="id_stages-0-start_date" value="2026-10-01" '
        'class="form-control" min="1950-01-01" max="2100-12-31">'
    ) in html
    assert html.count("<h1") == 1


def test_applications_are_rate_limited_per_client_and_organization(client, settings):
    from alliance.ratelimit import RATE_LIMITED_MESSAGE

    settings.ALLEANZA_RATE_LIMITS = {"initiatives.pathway_application": "1/h/ip"}
    first, second = PathwayFactory(), PathwayFactory()
    ally = MemberOrganizationFactory()
    client.force_login(manager(ally))

    client.post(url("initiatives:pathway_apply", slug=first.slug), application_data(ally))
    response = client.post(url("initiatives:pathway_apply", slug=second.slug), application_data(ally))

    assert PathwayApplication.objects.filter(pathway=first).count() == 1
    assert PathwayApplication.objects.filter(pathway=second).count() == 0
    with translation.override("en"):
        assert response.context["form"].non_field_errors() == [str(RATE_LIMITED_MESSAGE)]
