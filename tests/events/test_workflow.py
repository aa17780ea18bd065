"""Events and registrations on the record, seats and sessions that no save can take away silently,
the answer of `register`, the one waiting-list order, calendar updates, and account deletion."""

from datetime import UTC, time, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar

from alliance.models import LogEntry, OutgoingEmail
from alliance.workflow import TransitionError, history, transition
from events import selectors, services
from events.models import Event, Registration, SessionChoice
from events.services import Attendee, EventData, Programme, SessionData
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory
from tests.factories.members import CoordinatorFactory, UserFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
Choice = SessionChoice.Status


def signed_in(event, user=None, **kwargs):
    user = user or VerifiedUserFactory()
    attendee = Attendee(name=user.full_name, email=user.email, language=user.preferred_language, **kwargs)
    return services.register(event=event, attendee=attendee, user=user).registration


def guest(event, email):
    return services.register(event=event, attendee=Attendee(name="Ospite", email=email))


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def record(obj):
    """(action, actor, data) of every log entry of `obj`, oldest first."""
    return [(e.action, e.actor, e.data) for e in history(obj)]


def emails():
    return sorted(OutgoingEmail.objects.values_list("template", "to"))


def session_data(session, **changes) -> SessionData:
    values = {
        name: getattr(session, name)
        for name in ("title", "kind", "day", "start_time", "end_time", "room", "capacity", "description")
    }
    values.update(changes)
    return SessionData(pk=session.pk, **values)


def workshop(event, capacity, title="Laboratorio", start=time(14), end=time(16)):
    return SessionFactory(event=event, kind="workshop", capacity=capacity, title=title, start_time=start, end_time=end)


# The transition tables and the log ------------------------------------------------------------


def test_every_step_of_a_registration_is_on_the_record_with_who_did_it():
    event = EventFactory(capacity=1)
    coordinator = CoordinatorFactory()
    seated_user = VerifiedUserFactory()
    seated = signed_in(event, seated_user)
    waiting = fresh(guest(event, "ospite@example.org").registration)
    services.confirm_email(token=waiting.token)
    services.check_in(registration=seated, actor=coordinator)
    services.check_in(registration=seated, actor=coordinator, undo=True)

    services.cancel_registration(registration=seated, actor=seated_user)

    assert record(fresh(seated)) == [
        ("events.registration.created", seated_user, {}),
        ("events.registration.email_confirmed", seated_user, {}),
        (
            "events.registration.status.confirmed",
            seated_user,
            {"field": "status", "from": "pending", "to": "confirmed"},
        ),
        ("events.registration.checked_in", coordinator, {}),
        ("events.registration.check_in_undone", coordinator, {}),
        (
            "events.registration.status.cancelled",
            seated_user,
            {"field": "status", "from": "confirmed", "to": "cancelled"},
        ),
    ]
    # The portal moved the guest up by itself (no actor); the log names whose cancellation caused it.
    assert record(fresh(waiting)) == [
        ("events.registration.created", None, {}),
        ("events.registration.email_confirmed", None, {}),
        ("events.registration.status.waitlisted", None, {"field": "status", "from": "pending", "to": "waitlisted"}),
        (
            "events.registration.status.confirmed",
            None,
            {
                "field": "status",
                "from": "waitlisted",
                "to": "confirmed",
                "reason": "promoted",
                "caused_by": seated_user.pk,
            },
        ),
    ]


def test_decisions_and_moves_are_logged_with_the_coordinator_and_the_reason():
    event = EventFactory(capacity=5, registration_policy=Event.Policy.APPLICATION)
    coordinator = CoordinatorFactory()
    approved, declined = (fresh(guest(event, f"{n}@example.org").registration) for n in ("a", "b"))
    for registration in (approved, declined):
        services.confirm_email(token=registration.token)

    services.decide_registration(registration=approved, actor=coordinator, approve=True, reason="Benvenuta.")
    services.decide_registration(registration=declined, actor=coordinator, approve=False, reason="Posti finiti.")
    services.move_registration(registration=approved, actor=coordinator, to=Status.WAITLISTED)
    services.move_registration(registration=approved, actor=coordinator, to=Status.CONFIRMED)

    assert [(a, actor, d.get("to"), d.get("note")) for a, actor, d in record(fresh(approved))][2:] == [
        ("events.registration.status.confirmed", coordinator, "confirmed", "Benvenuta."),
        ("events.registration.status.waitlisted", coordinator, "waitlisted", None),
        ("events.registration.status.confirmed", coordinator, "confirmed", None),
    ]
    assert record(fresh(declined))[-1] == (
        "events.registration.status.declined",
        coordinator,
        {"field": "status", "from": "pending", "to": "declined", "note": "Posti finiti."},
    )


def test_registering_again_after_cancelling_goes_back_to_pending_through_the_table():
    event = EventFactory(capacity=5)
    user = VerifiedUserFactory()
    first = signed_in(event, user)
    services.cancel_registration(registration=first, actor=user)

    again = signed_in(event, user)

    assert again.pk == first.pk
    assert [a for a, _actor, _data in record(fresh(again))][-3:] == [
        "events.registration.status.pending",
        "events.registration.email_confirmed",
        "events.registration.status.confirmed",
    ]


def test_the_tables_refuse_what_no_service_may_do():
    event = EventFactory(capacity=5)
    registration = RegistrationFactory(event=event, status=Status.CANCELLED)
    with pytest.raises(TransitionError):
        transition(registration, Status.CONFIRMED, actor=None)
    with pytest.raises(TransitionError):
        transition(EventFactory(cancelled=True), Event.Status.PUBLISHED, actor=None)
    assert fresh(registration).status == Status.CANCELLED
    assert LogEntry.objects.count() == 0
    assert Event.TRANSITIONS[Event.Status.CANCELLED] == set()
    assert Registration.TRANSITIONS[Status.DECLINED] == {Status.PENDING}


def test_the_life_of_an_event_is_on_the_record():
    coordinator = CoordinatorFactory()
    day = timezone.now() + timedelta(days=20)
    event = services.save_event(
        event=None,
        actor=coordinator,
        data=EventData(
            title="Assemblea",
            summary="Tutti.",
            start=day,
            end=day + timedelta(hours=2),
            venue_name="Sala",
            capacity=10,
        ),
    ).event
    services.publish_event(event=event, actor=coordinator)
    services.save_event(event=event, actor=coordinator, data=EventData(city="Modena", capacity=20))
    services.message_attendees(event=event, actor=coordinator, statuses=[Status.CONFIRMED], subject="Ciao", body="B")
    services.cancel_event(event=event, actor=coordinator, message="Rinviato.")

    assert record(fresh(event)) == [
        ("events.event.created", coordinator, {}),
        ("events.event.status.published", coordinator, {"field": "status", "from": "draft", "to": "published"}),
        ("events.event.changed", coordinator, {"from": {"city": ""}, "to": {"city": "Modena"}}),
        ("events.event.seats_changed", coordinator, {"from": 10, "to": 20}),
        ("events.event.message_sent", coordinator, {"subject": "Ciao", "statuses": ["confirmed"], "recipients": 0}),
        (
            "events.event.status.cancelled",
            coordinator,
            {"field": "status", "from": "published", "to": "cancelled", "note": "Rinviato."},
        ),
    ]


def test_a_time_change_logs_the_old_and_the_new_values():
    event = EventFactory()
    coordinator = CoordinatorFactory()
    start, end = event.start + timedelta(days=1), event.end + timedelta(days=1)

    services.save_event(event=event, actor=coordinator, data=EventData(start=start, end=end))

    [entry] = history(fresh(event))
    assert entry.data == {
        "from": {"start": event.start.astimezone(UTC).isoformat(), "end": event.end.astimezone(UTC).isoformat()},
        "to": {"start": start.astimezone(UTC).isoformat(), "end": end.astimezone(UTC).isoformat()},
    }
    with translation.override("en"):
        assert entry.description == "Time or place changed"


# register's answer and the waiting list -------------------------------------------------------


def test_register_says_whether_it_created_and_who_may_see_the_token_page():
    event = EventFactory(capacity=5)
    user = VerifiedUserFactory()
    stranger = VerifiedUserFactory()

    first = services.register(event=event, attendee=Attendee(name="A", email=user.email), user=user)
    again = services.register(event=event, attendee=Attendee(name="A", email=user.email), user=user)
    typed_by_someone_else = services.register(event=event, attendee=Attendee(name="A", email=user.email), user=stranger)
    for_another_address = services.register(
        event=event, attendee=Attendee(name="B", email="altro@example.org"), user=stranger
    )
    by_a_guest = guest(event, "ospite@example.org")

    assert [
        (r.created, r.may_see_token_page)
        for r in (first, again, typed_by_someone_else, for_another_address, by_a_guest)
    ] == [
        (True, True),
        (False, True),
        (False, False),
        (True, False),
        (True, False),
    ]
    assert first.registration.pk == again.registration.pk == typed_by_someone_else.registration.pk


def test_the_position_on_the_waiting_list_follows_the_order_of_the_promotion():
    event = EventFactory(capacity=1)
    signed_in(event)
    waiting = [signed_in(event) for _ in range(3)]
    # The second joined the list first, the first and the third at the same moment: time, then row.
    now = timezone.now()
    Registration.objects.filter(pk=waiting[0].pk).update(waitlisted_at=now)
    Registration.objects.filter(pk=waiting[1].pk).update(waitlisted_at=now - timedelta(minutes=5))
    Registration.objects.filter(pk=waiting[2].pk).update(waitlisted_at=now)

    positions = [selectors.waitlist_position(fresh(r)) for r in waiting]

    assert positions == [2, 1, 3]
    assert list(selectors.waiting_list(event)) == [fresh(waiting[1]), fresh(waiting[0]), fresh(waiting[2])]
    # The promotion takes them in that same order.
    first_seat = event.registrations.get(status=Status.CONFIRMED)
    services.cancel_registration(registration=first_seat, actor=None)
    assert fresh(waiting[1]).status == Status.CONFIRMED
    assert [selectors.waitlist_position(fresh(r)) for r in waiting] == [1, None, 2]


# Sessions: fewer seats, removed -------------------------------------------------------------


def _workshop_full_of(count, capacity):
    event = EventFactory(capacity=None)
    room = workshop(event, capacity)
    people = [signed_in(event, session_ids=[room.pk]) for _ in range(count)]
    OutgoingEmail.objects.all().delete()
    return fresh(event), room, people


def test_fewer_session_seats_than_people_seated_is_refused():
    event, room, people = _workshop_full_of(3, capacity=3)

    with pytest.raises(services.DisplacementError) as refused:
        services.save_event(
            event=event,
            actor=CoordinatorFactory(),
            data=EventData(),
            programme=Programme(sessions=[session_data(room, capacity=1)]),
        )

    assert [(p.kind, p.count, p.session_id) for p in refused.value.problems] == [("session_seats", 2, room.pk)]
    assert fresh(room).capacity == 3
    assert set(room.choices.values_list("status", flat=True)) == {Choice.CONFIRMED}
    assert emails() == []


def test_fewer_session_seats_when_confirmed_moves_the_latest_to_the_head_of_its_waiting_list():
    event, room, people = _workshop_full_of(4, capacity=3)  # the fourth waits for the workshop
    coordinator = CoordinatorFactory()

    services.save_event(
        event=event,
        actor=coordinator,
        data=EventData(),
        confirm_moves=True,
        programme=Programme(sessions=[session_data(room, capacity=1)]),
    )

    choices = {c.registration_id: c for c in room.choices.all()}
    assert [choices[p.pk].status for p in people] == [
        Choice.CONFIRMED,
        Choice.WAITLISTED,
        Choice.WAITLISTED,
        Choice.WAITLISTED,
    ]
    assert [c.registration_id for c in selectors.session_waiting_list(room)] == [p.pk for p in people[1:]]
    assert emails() == sorted(("event_session_waitlisted", p.email) for p in people[1:3])
    assert record(fresh(people[2]))[-1] == (
        "events.registration.session_waitlisted",
        coordinator,
        {"session": room.title, "session_id": room.pk, "reason": "seats_reduced"},
    )
    assert {p.status for p in map(fresh, people)} == {Status.CONFIRMED}  # their seats at the event stay


def test_removing_a_session_people_chose_is_refused_then_done_with_everyone_told():
    event, room, people = _workshop_full_of(2, capacity=1)  # one seated, one waiting for it
    pending = fresh(guest(event, "ospite@example.org").registration)  # never confirmed: no e-mail, no choice
    coordinator = CoordinatorFactory()
    removal = Programme(removed_session_ids=[room.pk])

    with translation.override("en"), pytest.raises(services.DisplacementError) as refused:
        services.save_event(event=event, actor=coordinator, data=EventData(), programme=removal)
    assert refused.value.messages == [
        "2 people chose “Laboratorio”: to remove it, confirm below that their choices are dropped (they are told by "
        "e-mail)."
    ]
    assert event.sessions.count() == 1

    OutgoingEmail.objects.all().delete()
    services.save_event(event=event, actor=coordinator, data=EventData(), programme=removal, confirm_moves=True)

    assert event.sessions.count() == 0
    assert SessionChoice.objects.count() == 0
    assert emails() == sorted(("event_session_removed", p.email) for p in people)
    sent = {e.to: e for e in OutgoingEmail.objects.all()}

    def says(email, text):
        with translation.override(email.language):  # each in the recipient's language
            return gettext(text) in email.body_text

    assert says(sent[people[0].email], "Your seat in it no longer exists.")
    assert not says(sent[people[0].email], "You are no longer on its waiting list.")
    assert says(sent[people[1].email], "You are no longer on its waiting list.")
    assert record(fresh(event))[-1] == (
        "events.event.session_removed",
        coordinator,
        {"session": "Laboratorio", "session_id": room.pk, "day": room.day.isoformat(), "people": 2},
    )
    assert record(fresh(pending))[-1][0] == "events.registration.created"


# Calendar files that calendar programs apply --------------------------------------------------------


def parsed(email):
    [attachment] = email.attachments
    calendar = Calendar.from_ical(attachment["content"])
    [event] = [c for c in calendar.walk("VEVENT") if str(c["uid"]).startswith("event-")]
    return calendar, event


def test_confirmation_change_and_cancellation_update_the_same_calendar_entry():
    event = EventFactory(capacity=10)
    registration = signed_in(event, VerifiedUserFactory(preferred_language="en"))
    coordinator = CoordinatorFactory()
    services.save_event(
        event=event,
        actor=coordinator,
        data=EventData(start=event.start + timedelta(hours=1), end=event.end + timedelta(hours=1)),
    )
    services.cancel_event(event=event, actor=coordinator)

    files = [
        parsed(OutgoingEmail.objects.get(to=registration.email, template=t))
        for t in ("event_confirmation", "event_changed", "event_cancelled")
    ]

    assert [str(cal["method"]) for cal, _ in files] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({str(vevent["uid"]) for _, vevent in files}) == 1
    sequences = [int(vevent["sequence"]) for _, vevent in files]
    assert sequences == sorted(set(sequences))  # strictly growing
    assert [str(vevent["status"]) for _, vevent in files] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    for _, vevent in files:
        assert str(vevent["organizer"]).startswith("mailto:")
        assert str(vevent["attendee"]) == f"mailto:{registration.email}"
    assert files[1][1].decoded("dtstart") == event.start + timedelta(hours=1)
    assert {
        a["filename"]
        for a in OutgoingEmail.objects.filter(to=registration.email).values_list("attachments", flat=True).iterator()
        for a in a
    } == {"event.ics"}


def test_cancelling_a_registration_sends_a_cancel_for_the_event_and_the_sessions_held():
    event = EventFactory(capacity=10)
    room = workshop(event, 5)
    registration = signed_in(event, session_ids=[room.pk])
    confirmation = parsed(OutgoingEmail.objects.get(template="event_confirmation"))

    services.cancel_registration(registration=registration, actor=None)

    email = OutgoingEmail.objects.get(template="event_registration_cancelled")
    assert email.attachments[0]["filename"] == "evento.ics"  # Italian
    calendar, vevent = parsed(email)
    assert str(calendar["method"]) == "CANCEL"
    assert (str(vevent["uid"]), str(vevent["status"])) == (str(confirmation[1]["uid"]), "CANCELLED")
    sessions = [c for c in calendar.walk("VEVENT") if str(c["uid"]).startswith("session-")]
    assert [(str(c["uid"]).split("@")[0], str(c["status"])) for c in sessions] == [(f"session-{room.pk}", "CANCELLED")]


def test_the_sequence_grows_on_every_change_of_time_place_or_status_and_only_then():
    coordinator = CoordinatorFactory()
    event = EventFactory(draft=True)
    steps = [
        lambda: services.publish_event(event=event, actor=coordinator),
        lambda: services.save_event(event=event, actor=coordinator, data=EventData(summary="Altro")),
        lambda: services.save_event(event=event, actor=coordinator, data=EventData(venue_name="Teatro")),
        lambda: services.save_event(event=event, actor=coordinator, data=EventData(end=event.end + timedelta(hours=1))),
        lambda: services.cancel_event(event=event, actor=coordinator),
    ]
    sequences = []
    for step in steps:
        step()
        sequences.append(fresh(event).sequence)

    assert sequences == [1, 1, 2, 3, 4]


# Account deletion --------------------------------------------------------------------------


def test_deleting_an_account_frees_its_future_seats_for_the_waiting_list(client):
    from members.services import delete_account

    event = EventFactory(capacity=1)
    user = VerifiedUserFactory()
    seat = signed_in(event, user)
    first_waiting, second_waiting = signed_in(event), signed_in(event)
    past = EventFactory(start=timezone.now() - timedelta(days=3), end=timezone.now() - timedelta(days=3, hours=-2))
    attended = RegistrationFactory(event=past, user=user, email=user.email, status=Status.CONFIRMED)
    OutgoingEmail.objects.all().delete()

    delete_account(user=UserFactory._meta.model.objects.get(pk=user.pk))

    seat = fresh(seat)
    assert (seat.status, seat.user, seat.name) == (Status.CANCELLED, None, "")
    assert "@" in seat.email and user.email not in seat.email
    assert fresh(first_waiting).status == Status.CONFIRMED
    assert fresh(second_waiting).status == Status.WAITLISTED
    assert emails() == [("event_promoted", first_waiting.email)]  # the deleted person's own e-mails go with them
    assert record(seat)[-1][2] == {
        "field": "status",
        "from": "confirmed",
        "to": "cancelled",
        "reason": "account_deleted",
    }
    assert fresh(attended).status == Status.CONFIRMED  # the past keeps its count, without the person
    assert fresh(attended).name == ""
