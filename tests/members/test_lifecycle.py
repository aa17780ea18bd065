"""The membership of an approved ally: suspended, reinstated, ended — each a logged transition,
done by coordinators from the site, told by e-mail, and followed at once by members-only access."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from alliance.models import LogEntry, OutgoingEmail
from alliance.workflow import TransitionError, history
from events.services import Attendee, RegistrationError, register
from initiatives.services import InitiativeError, apply_to_pathway
from members import selectors, services
from members.models import Ally, AllyManager, MembershipStatus
from members.permissions import is_member
from members.services import MembershipError
from tests.factories.events import EventFactory
from tests.factories.initiatives import PathwayFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded(taxonomy, principles):
    """The seeded taxonomy and principles, also after a transactional test emptied the tables."""


ACTIVE, SUSPENDED, ENDED, APPLICANT = (
    MembershipStatus.ACTIVE,
    MembershipStatus.SUSPENDED,
    MembershipStatus.ENDED,
    MembershipStatus.APPLICANT,
)


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"members:{name}", kwargs=kwargs)


def page_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def member_with_managers(name="Cooperativa Il Faro"):
    """An approved organization with an Italian owner and an English editor."""
    ally = MemberOrganizationFactory(name=name)
    owner = VerifiedUserFactory(email="owner@faro.example.org", full_name="Olga Proprietaria", preferred_language="it")
    editor = VerifiedUserFactory(email="editor@faro.example.org", full_name="Ed Editor", preferred_language="en")
    AllyManagerFactory(ally=ally, user=owner, role=AllyManager.Role.OWNER)
    AllyManagerFactory(ally=ally, user=editor, role=AllyManager.Role.EDITOR)
    return ally, owner, editor


def membership_log(ally):
    return [(e.action, e.actor, e.data) for e in history(ally)]


# The one definition of "member now" ---------------------------------------------------------


def test_only_active_allies_are_members_everywhere():
    states = {status: MemberOrganizationFactory(membership_status=status) for status in MembershipStatus.values}
    managers = {status: AllyManagerFactory(ally=ally).user for status, ally in states.items()}

    assert [a.membership_status for a in selectors.member_allies()] == [ACTIVE]
    assert list(Ally.objects.members()) == [states[ACTIVE]]
    assert list(Ally.objects.filter(Ally.MEMBER_Q)) == [states[ACTIVE]]
    assert list(AllyManager.objects.of_members().values_list("user", flat=True)) == [managers[ACTIVE].pk]
    assert list(AllyManager.objects.filter(selectors.ALLY_MEMBER_Q).values_list("user", flat=True)) == [
        managers[ACTIVE].pk
    ]
    assert {s: a.is_member for s, a in states.items()} == {
        ACTIVE: True,
        SUSPENDED: False,
        ENDED: False,
        APPLICANT: False,
    }
    assert {s: is_member(u) for s, u in managers.items()} == {
        ACTIVE: True,
        SUSPENDED: False,
        ENDED: False,
        APPLICANT: False,
    }
    # The directory keeps a suspended ally; an ended one leaves it.
    assert sorted(a.membership_status for a in selectors.public_allies()) == [ACTIVE, SUSPENDED]


# Suspending ------------------------------------------------------------------------------


def test_suspending_logs_with_actor_and_tells_each_manager_in_their_language(django_capture_on_commit_callbacks):
    ally, owner, editor = member_with_managers()
    coordinator = CoordinatorFactory(full_name="Carla Coordinatrice")
    until = timezone.localdate() + datetime.timedelta(days=30)

    services.suspend_membership(ally=ally, actor=coordinator, reason="Quota 2026 non versata.", until=until)

    ally.refresh_from_db()
    assert (ally.membership_status, ally.suspension_reason, ally.suspended_until) == (
        SUSPENDED,
        "Quota 2026 non versata.",
        until,
    )
    assert ally.suspended_at is not None
    assert ally.approved_at is not None  # still "member since" once reinstated
    assert membership_log(ally) == [
        (
            "members.ally.membership_status.suspended",
            coordinator,
            {
                "field": "membership_status",
                "from": "active",
                "to": "suspended",
                "note": "Quota 2026 non versata.",
                "until": until.isoformat(),
            },
        )
    ]
    rows = {row.to: row for row in OutgoingEmail.objects.all()}
    assert sorted(rows) == ["editor@faro.example.org", "owner@faro.example.org"]
    italian, english = rows["owner@faro.example.org"], rows["editor@faro.example.org"]
    assert (italian.template, italian.language, english.template, english.language) == (
        "membership_suspended",
        "it",
        "membership_suspended",
        "en",
    )
    assert english.subject == "The membership of Cooperativa Il Faro is suspended"
    # Rendered in each one's language (the Italian text comes with the catalogue): the page says so.
    assert '<html lang="it">' in italian.body_html
    assert '<html lang="en">' in english.body_html
    assert "Quota 2026 non versata." in english.body_text
    assert "Quota 2026 non versata." in english.body_html
    assert "members-only events" in english.body_text
    assert english.body_text.startswith("Hello Ed Editor,")


def test_suspension_closes_members_only_registration_and_pathways_at_once():
    ally, owner, _editor = member_with_managers()
    event = EventFactory(registration_policy="members")
    pathway = PathwayFactory(eligibility="member_organizations")
    coordinator = CoordinatorFactory()
    attendee = Attendee(name=owner.full_name, email=owner.email)

    services.suspend_membership(ally=ally, actor=coordinator, reason="Verifica in corso.")

    with translation.override("en"), pytest.raises(RegistrationError) as refused:
        register(event=event, attendee=attendee, user=owner)
    assert "This event is for members of the alliance" in refused.value.messages[0]
    fresh = Ally.objects.get(pk=ally.pk)  # as a view reads it
    with translation.override("en"), pytest.raises(InitiativeError) as not_eligible:
        apply_to_pathway(
            pathway=pathway, ally=fresh, applicant=owner, motivation="", contact_name="Olga", contact_email=owner.email
        )
    assert "for member organizations" in not_eligible.value.messages[0]
    assert event.registrations.count() == 0
    assert pathway.applications.count() == 0

    # Reinstated: both open again, at once.
    services.reinstate_membership(ally=ally, actor=coordinator)
    result = register(event=event, attendee=attendee, user=owner)
    assert result.registration.email == owner.email
    application = apply_to_pathway(
        pathway=pathway,
        ally=Ally.objects.get(pk=ally.pk),
        applicant=owner,
        motivation="",
        contact_name="Olga",
        contact_email=owner.email,
    )
    assert application.ally_id == ally.pk


def test_the_events_registration_page_refuses_a_suspended_member(client):
    ally, owner, _editor = member_with_managers()
    event = EventFactory(registration_policy="members")
    services.suspend_membership(ally=ally, actor=CoordinatorFactory(), reason="Verifica.")
    client.force_login(owner)

    with translation.override("en"):
        response = client.post(
            reverse("events:register", kwargs={"slug": event.slug}),
            {"name": owner.full_name, "email": owner.email, "privacy": "on"},
        )

    assert response.status_code == 200
    assert response.context["members_only"] == "join"
    assert event.registrations.count() == 0


def test_the_pathway_page_refuses_a_suspended_member(client):
    ally, owner, _editor = member_with_managers()
    pathway = PathwayFactory(eligibility="member_organizations")
    services.suspend_membership(ally=ally, actor=CoordinatorFactory(), reason="Verifica.")
    client.force_login(owner)
    with translation.override("en"):
        apply_url = reverse("initiatives:pathway_apply", kwargs={"slug": pathway.slug})

    page = client.get(apply_url)
    posted = client.post(
        apply_url,
        {
            "ally": ally.pk,
            "motivation": "Vorremmo partecipare.",
            "contact_name": "Olga",
            "contact_email": owner.email,
        },
    )

    assert page.context["form"] is None
    assert "This pathway is for member organizations of the alliance" in page.content.decode()
    assert posted.status_code == 200
    assert pathway.applications.count() == 0


@pytest.mark.parametrize(
    ("status", "call", "message"),
    [
        (ENDED, "suspend", "Only a current membership can be suspended: Cooperativa Il Faro is “membership ended”."),
        (
            APPLICANT,
            "suspend",
            "Only a current membership can be suspended: Cooperativa Il Faro is “not a member yet”.",
        ),
        (ACTIVE, "reinstate", "Only a suspended membership can be reinstated: Cooperativa Il Faro is “member”."),
        (ENDED, "end", "Cooperativa Il Faro is “membership ended”: there is no membership to end."),
        (APPLICANT, "end", "Cooperativa Il Faro is “not a member yet”: there is no membership to end."),
    ],
)
def test_the_transition_table_refuses_and_nothing_changes(status, call, message):
    ally, _owner, _editor = member_with_managers()
    Ally.objects.filter(pk=ally.pk).update(membership_status=status)
    coordinator = CoordinatorFactory()
    calls = {
        "suspend": lambda: services.suspend_membership(ally=ally, actor=coordinator, reason="Motivo."),
        "reinstate": lambda: services.reinstate_membership(ally=ally, actor=coordinator),
        "end": lambda: services.end_membership(ally=ally, actor=coordinator, reason="Motivo."),
    }

    with translation.override("en"), pytest.raises(TransitionError) as refused:
        calls[call]()

    assert refused.value.messages == [message]
    ally.refresh_from_db()
    assert (ally.membership_status, ally.suspended_at, ally.ended_at) == (status, None, None)
    assert LogEntry.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_suspension_needs_a_reason_and_a_sane_future_date():
    ally, _owner, _editor = member_with_managers()
    coordinator = CoordinatorFactory()

    with translation.override("en"):
        with pytest.raises(MembershipError) as no_reason:
            services.suspend_membership(ally=ally, actor=coordinator, reason="  ")
        with pytest.raises(MembershipError) as past:
            services.suspend_membership(ally=ally, actor=coordinator, reason="x", until=timezone.localdate())
        with pytest.raises(Exception) as absurd:
            services.suspend_membership(ally=ally, actor=coordinator, reason="x", until=datetime.date(9999, 12, 31))

    assert no_reason.value.messages == ["Please give the ally a reason for the suspension."]
    assert past.value.messages == ["The expected end of the suspension must be after today."]
    with translation.override("en"):  # the message is lazy: read it in English
        assert absurd.value.messages == ["Enter a date between 01/01/1950 and 31/12/2100."]
    ally.refresh_from_db()
    assert ally.membership_status == ACTIVE
    assert LogEntry.objects.count() == 0


@pytest.mark.parametrize("who", ["manager", "outsider"])
def test_only_coordinators_change_a_membership(who):
    ally, owner, _editor = member_with_managers()
    actor = owner if who == "manager" else VerifiedUserFactory()

    for call in (
        lambda: services.suspend_membership(ally=ally, actor=actor, reason="No."),
        lambda: services.end_membership(ally=ally, actor=actor, reason="No."),
        lambda: services.reinstate_membership(ally=ally, actor=actor),
    ):
        with pytest.raises(PermissionDenied):
            call()

    ally.refresh_from_db()
    assert ally.membership_status == ACTIVE
    assert LogEntry.objects.count() == 0


# From the site ----------------------------------------------------------------------------


def test_a_coordinator_suspends_reinstates_and_ends_from_the_membership_page(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    ally, owner, editor = member_with_managers()
    coordinator = CoordinatorFactory(full_name="Carla Coordinatrice")
    client.force_login(coordinator)
    page = url("ally_membership", slug=ally.slug)

    form = client.get(page)
    html = form.content.decode()
    assert form.status_code == 200
    assert html.count("<h1") == 1
    assert 'name="suspend-reason"' in html
    assert 'name="suspend-until"' in html and 'min="1950-01-01"' in html and 'max="2100-12-31"' in html
    assert 'name="end-reason"' in html
    assert 'name="reinstate-note"' not in html

    with django_capture_on_commit_callbacks(execute=True):
        suspended = client.post(page, {"action": "suspend", "suspend-reason": "Statuto da aggiornare."})
    assert suspended.status_code == 302
    assert suspended["Location"] == page
    assert page_messages(suspended) == [
        "The membership of “Cooperativa Il Faro” is suspended; its managers were told by e-mail."
    ]
    assert sorted(m.to[0] for m in mailoutbox) == [editor.email, owner.email]
    english = next(m for m in mailoutbox if m.to == [editor.email])
    assert english.subject == "The membership of Cooperativa Il Faro is suspended"
    assert "Statuto da aggiornare." in english.alternatives[0][0]

    reinstate_page = client.get(page).content.decode()
    assert 'name="reinstate-note"' in reinstate_page and 'name="suspend-reason"' not in reinstate_page
    reinstated = client.post(page, {"action": "reinstate", "reinstate-note": "Statuto ricevuto."})
    assert reinstated.status_code == 302

    ended = client.post(page, {"action": "end", "end-reason": "Ha lasciato la rete.", "end-confirm": "on"})
    assert ended.status_code == 302
    ally.refresh_from_db()
    assert (ally.membership_status, ally.end_reason) == (ENDED, "Ha lasciato la rete.")
    assert [(e.action.rsplit(".", 1)[-1], e.actor, e.data.get("note")) for e in history(ally)] == [
        ("suspended", coordinator, "Statuto da aggiornare."),
        ("active", coordinator, "Statuto ricevuto."),
        ("ended", coordinator, "Ha lasciato la rete."),
    ]
    final = client.get(page).content.decode()
    for text in (
        "Member → Suspended",
        "Suspended → Member",
        "Member → Membership ended",
        "Carla Coordinatrice",
        "Ha lasciato la rete.",
    ):
        assert text in final, text
    assert 'name="suspend-reason"' not in final and 'name="end-reason"' not in final


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"suspend-reason": ""}, "Please give the ally a reason for the suspension."),
        ({"suspend-reason": "x", "suspend-until": "0001-01-01"}, "Enter a date between 01/01/1950 and 31/12/2100."),
        ({"suspend-reason": "x", "suspend-until": "9999-12-31"}, "Enter a date between 01/01/1950 and 31/12/2100."),
        (
            {"suspend-reason": "x", "suspend-until": "2020-01-01"},
            "The expected end of the suspension must be after today.",
        ),
    ],
    ids=["no reason", "year 1", "year 9999", "past"],
)
def test_the_suspension_form_says_what_is_wrong_and_changes_nothing(client, data, field_error):
    ally, _owner, _editor = member_with_managers()
    client.force_login(CoordinatorFactory())

    response = client.post(url("ally_membership", slug=ally.slug), {"action": "suspend", **data})

    assert response.status_code == 200
    assert escape(field_error) in response.content.decode()
    ally.refresh_from_db()
    assert ally.membership_status == ACTIVE
    assert (LogEntry.objects.count(), OutgoingEmail.objects.count()) == (0, 0)


def test_ending_needs_a_confirmation(client):
    ally, _owner, _editor = member_with_managers()
    client.force_login(CoordinatorFactory())

    response = client.post(url("ally_membership", slug=ally.slug), {"action": "end", "end-reason": "Uscita."})

    assert response.status_code == 200
    assert "Please confirm that the membership ends." in response.content.decode()
    ally.refresh_from_db()
    assert ally.membership_status == ACTIVE


def test_a_refused_change_on_the_page_says_why(client):
    ally, _owner, _editor = member_with_managers()
    coordinator = CoordinatorFactory()
    services.end_membership(ally=ally, actor=coordinator, reason="Uscita.")
    client.force_login(coordinator)

    # An old page still showing the form, posted after someone else ended the membership.
    response = client.post(url("ally_membership", slug=ally.slug), {"action": "suspend", "suspend-reason": "x"})

    assert response.status_code == 200
    assert escape("Only a current membership can be suspended: Cooperativa Il Faro is “membership ended”.") in (
        response.content.decode()
    )
    assert len(history(ally)) == 1


def test_membership_pages_are_for_coordinators_only(client):
    ally, owner, _editor = member_with_managers()
    page = url("ally_membership", slug=ally.slug)

    anonymous = client.post(page, {"action": "suspend", "suspend-reason": "x"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    for user in (owner, VerifiedUserFactory()):
        client.force_login(user)
        assert client.get(page).status_code == 404
        assert client.post(page, {"action": "suspend", "suspend-reason": "x"}).status_code == 404
        assert client.get(url("coordination_allies")).status_code == 404
    client.force_login(CoordinatorFactory())
    assert client.post(page, {"action": "delete"}).status_code == 400
    ally.refresh_from_db()
    assert ally.membership_status == ACTIVE
    assert LogEntry.objects.count() == 0


# Ended: out of the directory, history kept -------------------------------------------------


def test_an_ended_ally_leaves_the_directory_but_its_page_and_history_stay_for_coordinators(client):
    ally, owner, _editor = member_with_managers()
    MemberOrganizationFactory(name="Fondazione Rimasta")
    coordinator = CoordinatorFactory(full_name="Carla Coordinatrice")
    services.end_membership(ally=ally, actor=coordinator, reason="Non opera più sul territorio.")

    directory = client.get(url("ally_list"))
    assert [a.name for a in directory.context["page_obj"]] == ["Fondazione Rimasta"]
    assert [a.name for a in client.get(url("ally_list"), {"q": "Faro"}).context["page_obj"]] == []
    assert client.get(ally.get_absolute_url()).status_code == 404  # anonymous
    client.force_login(VerifiedUserFactory())
    assert client.get(ally.get_absolute_url()).status_code == 404  # another person

    client.force_login(owner)
    own = client.get(ally.get_absolute_url()).content.decode()
    assert "The membership of this ally ended on" in own
    assert "Member → Membership ended" not in own  # the record is the coordination's

    client.force_login(coordinator)
    page = client.get(ally.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "The membership of this ally ended on" in html
    assert "Member → Membership ended" in html
    assert "Non opera più sul territorio." in html
    assert "Carla Coordinatrice" in html
    assert f'href="{url("ally_membership", slug=ally.slug)}"' in html
    listed = client.get(url("coordination_allies"), {"status": "ended"})
    assert [a.name for a in listed.context["page_obj"]] == ["Cooperativa Il Faro"]


def test_a_suspended_ally_stays_in_the_directory_and_only_its_people_see_the_suspension(client):
    ally, owner, _editor = member_with_managers()
    services.suspend_membership(ally=ally, actor=CoordinatorFactory(), reason="Segreto interno.")

    assert [a.pk for a in client.get(url("ally_list")).context["page_obj"]] == [ally.pk]
    public = client.get(ally.get_absolute_url()).content.decode()
    assert "suspended" not in public.lower()
    assert "Segreto interno." not in public
    client.force_login(owner)
    assert "The membership is suspended since" in client.get(ally.get_absolute_url()).content.decode()
    area = client.get(url("my_area")).content.decode()
    assert "Segreto interno." in area


def test_an_ended_ally_may_apply_again_and_a_new_approval_makes_it_a_member(client, django_capture_on_commit_callbacks):
    ally, owner, _editor = member_with_managers()
    coordinator = CoordinatorFactory()
    services.end_membership(ally=ally, actor=coordinator, reason="Uscita.")
    client.force_login(owner)

    response = client.post(
        url("reapply", slug=ally.slug),
        {"motivation": "Torniamo.", "principles_version": "1", "accept_principles": "on"},
    )

    assert response.status_code == 302
    application = ally.applications.get(status="submitted")
    services.approve_application(application=application, actor=coordinator)
    ally.refresh_from_db()
    assert (ally.membership_status, ally.ended_at, ally.end_reason) == (ACTIVE, None, "")
    assert [e.data["to"] for e in history(ally)] == ["ended", "active"]


def test_a_suspended_ally_cannot_apply_again(client):
    ally, owner, _editor = member_with_managers()
    services.suspend_membership(ally=ally, actor=CoordinatorFactory(), reason="Verifica.")
    client.force_login(owner)

    page = client.get(url("reapply", slug=ally.slug)).content.decode()
    response = client.post(url("reapply", slug=ally.slug), {"principles_version": "1", "accept_principles": "on"})

    assert 'name="accept_principles"' not in page
    assert response.status_code == 200
    assert "This membership is suspended: the coordination reinstates it" in response.content.decode()
    assert ally.applications.count() == 0


# The coordinators' list of allies ----------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_the_coordinators_ally_list_has_constant_queries(client, django_assert_num_queries, count):
    for n in range(count):
        OrganizationFactory(name=f"Cooperativa {n}", membership_status=[ACTIVE, SUSPENDED, ENDED][n])
    client.force_login(CoordinatorFactory())

    with django_assert_num_queries(6):
        response = client.get(url("coordination_allies"))

    assert response.status_code == 200
    assert len(response.context["page_obj"]) == count


def test_the_coordinators_ally_list_filters_by_membership_and_name(client):
    OrganizationFactory(name="Cooperativa Attiva", membership_status=ACTIVE)
    OrganizationFactory(name="Cooperativa Sospesa", membership_status=SUSPENDED)
    OrganizationFactory(name="Associazione Sospesa", membership_status=SUSPENDED)
    client.force_login(CoordinatorFactory())

    suspended = client.get(url("coordination_allies"), {"status": "suspended", "q": "cooperativa"})
    invalid = client.get(url("coordination_allies"), {"status": "sparita"})

    assert [a.name for a in suspended.context["page_obj"]] == ["Cooperativa Sospesa"]
    assert invalid.status_code == 200
    assert list(invalid.context["page_obj"]) == []


def test_the_site_search_follows_the_membership(django_capture_on_commit_callbacks):
    from alliance.search import search

    with django_capture_on_commit_callbacks(execute=True):
        ally, _owner, _editor = member_with_managers(name="Cooperativa Il Faro")
    coordinator = CoordinatorFactory()
    assert search("Faro").counts == {"ally": 1}

    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_membership(ally=ally, actor=coordinator, reason="Verifica.")
    assert search("Faro").counts == {"ally": 1}  # still in the directory

    with django_capture_on_commit_callbacks(execute=True):
        services.end_membership(ally=ally, actor=coordinator, reason="Uscita.")
    assert search("Faro").total == 0
