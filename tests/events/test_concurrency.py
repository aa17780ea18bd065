"""Seats under many simultaneous requests: real threads, each with its own PostgreSQL connection.

A pool of 16 threads starts together behind a barrier; every thread works
through its share of the requests, so each request races with the others.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from alliance.models import OutgoingEmail
from events import services
from events.models import Registration, SessionChoice
from events.services import Attendee, cancel_registration, confirm_email
from tests.factories.events import EventFactory, SessionFactory
from tests.factories.members import VerifiedUserFactory

pytestmark = pytest.mark.django_db(transaction=True)

Status = Registration.Status
Choice = SessionChoice.Status
WORKERS = 16


def run_together(work, items, workers=WORKERS):
    """Call `work(item)` for every item from `workers` threads released at the same moment; results in item order."""
    shares = [list(enumerate(items))[i::workers] for i in range(workers)]
    shares = [share for share in shares if share]
    barrier = threading.Barrier(len(shares))

    def worker(share):
        try:
            barrier.wait(timeout=30)
            return [(index, work(item)) for index, item in share]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        futures = [pool.submit(worker, share) for share in shares]
        done = dict(pair for future in futures for pair in future.result())
    return [done[i] for i in range(len(items))]


def register(**kwargs):
    return services.register(**kwargs).registration


def as_attendee(user, **kwargs):
    return Attendee(name=user.full_name, email=user.email, language=user.preferred_language, **kwargs)


def emails():
    return sorted(OutgoingEmail.objects.values_list("template", "to"))


def by_status(event, status):
    return set(event.registrations.filter(status=status).values_list("email", flat=True))


def assert_consistent_waiting_list(event, *, after_confirmations=True, in_row_order=True):
    """Waiting places strictly ordered in time; by default also all after the last confirmation, in row order."""
    waiting = list(event.registrations.filter(status=Status.WAITLISTED).order_by("waitlisted_at", "pk"))
    times = [r.waitlisted_at for r in waiting]
    assert all(earlier < later for earlier, later in zip(times, times[1:], strict=False))
    if in_row_order:
        assert [r.pk for r in waiting] == sorted(r.pk for r in waiting)
    if after_confirmations:
        confirmed_at = event.registrations.filter(status=Status.CONFIRMED).values_list("confirmed_at", flat=True)
        assert max(confirmed_at) < times[0]


def test_sixty_people_at_once_for_twenty_seats(mailoutbox):
    event = EventFactory(capacity=20)
    users = [VerifiedUserFactory() for _ in range(60)]
    now = timezone.now()

    results = run_together(lambda user: register(event=event, attendee=as_attendee(user), user=user), users)

    assert [r.email for r in results] == [u.email for u in users]
    confirmed, waitlisted = by_status(event, Status.CONFIRMED), by_status(event, Status.WAITLISTED)
    assert (len(confirmed), len(waitlisted)) == (20, 40)
    assert confirmed | waitlisted == {u.email for u in users}
    assert Registration.objects.count() == 60
    # Rows are numbered when written, before the event's lock is taken for the seat (events.services
    # registers so that a burst waits on each other only for the seat): places follow the lock, not the row.
    assert_consistent_waiting_list(event, in_row_order=False)
    assert emails() == sorted(
        [("event_confirmation", e) for e in confirmed] + [("event_waitlisted", e) for e in waitlisted]
    )
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {OutgoingEmail.Status.SENT}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in users)
    assert sorted(event.registrations.order_by().values_list("status", "reminders__due_at").distinct()) == sorted(
        [
            (Status.CONFIRMED, event.start - timedelta(minutes=2880)),
            (Status.CONFIRMED, event.start - timedelta(minutes=120)),
            (Status.WAITLISTED, None),
        ]
    )
    assert event.registrations.filter(status=Status.CONFIRMED, reminders__due_at__gt=now).count() == 40


def test_guests_registering_then_confirming_at_once():
    event = EventFactory(capacity=10)
    addresses = [f"ospite{n}@example.org" for n in range(30)]

    pending = run_together(
        lambda email: register(event=event, attendee=Attendee(name="Ospite", email=email)), addresses
    )

    assert by_status(event, Status.PENDING) == set(addresses)
    assert emails() == sorted(("event_email_check", e) for e in addresses)

    run_together(lambda registration: confirm_email(token=registration.token), pending)

    confirmed, waitlisted = by_status(event, Status.CONFIRMED), by_status(event, Status.WAITLISTED)
    assert (len(confirmed), len(waitlisted)) == (10, 20)
    assert_consistent_waiting_list(event, in_row_order=False)
    # Seats went to the first ten who confirmed, the waiting list follows the order of confirming.
    in_confirming_order = list(event.registrations.order_by("email_confirmed_at").values_list("status", flat=True))
    assert in_confirming_order == [Status.CONFIRMED] * 10 + [Status.WAITLISTED] * 20
    assert list(
        event.registrations.filter(status=Status.WAITLISTED).order_by("email_confirmed_at").values_list("pk", flat=True)
    ) == list(
        event.registrations.filter(status=Status.WAITLISTED).order_by("waitlisted_at").values_list("pk", flat=True)
    )
    assert emails() == sorted(
        [("event_email_check", e) for e in addresses]
        + [("event_confirmation", e) for e in confirmed]
        + [("event_waitlisted", e) for e in waitlisted]
    )


def test_sessions_with_their_own_seats_never_overfill():
    event = EventFactory(capacity=12)
    first = SessionFactory(event=event, kind="workshop", capacity=5, start_time=time(14), end_time=time(16))
    second = SessionFactory(event=event, kind="workshop", capacity=3, start_time=time(16), end_time=time(18))
    users = [VerifiedUserFactory() for _ in range(15)]

    run_together(
        lambda user: register(event=event, attendee=as_attendee(user, session_ids=[first.pk, second.pk]), user=user),
        users,
    )

    confirmed, waitlisted = by_status(event, Status.CONFIRMED), by_status(event, Status.WAITLISTED)
    assert (len(confirmed), len(waitlisted)) == (12, 3)
    for session, seats in ((first, 5), (second, 3)):
        choices = {
            status: set(session.choices.filter(status=status).values_list("registration__email", flat=True))
            for status in Choice.values
        }
        assert len(choices[Choice.CONFIRMED]) == seats
        assert choices[Choice.CONFIRMED] | choices[Choice.WAITLISTED] == confirmed
        assert choices[Choice.REQUESTED] == waitlisted
        waiting_times = list(
            session.choices.filter(status=Choice.WAITLISTED)
            .order_by("waitlisted_at")
            .values_list("waitlisted_at", flat=True)
        )
        assert len(set(waiting_times)) == len(waiting_times) == 12 - seats
    assert emails() == sorted(
        [("event_confirmation", e) for e in confirmed] + [("event_waitlisted", e) for e in waitlisted]
    )


def test_fifteen_people_choosing_a_five_seat_workshop():
    event = EventFactory(capacity=None)
    workshop = SessionFactory(event=event, kind="workshop", capacity=5, start_time=time(14), end_time=time(16))
    users = [VerifiedUserFactory() for _ in range(15)]

    run_together(
        lambda user: register(event=event, attendee=as_attendee(user, session_ids=[workshop.pk]), user=user), users
    )

    assert by_status(event, Status.CONFIRMED) == {u.email for u in users}
    assert workshop.choices.filter(status=Choice.CONFIRMED).count() == 5
    assert workshop.choices.filter(status=Choice.WAITLISTED).count() == 10
    assert emails() == sorted(("event_confirmation", u.email) for u in users)


def test_cancellations_and_registrations_at_once_never_exceed_the_seats():
    event = EventFactory(capacity=10)
    seated = [
        register(event=event, attendee=as_attendee(u), user=u) for u in [VerifiedUserFactory() for _ in range(10)]
    ]
    waiting = [
        register(event=event, attendee=as_attendee(u), user=u) for u in [VerifiedUserFactory() for _ in range(10)]
    ]
    newcomers = [VerifiedUserFactory() for _ in range(14)]
    leaving = seated[:6]
    OutgoingEmail.objects.all().delete()

    def work(item):
        action, subject = item
        if action == "cancel":
            return cancel_registration(registration=subject, actor=subject.user)
        return register(event=event, attendee=as_attendee(subject), user=subject)

    items = [("cancel", r) for r in leaving] + [("register", u) for u in newcomers]
    run_together(work, items)

    promoted = waiting[:6]
    assert by_status(event, Status.CONFIRMED) == {r.email for r in seated[6:] + promoted}
    assert by_status(event, Status.CANCELLED) == {r.email for r in leaving}
    assert by_status(event, Status.WAITLISTED) == {r.email for r in waiting[6:]} | {u.email for u in newcomers}
    assert_consistent_waiting_list(event, after_confirmations=False, in_row_order=False)
    assert emails() == sorted(
        [("event_registration_cancelled", r.email) for r in leaving]
        + [("event_promoted", r.email) for r in promoted]
        + [("event_waitlisted", u.email) for u in newcomers]
    )


def test_freed_workshop_seats_under_concurrent_cancellations():
    event = EventFactory(capacity=None)
    workshop = SessionFactory(event=event, kind="workshop", capacity=4, start_time=time(14), end_time=time(16))
    users = [VerifiedUserFactory() for _ in range(12)]
    registrations = [register(event=event, attendee=as_attendee(u, session_ids=[workshop.pk]), user=u) for u in users]
    seated, waiting = registrations[:4], registrations[4:]
    newcomers = [VerifiedUserFactory() for _ in range(6)]
    OutgoingEmail.objects.all().delete()

    def work(item):
        action, subject = item
        if action == "cancel":
            return cancel_registration(registration=subject, actor=None)
        return register(event=event, attendee=as_attendee(subject, session_ids=[workshop.pk]), user=subject)

    run_together(work, [("cancel", r) for r in seated[:3]] + [("register", u) for u in newcomers])

    confirmed_choices = set(
        workshop.choices.filter(status=Choice.CONFIRMED).values_list("registration__email", flat=True)
    )
    assert confirmed_choices == {seated[3].email} | {r.email for r in waiting[:3]}
    assert workshop.choices.filter(status=Choice.WAITLISTED).count() == 5 + 6
    assert emails() == sorted(
        [("event_registration_cancelled", r.email) for r in seated[:3]]
        + [("event_session_promoted", r.email) for r in waiting[:3]]
        + [("event_confirmation", u.email) for u in newcomers]
    )


def test_the_same_address_registered_twice_at_the_same_moment():
    event = EventFactory(capacity=5)
    users = [VerifiedUserFactory() for _ in range(8)]
    guests = [f"ospite{n}@example.org" for n in range(8)]
    items = [("user", u) for u in users] + [("guest", g) for g in guests]

    def work(item):
        kind, subject = item
        if kind == "user":
            return register(event=event, attendee=as_attendee(subject), user=subject)
        return register(event=event, attendee=Attendee(name="Ospite", email=subject.upper()))

    # Each address twice in a row: the two land in different threads and run at the same moment.
    results = run_together(work, [item for item in items for _ in range(2)])

    assert [r.pk for r in results[0::2]] == [r.pk for r in results[1::2]]
    assert [r.email for r in results[0::2]] == [u.email for u in users] + guests
    assert Registration.objects.count() == 16
    confirmed, waitlisted = by_status(event, Status.CONFIRMED), by_status(event, Status.WAITLISTED)
    assert (len(confirmed), len(waitlisted)) == (5, 3)
    assert by_status(event, Status.PENDING) == set(guests)
    assert emails() == sorted(
        [("event_confirmation", e) for e in confirmed]
        + [("event_waitlisted", e) for e in waitlisted]
        + [("event_email_check", g) for g in guests]
    )

    # And the same confirmation link followed twice at the same moment.
    pending = list(event.registrations.filter(status=Status.PENDING))
    OutgoingEmail.objects.all().delete()
    run_together(lambda registration: confirm_email(token=registration.token), pending + pending)

    assert by_status(event, Status.WAITLISTED) == waitlisted | set(guests)
    assert emails() == sorted(("event_waitlisted", g) for g in guests)


def _in_another_connection(work):
    """Run `work` to its commit in a thread of its own (its own connection), and wait for it."""
    errors = []

    def run():
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - handed to the test below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("change", ["cancel", "delete", "question"])
def test_what_the_organizers_change_before_the_seat_is_taken_refuses_the_registration(monkeypatch, change):
    """A first registration is written before the event's lock; what the organizers changed in between
    (a meeting cancelled or removed, a new required question) is checked again under it, and the whole
    registration is undone with a message — no seat in a cancelled meeting, no error at the commit."""
    from events.models import RegistrationQuestion, Session
    from events.services import RegistrationError
    from events.services import registrations as service
    from events.services.event_life import cancel_meeting
    from tests.events.test_choices_change import join, per_meeting_cycle
    from tests.factories.members import CoordinatorFactory

    event = per_meeting_cycle()
    meetings = list(event.sessions.order_by("day"))
    organizer = CoordinatorFactory()
    changes = {
        "cancel": lambda: cancel_meeting(event=event, session=meetings[2], actor=organizer),
        "delete": lambda: Session.objects.filter(pk=meetings[2].pk).delete(),
        "question": lambda: RegistrationQuestion.objects.create(
            event=event, position=1, kind="text", label="Perché?", required=True
        ),
    }
    lock, done = service._lock, []

    def lock_after_the_change(locked_event):
        if not done:
            done.append(change)
            _in_another_connection(changes[change])
        return lock(locked_event)

    monkeypatch.setattr(service, "_lock", lock_after_the_change)
    with pytest.raises(RegistrationError):
        join(event, [meetings[0], meetings[2]])
    assert done == [change]
    assert not Registration.objects.filter(event=event).exists()
    assert not OutgoingEmail.objects.filter(template__startswith="event_confirmation").exists()
