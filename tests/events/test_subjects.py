"""Subjects that tell the truth about each session (issue 9): a confirmation does not say only "your seat is
confirmed" when a chosen workshop is full; waiting-list e-mails say the position."""

from datetime import time

import pytest
from django.utils import timezone

from alliance.models import OutgoingEmail
from events import services
from events.models import Registration, SessionChoice
from events.services import Attendee, EventData, Programme, SessionData, cancel_registration, register
from tests.events.test_choices_change import per_meeting_cycle
from tests.factories.events import EventFactory, SessionFactory
from tests.factories.members import CoordinatorFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

Choice = SessionChoice.Status
Status = Registration.Status


def fare_rete(capacity=None, seats=1):
    event = EventFactory(title="Fare Rete", capacity=capacity)
    day = timezone.localtime(event.start).date()
    first = SessionFactory(
        event=event,
        day=day,
        start_time=time(10),
        end_time=time(12),
        title="Comunità educanti",
        kind="workshop",
        capacity=seats,
    )
    second = SessionFactory(
        event=event,
        day=day,
        start_time=time(14),
        end_time=time(16),
        title="Economia di luogo",
        kind="workshop",
        capacity=seats,
    )
    return event, first, second


def join(event, sessions=(), language="en"):
    user = VerifiedUserFactory()
    return register(
        event=event,
        user=user,
        attendee=Attendee(
            name=user.full_name,
            email=user.email,
            language=language,
            session_ids=[s.pk for s in sessions],
        ),
    ).registration


def last(template, registration):
    return OutgoingEmail.objects.filter(template=template, to=registration.email).latest("pk")


def test_the_confirmation_with_every_chosen_seat_says_the_seat_is_confirmed():
    event, first, second = fare_rete(seats=5)
    registration = join(event, [first, second])
    email = last("event_confirmation", registration)
    assert email.subject == "Your seat is confirmed: Fare Rete"
    assert "full" not in email.body_text


def test_the_confirmation_with_a_full_workshop_names_it_in_the_subject_and_the_text():
    event, first, second = fare_rete(seats=1)
    join(event, [first])
    registration = join(event, [first, second])
    email = last("event_confirmation", registration)
    assert email.subject == "Your seat is confirmed; for “Comunità educanti” you are on the waiting list: Fare Rete"
    assert "Some sessions you chose are full: you are on their waiting list" in email.body_text
    assert "Some sessions you chose are full" in email.body_html
    assert "- Comunità educanti (number 1 in line)" in email.body_text
    assert "Comunità educanti (number 1 in line)" in email.body_html
    # The HTML's subject is escaped like the rest of the page.
    assert "<title>Your seat is confirmed; for “Comunità educanti”" in email.body_html


def test_the_confirmation_with_two_full_workshops_counts_them():
    event, first, second = fare_rete(seats=1)
    join(event, [first, second])
    registration = join(event, [first, second])
    email = last("event_confirmation", registration)
    assert email.subject == "Your seat is confirmed; for 2 sessions you are on the waiting list: Fare Rete"
    assert "- Comunità educanti (number 1 in line)\n- Economia di luogo (number 1 in line)" in email.body_text
    # The registration page says the place in each line too.
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    with translation.override("en"):
        page = Client().get(reverse("events:registration", kwargs={"token": registration.token}))
    assert page.content.decode().count("on the waiting list of the session (number 1 in line)") == 2


def test_the_confirmation_of_a_series_per_meeting_names_the_full_meeting():
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    meetings[1].capacity = 1
    meetings[1].save()
    join(event, [meetings[1]])
    registration = join(event, [meetings[0], meetings[1]])
    email = last("event_confirmation", registration)
    assert (
        email.subject == f"Your seat is confirmed; for “{meetings[1].title}” you are on the waiting list: {event.title}"
    )
    assert "Some meetings you chose are full" in email.body_text
    assert "Your meetings:" in email.body_text


def test_the_waiting_list_email_says_the_position_in_subject_and_text():
    event, first, second = fare_rete(capacity=1)
    join(event)
    first_waiting = join(event)
    second_waiting = join(event)
    email = last("event_waitlisted", second_waiting)
    assert email.subject == "You are number 2 on the waiting list: Fare Rete"
    assert "You are number 2 on the waiting list." in email.body_text
    assert "You are number 2 on the waiting list." in email.body_html
    assert last("event_waitlisted", first_waiting).subject == "You are number 1 on the waiting list: Fare Rete"


def test_the_promotion_says_which_workshop_is_still_waited_for_and_the_session_promotion_names_it():
    event, first, second = fare_rete(capacity=2, seats=1)
    other = join(event, [first])
    leaving = join(event, [second])
    waiting = join(event, [first, second])
    assert waiting.status == Status.WAITLISTED
    # A seat at the event frees up, with the second workshop's; the first workshop is still full.
    cancel_registration(registration=leaving)
    email = last("event_promoted", waiting)
    assert email.subject == "A seat is yours; for “Comunità educanti” you are on the waiting list: Fare Rete"
    assert "Some sessions you chose are full" in email.body_text

    services.change_sessions(registration=other, session_ids=[], by_link=True)
    assert last("event_session_promoted", waiting).subject == "A seat is yours in “Comunità educanti”"
    promoted = join(fare_rete(capacity=1, seats=5)[0])
    assert last("event_confirmation", promoted).subject == "Your seat is confirmed: Fare Rete"


def test_fewer_seats_tell_each_moved_person_their_own_place_in_line():
    event, first, second = fare_rete(capacity=3, seats=3)
    people = [join(event, [first]) for _ in range(3)]
    coordinator = CoordinatorFactory()
    OutgoingEmail.objects.all().delete()
    services.save_event(event=event, actor=coordinator, data=EventData(capacity=1), confirm_moves=True)
    subjects = sorted(
        OutgoingEmail.objects.filter(template="event_moved_to_waitlist").values_list("subject", flat=True)
    )
    assert subjects == [
        "Fewer seats: you are now first in line for Fare Rete",
        "Fewer seats: you are now number 2 in line for Fare Rete",
    ]
    assert (
        "You are number 2 on the waiting list."
        in OutgoingEmail.objects.get(template="event_moved_to_waitlist", subject__contains="number 2").body_text
    )
    assert people


def test_fewer_seats_in_a_workshop_tell_each_moved_person_their_own_place_in_its_line():
    event, first, second = fare_rete(seats=3)
    for _ in range(3):
        join(event, [first])
    OutgoingEmail.objects.all().delete()
    rows = [
        SessionData(
            pk=s.pk,
            title=s.title,
            kind=s.kind,
            day=s.day,
            start_time=s.start_time,
            end_time=s.end_time,
            capacity=1 if s.pk == first.pk else s.capacity,
        )
        for s in event.sessions.all()
    ]
    services.save_event(
        event=event,
        actor=CoordinatorFactory(),
        data=EventData(),
        programme=Programme(sessions=rows),
        confirm_moves=True,
    )
    emails = OutgoingEmail.objects.filter(template="event_session_waitlisted")
    assert sorted(emails.values_list("subject", flat=True)) == [
        "Fewer seats in “Comunità educanti”: you are first in line",
        "Fewer seats in “Comunità educanti”: you are number 2 in line",
    ]
    assert "You are number 2 on its waiting list." in emails.get(subject__contains="number 2").body_text
