"""The rules of registrations and of an event's life, against the real PostgreSQL.

Every service writes rows and queues e-mails in the outbox: the tests assert
the exact rows, states and (template, recipient) pairs that came out.
"""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.translation import gettext

from alliance.models import OutgoingEmail, Theme
from alliance.workflow import history
from events import selectors, services
from events.models import Event, Registration, Reminder, Session, SessionChoice, Speaker
from events.services import (
    Attendee,
    EventData,
    Programme,
    RegistrationError,
    SessionData,
    cancel_event,
    cancel_registration,
    check_in,
    closed_reason,
    confirm_email,
    decide_registration,
    duplicate_event,
    message_attendees,
    move_registration,
    publish_event,
    save_event,
)
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory, SpeakerFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    UserFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
Choice = SessionChoice.Status


# Helpers -------------------------------------------------------------------------


def register(**kwargs):
    """The registration `services.register` returned (its other answers are tested in test_workflow.py)."""
    return services.register(**kwargs).registration


def guest(event, email, **kwargs):
    name = kwargs.pop("name", email.split("@")[0].title())
    return register(event=event, attendee=Attendee(name=name, email=email, **kwargs))


def signed_in(event, user=None, **kwargs):
    user = user or VerifiedUserFactory()
    attendee = Attendee(name=user.full_name, email=user.email, language=user.preferred_language, **kwargs)
    return register(event=event, attendee=attendee, user=user)


def emails():
    """Every queued e-mail as (template, recipient), sorted."""
    return sorted(OutgoingEmail.objects.values_list("template", "to"))


def forget_emails():
    OutgoingEmail.objects.all().delete()


def statuses(event):
    return dict(event.registrations.values_list("email", "status"))


def choice_statuses(session):
    return dict(session.choices.values_list("registration__email", "status"))


def edit(event, actor, *, programme=None, confirm_moves=False, **changes):
    """Save `changes` to the event's own fields through the service, as the editor does."""
    return save_event(
        event=event, actor=actor, data=EventData(**changes), programme=programme, confirm_moves=confirm_moves
    )


def session_data(session, **changes) -> SessionData:
    """The session as the editor would send it back, with `changes`."""
    values = {
        name: getattr(session, name)
        for name in ("title", "kind", "day", "start_time", "end_time", "room", "capacity", "description")
    }
    values.update(changes)
    return SessionData(pk=session.pk, speaker_names=[s.name for s in session.speakers.all()], **values)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def ics_of(email):
    # Named in the recipient's language.
    name = {"it": "evento.ics", "en": "event.ics"}[email.language]
    assert [(a["filename"], a["mimetype"]) for a in email.attachments] == [(name, "text/calendar")]
    return email.attachments[0]["content"]


def workshop_day(event, *, capacity, start=time(14, 0), end=time(16, 0), title="Laboratorio"):
    return SessionFactory(event=event, kind="workshop", capacity=capacity, start_time=start, end_time=end, title=title)


# Registering ---------------------------------------------------------------------


def test_a_verified_account_is_confirmed_at_once_with_calendar_and_reminders():
    event = EventFactory(capacity=10)
    user = VerifiedUserFactory(preferred_language="en")

    registration = signed_in(event, user)

    registration = fresh(registration)
    assert registration.status == Status.CONFIRMED
    assert registration.user == user
    assert registration.email == user.email
    assert registration.language == "en"
    assert registration.email_confirmed_at is not None
    assert registration.confirmed_at is not None
    assert registration.waitlisted_at is None
    assert emails() == [("event_confirmation", user.email)]
    email = OutgoingEmail.objects.get()
    assert email.language == "en"
    content = ics_of(email)
    assert "BEGIN:VCALENDAR" in content
    assert f"event-{event.pk}@" in content
    assert sorted(registration.reminders.values_list("offset_minutes", "due_at")) == [
        (120, event.start - timedelta(minutes=120)),
        (2880, event.start - timedelta(minutes=2880)),
    ]


def test_a_guest_stays_pending_and_takes_no_seat_until_the_email_is_confirmed():
    event = EventFactory(capacity=1)

    pending = guest(event, "Ospite@Example.org")

    pending = fresh(pending)
    assert pending.status == Status.PENDING
    assert pending.email == "ospite@example.org"
    assert pending.user is None
    assert pending.email_confirmed_at is None
    assert list(pending.reminders.all()) == []
    assert emails() == [("event_email_check", "ospite@example.org")]

    # The pending guest holds no seat: the next confirmed person takes it.
    first = signed_in(event)
    assert fresh(first).status == Status.CONFIRMED

    confirmed = confirm_email(token=pending.token)

    assert confirmed.pk == pending.pk
    assert fresh(pending).status == Status.WAITLISTED
    assert fresh(pending).email_confirmed_at is not None
    assert fresh(pending).waitlisted_at is not None
    assert emails() == sorted(
        [
            ("event_email_check", "ospite@example.org"),
            ("event_confirmation", first.email),
            ("event_waitlisted", "ospite@example.org"),
        ]
    )


def test_a_guest_who_confirms_while_seats_are_free_is_confirmed():
    event = EventFactory(capacity=2)
    pending = guest(event, "ospite@example.org")
    forget_emails()

    confirm_email(token=pending.token)

    assert fresh(pending).status == Status.CONFIRMED
    assert emails() == [("event_confirmation", "ospite@example.org")]
    assert fresh(pending).reminders.count() == 2


def test_an_address_not_verified_on_the_account_is_treated_as_a_guest():
    event = EventFactory(capacity=10)
    unverified = UserFactory()  # an account whose address was never verified
    verified = VerifiedUserFactory()

    first = register(event=event, attendee=Attendee(name="Anna", email=unverified.email), user=unverified)
    other_address = register(event=event, attendee=Attendee(name="Bruno", email="altro@example.org"), user=verified)

    assert (fresh(first).status, fresh(first).user) == (Status.PENDING, unverified)
    assert (fresh(other_address).status, fresh(other_address).user) == (Status.PENDING, verified)
    assert emails() == sorted([("event_email_check", unverified.email), ("event_email_check", "altro@example.org")])


def test_registering_twice_returns_the_same_row_and_sends_no_second_email():
    event = EventFactory(capacity=10)
    user = VerifiedUserFactory()
    confirmed = signed_in(event, user)
    pending = guest(event, "ospite@example.org")

    again_confirmed = signed_in(event, user)
    again_pending = guest(event, "  OSPITE@example.org ", name="Altro nome")

    assert again_confirmed.pk == confirmed.pk
    assert again_pending.pk == pending.pk
    assert fresh(pending).name == "Ospite"
    assert Registration.objects.count() == 2
    assert emails() == sorted([("event_confirmation", user.email), ("event_email_check", "ospite@example.org")])
    assert Reminder.objects.count() == 2


def test_confirming_the_email_twice_is_harmless_and_a_wrong_token_is_refused():
    event = EventFactory(capacity=10)
    pending = guest(event, "ospite@example.org")
    confirm_email(token=pending.token)
    forget_emails()

    again = confirm_email(token=pending.token)

    assert (again.pk, again.status) == (pending.pk, Status.CONFIRMED)
    assert emails() == []
    with pytest.raises(RegistrationError) as refused:
        confirm_email(token="not-a-token")
    assert refused.value.messages == [gettext("This link is not valid.")]


def test_registering_again_after_cancelling_reuses_the_row():
    event = EventFactory(capacity=10)
    user = VerifiedUserFactory()
    first = signed_in(event, user)
    cancel_registration(registration=first, actor=user)
    forget_emails()

    again = signed_in(event, user)

    assert again.pk == first.pk
    again = fresh(again)
    assert (again.status, again.cancelled_at) == (Status.CONFIRMED, None)
    assert emails() == [("event_confirmation", user.email)]
    assert again.reminders.count() == 2


def test_members_only_events_refuse_guests_and_non_members_and_accept_members():
    event = EventFactory(capacity=10, registration_policy=Event.Policy.MEMBERS)
    member = AllyManagerFactory(ally=MemberOrganizationFactory()).user
    not_member = AllyManagerFactory().user  # manages an ally not approved yet
    message = "This event is for members of the alliance: sign in with the account of an approved ally."

    for user in (None, not_member, VerifiedUserFactory()):
        email = user.email if user else "ospite@example.org"
        with pytest.raises(RegistrationError) as refused:
            register(event=event, attendee=Attendee(name="Persona", email=email), user=user)
        assert refused.value.messages == [gettext(message)]
    assert Registration.objects.count() == 0
    assert emails() == []

    registration = signed_in(event, member)

    assert fresh(registration).status == Status.CONFIRMED
    assert emails() == [("event_confirmation", member.email)]


def _closed(state):
    now = timezone.now()
    if state == "none":
        return EventFactory(registration_policy=Event.Policy.NONE)
    if state == "draft":
        return EventFactory(draft=True)
    if state == "cancelled":
        return EventFactory(cancelled=True)
    if state == "not_yet":
        return EventFactory(registration_opens_at=now + timedelta(days=1))
    if state == "closed":
        return EventFactory(registration_closes_at=now - timedelta(minutes=1))
    return EventFactory(start=now - timedelta(days=2), end=now - timedelta(days=1))  # past


def test_the_closed_reasons_are_marked_for_translation():
    """makemessages extracts only strings inside a gettext call: each reason sits in gettext_noop()."""
    import ast
    import inspect

    from events.services import base as services  # where the reasons are written

    [node] = [
        node
        for node in ast.walk(ast.parse(inspect.getsource(services)))
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["CLOSED_REASONS"]
    ]
    marked = {
        key.value: value.args[0].value
        for key, value in zip(node.value.keys, node.value.values, strict=True)
        if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "gettext_noop"
    }
    assert marked == services.CLOSED_REASONS
    assert set(marked) == {"none", "draft", "cancelled", "not_yet", "closed", "past"}


@pytest.mark.parametrize("state", ["none", "draft", "cancelled", "not_yet", "closed", "past"])
def test_closed_windows_refuse_with_the_reason(state):
    event = _closed(state)
    assert event.registration_state() == state

    for user in (None, VerifiedUserFactory()):
        email = user.email if user else "ospite@example.org"
        with pytest.raises(RegistrationError) as refused:
            register(event=event, attendee=Attendee(name="Persona", email=email), user=user)
        assert refused.value.messages == [closed_reason(state)]
    assert Registration.objects.count() == 0
    assert emails() == []


def test_a_guest_cannot_confirm_once_registration_has_closed():
    event = EventFactory(capacity=10)
    pending = guest(event, "ospite@example.org")
    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - timedelta(minutes=1))
    forget_emails()

    with pytest.raises(RegistrationError) as refused:
        confirm_email(token=pending.token)

    assert refused.value.messages == [closed_reason("closed")]
    assert (fresh(pending).status, fresh(pending).email_confirmed_at) == (Status.PENDING, None)
    assert emails() == []


# Applications ---------------------------------------------------------------------


def test_applications_wait_for_a_decision_after_the_email_is_confirmed():
    event = EventFactory(capacity=1, registration_policy=Event.Policy.APPLICATION)
    coordinator = CoordinatorFactory()
    applicant = signed_in(event)
    pending_guest = guest(event, "ospite@example.org")
    confirm_email(token=pending_guest.token)

    assert statuses(event) == {applicant.email: Status.PENDING, "ospite@example.org": Status.PENDING}
    assert fresh(applicant).email_confirmed_at is not None
    assert emails() == sorted(
        [
            ("event_application_received", applicant.email),
            ("event_email_check", "ospite@example.org"),
            ("event_application_received", "ospite@example.org"),
        ]
    )
    forget_emails()

    decide_registration(registration=applicant, actor=coordinator, approve=True)
    decide_registration(registration=pending_guest, actor=coordinator, approve=True, reason="Benvenuta")

    assert statuses(event) == {applicant.email: Status.CONFIRMED, "ospite@example.org": Status.WAITLISTED}
    assert fresh(pending_guest).decision_reason == "Benvenuta"
    assert emails() == sorted([("event_confirmation", applicant.email), ("event_waitlisted", "ospite@example.org")])


def test_declining_an_application_needs_a_reason_and_tells_the_applicant():
    event = EventFactory(capacity=10, registration_policy=Event.Policy.APPLICATION)
    coordinator = CoordinatorFactory()
    applicant = signed_in(event)
    forget_emails()

    with pytest.raises(RegistrationError):
        decide_registration(registration=applicant, actor=coordinator, approve=False, reason="   ")
    assert (fresh(applicant).status, fresh(applicant).decision_reason) == (Status.PENDING, "")
    assert emails() == []

    decide_registration(registration=applicant, actor=coordinator, approve=False, reason="Posti riservati ai soci.")

    assert (fresh(applicant).status, fresh(applicant).decision_reason) == (Status.DECLINED, "Posti riservati ai soci.")
    assert emails() == [("event_application_declined", applicant.email)]
    assert fresh(applicant).reminders.count() == 0


def test_only_applications_with_a_confirmed_email_and_pending_can_be_decided():
    event = EventFactory(capacity=10, registration_policy=Event.Policy.APPLICATION)
    coordinator = CoordinatorFactory()
    unconfirmed = guest(event, "ospite@example.org")
    decided = signed_in(event)
    decide_registration(registration=decided, actor=coordinator, approve=True)
    forget_emails()

    for registration in (unconfirmed, decided):
        with pytest.raises(RegistrationError):
            decide_registration(registration=registration, actor=coordinator, approve=True)
    assert statuses(event) == {"ospite@example.org": Status.PENDING, decided.email: Status.CONFIRMED}
    assert emails() == []


# Sessions with their own seats ------------------------------------------------------


def test_session_choices_get_a_seat_or_the_sessions_waiting_list():
    event = EventFactory(capacity=None)
    workshop = workshop_day(event, capacity=1)
    first, second = VerifiedUserFactory(), VerifiedUserFactory()

    signed_in(event, first, session_ids=[workshop.pk])
    signed_in(event, second, session_ids=[str(workshop.pk)])

    assert statuses(event) == {first.email: Status.CONFIRMED, second.email: Status.CONFIRMED}
    assert choice_statuses(workshop) == {first.email: Choice.CONFIRMED, second.email: Choice.WAITLISTED}
    # The calendar of the second one carries the event, not the session it has no seat in.
    second_email = OutgoingEmail.objects.get(to=second.email)
    assert f"session-{workshop.pk}@" not in ics_of(second_email)
    assert f"session-{workshop.pk}@" in ics_of(OutgoingEmail.objects.get(to=first.email))


def test_a_pending_guest_holds_no_session_seat():
    event = EventFactory(capacity=None)
    workshop = workshop_day(event, capacity=1)
    pending = guest(event, "ospite@example.org", session_ids=[workshop.pk])
    assert choice_statuses(workshop) == {"ospite@example.org": Choice.REQUESTED}

    user = VerifiedUserFactory()
    signed_in(event, user, session_ids=[workshop.pk])
    confirm_email(token=pending.token)

    assert choice_statuses(workshop) == {user.email: Choice.CONFIRMED, "ospite@example.org": Choice.WAITLISTED}


def test_sessions_at_the_same_time_or_of_another_event_are_refused():
    event = EventFactory(capacity=None)
    one = workshop_day(event, capacity=10, title="Abitare", start=time(14, 0), end=time(16, 0))
    overlapping = workshop_day(event, capacity=10, title="Lavoro", start=time(15, 0), end=time(17, 0))
    elsewhere = workshop_day(EventFactory(), capacity=10)
    plenary = SessionFactory(event=event)  # no seats of its own: not choosable

    for session_ids in ([one.pk, overlapping.pk], [elsewhere.pk], [plenary.pk]):
        with pytest.raises(RegistrationError):
            guest(event, "ospite@example.org", session_ids=session_ids)
    assert Registration.objects.count() == 0
    assert emails() == []


# Cancelling and the waiting list ---------------------------------------------------


def _full_event_with_waitlist(capacity=1, waiting=3):
    event = EventFactory(capacity=capacity)
    confirmed = [signed_in(event) for _ in range(capacity)]
    waitlisted = [signed_in(event) for _ in range(waiting)]
    # Make the waiting list order differ from the creation order: the last one waits longest.
    base = timezone.now() - timedelta(hours=1)
    for minutes, registration in enumerate(reversed(waitlisted)):
        Registration.objects.filter(pk=registration.pk).update(waitlisted_at=base + timedelta(minutes=minutes))
    forget_emails()
    return event, confirmed, list(reversed(waitlisted))  # in waiting-list order


@pytest.mark.parametrize("by", ["attendee", "coordinator", "link"])
def test_a_cancellation_promotes_the_first_on_the_waiting_list(by):
    event, (seated,), waiting = _full_event_with_waitlist(capacity=1, waiting=3)
    actor = {"attendee": seated.user, "coordinator": CoordinatorFactory(), "link": None}[by]

    cancelled = cancel_registration(registration=seated, actor=actor)

    assert cancelled.status == Status.CANCELLED
    assert fresh(seated).cancelled_at is not None
    assert statuses(event) == {
        seated.email: Status.CANCELLED,
        waiting[0].email: Status.CONFIRMED,
        waiting[1].email: Status.WAITLISTED,
        waiting[2].email: Status.WAITLISTED,
    }
    assert emails() == sorted([("event_registration_cancelled", seated.email), ("event_promoted", waiting[0].email)])
    promoted_email = OutgoingEmail.objects.get(template="event_promoted")
    assert "BEGIN:VCALENDAR" in ics_of(promoted_email)
    assert fresh(seated).reminders.count() == 0
    assert fresh(waiting[0]).reminders.count() == 2
    assert fresh(waiting[0]).waitlisted_at is None


def test_cancelling_twice_or_cancelling_a_waitlisted_person_promotes_nobody_else():
    event, (seated,), waiting = _full_event_with_waitlist(capacity=1, waiting=2)

    cancel_registration(registration=waiting[1], actor=None)
    cancel_registration(registration=waiting[1], actor=None)

    assert statuses(event) == {
        seated.email: Status.CONFIRMED,
        waiting[0].email: Status.WAITLISTED,
        waiting[1].email: Status.CANCELLED,
    }
    assert emails() == [("event_registration_cancelled", waiting[1].email)]


@pytest.mark.parametrize("when", ["event cancelled", "event started"])
def test_once_the_event_is_cancelled_or_has_started_a_cancellation_promotes_nobody(when):
    event = EventFactory(capacity=2)
    workshop = workshop_day(event, capacity=1)
    leaving, waiting_for_session, waiting_for_event = [signed_in(event, session_ids=[workshop.pk]) for _ in range(3)]
    if when == "event cancelled":
        cancel_event(event=event, actor=CoordinatorFactory())
    else:
        Event.objects.filter(pk=event.pk).update(start=timezone.now() - timedelta(hours=1))
    forget_emails()

    cancel_registration(registration=leaving, actor=None)

    assert statuses(event) == {
        leaving.email: Status.CANCELLED,
        waiting_for_session.email: Status.CONFIRMED,
        waiting_for_event.email: Status.WAITLISTED,
    }
    assert choice_statuses(workshop) == {
        waiting_for_session.email: Choice.WAITLISTED,
        waiting_for_event.email: Choice.REQUESTED,
    }
    assert emails() == [("event_registration_cancelled", leaving.email)]


def test_someone_else_cannot_cancel_a_registration():
    event, (seated,), waiting = _full_event_with_waitlist(capacity=1, waiting=1)

    with pytest.raises(PermissionDenied):
        cancel_registration(registration=seated, actor=VerifiedUserFactory())

    assert statuses(event) == {seated.email: Status.CONFIRMED, waiting[0].email: Status.WAITLISTED}
    assert emails() == []


def test_a_freed_session_seat_goes_to_the_first_waitlisted_choice_of_that_session():
    event = EventFactory(capacity=None)
    workshop = workshop_day(event, capacity=1)
    other = workshop_day(event, capacity=5, start=time(16, 0), end=time(18, 0), title="Altro")
    seated = signed_in(event, session_ids=[workshop.pk, other.pk])
    later = signed_in(event, session_ids=[workshop.pk])
    earlier = signed_in(event, session_ids=[workshop.pk])
    SessionChoice.objects.filter(registration=earlier).update(waitlisted_at=timezone.now() - timedelta(hours=1))
    forget_emails()

    cancel_registration(registration=seated, actor=None)

    assert choice_statuses(workshop) == {earlier.email: Choice.CONFIRMED, later.email: Choice.WAITLISTED}
    assert choice_statuses(other) == {}
    assert emails() == sorted(
        [("event_registration_cancelled", seated.email), ("event_session_promoted", earlier.email)]
    )
    content = ics_of(OutgoingEmail.objects.get(template="event_session_promoted"))
    assert f"session-{workshop.pk}@" in content


def test_a_freed_session_seat_goes_to_who_waited_for_it_before_a_promoted_attendee():
    event = EventFactory(capacity=2)
    workshop = workshop_day(event, capacity=1)
    seated = signed_in(event, session_ids=[workshop.pk])
    waiting_for_session = signed_in(event, session_ids=[workshop.pk])
    waiting_for_event = signed_in(event, session_ids=[workshop.pk])
    assert statuses(event)[waiting_for_event.email] == Status.WAITLISTED
    forget_emails()

    cancel_registration(registration=seated, actor=None)

    assert statuses(event) == {
        seated.email: Status.CANCELLED,
        waiting_for_session.email: Status.CONFIRMED,
        waiting_for_event.email: Status.CONFIRMED,
    }
    assert choice_statuses(workshop) == {
        waiting_for_session.email: Choice.CONFIRMED,
        waiting_for_event.email: Choice.WAITLISTED,
    }
    assert emails() == sorted(
        [
            ("event_registration_cancelled", seated.email),
            ("event_session_promoted", waiting_for_session.email),
            ("event_promoted", waiting_for_event.email),
        ]
    )


# Capacity changes -----------------------------------------------------------------


def test_raising_the_capacity_promotes_as_many_as_fit_in_waiting_list_order():
    event, confirmed, waiting = _full_event_with_waitlist(capacity=2, waiting=5)
    coordinator = CoordinatorFactory()
    edit(event, coordinator, capacity=5)

    expected = {r.email: Status.CONFIRMED for r in confirmed + waiting[:3]}
    expected |= {r.email: Status.WAITLISTED for r in waiting[3:]}
    assert statuses(event) == expected
    assert emails() == sorted(("event_promoted", r.email) for r in waiting[:3])


def test_removing_the_limit_promotes_everyone_waiting():
    event, confirmed, waiting = _full_event_with_waitlist(capacity=1, waiting=3)
    edit(event, CoordinatorFactory(), capacity=None)

    assert set(statuses(event).values()) == {Status.CONFIRMED}
    assert emails() == sorted(("event_promoted", r.email) for r in waiting)


def _workshop_with_waiting_list():
    """A published event with a one-seat workshop: the first has the seat, the second waits for it."""
    event = EventFactory(capacity=10)
    workshop = workshop_day(event, capacity=1)
    seated, waiting = [signed_in(event, session_ids=[workshop.pk]) for _ in range(2)]
    forget_emails()
    return fresh(event), workshop, seated, waiting


def test_removing_the_seat_limit_of_a_workshop_confirms_its_waiting_list():
    event, workshop, seated, waiting = _workshop_with_waiting_list()

    edit(event, CoordinatorFactory(), programme=Programme(sessions=[session_data(workshop, capacity=None)]))

    assert choice_statuses(workshop) == {seated.email: Choice.CONFIRMED, waiting.email: Choice.CONFIRMED}
    assert emails() == [("event_session_promoted", waiting.email)]


def test_more_seats_for_the_event_and_a_workshop_go_first_to_who_waited_for_the_workshop():
    event = EventFactory(capacity=2)
    workshop = workshop_day(event, capacity=1)
    seated, waiting_for_session, waiting_for_event = [signed_in(event, session_ids=[workshop.pk]) for _ in range(3)]
    forget_emails()
    edit(event, CoordinatorFactory(), capacity=3, programme=Programme(sessions=[session_data(workshop, capacity=2)]))

    assert set(statuses(event).values()) == {Status.CONFIRMED}
    assert choice_statuses(workshop) == {
        seated.email: Choice.CONFIRMED,
        waiting_for_session.email: Choice.CONFIRMED,
        waiting_for_event.email: Choice.WAITLISTED,
    }
    assert emails() == sorted(
        [("event_session_promoted", waiting_for_session.email), ("event_promoted", waiting_for_event.email)]
    )


def test_lowering_the_seats_below_the_confirmed_is_refused_and_changes_nothing():
    event = EventFactory(capacity=3)
    confirmed = [signed_in(event) for _ in range(3)]
    forget_emails()

    with translation.override("en"), pytest.raises(services.DisplacementError) as refused:
        edit(event, CoordinatorFactory(), capacity=1, summary="Nuovo sommario")

    assert [(p.kind, p.count, p.session_id) for p in refused.value.problems] == [("seats", 2, None)]
    assert refused.value.messages == [
        "3 people hold a confirmed seat, more than the 1 seats you set: raise the number, or confirm below that "
        "the latest 2 confirmed move to the waiting list."
    ]
    saved = fresh(event)
    assert (saved.capacity, saved.summary) == (3, event.summary)
    assert statuses(event) == {r.email: Status.CONFIRMED for r in confirmed}
    assert emails() == []


def test_lowering_the_seats_with_confirmation_moves_the_latest_confirmed_to_the_head_of_the_waiting_list():
    event = EventFactory(capacity=3)
    confirmed = [signed_in(event) for _ in range(3)]
    already_waiting = signed_in(event)
    forget_emails()
    coordinator = CoordinatorFactory()

    result = edit(event, coordinator, capacity=1, confirm_moves=True)

    assert [r.email for r in result.moved] == [confirmed[2].email, confirmed[1].email]
    assert fresh(event).capacity == 1
    assert statuses(event) == {
        confirmed[0].email: Status.CONFIRMED,
        confirmed[1].email: Status.WAITLISTED,
        confirmed[2].email: Status.WAITLISTED,
        already_waiting.email: Status.WAITLISTED,
    }
    # They had a seat before anyone on the list: they come first, in the order they were confirmed.
    assert list(selectors.waiting_list(event).values_list("email", flat=True)) == [
        confirmed[1].email,
        confirmed[2].email,
        already_waiting.email,
    ]
    assert emails() == sorted(("event_moved_to_waitlist", r.email) for r in confirmed[1:])
    for registration in confirmed[1:]:
        assert fresh(registration).reminders.count() == 0
        assert ics_of(OutgoingEmail.objects.get(to=registration.email)).count("METHOD:CANCEL") == 1
    moved_log = history(fresh(confirmed[2])).last()
    assert (moved_log.action, moved_log.actor, moved_log.data) == (
        "events.registration.status.waitlisted",
        coordinator,
        {"field": "status", "from": "confirmed", "to": "waitlisted", "reason": "seats_reduced"},
    )
    assert [(e.action, e.data) for e in history(fresh(event))] == [
        ("events.event.seats_changed", {"from": 3, "to": 1}),
    ]

    # A cancellation now gives the seat back to the first of them.
    cancel_registration(registration=confirmed[0], actor=None)
    assert statuses(event)[confirmed[1].email] == Status.CONFIRMED


# Moving, checking in ---------------------------------------------------------------


def test_moving_from_the_waiting_list_respects_the_capacity():
    event, (seated,), waiting = _full_event_with_waitlist(capacity=1, waiting=2)
    coordinator = CoordinatorFactory()

    with pytest.raises(RegistrationError):
        move_registration(registration=waiting[1], actor=coordinator, to=Status.CONFIRMED)
    assert statuses(event) == {
        seated.email: Status.CONFIRMED,
        waiting[0].email: Status.WAITLISTED,
        waiting[1].email: Status.WAITLISTED,
    }
    assert emails() == []

    move_registration(registration=seated, actor=coordinator, to=Status.WAITLISTED)
    move_registration(registration=waiting[1], actor=coordinator, to=Status.CONFIRMED)

    assert statuses(event) == {
        seated.email: Status.WAITLISTED,
        waiting[0].email: Status.WAITLISTED,
        waiting[1].email: Status.CONFIRMED,
    }
    assert fresh(seated).reminders.count() == 0
    assert fresh(waiting[1]).reminders.count() == 2
    assert emails() == sorted([("event_waitlisted", seated.email), ("event_promoted", waiting[1].email)])


def test_moving_a_confirmed_attendee_to_the_waiting_list_frees_the_session_seat():
    event = EventFactory(capacity=None)
    workshop = workshop_day(event, capacity=1)
    coordinator = CoordinatorFactory()
    seated = signed_in(event, session_ids=[workshop.pk])
    waiting = signed_in(event, session_ids=[workshop.pk])
    forget_emails()

    move_registration(registration=seated, actor=coordinator, to=Status.WAITLISTED)

    assert choice_statuses(workshop) == {seated.email: Choice.REQUESTED, waiting.email: Choice.CONFIRMED}
    assert emails() == sorted([("event_waitlisted", seated.email), ("event_session_promoted", waiting.email)])


def test_moves_that_make_no_sense_are_refused():
    event = EventFactory(capacity=10)
    coordinator = CoordinatorFactory()
    seated = signed_in(event)
    pending = guest(event, "ospite@example.org")
    forget_emails()

    for registration, to in ((seated, Status.CONFIRMED), (pending, Status.CONFIRMED), (pending, Status.WAITLISTED)):
        with pytest.raises(RegistrationError):
            move_registration(registration=registration, actor=coordinator, to=to)
    assert statuses(event) == {seated.email: Status.CONFIRMED, "ospite@example.org": Status.PENDING}
    assert emails() == []


def test_check_in_only_for_the_confirmed_and_it_can_be_undone():
    event, (seated,), (waiting,) = _full_event_with_waitlist(capacity=1, waiting=1)
    pending = guest(event, "ospite@example.org")
    coordinator = CoordinatorFactory()

    checked = check_in(registration=seated, actor=coordinator)
    first_time = fresh(seated).checked_in_at
    again = check_in(registration=seated, actor=coordinator)

    assert checked.checked_in_at is not None
    assert fresh(again).checked_in_at == first_time
    for registration in (waiting, pending):
        with pytest.raises(RegistrationError):
            check_in(registration=registration, actor=coordinator)
        assert fresh(registration).checked_in_at is None

    check_in(registration=seated, actor=coordinator, undo=True)
    assert fresh(seated).checked_in_at is None


# The event's life -------------------------------------------------------------------


def test_cancelling_an_event_tells_every_active_registration_and_drops_unsent_reminders():
    event, (seated,), (waiting,) = _full_event_with_waitlist(capacity=1, waiting=1)
    guest(event, "ospite@example.org")  # never confirmed the address: told nothing
    gone = signed_in(event)
    cancel_registration(registration=gone, actor=None)
    sent = seated.reminders.get(offset_minutes=2880)
    sent.sent_at = timezone.now()
    sent.save()
    other_event_registration = signed_in(EventFactory())
    forget_emails()

    cancelled = cancel_event(event=event, actor=CoordinatorFactory(), message="Sciopero dei treni.")

    assert (cancelled.status, fresh(event).status) == (Event.Status.CANCELLED, Event.Status.CANCELLED)
    assert fresh(event).cancelled_at is not None
    assert emails() == sorted([("event_cancelled", seated.email), ("event_cancelled", waiting.email)])
    assert list(Reminder.objects.filter(registration__event=event)) == [sent]
    assert other_event_registration.reminders.count() == 2
    assert "STATUS:CANCELLED" in ics_of(OutgoingEmail.objects.get(to=seated.email))
    assert "Sciopero dei treni." in OutgoingEmail.objects.get(to=seated.email).body_text

    forget_emails()
    cancel_event(event=event, actor=CoordinatorFactory())
    assert emails() == []


def test_cancelling_an_event_tells_no_address_that_was_never_confirmed():
    event = EventFactory(registration_policy=Event.Policy.APPLICATION)
    applicant = confirm_email(token=guest(event, "richiedente@example.org").token)
    guest(event, "mai-confermato@example.org")
    forget_emails()

    cancel_event(event=event, actor=CoordinatorFactory())

    assert emails() == [("event_cancelled", applicant.email)]


@pytest.mark.parametrize("change", ["cancelled", "published"])
def test_saving_an_edit_keeps_a_cancellation_or_publication_made_meanwhile(change):
    coordinator = CoordinatorFactory()
    event = EventFactory(draft=change == "published", capacity=1)
    editing = fresh(event)  # what the editor loaded before the change
    if change == "cancelled":
        changed = cancel_event(event=fresh(event), actor=coordinator)
    else:
        changed = publish_event(event=fresh(event), actor=coordinator)
    edit(editing, coordinator, summary="Un nuovo sommario.")

    saved = fresh(event)
    assert (saved.summary, saved.status, saved.published_at, saved.cancelled_at) == (
        "Un nuovo sommario.",
        changed.status,
        changed.published_at,
        changed.cancelled_at,
    )
    assert saved.status == {"cancelled": Event.Status.CANCELLED, "published": Event.Status.PUBLISHED}[change]


def test_cancelling_a_draft_sends_nothing():
    event = EventFactory(draft=True)

    cancel_event(event=event, actor=CoordinatorFactory())

    assert fresh(event).status == Event.Status.CANCELLED
    assert emails() == []


def test_a_time_change_tells_confirmed_and_waitlisted_and_moves_their_reminders():
    event, (seated,), (waiting,) = _full_event_with_waitlist(capacity=1, waiting=1)
    pending = guest(event, "ospite@example.org")
    forget_emails()
    event = fresh(event)
    event.start += timedelta(days=1, hours=1)
    event.end += timedelta(days=1, hours=1)

    edit(event, CoordinatorFactory(), start=event.start, end=event.end)

    assert emails() == sorted([("event_changed", seated.email), ("event_changed", waiting.email)])
    seated_email = OutgoingEmail.objects.get(to=seated.email)
    assert "DTSTART" in ics_of(seated_email)
    assert OutgoingEmail.objects.get(to=waiting.email).attachments == []
    assert sorted(fresh(seated).reminders.values_list("offset_minutes", "due_at")) == [
        (120, event.start - timedelta(minutes=120)),
        (2880, event.start - timedelta(minutes=2880)),
    ]
    assert fresh(waiting).reminders.count() == 0
    assert fresh(pending).reminders.count() == 0
    assert statuses(event) == {
        seated.email: Status.CONFIRMED,
        waiting.email: Status.WAITLISTED,
        "ospite@example.org": Status.PENDING,
    }


@pytest.mark.parametrize(
    "field,value", [("venue_name", "Teatro Valli"), ("city", "Modena"), ("online_url", "https://meet.example.org/rete")]
)
def test_a_place_change_tells_the_attendees(field, value):
    event = EventFactory(capacity=10)
    seated = signed_in(event)
    forget_emails()
    edit(event, CoordinatorFactory(), **{field: value})

    assert getattr(fresh(event), field) == value
    assert emails() == [("event_changed", seated.email)]


def test_other_edits_and_edits_of_drafts_send_nothing():
    published = EventFactory(capacity=10)
    signed_in(published)
    draft = EventFactory(draft=True)
    RegistrationFactory(event=draft)
    forget_emails()
    coordinator = CoordinatorFactory()

    edit(published, coordinator, title="Nuovo titolo")
    draft = fresh(draft)
    draft.start += timedelta(hours=2)
    edit(draft, coordinator, start=draft.start)

    assert fresh(published).title == "Nuovo titolo"
    assert fresh(draft).start == draft.start
    assert emails() == []


def test_a_new_event_gets_a_unique_slug_and_its_author():
    coordinator = CoordinatorFactory()
    EventFactory(slug="assemblea-della-rete")
    day = timezone.now() + timedelta(days=30)
    data = EventData(title="Assemblea della rete", summary="Tutti insieme.", start=day, end=day + timedelta(hours=3))

    result = save_event(event=None, actor=coordinator, data=data)

    assert result.created is True
    saved = fresh(result.event)
    assert (saved.slug, saved.created_by, saved.status) == ("assemblea-della-rete-2", coordinator, Event.Status.DRAFT)
    assert emails() == []


def test_publishing_a_draft_and_not_a_cancelled_event():
    coordinator = CoordinatorFactory()
    draft = EventFactory(draft=True)
    cancelled = EventFactory(cancelled=True)

    publish_event(event=draft, actor=coordinator)

    assert fresh(draft).status == Event.Status.PUBLISHED
    assert fresh(draft).published_at is not None
    with pytest.raises(RegistrationError):
        publish_event(event=cancelled, actor=coordinator)
    assert fresh(cancelled).status == Event.Status.CANCELLED


def test_duplicating_copies_programme_and_speakers_as_a_draft_without_registrations():
    organizer = MemberOrganizationFactory()
    theme = Theme.objects.order_by("pk").first()
    assert theme is not None  # seeded by a migration
    event = EventFactory(capacity=30, organizers=[organizer], themes=[theme], reminder_offsets=[60])
    anna = SpeakerFactory(event=event, name="Anna Rossi", to_be_confirmed=True, position=1)
    bruno = SpeakerFactory(event=event, name="Bruno Bianchi", ally=organizer, position=2)
    opening = SessionFactory(event=event, title="Apertura", speakers=[anna, bruno])
    workshop = workshop_day(event, capacity=12, title="Laboratorio casa")
    workshop.speakers.set([bruno])
    SessionFactory(event=event, title="Pausa", kind="break", start_time=time(11, 0), end_time=time(11, 30))
    signed_in(event, session_ids=[workshop.pk])
    forget_emails()
    manager = AllyManagerFactory(ally=organizer).user

    copy = duplicate_event(event=event, actor=manager)

    copy = fresh(copy)
    assert copy.pk != event.pk
    assert (copy.status, copy.published_at, copy.created_by) == (Event.Status.DRAFT, None, manager)
    assert copy.slug != event.slug
    assert (copy.capacity, copy.reminder_offsets, copy.start, copy.end) == (30, [60], event.start, event.end)
    assert list(copy.organizers.all()) == [organizer]
    assert list(copy.themes.all()) == [theme]
    assert copy.registrations.count() == 0
    assert list(copy.speakers.values_list("name", "to_be_confirmed", "ally", "position")) == [
        ("Anna Rossi", True, None, 1),
        ("Bruno Bianchi", False, organizer.pk, 2),
    ]
    sessions = {
        s.title: (s.kind, s.capacity, s.start_time, sorted(sp.name for sp in s.speakers.all()))
        for s in copy.sessions.all()
    }
    assert sessions == {
        "Apertura": ("plenary", None, time(10, 0), ["Anna Rossi", "Bruno Bianchi"]),
        "Laboratorio casa": ("workshop", 12, time(14, 0), ["Bruno Bianchi"]),
        "Pausa": ("break", None, time(11, 0), []),
    }
    # The copy's sessions link the copy's speakers, and the original is untouched.
    assert set(Speaker.objects.filter(sessions__event=copy).values_list("event", flat=True)) == {copy.pk}
    assert sorted(sp.name for sp in fresh(opening).speakers.all()) == ["Anna Rossi", "Bruno Bianchi"]
    assert Session.objects.filter(event=event).count() == 3
    assert Speaker.objects.filter(event=event).count() == 2
    assert SessionChoice.objects.filter(session__event=copy).count() == 0
    assert emails() == []


def test_messaging_attendees_reaches_the_chosen_statuses():
    event, (seated,), (waiting,) = _full_event_with_waitlist(capacity=1, waiting=1)
    guest(event, "ospite@example.org")
    forget_emails()

    count = message_attendees(
        event=event,
        actor=CoordinatorFactory(),
        statuses=[Status.CONFIRMED, Status.WAITLISTED],
        subject="Parcheggio",
        body="Il parcheggio è in via Emilia.",
    )

    assert count == 2
    assert emails() == sorted([("event_message", seated.email), ("event_message", waiting.email)])


def test_messages_never_go_to_an_address_that_was_never_confirmed():
    event = EventFactory(registration_policy=Event.Policy.APPLICATION)
    applicant = confirm_email(token=guest(event, "richiedente@example.org").token)
    guest(event, "mai-confermato@example.org")
    forget_emails()

    count = message_attendees(
        event=event, actor=CoordinatorFactory(), statuses=[Status.PENDING], subject="Domanda", body="Una domanda."
    )

    assert count == 1
    assert emails() == [("event_message", applicant.email)]


# Permissions ------------------------------------------------------------------------


def _snapshot():
    return {
        "events": sorted(Event.objects.values_list("pk", "title", "status", "capacity", "start", "published_at")),
        "registrations": sorted(
            Registration.objects.values_list("pk", "status", "checked_in_at", "decision_reason", "waitlisted_at")
        ),
        "choices": sorted(SessionChoice.objects.values_list("pk", "status")),
        "sessions": Session.objects.count(),
        "speakers": Speaker.objects.count(),
        "reminders": sorted(Reminder.objects.values_list("pk", "due_at", "sent_at")),
        "emails": emails(),
    }


MANAGEMENT = {
    "cancel_registration": lambda ctx, user: cancel_registration(registration=ctx["seated"], actor=user),
    "decide_registration": lambda ctx, user: decide_registration(
        registration=ctx["applicant"], actor=user, approve=True
    ),
    "decline_registration": lambda ctx, user: decide_registration(
        registration=ctx["applicant"], actor=user, approve=False, reason="No."
    ),
    "move_to_confirmed": lambda ctx, user: move_registration(
        registration=ctx["waiting_with_room"], actor=user, to=Status.CONFIRMED
    ),
    "move_to_waitlisted": lambda ctx, user: move_registration(
        registration=ctx["seated"], actor=user, to=Status.WAITLISTED
    ),
    "check_in": lambda ctx, user: check_in(registration=ctx["seated"], actor=user),
    "save_event": lambda ctx, user: _edit(ctx["event"], user),
    "create_event": lambda ctx, user: save_event(
        event=None,
        actor=user,
        data=EventData(title="Nuovo", summary="x", start=ctx["event"].start, end=ctx["event"].end),
    ),
    "publish_event": lambda ctx, user: publish_event(event=ctx["draft"], actor=user),
    "cancel_event": lambda ctx, user: cancel_event(event=ctx["event"], actor=user, message="No."),
    "duplicate_event": lambda ctx, user: duplicate_event(event=ctx["draft"], actor=user),
    "message_attendees": lambda ctx, user: message_attendees(
        event=ctx["event"], actor=user, statuses=[Status.CONFIRMED], subject="S", body="B"
    ),
}


def _edit(event, user):
    event = fresh(event)
    return edit(event, user, capacity=10, start=event.start + timedelta(hours=1))


@pytest.fixture
def unpublished_world():
    """Events of one organizer with registrations in every state, and a draft with a programme."""
    organizer = MemberOrganizationFactory()
    event = EventFactory(capacity=1, organizers=[organizer])
    seated = signed_in(event)
    waiting = signed_in(event)
    with_room = EventFactory(capacity=5, organizers=[organizer])
    waiting_with_room = RegistrationFactory(
        event=with_room, status=Status.WAITLISTED, confirmed_at=None, waitlisted_at=timezone.now()
    )
    application = EventFactory(capacity=5, organizers=[organizer], registration_policy=Event.Policy.APPLICATION)
    applicant = signed_in(application)
    draft = EventFactory(draft=True, organizers=[organizer])
    SessionFactory(event=draft, speakers=[SpeakerFactory(event=draft)])
    return {
        "organizer": organizer,
        "event": event,
        "seated": seated,
        "waiting": waiting,
        "waiting_with_room": waiting_with_room,
        "applicant": applicant,
        "draft": draft,
    }


def _outsider(who):
    if who == "stranger":
        return VerifiedUserFactory()
    if who == "manager_of_another_ally":
        return AllyManagerFactory(ally=MemberOrganizationFactory()).user
    return CoordinatorFactory(is_active=False)


OUTSIDER_CASES = [
    (service, who)
    for service in sorted(MANAGEMENT)
    for who in ("stranger", "manager_of_another_ally", "inactive_coordinator")
    # The manager of an approved ally may create events of its own.
    if (service, who) != ("create_event", "manager_of_another_ally")
]


@pytest.mark.parametrize("service,who", OUTSIDER_CASES)
def test_outsiders_get_permission_denied_and_nothing_changes(unpublished_world, service, who):
    user = _outsider(who)
    before = _snapshot()

    with pytest.raises(PermissionDenied):
        MANAGEMENT[service](unpublished_world, user)

    assert _snapshot() == before


def _world_state(ctx):
    """What the management services change, in the world's own words: the state of each registration
    and event, how many events, sessions and speakers there are, and which e-mails went to whom."""
    people = {ctx[name].email: name for name in ("seated", "waiting", "waiting_with_room", "applicant")}
    state = {name: fresh(ctx[name]).status for name in ("seated", "waiting", "waiting_with_room", "applicant")}
    state["seated_checked_in"] = fresh(ctx["seated"]).checked_in_at is not None
    event = fresh(ctx["event"])
    state.update(
        event=(event.status, event.capacity, event.start),
        draft=fresh(ctx["draft"]).status,
        events=Event.objects.count(),
        sessions=Session.objects.count(),
        speakers=Speaker.objects.count(),
    )
    state["emails"] = sorted((template, people.get(to, "someone else")) for template, to in emails())
    return state


# What each service changes, from the world as `unpublished_world` makes it (four events: one full with
# a waiting list, one with room and a waiting registration, one on application, a draft with a programme;
# the set-up's e-mails forgotten): every other part of the state stays as it was.
EXPECTED_CHANGES = {
    "cancel_registration": lambda ctx: {
        "seated": Status.CANCELLED,
        "waiting": Status.CONFIRMED,
        "emails": [("event_promoted", "waiting"), ("event_registration_cancelled", "seated")],
    },
    "decide_registration": lambda ctx: {
        "applicant": Status.CONFIRMED,
        "emails": [("event_confirmation", "applicant")],
    },
    "decline_registration": lambda ctx: {
        "applicant": Status.DECLINED,
        "emails": [("event_application_declined", "applicant")],
    },
    "move_to_confirmed": lambda ctx: {
        "waiting_with_room": Status.CONFIRMED,
        "emails": [("event_promoted", "waiting_with_room")],
    },
    "move_to_waitlisted": lambda ctx: {
        "seated": Status.WAITLISTED,
        "emails": [("event_waitlisted", "seated")],
    },
    "check_in": lambda ctx: {"seated_checked_in": True},
    "save_event": lambda ctx: {
        "event": (Event.Status.PUBLISHED, 10, ctx["event"].start + timedelta(hours=1)),
        "waiting": Status.CONFIRMED,
        "emails": sorted([("event_changed", "seated"), ("event_changed", "waiting"), ("event_promoted", "waiting")]),
    },
    "create_event": lambda ctx: {"events": 5},
    "publish_event": lambda ctx: {"draft": Event.Status.PUBLISHED},
    # The registrations keep their state (the event's status says it is off); everyone is told.
    "cancel_event": lambda ctx: {
        "event": (Event.Status.CANCELLED, 1, ctx["event"].start),
        "emails": [("event_cancelled", "seated"), ("event_cancelled", "waiting")],
    },
    "duplicate_event": lambda ctx: {"events": 5, "sessions": 2, "speakers": 2},
    "message_attendees": lambda ctx: {"emails": [("event_message", "seated")]},
}


@pytest.mark.parametrize("service", sorted(MANAGEMENT))
@pytest.mark.parametrize("who", ["manager", "coordinator"])
def test_coordinators_and_managers_of_an_organizing_ally_run_the_events(unpublished_world, service, who):
    if who == "manager":
        user = AllyManagerFactory(ally=unpublished_world["organizer"], role="editor").user
    else:
        user = CoordinatorFactory()
    forget_emails()
    before = _world_state(unpublished_world)

    MANAGEMENT[service](unpublished_world, user)

    assert _world_state(unpublished_world) == {**before, **EXPECTED_CHANGES[service](unpublished_world)}


@pytest.mark.django_db
def test_a_pending_guest_who_signs_in_with_that_verified_address_is_confirmed():
    event = EventFactory(capacity=5)
    register(event=event, attendee=Attendee(name="Giulia Neri", email="giulia@example.org"))
    user = VerifiedUserFactory(email="giulia@example.org")

    again = register(event=event, attendee=Attendee(name="Giulia Neri", email="giulia@example.org"), user=user)

    assert (again.status, again.user) == (Status.CONFIRMED, user)
    assert Registration.objects.filter(event=event).count() == 1


@pytest.mark.django_db
def test_registering_again_after_cancelling_issues_a_new_token():
    event = EventFactory(capacity=5)
    first = register(event=event, attendee=Attendee(name="Ivo Rizzo", email="ivo@example.org"))
    old_token = first.token
    cancel_registration(registration=first, actor=None)

    again = register(event=event, attendee=Attendee(name="Ivo Rizzo", email="ivo@example.org"))

    assert again.pk == first.pk
    assert again.token != old_token
    assert Registration.objects.filter(token=old_token).exists() is False


@pytest.mark.django_db
def test_a_session_id_that_is_not_a_number_is_refused_with_a_message():
    event = EventFactory()

    with pytest.raises(RegistrationError):
        register(event=event, attendee=Attendee(name="Ugo Santoro", email="ugo@example.org", session_ids=["x"]))

    assert Registration.objects.filter(event=event).count() == 0
