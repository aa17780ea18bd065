"""Switching workshop under concurrency (issue 9): real threads, each with its own PostgreSQL connection,
all released together (tests/events/test_concurrency.run_together).

Many people seated in one workshop switch at once into a parallel one with few seats: it never holds more
than its seats, the others wait in the order their switch was taken under the event's lock, and a seat
freed later goes to the first of that order. Organizers placing people at the same moment take a seat or are
refused, never beyond the seats.
"""

from datetime import time

import pytest
from django.utils import timezone

from alliance.models import LogEntry, OutgoingEmail
from events.models import Registration, SessionChoice
from events.services import change_sessions
from tests.events.test_concurrency import run_together
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

Choice = SessionChoice.Status


def seated_in(session, count):
    registrations = []
    for _ in range(count):
        registration = RegistrationFactory(event=session.event, language="en")
        SessionChoice.objects.create(registration=registration, session=session, status=Choice.CONFIRMED)
        registrations.append(registration)
    return registrations


def one_slot(*seats):
    """Parallel workshops of one time slot, with these seats."""
    event = EventFactory(capacity=None)
    day = timezone.localtime(event.start).date()
    return [
        SessionFactory(event=event, day=day, kind="workshop", capacity=n, start_time=time(14), end_time=time(16))
        for n in seats
    ]


def test_thirty_people_switching_into_a_four_seat_workshop_at_once():
    big, small = one_slot(40, 4)
    event = big.event
    people = seated_in(big, 30)

    results = run_together(
        lambda registration: change_sessions(registration=registration, session_ids=[small.pk], by_link=True), people
    )

    assert all(result.changed for result in results)
    confirmed = small.choices.filter(status=Choice.CONFIRMED)
    waiting = list(small.choices.filter(status=Choice.WAITLISTED).order_by("waitlisted_at", "pk"))
    assert confirmed.count() == 4
    assert len(waiting) == 26
    assert not big.choices.exists()  # everybody gave the big one up, nobody holds two sessions of the slot
    assert all(r.session_choices.count() == 1 for r in Registration.objects.filter(event=event))
    # The waiting order is the order the switches were taken under the lock (their log entries).
    order = list(
        LogEntry.objects.filter(action="events.registration.sessions_changed")
        .order_by("pk")
        .values_list("object_id", flat=True)
    )
    seated = set(confirmed.values_list("registration_id", flat=True))
    assert [int(pk) for pk in order if int(pk) not in seated] == [c.registration_id for c in waiting]
    assert {int(pk) for pk in order[:4]} == seated
    times = [c.waitlisted_at for c in waiting]
    assert all(earlier < later for earlier, later in zip(times, times[1:], strict=False))
    # Everyone had an e-mail with their new calendar.
    assert OutgoingEmail.objects.filter(template="event_sessions_changed").count() == 30

    # Three of the seated go back at once: the first three in line take their seats, in order.
    leaving = [Registration.objects.get(pk=pk) for pk in list(seated)[:3]]
    run_together(
        lambda registration: change_sessions(registration=registration, session_ids=[big.pk], by_link=True), leaving
    )
    assert small.choices.filter(status=Choice.CONFIRMED).count() == 4
    promoted = set(small.choices.filter(status=Choice.CONFIRMED).values_list("registration_id", flat=True)) - seated
    assert promoted == {c.registration_id for c in waiting[:3]}
    assert list(
        small.choices.filter(status=Choice.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("registration_id", flat=True)
    ) == [c.registration_id for c in waiting[3:]]
    assert set(OutgoingEmail.objects.filter(template="event_session_promoted").values_list("to", flat=True)) == {
        c.registration.email for c in waiting[:3]
    }


def test_switching_both_ways_at_once_never_overfills_either_workshop():
    first, second = one_slot(6, 6)
    event = first.event
    into_second = seated_in(first, 6)
    into_first = seated_in(second, 6)
    waiting_for_first = []
    for registration in RegistrationFactory.create_batch(5, event=event):
        SessionChoice.objects.create(
            registration=registration, session=first, status=Choice.WAITLISTED, waitlisted_at=timezone.now()
        )
        waiting_for_first.append(registration)

    moves = [(r, second) for r in into_second] + [(r, first) for r in into_first]
    run_together(lambda move: change_sessions(registration=move[0], session_ids=[move[1].pk], by_link=True), moves)

    for session in (first, second):
        assert session.choices.filter(status=Choice.CONFIRMED).count() <= 6
    # The five who waited for the first workshop before anyone switched are served before the switchers.
    seated_first = set(first.choices.filter(status=Choice.CONFIRMED).values_list("registration_id", flat=True))
    assert {r.pk for r in waiting_for_first} <= seated_first
    assert first.choices.filter(status=Choice.CONFIRMED).count() == 6
    assert second.choices.filter(status=Choice.CONFIRMED).count() == 6


def test_organizers_placing_people_while_attendees_switch_never_overfill_the_workshop():
    """Two organizers place people into a two-seat workshop while eight attendees switch into it: the seats go
    in the order the changes took the lock; an organizer's placement that finds it full is refused and leaves
    the person where they were (organizers never exceed the seats, nor put someone on a waiting list)."""
    from events.services import RegistrationError
    from tests.factories.members import CoordinatorFactory

    big, small = one_slot(40, 2)
    switching = seated_in(big, 8)
    placed = seated_in(big, 4)
    organizers = [CoordinatorFactory(), CoordinatorFactory()]

    def work(item):
        registration, organizer = item
        try:
            if organizer is None:
                return change_sessions(registration=registration, session_ids=[small.pk], by_link=True)
            return change_sessions(
                registration=registration, session_ids=[small.pk], actor=organizer, by_organizer=True
            )
        except RegistrationError as exc:
            return exc

    items = [(r, None) for r in switching] + [(r, organizers[n % 2]) for n, r in enumerate(placed)]
    results = run_together(work, items)

    assert small.choices.filter(status=Choice.CONFIRMED).count() == 2
    for (registration, organizer), result in zip(items, results, strict=True):
        statuses = dict(registration.session_choices.values_list("session", "status"))
        if organizer is None:
            assert result.changed and statuses[small.pk] in (Choice.CONFIRMED, Choice.WAITLISTED)
        elif isinstance(result, RegistrationError):
            assert statuses == {big.pk: Choice.CONFIRMED}
        else:
            assert statuses == {small.pk: Choice.CONFIRMED}
    # Whoever got a seat was among the first two changes taken under the lock.
    order = [
        int(pk)
        for pk in LogEntry.objects.filter(action="events.registration.sessions_changed")
        .order_by("pk")
        .values_list("object_id", flat=True)
    ]
    assert set(order[:2]) == set(
        small.choices.filter(status=Choice.CONFIRMED).values_list("registration_id", flat=True)
    )
    assert small.choices.filter(status=Choice.WAITLISTED).count() == len(order) - 2
    refused = sum(isinstance(result, RegistrationError) for result in results)
    assert len(order) + refused == 12
