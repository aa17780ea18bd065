"""Admission as two settings (issue 9): who may register, and how; seed 004 is members only, on review."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import LogEntry, Region
from events import services
from events.models import Event, Registration
from events.services import RegistrationError, admission
from tests.factories.events import EventFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    OrganizationFactory,
    VerifiedUserFactory,
)

from .test_manage import new_event_data, page_data

pytestmark = pytest.mark.django_db

Status = Registration.Status


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def manager_of(ally, email):
    user = VerifiedUserFactory(email=email, preferred_language="en")
    AllyManagerFactory(ally=ally, user=user)
    return user


def attendee(user):
    return services.Attendee(name=user.full_name or "Socia", email=user.email, language="en")


def cycle(**kwargs):
    """The seed-004 cycle: members of the alliance only, each request reviewed."""
    return EventFactory(
        title="Imprese di nuovo welfare", registration_policy="members", admission_review=True, **kwargs
    )


def test_the_former_policy_reads_as_the_two_settings():
    application = EventFactory(registration_policy=Event.Policy.APPLICATION)
    members = EventFactory(registration_policy=Event.Policy.MEMBERS)
    none = EventFactory(registration_policy=Event.Policy.NONE)

    assert (application.admission, application.admission_review) == ("open", True)
    assert (members.admission, members.admission_review) == ("members", False)
    assert none.registration_state() == "none"
    assert Event.objects.filter(admission_review=True).get() == application
    assert [e.registration_policy for e in (application, members, none)] == ["application", "members", "none"]


def test_members_only_on_review_a_members_request_waits_for_the_organizers(
    django_capture_on_commit_callbacks, mailoutbox
):
    event = cycle(capacity=10)
    user = manager_of(MemberOrganizationFactory(), "socia@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        result = services.register(event=event, attendee=attendee(user), user=user)

    registration = result.registration
    assert (registration.status, registration.email_confirmed_at is not None) == (Status.PENDING, True)
    assert [m.to for m in mailoutbox] == [["socia@example.org"]]  # "we received your request", not a seat
    assert "seat is confirmed" not in mailoutbox[0].subject

    coordinator = CoordinatorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_registration(registration=registration, actor=coordinator, approve=True)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


@pytest.mark.parametrize("who", ["guest", "non_member", "suspended_member"])
def test_members_only_on_review_refuses_whoever_is_not_a_member(who):
    event = cycle()
    if who == "guest":
        user = None
        email = "ospite@example.org"
    else:
        ally = (
            OrganizationFactory() if who == "non_member" else MemberOrganizationFactory(membership_status="suspended")
        )
        user = manager_of(ally, f"{who}@example.org")
        email = user.email

    with pytest.raises(RegistrationError):
        services.register(event=event, attendee=services.Attendee(name="Qualcuno", email=email), user=user)
    assert not Registration.objects.exists()


def test_a_non_member_is_told_to_join_with_a_link(client):
    event = cycle()
    client.force_login(manager_of(OrganizationFactory(), "aspirante@example.org"))

    response = client.get(url("events:register", slug=event.slug))

    html = response.content.decode()
    assert response.context["members_only"] == "join"
    assert f'href="{url("members:join")}"' in html
    assert 'name="privacy_consent"' not in html  # no form to fill in


def test_an_anonymous_visitor_is_asked_to_sign_in_and_a_member_sees_the_review_notice(client):
    event = cycle()

    response = client.get(url("events:register", slug=event.slug))
    assert response.context["members_only"] == "sign_in"

    client.force_login(manager_of(MemberOrganizationFactory(), "socia@example.org"))
    html = client.get(url("events:register", slug=event.slug)).content.decode()
    assert "the organizers review your request" in html
    assert 'name="privacy_consent"' in html


def test_members_of_given_allies_only():
    chosen, other = MemberOrganizationFactory(), MemberOrganizationFactory()
    event = EventFactory(registration_policy="allies")
    event.admission_allies.set([chosen])
    outsider = manager_of(other, "altra@example.org")
    insider = manager_of(chosen, "scelta@example.org")

    assert admission.refusal(event, outsider) == admission.NOT_ELIGIBLE
    with translation.override("en"), pytest.raises(RegistrationError, match="some allies"):
        services.register(event=event, attendee=attendee(outsider), user=outsider)

    result = services.register(event=event, attendee=attendee(insider), user=insider)
    assert result.registration.status == Status.CONFIRMED  # immediately: the event is not on review


def test_members_from_given_regions_only():
    veneto, sicilia = Region.objects.order_by("pk")[:2]
    event = EventFactory(registration_policy="regions", admission_review=True)
    event.admission_regions.set([veneto])
    there = manager_of(MemberOrganizationFactory(regions=[veneto]), "veneta@example.org")
    elsewhere = manager_of(MemberOrganizationFactory(regions=[sicilia]), "lontana@example.org")

    assert admission.refusal(event, elsewhere) == admission.NOT_ELIGIBLE
    assert admission.refusal(event, there) is None
    result = services.register(event=event, attendee=attendee(there), user=there)
    assert result.registration.status == Status.PENDING  # on review


def test_everyone_on_review_lets_a_guest_apply_after_confirming_the_address():
    event = EventFactory(registration_policy="open", admission_review=True)

    registration = services.register(
        event=event, attendee=services.Attendee(name="Ospite", email="ospite@example.org")
    ).registration
    registration = services.confirm_email(token=registration.token)

    assert registration.status == Status.PENDING
    assert registration.email_confirmed_at is not None


def test_the_editor_sets_both_settings_and_logs_the_change(client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    day = timezone.localdate() + timedelta(days=40)
    ally = MemberOrganizationFactory()

    response = client.post(
        url("events:event_create"),
        new_event_data(day, registration_policy="allies", admission_review="review", admission_allies=[ally.pk]),
    )

    assert response.status_code == 302, response.context["editor"].event_form.errors
    event = Event.objects.get()
    assert (event.admission, event.admission_review, list(event.admission_allies.all())) == ("allies", True, [ally])

    edit = client.get(url("events:event_edit", slug=event.slug))
    response = client.post(
        url("events:event_edit", slug=event.slug),
        page_data(edit, registration_policy="members", admission_review="immediate"),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.admission, event.admission_review) == ("members", False)
    entry = LogEntry.objects.filter(action__endswith="admission_changed").latest("pk")
    assert entry.data["after"]["who"] == "members" and entry.data["before"]["review"] is True


def test_the_editor_refuses_members_of_given_allies_without_allies(client):
    client.force_login(CoordinatorFactory())
    day = timezone.localdate() + timedelta(days=40)

    response = client.post(url("events:event_create"), new_event_data(day, registration_policy="allies"))

    assert response.status_code == 200
    with translation.override("en"):
        assert response.context["editor"].event_form.errors["admission_allies"] == [
            "Choose the allies whose members may register."
        ]
    assert not Event.objects.exists()


def test_the_editor_keeps_review_when_the_page_does_not_send_it(client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)
    event = cycle()
    edit = client.get(url("events:event_edit", slug=event.slug))
    data = page_data(edit)
    data.pop("admission_review", None)

    response = client.post(url("events:event_edit", slug=event.slug), data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.admission, event.admission_review) == ("members", True)
