"""Rules that used to be bypassed from the side: the admin, forms that saved by themselves, odd dates,
long addresses, old invitations; and the application log moved into the portal's one log."""

import datetime
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from alliance.models import LogEntry, OutgoingEmail
from alliance.workflow import history
from members import services
from members.models import Ally, AllyManager, Invitation, MembershipApplication, MembershipStatus, Principles
from members.services import MembershipError
from tests.factories.members import (
    PASSWORD,
    AllyManagerFactory,
    CoordinatorFactory,
    InvitationFactory,
    MemberOrganizationFactory,
    MembershipApplicationFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded(taxonomy, principles):
    """The seeded taxonomy and principles, also after a transactional test emptied the tables."""


LONG_EMAIL = "a" * 243 + "@example.org"  # 255 characters
TOO_LONG = "An e-mail address has at most 254 characters."


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"members:{name}", kwargs=kwargs)


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser(email="admin@example.org", password=PASSWORD, full_name="Admin")


def submitted(name="Cooperativa In Attesa"):
    owner = VerifiedUserFactory(preferred_language="en")
    ally = OrganizationFactory(name=name)
    AllyManagerFactory(ally=ally, user=owner)
    return MembershipApplicationFactory(
        ally=ally, applicant=owner, principles=services.current_principles(), submitted_log=True
    )


# The admin: workflow fields read-only, actions through the services ---------------------------


def _ally_admin_post(ally, **extra):
    data = {
        "kind": ally.kind,
        "name": ally.name,
        "slug": ally.slug,
        "summary": ally.summary,
        "description": "",
        "legal_form": ally.legal_form,
        "tax_code": ally.tax_code,
        "website": "",
        "social_links": "[]",
        "address": "",
        "city": ally.city,
        "province": "",
        "year_founded": "",
        "role": "",
        "contact_email": ally.contact_email,
        "phone": ally.phone,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_the_admin_shows_workflow_fields_read_only_and_ignores_them_when_posted(client, superuser):
    ally = OrganizationFactory(name="Cooperativa Da Approvare")
    client.force_login(superuser)
    change = reverse("admin:members_ally_change", args=[ally.pk])

    form = client.get(change).content.decode()
    response = client.post(
        change,
        _ally_admin_post(
            ally,
            summary="Nuova frase",
            membership_status="active",
            approved_at_0="01/01/2020",
            approved_at_1="10:00",
            verified_at_0="01/01/2020",
            verified_at_1="10:00",
            verified_by=str(superuser.pk),
            suspended_at_0="01/01/2020",
            suspended_at_1="10:00",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    for name in (
        "membership_status",
        "approved_at_0",
        "verified_at_0",
        "verified_by",
        "suspended_at_0",
        "ended_at_0",
        "suspension_reason",
        "end_reason",
    ):
        assert f'name="{name}"' not in form, name
    ally.refresh_from_db()
    assert ally.summary == "Nuova frase"
    assert (ally.membership_status, ally.approved_at, ally.verified_at, ally.verified_by, ally.suspended_at) == (
        MembershipStatus.APPLICANT,
        None,
        None,
        None,
        None,
    )
    assert LogEntry.objects.count() == 0


def test_the_admin_cannot_remove_or_change_the_managers(client, superuser):
    ally = OrganizationFactory()
    manager = AllyManagerFactory(ally=ally, role="owner")
    client.force_login(superuser)
    change = reverse("admin:members_ally_change", args=[ally.pk])

    html = client.get(change).content.decode()
    client.post(
        change,
        _ally_admin_post(
            ally,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": str(manager.pk),
                "memberships-0-ally": str(ally.pk),
                "memberships-0-role": "editor",
                "memberships-0-DELETE": "on",
            },
        ),
    )

    assert 'name="memberships-0-DELETE"' not in html
    assert 'name="memberships-0-role"' not in html
    assert list(AllyManager.objects.values_list("pk", "role")) == [(manager.pk, "owner")]


@pytest.mark.parametrize("entries", [1, 3])
def test_the_ally_page_shows_its_history_to_coordinators_in_constant_queries(
    client, django_assert_num_queries, entries
):
    ally = MemberOrganizationFactory(name="Cooperativa Con Storia")
    coordinator = CoordinatorFactory(full_name="Carla Coordinatrice")
    for n in range(entries):
        services.set_verified(ally=ally, actor=coordinator, verified=n % 2 == 0)
    client.force_login(coordinator)

    with django_assert_num_queries(15):
        response = client.get(ally.get_absolute_url())

    assert len(response.context["history"]) == entries
    assert response.content.decode().count("Carla Coordinatrice") == entries


def plural(singular, plural_form, count, language="it"):
    """The admin's sentence for `count` rows in `language` (the admin is not under a language prefix)."""
    with translation.override(language):
        return translation.ngettext(singular, plural_form, count) % {"count": count}


def test_the_admin_verify_action_goes_through_the_service_and_the_log(client, superuser):
    ally = MemberOrganizationFactory(name="Università Esempio")
    other = MemberOrganizationFactory(name="Altra Esempio")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:members_ally_changelist"),
        {"action": "verify", "_selected_action": [ally.pk]},
    )

    assert response.status_code == 302
    # The admin speaks the default language (Italian): the sentence for one, through the catalogue.
    assert [str(m) for m in client.get(response["Location"]).context["messages"]] == [
        plural("%(count)d ally verified.", "%(count)d allies verified.", 1)
    ]
    ally.refresh_from_db()
    assert (ally.verified_by, ally.is_verified) == (superuser, True)
    assert [(e.action, e.actor) for e in history(ally)] == [("members.ally.verified", superuser)]
    response = client.post(
        reverse("admin:members_ally_changelist"),
        {"action": "remove_verification", "_selected_action": [ally.pk, other.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        plural("%(count)d ally no longer verified.", "%(count)d allies no longer verified.", 2)
    ]
    ally.refresh_from_db()
    assert (ally.verified_at, ally.verified_by) == (None, None)
    assert [e.action for e in history(ally)] == ["members.ally.verified", "members.ally.unverified"]


def test_the_admin_reinstate_action_reinstates_and_refuses_what_the_table_refuses(client, superuser):
    suspended = MemberOrganizationFactory(name="Sospesa")
    services.suspend_membership(ally=suspended, actor=superuser, reason="Verifica.")
    active = MemberOrganizationFactory(name="Attiva")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:members_ally_changelist"),
        {"action": "reinstate", "_selected_action": [suspended.pk, active.pk]},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    # One membership: the singular (ngettext), never "1 memberships".
    assert messages[0].startswith("Attiva: ") and len(messages) == 2
    assert messages[1] == plural(
        "%(count)d membership reinstated; its managers were told by e-mail.",
        "%(count)d memberships reinstated; their managers were told by e-mail.",
        1,
    )
    assert Ally.objects.get(pk=suspended.pk).membership_status == MembershipStatus.ACTIVE
    assert Ally.objects.get(pk=active.pk).membership_status == MembershipStatus.ACTIVE
    assert [(e.data["to"], e.actor) for e in history(suspended)] == [("suspended", superuser), ("active", superuser)]
    assert list(history(active)) == []


def test_the_admin_approve_action_approves_logs_and_emails(client, superuser, django_capture_on_commit_callbacks):
    application = submitted()
    client.force_login(superuser)

    response = client.post(
        reverse("admin:members_membershipapplication_changelist"),
        {"action": "approve", "_selected_action": [application.pk]},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decided_by) == ("approved", superuser)
    assert application.ally.membership_status == MembershipStatus.ACTIVE
    assert [(e.data["from"], e.data["to"], e.actor) for e in history(application)] == [
        ("", "submitted", application.applicant),
        ("submitted", "approved", superuser),
    ]
    assert list(OutgoingEmail.objects.values_list("template", flat=True)) == ["membership_approved"]


def test_staff_who_are_not_coordinators_cannot_approve_through_the_admin(client):
    application = submitted()
    staff = get_user_model().objects.create_user(
        email="staff@example.org", password=PASSWORD, full_name="Staff", is_staff=True
    )
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_membershipapplication", "change_membershipapplication"])
    )
    client.force_login(staff)

    response = client.post(
        reverse("admin:members_membershipapplication_changelist"),
        {"action": "approve", "_selected_action": [application.pk]},
        follow=True,
    )

    assert translation.gettext("Only coordinators can do this.") in [str(m) for m in response.context["messages"]]
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_application_admin_shows_status_and_decision_read_only_with_the_history(client, superuser):
    application = submitted()
    client.force_login(superuser)

    html = client.get(reverse("admin:members_membershipapplication_change", args=[application.pk])).content.decode()

    for name in ("status", "decided_by", "decided_at_0", "decision_reason"):
        assert f'name="{name}"' not in html
    assert "Inviata" in html or "Submitted" in html
    assert client.get(reverse("admin:members_membershipapplication_add")).status_code == 403


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_the_admin_refuses_principles_published_in_year_1_or_9999(client, superuser, year):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:members_principles_add"),
        {
            "version": "7",
            "title": "Principi",
            "body": "Testo.",
            "published_at_0": f"{year}-01-01",
            "published_at_1": "10:00",
        },
    )

    assert response.status_code == 200
    assert "01/01/1950" in response.content.decode()
    assert not Principles.objects.filter(version=7).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("approved_at", datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)),
        ("suspended_until", datetime.date(9999, 12, 31)),
        ("ended_at", datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)),
    ],
)
def test_every_date_of_an_ally_is_bounded_by_the_model(field, value):
    ally = OrganizationFactory()
    setattr(ally, field, value)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        ally.full_clean()

    with translation.override("en"):  # the message is lazy: read it in English
        assert refused.value.message_dict == {field: ["Enter a date between 01/01/1950 and 31/12/2100."]}


# Services take plain values --------------------------------------------------------------------


def test_update_ally_takes_the_changed_fields_and_a_new_identity_drops_the_badge_on_the_record():
    ally = MemberOrganizationFactory(name="Fondazione Vera", legal_form="fondazione")
    editor = VerifiedUserFactory()
    AllyManagerFactory(ally=ally, user=editor, role="editor")
    coordinator = CoordinatorFactory()
    services.set_verified(ally=ally, actor=coordinator, verified=True)

    services.update_ally(ally=ally, actor=editor, changes={"summary": "Una frase nuova."})
    ally.refresh_from_db()
    assert (ally.summary, ally.is_verified) == ("Una frase nuova.", True)

    services.update_ally(ally=ally, actor=editor, changes={"name": "Fondazione Cariplo"})
    ally.refresh_from_db()
    assert (ally.name, ally.verified_at, ally.verified_by) == ("Fondazione Cariplo", None, None)
    assert [(e.action, e.actor) for e in history(ally)] == [
        ("members.ally.verified", coordinator),
        ("members.ally.unverified", editor),
    ]
    with pytest.raises(ValueError):
        services.update_ally(ally=ally, actor=editor, changes={"membership_status": "active"})
    with pytest.raises(ValueError):
        services.update_ally(ally=ally, actor=editor, changes={"approved_at": timezone.now()})


def test_the_profile_form_cannot_reach_workflow_fields(client):
    ally = OrganizationFactory(name="Cooperativa Furba", legal_form="cooperativa_sociale")
    owner = VerifiedUserFactory()
    AllyManagerFactory(ally=ally, user=owner)
    client.force_login(owner)

    response = client.post(
        url("ally_edit", slug=ally.slug),
        {
            "name": "Cooperativa Furba",
            "legal_form": "cooperativa_sociale",
            "summary": "Ciao",
            "membership_status": "active",
            "approved_at": "2020-01-01",
            "verified_at": "2020-01-01",
        },
    )

    assert response.status_code == 302
    ally.refresh_from_db()
    assert (ally.summary, ally.membership_status, ally.approved_at, ally.verified_at) == (
        "Ciao",
        MembershipStatus.APPLICANT,
        None,
        None,
    )


# Invitations expire -----------------------------------------------------------------------------


def _expired_invitation(ally, **kwargs):
    invitation = InvitationFactory(ally=ally, **kwargs)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=15))
    invitation.refresh_from_db()
    return invitation


def test_an_expired_invitation_is_refused_with_a_clear_message(client):
    ally = MemberOrganizationFactory(name="Cooperativa Scaduta")
    invitee = VerifiedUserFactory(email="tardi@example.org")
    invitation = _expired_invitation(ally, email="tardi@example.org")
    fresh = InvitationFactory(ally=ally, email="tardi@example.org")
    Invitation.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(days=13))

    with translation.override("en"), pytest.raises(MembershipError) as refused:
        services.accept_invitation(token=invitation.token, user=invitee)
    assert refused.value.messages[0].startswith("This invitation expired on ")
    assert refused.value.messages[0].endswith("Ask the organization to send you a new one.")
    client.force_login(invitee)
    page = client.get(url("invitation_accept", token=invitation.token)).content.decode()
    assert "This invitation expired on" in page
    assert "Accept the invitation" not in page
    assert client.post(url("invitation_accept", token=invitation.token)).status_code == 200
    assert not AllyManager.objects.filter(ally=ally, user=invitee).exists()
    # Thirteen days old: still valid.
    services.accept_invitation(token=fresh.token, user=invitee)
    assert AllyManager.objects.filter(ally=ally, user=invitee).exists()


def test_the_owner_sees_the_expiry_and_sends_a_new_invitation(client, django_capture_on_commit_callbacks):
    ally = MemberOrganizationFactory(name="Cooperativa Nuovo Invito")
    owner = VerifiedUserFactory(preferred_language="en")
    AllyManagerFactory(ally=ally, user=owner)
    old = _expired_invitation(ally, email="collega@example.org", role="owner", invited_by=owner)
    client.force_login(owner)

    page = client.get(url("ally_managers", slug=ally.slug)).content.decode()
    response = client.post(url("invitation_resend", slug=ally.slug, pk=old.pk))

    assert "expired on" in page
    assert f'action="{url("invitation_resend", slug=ally.slug, pk=old.pk)}"' in page
    assert response.status_code == 302
    [new] = Invitation.objects.all()
    assert (new.email, new.role, new.is_expired) == ("collega@example.org", "owner", False)
    assert new.token != old.token
    [mail] = OutgoingEmail.objects.all()
    assert (mail.to, mail.template, mail.language) == ("collega@example.org", "ally_invitation", "en")
    valid_until = new.expires_at.astimezone(timezone.get_current_timezone())
    with translation.override("en"):
        from django.utils.formats import date_format

        sentence = f"The link is valid until {date_format(valid_until.date())}; after that, ask for a new invitation."
    assert sentence in mail.body_text
    assert escape(sentence) in mail.body_html


def test_only_the_owner_sends_an_invitation_again(client):
    ally = MemberOrganizationFactory()
    editor = VerifiedUserFactory()
    AllyManagerFactory(ally=ally, user=editor, role="editor")
    invitation = _expired_invitation(ally)
    client.force_login(editor)

    assert client.post(url("invitation_resend", slug=ally.slug, pk=invitation.pk)).status_code == 404
    assert list(Invitation.objects.values_list("token", flat=True)) == [invitation.token]


# E-mail addresses longer than the columns ------------------------------------------------------


def test_an_invitation_to_a_too_long_address_is_a_form_error(client):
    ally = MemberOrganizationFactory()
    owner = VerifiedUserFactory()
    AllyManagerFactory(ally=ally, user=owner)
    client.force_login(owner)

    response = client.post(url("ally_managers", slug=ally.slug), {"email": LONG_EMAIL, "role": "editor"})

    assert response.status_code == 200
    assert "An e-mail address has at most 254 characters (it has 255)." in response.content.decode()
    assert Invitation.objects.count() == 0
    with translation.override("en"), pytest.raises(MembershipError) as refused:
        services.invite_manager(ally=ally, inviter=owner, email=LONG_EMAIL, role="editor")
    assert refused.value.messages == [TOO_LONG]


def test_signing_up_with_a_too_long_address_is_a_form_error(client):
    with translation.override("en"):
        response = client.post(
            reverse("account_signup"),
            {
                "email": LONG_EMAIL,
                "full_name": "Lunga",
                "preferred_language": "en",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )

    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    assert get_user_model().objects.count() == 0


def test_adding_a_too_long_address_to_an_account_is_a_form_error(client):
    client.force_login(VerifiedUserFactory())

    with translation.override("en"):
        response = client.post(reverse("account_email"), {"email": LONG_EMAIL, "action_add": ""})

    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()


def test_a_too_long_contact_address_is_a_form_error(client):
    ally = OrganizationFactory(legal_form="cooperativa_sociale")
    owner = VerifiedUserFactory()
    AllyManagerFactory(ally=ally, user=owner)
    client.force_login(owner)

    response = client.post(
        url("ally_edit", slug=ally.slug),
        {
            "name": ally.name,
            "legal_form": "cooperativa_sociale",
            "contact_email": LONG_EMAIL,
        },
    )

    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    ally.refresh_from_db()
    assert ally.contact_email != LONG_EMAIL


# The review page's history ----------------------------------------------------------------------


@pytest.mark.parametrize("entries", [1, 3])
def test_the_review_page_shows_the_history_in_constant_queries(client, django_assert_num_queries, entries):
    from alliance.workflow import log

    application = submitted()
    for n in range(entries - 1):
        log(application, "noted", actor=application.applicant, data={"note": f"Nota {n}"})
    client.force_login(CoordinatorFactory(full_name="Carla Coordinatrice"))

    with django_assert_num_queries(9):
        response = client.get(url("application_review", pk=application.pk))

    html = response.content.decode()
    assert len(response.context["application"].history) == entries
    assert 'id="history-application"' in html
    assert escape(application.applicant.full_name) in html


# The data migration -------------------------------------------------------------------------------


def test_the_migration_moves_the_application_log_into_the_portal_log():
    """0006 run on the model state before it: old rows become LogEntry rows as transition() writes them."""
    import importlib

    migration = importlib.import_module("members.migrations.0006_membership_status_and_log_entries")
    loader = MigrationLoader(connection)
    old_apps = loader.project_state(migration.Migration.dependencies).apps
    OldLog = old_apps.get_model("members", "ApplicationLogEntry")
    application = submitted()
    coordinator = CoordinatorFactory()
    LogEntry.objects.all().delete()
    approved = OrganizationFactory(membership_status="applicant", approved_at=timezone.now())
    at = timezone.now() - timedelta(days=400)
    with connection.schema_editor() as editor:
        editor.create_model(OldLog)  # dropped by 0007; the test's transaction rolls it back
    OldLog.objects.create(
        application_id=application.pk, from_status="", to_status="submitted", actor_id=application.applicant_id, note=""
    )
    OldLog.objects.create(
        application_id=application.pk,
        from_status="submitted",
        to_status="declined",
        actor_id=coordinator.pk,
        note="Manca lo statuto",
    )
    OldLog.objects.filter(to_status="submitted").update(at=at)
    OldLog.objects.filter(to_status="declined").update(at=at + timedelta(days=1))

    migration.forward(old_apps, None)

    content_type = ContentType.objects.get_for_model(MembershipApplication)
    rows = LogEntry.objects.order_by("created_at")
    assert [(r.content_type, r.object_id, r.action, r.actor_id, r.data, r.created_at) for r in rows] == [
        (
            content_type,
            application.pk,
            "members.membershipapplication.status.submitted",
            application.applicant_id,
            {"field": "status", "from": "", "to": "submitted"},
            at,
        ),
        (
            content_type,
            application.pk,
            "members.membershipapplication.status.declined",
            coordinator.pk,
            {"field": "status", "from": "submitted", "to": "declined", "note": "Manca lo statuto"},
            at + timedelta(days=1),
        ),
    ]
    assert OldLog.objects.count() == 0
    assert Ally.objects.get(pk=approved.pk).membership_status == "active"
    with translation.override("en"):
        assert [e.description for e in history(application)] == ["Submitted", "Submitted → Declined"]


def test_email_preferences_refuse_a_language_the_portal_does_not_have():
    user = VerifiedUserFactory(preferred_language="it")

    with translation.override("en"), pytest.raises(MembershipError) as refused:
        services.set_email_preferences(user=user, preferred_language="klingon", news_opt_in=False)

    assert refused.value.messages == ["Choose a language from the list."]
    user.refresh_from_db()
    assert user.preferred_language == "it"


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        (
            "account_login",
            {"login": LONG_EMAIL, "password": PASSWORD},
            "The email address and/or password you specified are not correct.",
        ),
        ("account_reset_password", {"email": LONG_EMAIL}, TOO_LONG),
    ],
    ids=["login", "password reset"],
)
def test_signing_in_or_resetting_with_a_too_long_address_answers_with_the_form(client, name, data, error):
    with translation.override("en"):
        response = client.post(reverse(name), data)

    assert response.status_code == 200
    assert escape(error) in response.content.decode()
    assert OutgoingEmail.objects.count() == 0
