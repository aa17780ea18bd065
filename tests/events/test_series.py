"""Series of meetings (issue 9, seed 004: Mag Verona's six Mondays, 14:00–18:00): calendars with one
VEVENT per meeting, reminders before each meeting, check-in and attendance per meeting, the certificate,
a meeting cancelled on its own."""

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from alliance.models import LogEntry, OutgoingEmail
from events.certificates import certificate_pdf
from events.models import Attendance, Event, Registration, Reminder
from events.services import Attendee, EventData, Programme, SessionData, register, save_event, send_due_reminders
from events.services.attendance import attendance_of, check_in_meeting, send_certificates
from events.services.event_life import cancel_meeting
from tests.factories.events import EventFactory, SessionFactory
from tests.factories.members import CoordinatorFactory, VerifiedUserFactory

ROME = ZoneInfo("Europe/Rome")
TITLES = [
    "Nominazione della qualità e degli impatti",
    "Relazione e contrattazione con la P.A.",
    "Come le P.A. ripensano i servizi sociali",
    "Co-programmazione e co-progettazione",
    "Analisi e rendicontazione degli esiti",
    "Creatività al lavoro",
]


def first_monday() -> date:
    day = timezone.localdate(timezone.now(), ROME) + timedelta(days=40)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def verona_cycle(**kwargs) -> Event:
    """Seed 004: six Monday meetings, every other week, 14:00–18:00 at Casa Comune Mag."""
    monday = first_monday()
    days = [monday + timedelta(weeks=2 * i) for i in range(6)]
    event = EventFactory(
        title="Imprese di nuovo welfare",
        venue_name="Casa Comune Mag",
        city="Verona",
        is_series=True,
        start=datetime.combine(days[0], time(14), tzinfo=ROME),
        end=datetime.combine(days[-1], time(18), tzinfo=ROME),
        capacity=30,
        **kwargs,
    )
    for day, title in zip(days, TITLES, strict=True):
        SessionFactory(event=event, day=day, start_time=time(14), end_time=time(18), title=title)
    return event


def attendee(event, language="it") -> Registration:
    user = VerifiedUserFactory()
    return register(
        event=event, user=user, attendee=Attendee(name=user.full_name, email=user.email, language=language)
    ).registration


def vevents(text: str) -> list:
    return [c for c in Calendar.from_ical(text).walk("VEVENT")]


def assert_six_mondays(components, event):
    assert len(components) == 6
    uids = {str(c["uid"]) for c in components}
    assert len(uids) == 6
    assert {int(c["sequence"]) for c in components} == {event.sequence}
    for component in components:
        start, end = component.decoded("dtstart"), component.decoded("dtend")
        assert str(start.tzinfo) == "Europe/Rome" and str(end.tzinfo) == "Europe/Rome"
        assert start.weekday() == 0 and start.time() == time(14) and end.time() == time(18)
        assert start.date() == end.date()


@pytest.mark.django_db(transaction=True)
def test_the_attendees_ics_and_the_public_calendars_hold_six_mondays_14_to_18_and_the_email_lists_them():
    event = verona_cycle()
    registration = attendee(event)
    assert registration.status == Registration.Status.CONFIRMED

    email = OutgoingEmail.objects.get(template="event_confirmation", to=registration.email)
    [ics] = [a["content"] for a in email.attachments if a["mimetype"] == "text/calendar"]
    components = vevents(ics)
    assert_six_mondays(components, event)
    assert Calendar.from_ical(ics)["method"] == "REQUEST"
    # Not one block from the first Monday to the last one.
    assert all((c.decoded("dtend") - c.decoded("dtstart")) == timedelta(hours=4) for c in components)
    for session in event.sessions.all():
        assert session.day.strftime("%-d") in email.body_text
        assert session.title in email.body_text
    assert email.body_text.count("14:00–18:00") == 6

    client_ics = vevents(Client().get(reverse("events:event_ics", kwargs={"slug": event.slug})).content.decode())
    assert_six_mondays(client_ics, event)
    feed = Client().get(reverse("events:feed")).content.decode()
    assert_six_mondays([c for c in vevents(feed) if event.title in str(c["summary"])], event)


@pytest.mark.django_db(transaction=True)
def test_a_reminder_reaches_the_attendee_before_the_second_meeting_once():
    event = verona_cycle(reminder_offsets=[2880, 120])
    registration = attendee(event)
    meetings = list(event.sessions.all())
    assert Reminder.objects.filter(registration=registration).count() == 12
    assert set(Reminder.objects.filter(registration=registration).values_list("session", flat=True)) == {
        m.pk for m in meetings
    }
    OutgoingEmail.objects.all().delete()

    second = datetime.combine(meetings[1].day, meetings[1].start_time, tzinfo=ROME)
    now = second - timedelta(minutes=100)  # both reminders of the 2nd are due: only the nearer is sent
    assert send_due_reminders(now=now) == 1
    [email] = OutgoingEmail.objects.filter(template="event_reminder")
    assert email.to == registration.email
    assert meetings[1].title in email.body_text
    assert send_due_reminders(now=now) == 0
    assert send_due_reminders(now=now + timedelta(minutes=30)) == 0
    assert OutgoingEmail.objects.filter(template="event_reminder").count() == 1
    # The third meeting's reminders are still to come.
    assert Reminder.objects.filter(registration=registration, session=meetings[2], sent_at__isnull=True).count() == 2


@pytest.mark.django_db(transaction=True)
def test_check_in_at_the_third_meeting_marks_only_that_one_and_is_logged():
    event = verona_cycle()
    registration = attendee(event)
    coordinator = CoordinatorFactory()
    meetings = list(event.sessions.all())

    assert check_in_meeting(registration=registration, session=meetings[2], actor=coordinator) is True
    assert check_in_meeting(registration=registration, session=meetings[2], actor=coordinator) is False
    assert list(Attendance.objects.filter(registration=registration).values_list("session", flat=True)) == [
        meetings[2].pk
    ]
    assert (
        LogEntry.objects.filter(
            action="events.registration.meeting_checked_in", data__session_id=meetings[2].pk
        ).count()
        == 1
    )

    client = Client()
    client.force_login(coordinator)
    url = reverse("events:meeting_check_in", kwargs={"slug": event.slug})
    page = client.get(url, {"meeting": meetings[3].pk})
    assert page.status_code == 200 and registration.name in page.content.decode()
    response = client.post(url, {"meeting": meetings[3].pk, "registration": registration.pk})
    assert response.status_code == 302
    assert sorted(Attendance.objects.filter(registration=registration).values_list("session", flat=True)) == [
        meetings[2].pk,
        meetings[3].pk,
    ]
    client.post(url, {"meeting": meetings[3].pk, "registration": registration.pk, "undo": "1"})
    assert list(Attendance.objects.filter(registration=registration).values_list("session", flat=True)) == [
        meetings[2].pk
    ]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("language", "month_word", "total"), [("it", None, "12"), ("en", None, "12 hours")])
def test_the_certificate_lists_the_meetings_attended_and_the_hours_in_the_attendees_language(
    language, month_word, total
):
    event = verona_cycle()
    registration = attendee(event, language=language)
    coordinator = CoordinatorFactory()
    meetings = list(event.sessions.all())
    for meeting in (meetings[0], meetings[2], meetings[5]):
        check_in_meeting(registration=registration, session=meeting, actor=coordinator)

    text = pdf_text(certificate_pdf(attendance_of(registration)))
    assert registration.name in text
    for meeting in (meetings[0], meetings[2], meetings[5]):
        assert meeting.title in text
    for meeting in (meetings[1], meetings[3], meetings[4]):
        assert meeting.title not in text
    from django.utils import formats, translation

    with translation.override(language):
        for meeting in (meetings[0], meetings[2], meetings[5]):
            assert formats.date_format(meeting.day, "l j F Y") in text
    assert total in text
    if language == "it":
        assert "lunedì" in text
    else:
        assert "Monday" in text and "Certificate of attendance" in text

    # The attendee downloads it from the link of their registration; the organizer sends it to everyone.
    client = Client()
    response = client.get(reverse("events:certificate", kwargs={"token": registration.token}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert meetings[2].title in pdf_text(response.content)
    absent = attendee(event)
    assert client.get(reverse("events:certificate", kwargs={"token": absent.token})).status_code == 404

    OutgoingEmail.objects.all().delete()
    assert send_certificates(event=event, actor=coordinator) == 1
    [email] = OutgoingEmail.objects.filter(template="event_certificate")
    assert email.to == registration.email
    [pdf] = [a for a in email.attachments if a["mimetype"] == "application/pdf"]
    # Delivered (the outbox's task runs at once in tests) with the same PDF bytes.
    from django.core import mail

    [sent] = [
        m
        for m in mail.outbox
        if m.to == [registration.email]
        and "certificate" in str(m.attachments)
        or m.to == [registration.email]
        and any(a[2] == "application/pdf" for a in m.attachments)
    ]
    [part] = [p for p in sent.message().walk() if p.get_content_type() == "application/pdf"]
    assert meetings[5].title in pdf_text(part.get_payload(decode=True))


@pytest.mark.django_db(transaction=True)
def test_cancelling_one_meeting_tells_its_attendees_and_cancels_its_vevent_only():
    event = verona_cycle()
    first, second = attendee(event), attendee(event, language="en")
    coordinator = CoordinatorFactory()
    meetings = list(event.sessions.all())
    sequence = Event.objects.get(pk=event.pk).sequence
    OutgoingEmail.objects.all().delete()

    cancel_meeting(event=event, session=meetings[3], actor=coordinator, message="Sala inagibile.")

    event.refresh_from_db()
    assert event.sequence == sequence + 1
    emails = OutgoingEmail.objects.filter(template="event_meeting_cancelled")
    assert sorted(e.to for e in emails) == sorted([first.email, second.email])
    for email in emails:
        assert "Sala inagibile." in email.body_text
        [ics] = [a["content"] for a in email.attachments if a["mimetype"] == "text/calendar"]
        assert Calendar.from_ical(ics)["method"] == "CANCEL"
        [component] = vevents(ics)
        assert str(component["uid"]).startswith(f"session-{meetings[3].pk}@")
        assert str(component["status"]) == "CANCELLED" and int(component["sequence"]) == event.sequence
    assert not Reminder.objects.filter(session=meetings[3]).exists()
    assert Reminder.objects.filter(session=meetings[4]).exists()
    public = vevents(Client().get(reverse("events:event_ics", kwargs={"slug": event.slug})).content.decode())
    statuses = {str(c["uid"]).split("@")[0]: str(c["status"]) for c in public}
    assert statuses[f"session-{meetings[3].pk}"] == "CANCELLED"
    assert list(statuses.values()).count("CONFIRMED") == 5
    assert LogEntry.objects.filter(action="events.event.meeting_cancelled").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_meeting_moved_in_time_is_a_change_everyone_hears_of_with_the_new_calendar():
    event = verona_cycle()
    registration = attendee(event)
    coordinator = CoordinatorFactory()
    meeting = list(event.sessions.all())[1]
    OutgoingEmail.objects.all().delete()
    values = {n: getattr(meeting, n) for n in ("title", "kind", "day", "room", "capacity", "description")}
    save_event(
        event=event,
        actor=coordinator,
        data=EventData(),
        programme=Programme(sessions=[SessionData(pk=meeting.pk, start_time=time(15), end_time=time(19), **values)]),
    )
    [email] = OutgoingEmail.objects.filter(template="event_changed", to=registration.email)
    [ics] = [a["content"] for a in email.attachments if a["mimetype"] == "text/calendar"]
    moved = [c for c in vevents(ics) if str(c["uid"]).startswith(f"session-{meeting.pk}@")][0]
    assert moved.decoded("dtstart").time() == time(15) and moved.decoded("dtend").time() == time(19)
    reminders = Reminder.objects.filter(registration=registration, session=meeting, offset_minutes=120)
    assert reminders.get().due_at == datetime.combine(meeting.day, time(13), tzinfo=ROME)
