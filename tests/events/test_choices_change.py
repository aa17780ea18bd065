"""Issue 9, attendee side: a series registered per meeting (`Event.register_per_meeting`), and attendees
changing their workshops or meetings from their registration page (`services.change_sessions`).

Every attendee's calendar, reminders, check-in list and certificate follow exactly the meetings they chose.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from alliance.models import LogEntry, OutgoingEmail
from events import services
from events.models import Attendance, Registration, Reminder, SessionChoice
from events.services import Attendee, RegistrationError, change_sessions, register
from events.services.attendance import attendance_of, check_in_meeting
from events.services.event_life import cancel_meeting
from tests.events.test_series import ROME, verona_cycle
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory
from tests.factories.members import CoordinatorFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Pages and messages in English (the addresses carry the language: /en/…)."""
    with translation.override("en"):
        yield


Status = Registration.Status
Choice = SessionChoice.Status


def per_meeting_cycle(**kwargs):
    return verona_cycle(register_per_meeting=True, **kwargs)


def join(event, meetings, language="it", user=None):
    user = user or VerifiedUserFactory()
    return register(
        event=event,
        user=user,
        attendee=Attendee(
            name=user.full_name,
            email=user.email,
            language=language,
            session_ids=[m.pk for m in meetings],
        ),
    ).registration


def calendars(email):
    return {
        a["filename"]: Calendar.from_ical(a["content"]) for a in email.attachments if a["mimetype"] == "text/calendar"
    }


def starts(cal) -> list:
    return sorted(c.decoded("dtstart") for c in cal.walk("VEVENT"))


def at(meeting):
    return datetime.combine(meeting.day, meeting.start_time, tzinfo=ROME)


# A series registered per meeting -------------------------------------------------------------


def test_the_attendee_of_a_per_meeting_series_gets_exactly_the_meetings_chosen_everywhere():
    event = per_meeting_cycle(reminder_offsets=[120])
    meetings = list(event.sessions.all())
    registration = join(event, [meetings[0], meetings[2]])

    assert registration.status == Status.CONFIRMED
    assert set(registration.session_choices.values_list("session", "status")) == {
        (meetings[0].pk, Choice.CONFIRMED),
        (meetings[2].pk, Choice.CONFIRMED),
    }
    # The confirmation: its calendar file and its text hold the two meetings, not the six.
    email = OutgoingEmail.objects.get(template="event_confirmation", to=registration.email)
    [cal] = calendars(email).values()
    assert starts(cal) == [at(meetings[0]), at(meetings[2])]
    assert meetings[0].title in email.body_text and meetings[2].title in email.body_text
    assert meetings[1].title not in email.body_text and meetings[5].title not in email.body_text
    # Their own calendar file from the registration page.
    ics = Client().get(reverse("events:registration_ics", kwargs={"token": registration.token}))
    assert ics.status_code == 200 and ics.cookies == {}
    assert starts(Calendar.from_ical(ics.content)) == [at(meetings[0]), at(meetings[2])]
    # The public calendar of the series still shows every meeting.
    public = Client().get(reverse("events:event_ics", kwargs={"slug": event.slug})).content
    assert len(Calendar.from_ical(public).walk("VEVENT")) == 6
    # Reminders before their two meetings only.
    assert set(Reminder.objects.filter(registration=registration).values_list("session", flat=True)) == {
        meetings[0].pk,
        meetings[2].pk,
    }

    # Check-in: refused at a meeting they did not choose, and they are not on its list.
    coordinator = CoordinatorFactory()
    with pytest.raises(RegistrationError):
        check_in_meeting(registration=registration, session=meetings[1], actor=coordinator)
    assert check_in_meeting(registration=registration, session=meetings[2], actor=coordinator) is True
    client = Client()
    client.force_login(coordinator)
    url = reverse("events:meeting_check_in", kwargs={"slug": event.slug})
    assert registration.email not in client.get(url, {"meeting": meetings[1].pk}).content.decode()
    assert registration.email in client.get(url, {"meeting": meetings[2].pk}).content.decode()
    # The certificate follows the meetings attended.
    assert attendance_of(registration).meetings == [meetings[2]]


def test_a_per_meeting_series_asks_for_at_least_one_meeting_and_offers_checkboxes(client):
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    user = VerifiedUserFactory()
    with pytest.raises(RegistrationError, match="at least one meeting"):
        register(event=event, user=user, attendee=Attendee(name="A", email=user.email, language="en"))
    assert not Registration.objects.exists()

    detail = client.get(reverse("events:event_detail", kwargs={"slug": event.slug})).content.decode()
    assert "You choose the meetings you come to, at least one" in detail
    client.force_login(user)
    page = client.get(reverse("events:register", kwargs={"slug": event.slug}))
    html = page.content.decode()
    assert html.count('type="checkbox" name="meetings"') == 6
    assert "<fieldset" in html and meetings[3].title in html
    response = client.post(
        reverse("events:register", kwargs={"slug": event.slug}),
        {
            "name": "Anna Neri",
            "email": user.email,
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 200
    assert not Registration.objects.exists()
    response = client.post(
        reverse("events:register", kwargs={"slug": event.slug}),
        {
            "name": "Anna Neri",
            "email": user.email,
            "privacy_consent": "on",
            "meetings": [meetings[1].pk, meetings[4].pk],
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert sorted(registration.session_choices.values_list("session", flat=True)) == [meetings[1].pk, meetings[4].pk]


def test_a_full_meeting_waitlists_that_meeting_only_and_promotes_with_its_reminders():
    event = per_meeting_cycle(reminder_offsets=[120])
    meetings = list(event.sessions.all())
    meetings[1].capacity = 1
    meetings[1].save()
    first = join(event, [meetings[1]])
    second = join(event, [meetings[0], meetings[1]], language="en")
    assert dict(second.session_choices.values_list("session", "status")) == {
        meetings[0].pk: Choice.CONFIRMED,
        meetings[1].pk: Choice.WAITLISTED,
    }
    assert not Reminder.objects.filter(registration=second, session=meetings[1]).exists()
    [cal] = calendars(OutgoingEmail.objects.get(template="event_confirmation", to=second.email)).values()
    assert starts(cal) == [at(meetings[0])]

    OutgoingEmail.objects.all().delete()
    change_sessions(registration=first, session_ids=[meetings[2].pk], by_link=True)
    assert dict(second.session_choices.values_list("session", "status"))[meetings[1].pk] == Choice.CONFIRMED
    promoted = OutgoingEmail.objects.get(template="event_session_promoted", to=second.email)
    assert "a seat freed up at the meeting of" in promoted.body_text
    [cal] = calendars(promoted).values()
    assert starts(cal) == [at(meetings[0]), at(meetings[1])]
    assert Reminder.objects.filter(registration=second, session=meetings[1]).exists()


def test_a_meeting_cancelled_tells_only_those_who_chose_it():
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    chose = join(event, [meetings[2]])
    other = join(event, [meetings[3]])
    OutgoingEmail.objects.all().delete()
    cancel_meeting(event=event, session=meetings[2], actor=CoordinatorFactory())
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [chose.email]
    assert other.email not in OutgoingEmail.objects.values_list("to", flat=True)


# Changing the meetings or the workshops -------------------------------------------------------


def test_changing_meetings_sends_the_new_calendar_with_a_higher_sequence_and_takes_the_old_one_out():
    event = per_meeting_cycle(reminder_offsets=[120])
    meetings = list(event.sessions.all())
    user = VerifiedUserFactory()
    registration = join(event, [meetings[0], meetings[2]], language="en", user=user)
    sequence = event.sequence
    OutgoingEmail.objects.all().delete()

    change = change_sessions(registration=registration, session_ids=[meetings[0].pk, meetings[4].pk], actor=user)
    assert change.changed and change.added == (meetings[4],) and change.removed == (meetings[2],)
    assert sorted(registration.session_choices.values_list("session", flat=True)) == [meetings[0].pk, meetings[4].pk]
    event.refresh_from_db()
    assert event.sequence == sequence + 1
    email = OutgoingEmail.objects.get(template="event_sessions_changed", to=registration.email)
    assert email.subject.startswith("Your meetings are changed")
    files = calendars(email)
    assert set(files) == {"event.ics", "sessions-removed.ics"}
    assert files["event.ics"]["method"] == "REQUEST"
    assert starts(files["event.ics"]) == [at(meetings[0]), at(meetings[4])]
    assert {int(c["sequence"]) for c in files["event.ics"].walk("VEVENT")} == {event.sequence}
    assert files["sessions-removed.ics"]["method"] == "CANCEL"
    [removed] = files["sessions-removed.ics"].walk("VEVENT")
    assert removed.decoded("dtstart") == at(meetings[2]) and str(removed["status"]) == "CANCELLED"
    assert str(removed["uid"]) == str(files["event.ics"].walk("VEVENT")[0]["uid"]).replace(
        str(meetings[0].pk), str(meetings[2].pk), 1
    )
    # Reminders follow; the change is on the record with its actor.
    assert set(Reminder.objects.filter(registration=registration).values_list("session", flat=True)) == {
        meetings[0].pk,
        meetings[4].pk,
    }
    entry = LogEntry.objects.get(action="events.registration.sessions_changed")
    assert entry.actor == user and entry.data["added_ids"] == [meetings[4].pk]
    assert entry.data["removed_ids"] == [meetings[2].pk]

    # The same choice again changes nothing and sends nothing.
    OutgoingEmail.objects.all().delete()
    assert not change_sessions(
        registration=registration, session_ids=[meetings[0].pk, meetings[4].pk], actor=user
    ).changed
    assert not OutgoingEmail.objects.exists()
    # At least one meeting; a stranger without the link may not.
    with pytest.raises(RegistrationError, match="at least one meeting"):
        change_sessions(registration=registration, session_ids=[], actor=user)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        change_sessions(registration=registration, session_ids=[meetings[1].pk], actor=VerifiedUserFactory())
    with pytest.raises(PermissionDenied):
        change_sessions(registration=registration, session_ids=[meetings[1].pk])


def test_a_meeting_that_has_begun_can_be_neither_chosen_nor_given_up():
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    registration = join(event, [meetings[0], meetings[1]])
    # The first meeting is today, now: the series is under way.
    past_day = timezone.localdate(timezone.now(), ROME)
    meetings[0].day = past_day
    meetings[0].start_time, meetings[0].end_time = time(0, 0), time(23, 59)
    meetings[0].save()
    with pytest.raises(RegistrationError, match="already begun"):
        change_sessions(registration=registration, session_ids=[meetings[1].pk], by_link=True)
    change_sessions(registration=registration, session_ids=[meetings[0].pk, meetings[3].pk], by_link=True)
    assert sorted(registration.session_choices.values_list("session", flat=True)) == [meetings[0].pk, meetings[3].pk]


def workshops_event(seats=1):
    """Seed 001: a slot of parallel workshops with few seats, and a plenary."""
    event = EventFactory(capacity=None, title="Fare Rete")
    day = timezone.localtime(event.start, ROME).date()
    a = SessionFactory(
        event=event,
        day=day,
        start_time=time(14),
        end_time=time(16),
        title="Comunità educanti",
        kind="workshop",
        capacity=seats,
    )
    b = SessionFactory(
        event=event,
        day=day,
        start_time=time(14),
        end_time=time(16),
        title="Economia di luogo",
        kind="workshop",
        capacity=seats,
    )
    later = SessionFactory(
        event=event,
        day=day,
        start_time=time(16, 30),
        end_time=time(18),
        title="Rigenerare",
        kind="workshop",
        capacity=10,
    )
    return event, a, b, later


def test_switching_workshop_within_the_slot_respects_the_seats_and_promotes_the_next_in_line():
    event, a, b, later = workshops_event(seats=1)
    x = RegistrationFactory(event=event, language="en")
    SessionChoice.objects.create(registration=x, session=a, status=Choice.CONFIRMED)
    y = RegistrationFactory(event=event)
    SessionChoice.objects.create(registration=y, session=b, status=Choice.CONFIRMED)
    z = RegistrationFactory(event=event)
    SessionChoice.objects.create(registration=z, session=a, status=Choice.WAITLISTED, waitlisted_at=timezone.now())

    # One session per time slot.
    with pytest.raises(RegistrationError, match="same time"):
        change_sessions(registration=x, session_ids=[a.pk, b.pk], by_link=True)
    # X moves to B (full): X waits for B; A's seat goes to Z, first in A's line, who is told.
    change_sessions(registration=x, session_ids=[b.pk, later.pk], by_link=True)
    assert dict(x.session_choices.values_list("session", "status")) == {
        b.pk: Choice.WAITLISTED,
        later.pk: Choice.CONFIRMED,
    }
    assert dict(z.session_choices.values_list("session", "status")) == {a.pk: Choice.CONFIRMED}
    assert OutgoingEmail.objects.filter(template="event_session_promoted", to=z.email).exists()
    assert LogEntry.objects.filter(action="events.registration.session_promoted", object_id=z.pk).exists()
    # X's new file holds the event and the workshop with a seat; the one given up is taken out.
    files = calendars(OutgoingEmail.objects.get(template="event_sessions_changed", to=x.email))
    summaries = sorted(str(c["summary"]) for c in files["event.ics"].walk("VEVENT"))
    assert summaries == ["Fare Rete", "Rigenerare – Fare Rete"]
    assert [str(c["summary"]) for c in files["sessions-removed.ics"].walk("VEVENT")] == [
        "Comunità educanti – Fare Rete"
    ]
    # Y gives up B: X, first in B's line, gets it.
    change_sessions(registration=y, session_ids=[], by_link=True)
    assert dict(x.session_choices.values_list("session", "status"))[b.pk] == Choice.CONFIRMED
    assert b.choices.filter(status=Choice.CONFIRMED).count() == 1


def test_a_request_not_yet_confirmed_changes_its_choice_without_taking_seats():
    event, a, b, later = workshops_event(seats=1)
    pending = RegistrationFactory(event=event, status=Status.PENDING, confirmed_at=None)
    SessionChoice.objects.create(registration=pending, session=a)
    change_sessions(registration=pending, session_ids=[b.pk], by_link=True)
    assert list(pending.session_choices.values_list("session", "status")) == [(b.pk, Choice.REQUESTED)]
    email = OutgoingEmail.objects.get(template="event_sessions_changed")
    assert not calendars(email)
    cancelled = RegistrationFactory(event=event, status=Status.CANCELLED)
    with pytest.raises(RegistrationError):
        change_sessions(registration=cancelled, session_ids=[b.pk], by_link=True)


def test_the_registration_page_links_to_the_change_page_which_changes_the_workshop(client):
    event, a, b, later = workshops_event(seats=5)
    registration = RegistrationFactory(event=event)
    SessionChoice.objects.create(registration=registration, session=a, status=Choice.CONFIRMED)
    page = client.get(reverse("events:registration", kwargs={"token": registration.token}))
    change_url = reverse("events:change_sessions", kwargs={"token": registration.token})
    assert f'href="{change_url}"' in page.content.decode()
    assert page.cookies == {}

    form = client.get(change_url)
    html = form.content.decode()
    assert form.status_code == 200
    assert re.search(rf'<input type="radio" name="slot_\d" value="{a.pk}"[^>]* checked>', html)  # the current choice
    assert "Economia di luogo" in html and "<fieldset" in html
    slot = next(name for name in ("slot_1", "slot_2") if f'name="{name}" value="{a.pk}"' in html)
    response = client.post(change_url, {slot: b.pk})
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("events:registration", kwargs={"token": registration.token})
    )
    assert list(registration.session_choices.values_list("session", "status")) == [(b.pk, Choice.CONFIRMED)]
    entry = LogEntry.objects.get(action="events.registration.sessions_changed")
    assert entry.actor is None  # a guest with the link

    # Both workshops of one slot, by a hand-made request: refused with a message, nothing changed.
    response = client.post(change_url, {slot: [a.pk, b.pk]})
    assert response.status_code == 200 and "same time" in response.content.decode()
    assert list(registration.session_choices.values_list("session", flat=True)) == [b.pk]


def test_the_change_page_is_closed_for_a_cancelled_registration(client):
    event, a, b, later = workshops_event()
    registration = RegistrationFactory(event=event, status=Status.CANCELLED)
    change_url = reverse("events:change_sessions", kwargs={"token": registration.token})
    response = client.post(change_url, {"slot_1": b.pk})
    assert response.status_code == 302
    assert not registration.session_choices.exists()
    page = client.get(reverse("events:registration", kwargs={"token": registration.token}))
    assert change_url not in page.content.decode()


def test_the_event_editor_sets_registration_per_meeting():
    event = verona_cycle()
    coordinator = CoordinatorFactory()
    services.save_event(event=event, actor=coordinator, data=services.EventData(register_per_meeting=True))
    event.refresh_from_db()
    assert event.register_per_meeting and event.per_meeting
    client = Client()
    client.force_login(coordinator)
    html = client.get(reverse("events:event_edit", kwargs={"slug": event.slug})).content.decode()
    assert 'name="register_per_meeting"' in html


def test_registration_per_meeting_cannot_be_switched_once_people_registered(client):
    from django.core.exceptions import ValidationError

    from tests.events.test_manage import page_data

    event = verona_cycle()
    coordinator = CoordinatorFactory()
    registration = RegistrationFactory(event=event)
    with pytest.raises(ValidationError, match="registration per meeting can no longer be switched"):
        services.save_event(event=event, actor=coordinator, data=services.EventData(register_per_meeting=True))
    client.force_login(coordinator)
    edit = reverse("events:event_edit", kwargs={"slug": event.slug})
    response = client.post(edit, page_data(client.get(edit), register_per_meeting="on"))
    assert response.status_code == 200
    assert "registration per meeting can no longer be switched on or off" in response.content.decode()
    event.refresh_from_db()
    assert not event.register_per_meeting
    # Once nobody is registered any more, it can.
    services.cancel_registration(registration=registration)
    services.save_event(event=event, actor=coordinator, data=services.EventData(register_per_meeting=True))
    event.refresh_from_db()
    assert event.per_meeting


# The certificate link on the registration pages -----------------------------------------------


def test_the_registration_pages_offer_the_certificate_once_checked_in(client, django_assert_max_num_queries):
    event = verona_cycle()
    user = VerifiedUserFactory()
    registration = register(
        event=event, user=user, attendee=Attendee(name=user.full_name, email=user.email, language="en")
    ).registration
    certificate = reverse("events:certificate", kwargs={"token": registration.token})
    page = reverse("events:registration", kwargs={"token": registration.token})
    client.force_login(user)
    assert certificate not in client.get(page).content.decode()
    assert certificate not in client.get(reverse("events:my_registrations")).content.decode()

    meeting = event.sessions.first()
    Attendance.objects.create(registration=registration, session=meeting, checked_in_at=timezone.now())
    assert certificate in client.get(page).content.decode()
    assert certificate in client.get(reverse("events:my_registrations")).content.decode()
    assert client.get(certificate).status_code == 200


def test_my_registrations_asks_the_same_queries_for_one_or_many_series_with_certificates(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = VerifiedUserFactory()
    client.force_login(user)

    def add_series():
        event = verona_cycle()
        registration = RegistrationFactory(event=event, email=user.email)
        Attendance.objects.create(
            registration=registration, session=event.sessions.first(), checked_in_at=timezone.now()
        )

    add_series()
    client.get(reverse("events:my_registrations"))
    with CaptureQueriesContext(connection) as one:
        html = client.get(reverse("events:my_registrations")).content.decode()
    assert html.count("certificate.pdf") == 1
    for _ in range(4):
        add_series()
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("events:my_registrations")).content.decode()
    assert html.count("certificate.pdf") == 5
    assert len(many) == len(one)


def test_the_change_of_a_later_meeting_reaches_the_attendee_in_time_for_its_reminder():
    # A meeting added by a change is reminded of like one chosen at registration.
    event = per_meeting_cycle(reminder_offsets=[120])
    meetings = list(event.sessions.all())
    registration = join(event, [meetings[0]])
    change_sessions(registration=registration, session_ids=[meetings[0].pk, meetings[5].pk], by_link=True)
    reminder = Reminder.objects.get(registration=registration, session=meetings[5])
    assert reminder.due_at == at(meetings[5]) - timedelta(minutes=120)
