"""Joining the alliance, the coordinators' decisions and the e-mails at every step."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from PIL import Image

from alliance.models import LogEntry, OutgoingEmail, Province, Region, Theme
from alliance.workflow import history
from members import services
from members.models import Ally, AllyManager, MembershipApplication
from members.services import MembershipError
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MembershipApplicationFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

Status = MembershipApplication.Status


def url(name, *args, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, args=args, kwargs=kwargs)


def absolute(name, *args, language="en", **kwargs):
    return django_settings.SITE_URL.rstrip("/") + url(name, *args, language=language, **kwargs)


def png(size=(300, 200), name="logo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def too_big_png():
    import os

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.frombytes("RGB", (1024, 1024), os.urandom(1024 * 1024 * 3)).save(buffer, format="PNG")
    return SimpleUploadedFile("enorme.png", buffer.getvalue(), content_type="image/png")


def organization_data(**overrides):
    province = Province.objects.get(abbreviation="RE")
    data = {
        "name": "Cooperativa L'Ape",
        "legal_form": "cooperativa_sociale",
        "tax_code": "00743110157",
        "summary": "Servizi educativi e inserimento lavorativo.",
        "description": "Lavoriamo con le scuole e le famiglie della provincia.",
        "website": "ape.example.org",
        "social_links": "https://www.facebook.com/ape-coop",
        "address": "Via Roma 1",
        "city": "Reggio Emilia",
        "province": province.pk,
        "regions": [province.region_id],
        "provinces": [province.pk],
        "themes": [Theme.objects.order_by("position").first().pk],
        "year_founded": "1998",
        "contact_email": "segreteria@ape.example.org",
        "phone": "+39 0522 123456",
        "motivation": "Vogliamo lavorare in rete con altre cooperative.",
        "principles_version": "1",
        "accept_principles": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def person_data(**overrides):
    data = {
        "name": "Giulia Ferri",
        "role": "Educatrice di comunità a Parma",
        "summary": "Facilito tavoli di quartiere.",
        "regions": [Region.objects.get(slug="emilia-romagna").pk],
        "contact_email": "giulia@example.org",
        "principles_version": "1",
        "accept_principles": "on",
    }
    data.update(overrides)
    return data


def submitted_application(*, language="en", **ally_fields):
    """An organization with its owner and the owner's open application."""
    owner = VerifiedUserFactory(preferred_language=language)
    ally = OrganizationFactory(**ally_fields)
    AllyManagerFactory(ally=ally, user=owner, role=AllyManager.Role.OWNER)
    return MembershipApplicationFactory(
        ally=ally, applicant=owner, principles=services.current_principles(), submitted_log=True
    )


def log_of(application):
    return [(entry.data["from"], entry.data["to"], entry.actor_id) for entry in history(application)]


def application_log_rows():
    return LogEntry.objects.filter(action__startswith="members.membershipapplication.")


def page_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Joining ------------------------------------------------------------------------------


def test_join_start_offers_both_ways_and_lists_the_applications(client):
    application = submitted_application(name="Fondazione Aurora")
    client.force_login(application.applicant)

    response = client.get(url("members:join"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert f'href="{url("members:join_form", "person")}"' in html
    assert f'href="{url("members:join_form", "organization")}"' in html
    assert [(item["ally"].name, item["application"].status) for item in response.context["applications"]] == [
        ("Fondazione Aurora", Status.SUBMITTED)
    ]
    assert f'href="{url("members:application_withdraw", application.pk)}"' in html


def test_joining_asks_anonymous_visitors_to_log_in(client):
    response = client.get(url("members:join_form", "organization"))

    assert response.status_code == 302
    assert response["Location"].startswith(url("account_login"))


def test_an_unknown_kind_is_not_found(client):
    client.force_login(VerifiedUserFactory())

    assert client.get("/en/my-area/join/robot/").status_code == 404
    assert client.get("/area-personale/aderisci/robot/").status_code == 404


def test_the_join_form_shows_the_current_principles_and_takes_a_logo(client):
    principles = services.current_principles()
    client.force_login(VerifiedUserFactory())

    response = client.get(url("members:join_form", "organization"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "<h1>Apply for an organization</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    assert escape(principles.title) in html
    assert escape(principles.body.splitlines()[0]) in html
    assert f'name="principles_version" value="{principles.version}"' in html
    assert 'name="accept_principles"' in html
    assert 'name="tax_code"' in html
    assert 'name="role"' not in html


def test_joining_for_an_organization_creates_a_private_ally_its_owner_and_a_submitted_application(
    client, django_capture_on_commit_callbacks, mailoutbox, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    user = VerifiedUserFactory(preferred_language="en", email="anna@example.org", full_name="Anna Ricci")
    CoordinatorFactory(preferred_language="it", email="coordinatrice@example.org")
    CoordinatorFactory(preferred_language="en", email="coordinator@example.org")
    client.force_login(user)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("members:join_form", "organization"), {**organization_data(), "image": png()})

    assert response.status_code == 302
    assert response["Location"] == url("members:my_area")
    assert page_messages(response) == [
        "Your application for “Cooperativa L'Ape” has been sent. The coordinators of the network will review it "
        "and you will receive an e-mail with their decision; meanwhile your profile is not public."
    ]

    ally = Ally.objects.get()
    assert (ally.kind, ally.name, ally.slug, ally.legal_form, ally.tax_code) == (
        "organization",
        "Cooperativa L'Ape",
        "cooperativa-lape",
        "cooperativa_sociale",
        "00743110157",
    )
    assert (ally.website, ally.social_links, ally.year_founded) == (
        "https://ape.example.org",
        ["https://www.facebook.com/ape-coop"],
        1998,
    )
    assert (ally.approved_at, ally.verified_at, ally.is_member) == (None, None, False)
    assert [p.abbreviation for p in ally.provinces.all()] == ["RE"]
    assert [r.slug for r in ally.regions.all()] == ["emilia-romagna"]
    assert ally.themes.count() == 1
    assert re.fullmatch(r"allies/[\w-]{22}\.png", ally.image.name)  # not guessable
    assert (tmp_path / ally.image.name).is_file()

    assert list(AllyManager.objects.values_list("ally", "user", "role")) == [(ally.pk, user.pk, "owner")]

    application = MembershipApplication.objects.get()
    assert (application.ally, application.applicant, application.status) == (ally, user, Status.SUBMITTED)
    assert (application.principles.version, application.motivation) == (
        1,
        "Vogliamo lavorare in rete con altre cooperative.",
    )
    assert before <= application.principles_accepted_at <= timezone.now()
    assert (application.decided_at, application.decided_by) == (None, None)
    assert log_of(application) == [("", Status.SUBMITTED, user.pk)]
    assert application_log_rows().count() == 1
    [entry] = history(application)
    assert (entry.action, entry.actor, entry.data) == (
        "members.membershipapplication.status.submitted",
        user,
        {"field": "status", "from": "", "to": "submitted"},
    )

    rows = {row.to: row for row in OutgoingEmail.objects.all()}
    assert sorted(rows) == ["anna@example.org", "coordinator@example.org", "coordinatrice@example.org"]
    assert (rows["anna@example.org"].template, rows["anna@example.org"].language) == ("membership_submitted", "en")
    assert rows["anna@example.org"].subject == "We received your application for Cooperativa L'Ape"
    assert (rows["coordinator@example.org"].template, rows["coordinator@example.org"].language) == (
        "membership_new_application",
        "en",
    )
    assert rows["coordinator@example.org"].subject == "New membership application: Cooperativa L'Ape"
    assert (rows["coordinatrice@example.org"].template, rows["coordinatrice@example.org"].language) == (
        "membership_new_application",
        "it",
    )
    assert rows["coordinatrice@example.org"].subject == "Nuova richiesta di adesione: Cooperativa L'Ape"
    assert {row.status for row in rows.values()} == {OutgoingEmail.Status.SENT}

    sent = {message.to[0]: message for message in mailoutbox}
    assert sorted(sent) == sorted(rows)
    to_applicant = sent["anna@example.org"]
    assert to_applicant.body.startswith("Hello Anna Ricci,")
    assert absolute("members:my_area") in to_applicant.body
    assert absolute("members:my_area") in to_applicant.alternatives[0][0]
    assert absolute("members:application_review", application.pk) in sent["coordinator@example.org"].body
    italian_review = absolute("members:application_review", application.pk, language="it")
    assert italian_review in sent["coordinatrice@example.org"].body
    assert italian_review != absolute("members:application_review", application.pk)


def test_an_italian_applicant_gets_the_email_in_italian(client, django_capture_on_commit_callbacks):
    user = VerifiedUserFactory(preferred_language="it", email="marco@example.org")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("members:join_form", "person", language="it"), person_data())

    assert response.status_code == 302
    row = OutgoingEmail.objects.get(to="marco@example.org")
    assert (row.template, row.language) == ("membership_submitted", "it")
    assert row.subject == "Abbiamo ricevuto la tua richiesta di adesione per Giulia Ferri"
    assert absolute("members:my_area", language="it") in row.body_text
    assert absolute("members:my_area", language="it").endswith("/area-personale/")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"accept_principles": None}, "To join, please accept the principles of the alliance."),
        (
            {"tax_code": "12345"},
            "This is not a valid Italian tax code (16 characters) or VAT number (11 digits).",
        ),
        ({"image": "too big"}, "The image is 3.0\xa0MB; the limit is 2.0\xa0MB."),
    ],
    ids=["principles not accepted", "bad tax code", "image too big"],
)
def test_an_invalid_application_creates_nothing_and_says_why(
    client, django_capture_on_commit_callbacks, settings, tmp_path, overrides, error
):
    settings.MEDIA_ROOT = tmp_path
    CoordinatorFactory()
    client.force_login(VerifiedUserFactory(preferred_language="en"))
    if overrides.get("image"):
        overrides["image"] = too_big_png()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("members:join_form", "organization"), organization_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert "The application was not sent: please correct what is marked below." in html
    assert (
        Ally.objects.count(),
        AllyManager.objects.count(),
        MembershipApplication.objects.count(),
        LogEntry.objects.count(),
        OutgoingEmail.objects.count(),
    ) == (0, 0, 0, 0, 0)
    assert list(tmp_path.rglob("*")) == []


def test_principles_changed_while_reading_are_shown_again(client):
    from tests.factories.members import PrinciplesFactory

    PrinciplesFactory(version=2, title="Principi, seconda versione", body="Un testo nuovo.")
    client.force_login(VerifiedUserFactory())

    response = client.post(url("members:join_form", "person"), person_data(principles_version="1"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "The principles changed while you were reading them: please read and accept them again." in html
    assert 'name="principles_version" value="2"' in html
    assert "Un testo nuovo." in html
    assert Ally.objects.count() == 0


def test_a_user_can_never_apply_twice_as_a_person(client):
    user = VerifiedUserFactory()
    client.force_login(user)
    assert client.post(url("members:join_form", "person"), person_data()).status_code == 302

    notice = client.get(url("members:join_form", "person"))
    again = client.post(url("members:join_form", "person"), person_data(name="Giulia F."))

    assert "You have already applied as a person; you can still apply for an organization." in notice.content.decode()
    assert 'name="accept_principles"' not in notice.content.decode()
    assert again.status_code == 200
    assert "You have already applied as a person; you can still apply for an organization." in again.content.decode()
    assert list(Ally.objects.values_list("kind", "name")) == [("person", "Giulia Ferri")]
    assert MembershipApplication.objects.count() == 1
    assert client.post(url("members:join_form", "organization"), organization_data()).status_code == 302
    assert sorted(Ally.objects.values_list("kind", flat=True)) == ["organization", "person"]


# Decisions ----------------------------------------------------------------------------


def test_a_coordinator_approves_and_the_ally_becomes_public(client, django_capture_on_commit_callbacks, mailoutbox):
    application = submitted_application(name="Cooperativa Il Melo", slug="cooperativa-il-melo")
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("members:application_review", application.pk), {"decision": "approve"})

    assert response.status_code == 302
    assert response["Location"] == url("members:application_queue")
    assert page_messages(response) == [
        "“Cooperativa Il Melo” is now a member of the alliance; the applicant was told by e-mail."
    ]
    application.refresh_from_db()
    application.ally.refresh_from_db()
    assert (application.status, application.decided_by, application.decision_reason) == (
        Status.APPROVED,
        coordinator,
        "",
    )
    assert application.ally.approved_at == application.decided_at
    assert application.ally.is_member
    assert log_of(application) == [
        ("", Status.SUBMITTED, application.applicant_id),
        (Status.SUBMITTED, Status.APPROVED, coordinator.pk),
    ]
    [message] = mailoutbox
    assert (message.to, message.subject) == (
        [application.applicant.email],
        "Welcome to the alliance: Cooperativa Il Melo is now a member",
    )
    assert absolute("members:ally_detail", slug="cooperativa-il-melo") in message.body
    assert OutgoingEmail.objects.get().language == "en"


def test_declining_needs_a_reason(client, django_capture_on_commit_callbacks):
    application = submitted_application()
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("members:application_review", application.pk), {"decision": "decline", "reason": " "}
        )

    assert response.status_code == 200
    assert "Please give the applicant a reason." in response.content.decode()
    with pytest.raises(MembershipError) as refused:
        services.decline_application(application=application, actor=coordinator, reason="   ")
    with translation.override("en"):
        assert refused.value.messages == ["Please give the applicant a reason."]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert log_of(application) == [("", Status.SUBMITTED, application.applicant_id)]
    assert OutgoingEmail.objects.count() == 0


def test_declining_with_a_reason_tells_the_applicant(client, django_capture_on_commit_callbacks, mailoutbox):
    application = submitted_application(name="Associazione Ponti")
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    reason = "Il profilo non descrive attività sul territorio: raccontateci cosa fate & dove."

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("members:application_review", application.pk), {"decision": "decline", "reason": reason}
        )

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decision_reason, application.decided_by) == (
        Status.DECLINED,
        reason,
        coordinator,
    )
    assert Ally.objects.get().approved_at is None
    assert log_of(application)[-1] == (Status.SUBMITTED, Status.DECLINED, coordinator.pk)
    [message] = mailoutbox
    assert (message.to, message.subject) == (
        [application.applicant.email],
        "Your application for Associazione Ponti was not accepted",
    )
    assert reason in message.body
    assert escape(reason) in message.alternatives[0][0]
    assert absolute("members:reapply", slug=application.ally.slug) in message.body


def test_an_application_declined_cannot_be_approved(client, django_capture_on_commit_callbacks):
    application = submitted_application()
    coordinator = CoordinatorFactory()
    services.decline_application(application=application, actor=coordinator, reason="Manca la descrizione.")
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("members:application_review", application.pk), {"decision": "approve"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "This application is declined and can no longer be changed." in html
    assert 'name="decision"' not in html
    assert "Manca la descrizione." in html
    application.refresh_from_db()
    assert (application.status, application.ally.approved_at) == (Status.DECLINED, None)
    assert len(log_of(application)) == 2
    assert list(OutgoingEmail.objects.values_list("template", flat=True)) == ["membership_declined"]


def test_an_approved_application_cannot_be_withdrawn(client):
    application = submitted_application()
    services.approve_application(application=application, actor=CoordinatorFactory())
    client.force_login(application.applicant)

    response = client.post(url("members:application_withdraw", application.pk))

    assert response.status_code == 200
    assert "This application is approved and can no longer be changed." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert len(log_of(application)) == 2


def test_only_coordinators_decide(client):
    application = submitted_application()
    outsider = VerifiedUserFactory()

    with pytest.raises(PermissionDenied):
        services.decline_application(application=application, actor=outsider, reason="No.")
    with pytest.raises(PermissionDenied):
        services.approve_application(application=application, actor=application.applicant)
    client.force_login(outsider)
    response = client.post(url("members:application_review", application.pk), {"decision": "approve"})

    assert response.status_code == 404
    application.refresh_from_db()
    assert (application.status, application.decided_by, application.ally.approved_at) == (Status.SUBMITTED, None, None)
    assert len(log_of(application)) == 1


def test_the_owner_withdraws_after_confirming(client, django_capture_on_commit_callbacks):
    application = submitted_application(name="Rete Solidale")
    client.force_login(application.applicant)

    confirm = client.get(url("members:application_withdraw", application.pk))
    response = client.post(url("members:application_withdraw", application.pk))

    assert confirm.status_code == 200
    assert "Do you want to withdraw the application for “Rete Solidale”" in confirm.content.decode()
    assert response.status_code == 302
    assert response["Location"] == url("members:my_area")
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert log_of(application)[-1] == (Status.SUBMITTED, Status.WITHDRAWN, application.applicant_id)


@pytest.mark.parametrize("who", ["stranger", "editor", "coordinator"])
def test_only_the_owner_can_withdraw(client, who):
    application = submitted_application()
    user = CoordinatorFactory() if who == "coordinator" else VerifiedUserFactory()
    if who == "editor":
        AllyManagerFactory(ally=application.ally, user=user, role=AllyManager.Role.EDITOR)
    client.force_login(user)

    assert client.get(url("members:application_withdraw", application.pk)).status_code == 404
    assert client.post(url("members:application_withdraw", application.pk)).status_code == 404
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert len(log_of(application)) == 1


def test_after_a_decline_the_owner_applies_again(client, django_capture_on_commit_callbacks, mailoutbox):
    application = submitted_application(name="Cooperativa Orizzonti")
    services.decline_application(application=application, actor=CoordinatorFactory(), reason="Serve più dettaglio.")
    declined_mail = OutgoingEmail.objects.get()
    client.force_login(application.applicant)

    page = client.get(url("members:reapply", slug=application.ally.slug))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("members:reapply", slug=application.ally.slug),
            {"motivation": "Abbiamo aggiunto le attività.", "principles_version": "1", "accept_principles": "on"},
        )

    assert page.status_code == 200
    assert "Serve più dettaglio." in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == url("members:my_area")
    new = MembershipApplication.objects.get(status=Status.SUBMITTED)
    assert (new.ally, new.applicant, new.motivation, new.principles.version) == (
        application.ally,
        application.applicant,
        "Abbiamo aggiunto le attività.",
        1,
    )
    assert log_of(new) == [("", Status.SUBMITTED, application.applicant_id)]
    # The applicant is told, and the coordinators see the new application as they would a first one.
    # (The outbox rows, not the SMTP messages: the rows of the test's one transaction form one batch,
    # registered before the captured block.)
    new_mail = OutgoingEmail.objects.exclude(pk=declined_mail.pk).order_by("pk")
    assert [(m.to, m.subject) for m in new_mail][0] == (
        application.applicant.email,
        "We received your application for Cooperativa Orizzonti",
    )
    assert [m.subject for m in new_mail][1:] == ["Nuova richiesta di adesione: Cooperativa Orizzonti"]


def test_applying_again_is_refused_while_an_application_is_open(client):
    application = submitted_application()
    client.force_login(application.applicant)

    response = client.post(
        url("members:reapply", slug=application.ally.slug),
        {"principles_version": "1", "accept_principles": "on"},
    )

    assert response.status_code == 200
    assert "This profile already has an application under review or is already a member." in response.content.decode()
    assert list(MembershipApplication.objects.values_list("pk", "status")) == [(application.pk, Status.SUBMITTED)]


def test_applying_again_is_only_for_the_owner(client):
    application = submitted_application()
    services.withdraw_application(application=application, actor=application.applicant)
    client.force_login(VerifiedUserFactory())

    response = client.post(
        url("members:reapply", slug=application.ally.slug), {"principles_version": "1", "accept_principles": "on"}
    )

    assert response.status_code == 404
    assert MembershipApplication.objects.count() == 1


# The coordinators' pages ------------------------------------------------------------


@pytest.mark.parametrize("name", ["members:application_queue", "members:application_review"])
def test_coordination_pages_ask_anonymous_visitors_to_log_in(client, name):
    application = submitted_application()
    args = [application.pk] if name.endswith("review") else []

    response = client.get(url(name, *args))

    assert response.status_code == 302
    assert response["Location"].startswith(url("account_login"))


@pytest.mark.parametrize("name", ["members:application_queue", "members:application_review"])
def test_coordination_pages_are_not_found_for_allies(client, name):
    application = submitted_application()
    args = [application.pk] if name.endswith("review") else []
    client.force_login(application.applicant)

    assert client.get(url(name, *args)).status_code == 404


def test_the_queue_lists_exactly_the_pending_applications_oldest_first(client):
    newer = submitted_application(name="Associazione Seconda")
    older = submitted_application(name="Cooperativa Prima", legal_form="aps")
    MembershipApplication.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    declined = submitted_application(name="Fondazione Declinata")
    services.decline_application(application=declined, actor=CoordinatorFactory(), reason="Fuori tema.")
    approved = submitted_application(name="Consorzio Approvato")
    services.approve_application(application=approved, actor=CoordinatorFactory())
    client.force_login(CoordinatorFactory())

    response = client.get(url("members:application_queue"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert [a.pk for a in response.context["applications"]] == [older.pk, newer.pk]
    assert html.index("Cooperativa Prima") < html.index("Associazione Seconda")
    assert "Association (APS)" in html
    assert "Fondazione Declinata" not in html
    assert "Consorzio Approvato" not in html
    assert escape(older.applicant.full_name) in html
    assert f'href="{url("members:application_review", older.pk)}"' in html


@pytest.mark.parametrize("count", [1, 3])
def test_the_queue_query_count_does_not_grow(client, django_assert_num_queries, count):
    for _ in range(count):
        submitted_application()
    client.force_login(CoordinatorFactory())

    with django_assert_num_queries(5):
        response = client.get(url("members:application_queue"))

    assert len(response.context["applications"]) == count


def test_the_review_page_shows_everything_the_applicant_gave(client):
    application = submitted_application(
        name="Cooperativa Trasparente",
        tax_code="00743110157",
        contact_email="privato@trasparente.example.org",
        phone="+39 0522 999888",
    )
    client.force_login(CoordinatorFactory())

    response = client.get(url("members:application_review", application.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    for text in [
        "Cooperativa Trasparente",
        "00743110157",
        "privato@trasparente.example.org",
        "+39 0522 999888",
        "Vogliamo lavorare in rete.",
        escape(application.applicant.email),
        escape(application.applicant.full_name),
        escape(services.current_principles().title),
        "version 1",
    ]:
        assert text in html, text
    assert 'name="decision"' in html
    assert [entry.actor for entry in response.context["application"].history] == [application.applicant]


def test_a_coordinator_toggles_the_verified_badge(client):
    application = submitted_application(name="Università Esempio", slug="universita-esempio")
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    review = url("members:application_review", application.pk)
    badge = '<span class="badge bg-success">Verified</span>'
    assert badge not in client.get(review).content.decode()

    on = client.post(url("members:ally_verify", slug="universita-esempio"), {"verified": "1"})
    ally = Ally.objects.get()
    assert on.status_code == 302
    assert on["Location"] == ally.get_absolute_url()
    assert ally.verified_by == coordinator
    assert ally.verified_at is not None
    assert badge in client.get(review).content.decode()

    off = client.post(url("members:ally_verify", slug="universita-esempio"), {"verified": "0"})
    ally.refresh_from_db()
    assert off.status_code == 302
    assert (ally.verified_at, ally.verified_by) == (None, None)
    assert badge not in client.get(review).content.decode()


def test_only_coordinators_verify_and_only_by_post(client):
    application = submitted_application(slug="da-verificare")
    verify = url("members:ally_verify", slug="da-verificare")

    assert client.post(verify, {"verified": "1"}).status_code == 302  # anonymous: to the login page
    client.force_login(application.applicant)
    assert client.post(verify, {"verified": "1"}).status_code == 404
    client.force_login(CoordinatorFactory())
    assert client.get(verify).status_code == 405
    assert client.post(verify, {"verified": "yes"}).status_code == 400
    assert Ally.objects.get().verified_at is None


# Invitations ----------------------------------------------------------------------------


def test_an_invitation_names_inviter_organization_and_role(django_capture_on_commit_callbacks, mailoutbox):
    application = submitted_application(name="Fondazione Comunità")
    owner = application.applicant
    owner.full_name = "Paola Neri"
    owner.save()

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_manager(
            ally=application.ally, inviter=owner, email="collega@example.org", role=AllyManager.Role.EDITOR
        )

    [message] = mailoutbox
    assert (message.to, message.subject) == (
        ["collega@example.org"],
        "Paola Neri invites you to manage Fondazione Comunità",
    )
    assert "Paola Neri invites you to manage the profile of Fondazione Comunità" in message.body
    assert "with the role of editor." in message.body
    assert "sign in, or sign up, with this e-mail address" in message.body
    assert absolute("members:invitation_accept", token=invitation.token) in message.body
    assert absolute("members:invitation_accept", token=invitation.token) in message.alternatives[0][0]
