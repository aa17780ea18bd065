"""Review cards and bulk decisions for event requests (issue 9, seed 004: members only, on review)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from alliance.models import OutgoingEmail
from events.models import Attendance, Registration, RegistrationAnswer, RegistrationQuestion
from events.services import RegistrationError
from events.services.registrations import decide_registrations
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory
from tests.factories.members import (
    AllyFactory,
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def cycle(**kwargs):
    return EventFactory(
        title="Imprese di nuovo welfare", registration_policy="members", admission_review=True, **kwargs
    )


def member_request(event, n, *, question=None, verified=False):
    """A member's request waiting for a decision, with an answer to `question`."""
    ally = MemberOrganizationFactory(
        name=f"Cooperativa {n}",
        approved_at=timezone.now() - timedelta(days=400 + n),
        verified_at=timezone.now() if verified else None,
    )
    user = VerifiedUserFactory(email=f"socia{n}@example.org", full_name=f"Socia {n}")
    AllyManagerFactory(ally=ally, user=user)
    registration = RegistrationFactory(
        event=event, user=user, name=f"Socia {n}", email=user.email, status=Status.PENDING, confirmed_at=None
    )
    if question is not None:
        RegistrationAnswer.objects.create(registration=registration, question=question, value=f"Requisito {n}")
    return registration


def eligibility(event):
    return RegistrationQuestion.objects.create(
        event=event, kind="text", required=True, label="Quali requisiti soddisfi?", label_en="Which requirements?"
    )


def test_the_card_shows_the_ally_member_since_verified_past_participation_and_answers(client):
    event = cycle()
    question = eligibility(event)
    registration = member_request(event, 1, question=question, verified=True)
    earlier = EventFactory(is_series=True)
    meeting = SessionFactory(event=earlier, day=earlier.start.date())
    past = RegistrationFactory(event=earlier, email=registration.email)
    Attendance.objects.create(registration=past, session=meeting, checked_in_at=timezone.now())
    RegistrationFactory(event=EventFactory(), email=registration.email, status=Status.CANCELLED)
    client.force_login(CoordinatorFactory())

    html = client.get(url("events:registrations", slug=event.slug)).content.decode()

    card = html.split(f'id="review-{registration.pk}"')[1].split("</article>")[0]
    ally = registration.user.ally_memberships.get().ally
    assert f'<a href="{ally.get_absolute_url()}">Cooperativa 1</a>' in card
    assert '<span class="badge bg-success">Member</span>' in card
    assert "Verified" in card
    assert f"Member since {timezone.localtime(ally.approved_at):%-d %B %Y}" in card
    assert "2 registrations to other events; attended 1 of them" in card
    assert "<dt>Which requirements?</dt>" in card and "Requisito 1" in card
    assert f'name="ids" value="{registration.pk}"' in card


def test_a_request_from_a_guest_without_ally_says_so(client):
    event = EventFactory(registration_policy="application")
    guest = RegistrationFactory(event=event, status=Status.PENDING, confirmed_at=None)
    client.force_login(CoordinatorFactory())

    html = client.get(url("events:registrations", slug=event.slug)).content.decode()

    card = html.split(f'id="review-{guest.pk}"')[1].split("</article>")[0]
    assert "No ally: not a member of the alliance" in card
    assert "First registration to an event of the portal." in card


@pytest.mark.parametrize("count", [1, 3])
def test_the_review_list_takes_as_many_queries_for_one_request_as_for_three(client, count):
    event = cycle()
    question = eligibility(event)
    client.force_login(CoordinatorFactory())
    member_request(event, 0, question=question)
    client.get(url("events:registrations", slug=event.slug))  # warm the caches (content types, sessions)

    with CaptureQueriesContext(connection) as one:
        client.get(url("events:registrations", slug=event.slug))
    for n in range(1, count + 2):
        member_request(event, n, question=question)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("events:registrations", slug=event.slug))

    assert len(response.context["to_review"]) == count + 2
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_bulk_approval_seats_in_order_then_the_waiting_list_and_tells_everyone(client):
    event = cycle(capacity=2)
    coordinator = CoordinatorFactory()
    requests = [member_request(event, n) for n in range(3)]
    client.force_login(coordinator)

    response = client.post(
        url("events:registrations_decide", slug=event.slug),
        {"ids": [r.pk for r in requests], "decision": "approve"},
        follow=True,
    )

    assert [Registration.objects.get(pk=r.pk).status for r in requests] == [
        Status.CONFIRMED,
        Status.CONFIRMED,
        Status.WAITLISTED,
    ]
    assert "Done: 2 people got a seat; 1 went to the waiting list." in response.content.decode()
    assert OutgoingEmail.objects.filter(template="event_confirmation").count() == 2
    assert OutgoingEmail.objects.filter(template="event_waitlisted").count() == 1


def test_one_request_is_approved_with_its_own_button(client):
    event = cycle()
    first, second = member_request(event, 1), member_request(event, 2)
    client.force_login(CoordinatorFactory())

    client.post(url("events:registrations_decide", slug=event.slug), {"approve_one": str(second.pk)})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.PENDING, Status.CONFIRMED)


def test_a_bulk_decline_needs_a_reason_which_goes_into_the_emails(client):
    event = cycle()
    requests = [member_request(event, n) for n in range(2)]
    ids = [r.pk for r in requests]
    client.force_login(CoordinatorFactory())

    response = client.post(
        url("events:registrations_decide", slug=event.slug),
        {"ids": ids, "decision": "decline", "reason": " "},
        follow=True,
    )
    assert "Please give the applicants a reason." in response.content.decode()
    assert set(Registration.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.PENDING}

    client.post(
        url("events:registrations_decide", slug=event.slug),
        {"ids": ids, "decision": "decline", "reason": "Il ciclo è per le imprese di welfare."},
    )
    assert set(Registration.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.DECLINED}
    bodies = OutgoingEmail.objects.filter(template="event_application_declined").values_list("body_text", flat=True)
    assert len(bodies) == 2 and all("Il ciclo è per le imprese di welfare." in body for body in bodies)


def test_the_service_skips_what_is_not_waiting_and_refuses_foreign_ids_quietly():
    event = cycle()
    coordinator = CoordinatorFactory()
    waiting = member_request(event, 1)
    confirmed = RegistrationFactory(event=event)
    other_event = member_request(cycle(), 2)

    report = decide_registrations(
        event=event, ids=[waiting.pk, confirmed.pk, other_event.pk], decision="approve", actor=coordinator
    )

    assert (report.confirmed, report.waitlisted, report.declined, report.skipped) == (1, 0, 0, 2)
    other_event.refresh_from_db()
    assert other_event.status == Status.PENDING
    with pytest.raises(RegistrationError):
        decide_registrations(event=event, ids=[], decision="approve", actor=coordinator)


@pytest.mark.parametrize("who", ["other_manager", "outsider"])
def test_cards_and_the_bulk_action_do_not_exist_for_others(client, who):
    event = cycle()
    event.organizers.add(MemberOrganizationFactory())
    waiting = member_request(event, 1)
    user = VerifiedUserFactory(email="estranea@example.org")
    if who == "other_manager":
        AllyManagerFactory(ally=MemberOrganizationFactory(), user=user)
    client.force_login(user)

    assert client.get(url("events:registrations", slug=event.slug)).status_code == 404
    assert (
        client.post(
            url("events:registrations_decide", slug=event.slug), {"ids": [waiting.pk], "decision": "approve"}
        ).status_code
        == 404
    )
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING


def test_an_organizer_of_the_event_decides_in_bulk(client):
    event = cycle()
    ally = MemberOrganizationFactory()
    event.organizers.add(ally)
    organizer = VerifiedUserFactory(email="mag@example.org")
    AllyManagerFactory(ally=ally, user=organizer)
    waiting = member_request(event, 1)
    client.force_login(organizer)

    client.post(url("events:registrations_decide", slug=event.slug), {"ids": [waiting.pk], "decision": "approve"})

    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert waiting.confirmed_at is not None


def card_of(html, registration):
    return html.split(f'id="review-{registration.pk}"')[1].split("</article>")[0]


def test_the_card_shows_the_attendees_allies_not_those_of_whoever_filled_the_form(client):
    """A member registers a colleague with no account: the card must not give the colleague the member's ally.
    A request whose address a member verified, made signed out, shows that member's ally."""
    event = cycle()
    member = member_request(event, 1).user  # Cooperativa 1
    colleague = RegistrationFactory(
        event=event, user=member, name="Collega", email="collega@example.org", status=Status.PENDING, confirmed_at=None
    )
    signed_out = RegistrationFactory(
        event=event,
        user=None,
        name="Socia 1 di nuovo",
        email="SOCIA1@example.org",
        status=Status.PENDING,
        confirmed_at=None,
    )
    # An address verified by nobody does not tie a request to the account that merely holds it unverified.
    holder = VerifiedUserFactory(email="nonverificata@example.org")
    holder.emailaddress_set.update(verified=False)
    AllyManagerFactory(ally=MemberOrganizationFactory(name="Cooperativa Altrui"), user=holder)
    unverified = RegistrationFactory(
        event=event,
        user=holder,
        name="Non verificata",
        email="nonverificata@example.org",
        status=Status.PENDING,
        confirmed_at=None,
    )
    client.force_login(CoordinatorFactory())

    html = client.get(url("events:registrations", slug=event.slug)).content.decode()

    assert "Cooperativa 1" not in card_of(html, colleague)
    assert "No ally: not a member of the alliance" in card_of(html, colleague)
    assert "Cooperativa 1" in card_of(html, signed_out)
    assert "Cooperativa Altrui" not in card_of(html, unverified)


def test_only_coordinators_see_an_ally_that_is_not_public_on_the_card(client):
    event = cycle()
    organizer = VerifiedUserFactory(email="organizzatrice@example.org")
    organizing = MemberOrganizationFactory(name="Organizzatrice")
    event.organizers.add(organizing)
    AllyManagerFactory(ally=organizing, user=organizer)
    applicant = VerifiedUserFactory(email="candidata@example.org")
    AllyManagerFactory(ally=AllyFactory(name="Cooperativa in attesa"), user=applicant)
    request = RegistrationFactory(
        event=event, user=applicant, name="Candidata", email=applicant.email, status=Status.PENDING, confirmed_at=None
    )

    client.force_login(organizer)
    seen_by_organizer = card_of(client.get(url("events:registrations", slug=event.slug)).content.decode(), request)
    client.force_login(CoordinatorFactory())
    seen_by_coordinator = card_of(client.get(url("events:registrations", slug=event.slug)).content.decode(), request)

    assert "Cooperativa in attesa" not in seen_by_organizer
    assert "No ally: not a member of the alliance" in seen_by_organizer
    assert "Cooperativa in attesa" in seen_by_coordinator


def test_every_pending_request_is_counted_and_the_cards_come_in_pages(client):
    """More requests than a page holds: the heading counts them all; the cards after the first page are
    on the next one (the `requests` parameter), the oldest first, the registrations' own pages untouched."""
    from events.views.registrations import REGISTRATIONS_PER_PAGE

    event = cycle()
    total = REGISTRATIONS_PER_PAGE + 3
    requests = RegistrationFactory.create_batch(total, event=event, status=Status.PENDING, confirmed_at=None)
    client.force_login(CoordinatorFactory())
    address = url("events:registrations", slug=event.slug)

    first = client.get(address)
    html = first.content.decode()
    assert f"{total} requests to review" in html
    assert [card.pk for card in first.context["to_review"]] == [r.pk for r in requests[:REGISTRATIONS_PER_PAGE]]
    assert 'href="?requests=2"' in html

    second = client.get(address, {"requests": 2, "page": 1})
    assert f"{total} requests to review" in second.content.decode()
    assert [card.pk for card in second.context["to_review"]] == [r.pk for r in requests[REGISTRATIONS_PER_PAGE:]]
    assert second.context["page_obj"].number == 1
