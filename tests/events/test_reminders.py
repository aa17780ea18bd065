"""Reminders are rows with a due time; a periodic task sends the due ones, each once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from alliance.models import OutgoingEmail
from events.models import Event, Registration, Reminder
from events.services import (
    Attendee,
    cancel_event,
    cancel_registration,
    schedule_reminders,
    send_due_reminders,
)
from events.services import register as register_result
from events.tasks import send_due_reminders_task
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.members import CoordinatorFactory, VerifiedUserFactory

Status = Registration.Status


def register(**kwargs):
    return register_result(**kwargs).registration


def signed_in(event, user=None, **kwargs):
    user = user or VerifiedUserFactory(**kwargs)
    return register(
        event=event,
        attendee=Attendee(name=user.full_name, email=user.email, language=user.preferred_language),
        user=user,
    )


def reminders_of(registration):
    return sorted(Reminder.objects.filter(registration=registration).values_list("offset_minutes", "due_at"))


def reminder_emails():
    return sorted(OutgoingEmail.objects.filter(template="event_reminder").values_list("to", flat=True))


def minutes_before(event, minutes):
    return event.start - timedelta(minutes=minutes)


# Scheduling ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_confirmed_registration_gets_one_reminder_per_offset():
    event = EventFactory()
    custom = EventFactory(reminder_offsets=[1440, 60, 15])

    default = signed_in(event)
    chosen = signed_in(custom)

    assert reminders_of(default) == [(120, minutes_before(event, 120)), (2880, minutes_before(event, 2880))]
    assert reminders_of(chosen) == [
        (15, minutes_before(custom, 15)),
        (60, minutes_before(custom, 60)),
        (1440, minutes_before(custom, 1440)),
    ]
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_only_reminders_due_in_the_future_are_scheduled():
    soon = timezone.now().replace(microsecond=0) + timedelta(hours=3)
    in_three_hours = EventFactory(start=soon, end=soon + timedelta(hours=2))
    in_ninety_minutes = EventFactory(start=soon - timedelta(minutes=90), end=soon + timedelta(hours=1))
    no_reminders = EventFactory(reminder_offsets=[])

    three = signed_in(in_three_hours)
    ninety = signed_in(in_ninety_minutes)
    none = signed_in(no_reminders)

    assert reminders_of(three) == [(120, minutes_before(in_three_hours, 120))]
    assert reminders_of(ninety) == []
    assert reminders_of(none) == []
    assert {r.status for r in (three, ninety, none)} == {Status.CONFIRMED}


@pytest.mark.django_db
def test_pending_and_waitlisted_registrations_get_no_reminder():
    event = EventFactory(capacity=1)
    signed_in(event)
    waitlisted = signed_in(event)
    pending = register(event=event, attendee=Attendee(name="Ospite", email="ospite@example.org"))

    assert (waitlisted.status, pending.status) == (Status.WAITLISTED, Status.PENDING)
    assert reminders_of(waitlisted) == []
    assert reminders_of(pending) == []


@pytest.mark.django_db
def test_scheduling_twice_keeps_one_row_per_offset():
    registration = signed_in(EventFactory())

    schedule_reminders(registration)
    schedule_reminders(registration)

    assert Reminder.objects.filter(registration=registration).count() == 2


# Sending ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_reminders_are_sent_once_in_the_attendees_language():
    event = EventFactory()
    italian = signed_in(event)
    english = signed_in(event, preferred_language="en")
    OutgoingEmail.objects.all().delete()
    two_days_before = minutes_before(event, 2880) + timedelta(minutes=1)

    assert send_due_reminders(now=minutes_before(event, 2881)) == 0
    assert send_due_reminders(now=two_days_before) == 2
    assert send_due_reminders(now=two_days_before) == 0
    assert send_due_reminders(now=two_days_before + timedelta(minutes=5)) == 0

    assert reminder_emails() == sorted([italian.email, english.email])
    assert dict(OutgoingEmail.objects.values_list("to", "language")) == {italian.email: "it", english.email: "en"}
    assert sorted(Reminder.objects.values_list("registration__email", "offset_minutes", "sent_at")) == sorted(
        [
            (italian.email, 2880, two_days_before),
            (english.email, 2880, two_days_before),
            (italian.email, 120, None),
            (english.email, 120, None),
        ]
    )

    two_hours_before = minutes_before(event, 119)
    assert send_due_reminders(now=two_hours_before) == 2
    assert send_due_reminders(now=two_hours_before) == 0
    assert reminder_emails() == sorted([italian.email, english.email] * 2)
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 0

    # Once the event has started, nothing more goes out.
    assert send_due_reminders(now=event.start + timedelta(minutes=1)) == 0


@pytest.mark.django_db
def test_cancelled_registrations_and_cancelled_events_get_no_reminder():
    event = EventFactory()
    staying = signed_in(event)
    leaving = signed_in(event)
    cancel_registration(registration=leaving, actor=None)
    # A reminder row left behind for a cancelled registration is not sent either.
    stale = RegistrationFactory(event=event, status=Status.CANCELLED, cancelled_at=timezone.now())
    Reminder.objects.create(registration=stale, offset_minutes=2880, due_at=minutes_before(event, 2880))
    called_off = EventFactory()
    attendee_of_called_off = signed_in(called_off)
    cancel_event(event=called_off, actor=CoordinatorFactory())
    # An event marked cancelled without the service: its rows exist, but are not sent.
    marked = EventFactory()
    attendee_of_marked = signed_in(marked)
    Event.objects.filter(pk=marked.pk).update(status=Event.Status.CANCELLED)
    OutgoingEmail.objects.all().delete()

    assert reminders_of(leaving) == []
    assert reminders_of(attendee_of_called_off) == []
    assert len(reminders_of(attendee_of_marked)) == 2

    sent = send_due_reminders(now=max(event.start, called_off.start, marked.start) - timedelta(minutes=1))

    # Both of its reminders were due at once: only the nearest one ("in two hours") leaves.
    assert sent == 1
    assert reminder_emails() == [staying.email]
    assert Reminder.objects.filter(registration=staying, sent_at__isnull=False).count() == 2
    assert Reminder.objects.get(registration=stale).sent_at is None
    assert Reminder.objects.filter(registration=attendee_of_marked, sent_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_the_celery_task_sends_the_due_reminders_and_returns_the_count():
    registration = RegistrationFactory(event=EventFactory())
    due = Reminder.objects.create(
        registration=registration, offset_minutes=2880, due_at=timezone.now() - timedelta(minutes=1)
    )
    Reminder.objects.create(registration=registration, offset_minutes=120, due_at=timezone.now() + timedelta(days=1))

    assert send_due_reminders_task.apply().get() == 1
    assert send_due_reminders_task.apply().get() == 0

    due.refresh_from_db()
    assert due.sent_at is not None
    assert reminder_emails() == [registration.email]


def test_the_beat_schedule_runs_the_task_every_minute():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == send_due_reminders_task.name]

    assert send_due_reminders_task.name == "events.send_due_reminders"
    assert len(entries) == 1
    assert entries[0]["schedule"] == 60.0


# Two runs at the same moment -----------------------------------------------------------


def _two_runs_at_once(now, batch):
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait(timeout=30)
            total = 0
            while sent := send_due_reminders(now=now, batch=batch):
                total += sent
            return total
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(run) for _ in range(2)]
        return [future.result() for future in futures]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch", [500, 5])
def test_two_runs_at_the_same_moment_send_each_reminder_once(batch):
    event = EventFactory()
    registrations = [RegistrationFactory(event=event) for _ in range(40)]
    for registration in registrations:
        schedule_reminders(registration)
    now = minutes_before(event, 2880) + timedelta(minutes=1)

    counts = _two_runs_at_once(now, batch)

    assert sum(counts) == 40
    assert reminder_emails() == sorted(r.email for r in registrations)
    assert Reminder.objects.filter(offset_minutes=2880, sent_at=now).count() == 40
    assert Reminder.objects.filter(offset_minutes=120, sent_at__isnull=True).count() == 40
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {OutgoingEmail.Status.SENT}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "when"), [("en", "starts in 2 hours,"), ("it", "inizia tra 2 ore e che il tuo posto")]
)
def test_when_the_task_was_away_only_the_nearest_reminder_is_sent(language, when):
    event = EventFactory()
    attendee = signed_in(event, preferred_language=language)
    OutgoingEmail.objects.all().delete()

    sent = send_due_reminders(now=event.start - timedelta(minutes=60))

    assert sent == 1
    [email] = OutgoingEmail.objects.filter(template="event_reminder")
    assert (email.to, email.language) == (attendee.email, language)
    # "in two hours", not "in two days", in the attendee's language.
    assert when in " ".join(email.body_text.split())
    assert send_due_reminders(now=event.start - timedelta(minutes=30)) == 0


@pytest.mark.django_db
def test_the_scan_reads_the_unsent_rows_by_due_time_through_the_partial_index():
    """Sent rows of past meetings (six per series and offset) never slow the periodic scan."""
    event = EventFactory(reminder_offsets=[2880, 120])
    for registration in RegistrationFactory.create_batch(3, event=event):
        schedule_reminders(registration)
    now = timezone.now()
    query = (
        Reminder.objects.filter(sent_at__isnull=True, due_at__lte=now)
        .filter(registration__status=Status.CONFIRMED, registration__event__status=Event.Status.PUBLISHED)
        .order_by("due_at")[:500]
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "reminder_unsent_due" in plan, plan
