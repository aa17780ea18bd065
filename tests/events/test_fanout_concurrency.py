"""E-mails to everyone registered leave after the event's row lock is released.

A 300-person event is changed (or cancelled) while other people register. The
test holds the rendering of the first fan-out e-mail until the registrations
that arrive meanwhile, in real threads with their own PostgreSQL connections,
have finished. Were the lock still held while the e-mails are rendered, those
registrations could not finish before the last e-mail is rendered: the test
asserts on that ordering (and on the rows' timestamps), not on durations.
"""

from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from alliance.models import LogEntry, OutgoingEmail
from events import services
from events.models import Event, Registration
from events.services import Attendee, EventData, RegistrationError
from events.services import base as outbox_module  # where the outbox renders each e-mail
from tests.factories.events import EventFactory
from tests.factories.members import CoordinatorFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db(transaction=True)

Status = Registration.Status
PEOPLE = 300
NEWCOMERS = 8
# Only a bound so that a broken rule fails instead of hanging: the assertion is on what finished
# while the e-mails were being rendered, not on how long anything took.
PATIENCE_SECONDS = 60


def crowd(event, count=PEOPLE):
    now = timezone.now()
    Registration.objects.bulk_create(
        Registration(
            event=event,
            name=f"Persona {n}",
            email=f"folla{n}@example.org",
            privacy_accepted_at=now,
            status=Status.CONFIRMED,
            email_confirmed_at=now,
            confirmed_at=now,
            language="it",
        )
        for n in range(count)
    )


def arriving_while_the_emails_are_rendered(monkeypatch, template, work, items):
    """Run `work(item)` in threads as soon as the first `template` e-mail starts rendering; wait for them there.

    Returns (results or exceptions in item order, how many had finished before rendering went on).
    """
    real = outbox_module._render_and_queue
    outcome = {}
    pool = ThreadPoolExecutor(max_workers=len(items))

    def run(item):
        try:
            return work(item)
        except RegistrationError as exc:
            return exc
        finally:
            connection.close()

    def rendering(mail):
        if mail.template == template and not outcome:
            futures = [pool.submit(run, item) for item in items]
            done, _pending = wait(futures, timeout=PATIENCE_SECONDS)
            outcome["finished"] = len(done)
            outcome["futures"] = futures
        real(mail)

    monkeypatch.setattr(outbox_module, "_render_and_queue", rendering)
    return outcome, pool


def as_attendee(user):
    return Attendee(name=user.full_name, email=user.email, language=user.preferred_language)


def test_registrations_go_through_while_a_300_person_time_change_is_being_emailed(monkeypatch):
    event = EventFactory(capacity=None, reminder_offsets=[])
    crowd(event)
    coordinator = CoordinatorFactory()
    newcomers = [VerifiedUserFactory() for _ in range(NEWCOMERS)]
    outcome, pool = arriving_while_the_emails_are_rendered(
        monkeypatch,
        "event_changed",
        lambda user: services.register(event=event, attendee=as_attendee(user), user=user).registration,
        newcomers,
    )
    later = event.start + timedelta(hours=2)

    with pool:
        result = services.save_event(
            event=event, actor=coordinator, data=EventData(start=later, end=event.end + timedelta(hours=2))
        )
        registered = [future.result() for future in outcome["futures"]]

    # Every newcomer was registered while the first change e-mail was still waiting to be rendered.
    assert outcome["finished"] == NEWCOMERS
    assert result.changed is True
    assert sorted(r.email for r in registered) == sorted(u.email for u in newcomers)
    assert {r.status for r in registered} == {Status.CONFIRMED}
    changed_at = LogEntry.objects.get(action="events.event.changed").created_at
    changed_emails = OutgoingEmail.objects.filter(template="event_changed")
    last_rendered = max(changed_emails.values_list("created_at", flat=True))
    first_rendered = min(changed_emails.values_list("created_at", flat=True))
    for registration in Registration.objects.filter(email__in=[u.email for u in newcomers]):
        assert changed_at < registration.created_at < last_rendered
        assert registration.created_at < first_rendered  # all of them before even the first was stored
    # The change went to the 300 registered when it was made, each exactly once; the newcomers got their confirmation.
    assert sorted(changed_emails.values_list("to", flat=True)) == sorted(f"folla{n}@example.org" for n in range(PEOPLE))
    assert sorted(OutgoingEmail.objects.filter(template="event_confirmation").values_list("to", flat=True)) == sorted(
        u.email for u in newcomers
    )
    assert Event.objects.get(pk=event.pk).start == later


def test_a_300_person_cancellation_is_emailed_without_holding_the_event(monkeypatch):
    event = EventFactory(capacity=PEOPLE, reminder_offsets=[])
    crowd(event)
    coordinator = CoordinatorFactory()
    newcomers = [VerifiedUserFactory() for _ in range(NEWCOMERS)]
    leaving = Registration.objects.get(email="folla0@example.org")

    def work(item):
        if item == "leave":
            return services.cancel_registration(registration=leaving, actor=None)
        return services.register(event=event, attendee=as_attendee(item), user=item)

    outcome, pool = arriving_while_the_emails_are_rendered(monkeypatch, "event_cancelled", work, ["leave", *newcomers])

    with pool:
        services.cancel_event(event=event, actor=coordinator, message="Allerta meteo.")
        results = [future.result() for future in outcome["futures"]]

    assert outcome["finished"] == NEWCOMERS + 1
    # The registrations found the event already cancelled (the lock was free, the status committed).
    with translation.override("it"):  # the threads speak the portal's default language
        refused = services.closed_reason("cancelled")
    assert [r.messages for r in results[1:]] == [[refused]] * NEWCOMERS
    assert results[0].status == Status.CANCELLED
    cancelled_at = LogEntry.objects.get(action="events.event.status.cancelled").created_at
    cancel_emails = OutgoingEmail.objects.filter(template="event_cancelled")
    left_at = Registration.objects.get(pk=leaving.pk).cancelled_at
    assert cancelled_at < left_at < min(cancel_emails.values_list("created_at", flat=True))
    assert cancel_emails.count() == PEOPLE
    assert list(OutgoingEmail.objects.filter(template="event_registration_cancelled").values_list("to", flat=True)) == [
        leaving.email
    ]


def test_the_outbox_renders_nothing_when_the_service_refuses():
    event = EventFactory(capacity=2)
    crowd(event, count=2)

    with pytest.raises(services.DisplacementError):
        services.save_event(
            event=event, actor=CoordinatorFactory(), data=EventData(capacity=1, start=event.start + timedelta(hours=1))
        )

    assert OutgoingEmail.objects.count() == 0
    assert Event.objects.get(pk=event.pk).start == event.start
