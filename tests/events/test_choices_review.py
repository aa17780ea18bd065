"""Fixes after review of issue 9 (per-meeting series, changing the chosen sessions): fewer seats at a meeting
take it out of the calendar and the reminders; the change form and service with past or no longer choosable
sessions; closed registration; the calendar link; the subjects of a series per meeting."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from alliance.models import OutgoingEmail
from events import services
from events.models import Registration, Reminder, SessionChoice
from events.services import EventData, Programme, SessionData
from events.services.event_life import cancel_meeting
from tests.events.test_choices_change import ROME, at, calendars, join, per_meeting_cycle, starts, workshops_event
from tests.factories.members import CoordinatorFactory

pytestmark = pytest.mark.django_db

Choice = SessionChoice.Status
Status = Registration.Status


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def rows(event, **capacities):
    """The programme as the editor sends it, with new seats for the sessions named by pk."""
    return [
        SessionData(
            pk=s.pk,
            title=s.title,
            kind=s.kind,
            day=s.day,
            start_time=s.start_time,
            end_time=s.end_time,
            capacity=capacities.get(str(s.pk), s.capacity),
        )
        for s in event.sessions.all()
    ]


def test_fewer_seats_at_a_meeting_take_it_out_of_the_calendar_and_the_reminders():
    event = per_meeting_cycle(reminder_offsets=[120])
    meetings = list(event.sessions.all())
    first = join(event, [meetings[1], meetings[2]], language="en")
    moved = join(event, [meetings[1], meetings[2]], language="en")
    assert Reminder.objects.filter(registration=moved, session=meetings[1], sent_at__isnull=True).exists()
    sequence = event.sequence
    OutgoingEmail.objects.all().delete()

    services.save_event(
        event=event,
        actor=CoordinatorFactory(),
        data=EventData(),
        programme=Programme(sessions=rows(event, **{str(meetings[1].pk): 1})),
        confirm_moves=True,
    )

    assert dict(moved.session_choices.values_list("session", "status")) == {
        meetings[1].pk: Choice.WAITLISTED,
        meetings[2].pk: Choice.CONFIRMED,
    }
    # No reminder of a meeting where they hold no seat; the other meeting's stay; the first keeps theirs.
    assert set(Reminder.objects.filter(registration=moved).values_list("session", flat=True)) == {meetings[2].pk}
    assert Reminder.objects.filter(registration=first, session=meetings[1]).exists()
    email = OutgoingEmail.objects.get(template="event_session_waitlisted", to=moved.email)
    files = calendars(email)
    assert set(files) == {"sessions-removed.ics"}
    cal = files["sessions-removed.ics"]
    assert cal["method"] == "CANCEL"
    assert starts(cal) == [at(meetings[1])]  # that meeting only, not the one they keep
    [entry] = cal.walk("VEVENT")
    event.refresh_from_db()
    assert event.sequence > sequence and int(entry["sequence"]) == event.sequence
    assert "The attached calendar file (.ics) takes this meeting out of your calendar." in email.body_text
    assert not OutgoingEmail.objects.filter(to=first.email).exists()


def test_fewer_seats_in_a_workshop_take_that_workshop_only_out_of_the_calendar():
    event, a, b, later = workshops_event(seats=2)
    people = [
        services.register(
            event=event,
            attendee=services.Attendee(
                name=f"Persona {n}", email=f"p{n}@example.org", language="en", session_ids=[a.pk, later.pk]
            ),
        ).registration
        for n in range(2)
    ]
    for person in people:
        services.confirm_email(token=person.token)
    OutgoingEmail.objects.all().delete()
    services.save_event(
        event=event,
        actor=CoordinatorFactory(),
        data=EventData(),
        programme=Programme(sessions=rows(event, **{str(a.pk): 1})),
        confirm_moves=True,
    )
    [email] = OutgoingEmail.objects.filter(template="event_session_waitlisted")
    files = calendars(email)
    assert set(files) == {"sessions-removed.ics"}
    [entry] = files["sessions-removed.ics"].walk("VEVENT")  # the workshop, not the event nor the other workshop
    assert str(entry["summary"]) == f"{a.title} – {event.title}" and str(entry["status"]) == "CANCELLED"
    assert "The attached calendar file (.ics) takes this session out of your calendar." in email.body_text


# The change page with past sessions or sessions no longer choosable ---------------------------------------------


def begun(meeting):
    """The meeting is under way: today, from midnight."""
    meeting.day = timezone.localdate(timezone.now(), ROME)
    meeting.start_time, meeting.end_time = time(0, 0), time(23, 59)
    meeting.save()


def change_url(registration):
    return reverse("events:change_sessions", kwargs={"token": registration.token})


def test_with_past_meetings_kept_the_remaining_ones_may_all_be_given_up():
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    registration = join(event, [meetings[0], meetings[2]])
    begun(meetings[0])
    client = Client()
    response = client.post(change_url(registration), {})  # no meeting ticked: only the past one stays
    assert response.status_code == 302
    assert list(registration.session_choices.values_list("session", flat=True)) == [meetings[0].pk]


def test_without_past_meetings_at_least_one_meeting_is_asked_for():
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    registration = join(event, [meetings[2]])
    response = Client().post(change_url(registration), {})
    assert response.status_code == 200 and "Choose at least one meeting." in response.content.decode()
    assert list(registration.session_choices.values_list("session", flat=True)) == [meetings[2].pk]


def test_a_cancelled_meeting_does_not_block_changing_the_others():
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    registration = join(event, [meetings[1], meetings[2]])
    cancel_meeting(event=event, session=meetings[1], actor=CoordinatorFactory())
    response = Client().post(change_url(registration), {"meetings": [meetings[3].pk]})
    assert response.status_code == 302
    # The cancelled meeting's choice stays as the record of it; the other changed.
    assert sorted(registration.session_choices.values_list("session", flat=True)) == [meetings[1].pk, meetings[3].pk]
    # Sent again by the service's caller, it is neither refused nor given up.
    change = services.change_sessions(
        registration=registration, session_ids=[meetings[1].pk, meetings[3].pk], by_link=True
    )
    assert not change.changed


def test_a_workshop_that_lost_its_seat_limit_keeps_its_choice_and_does_not_block_changes():
    event, a, b, later = workshops_event(seats=5)
    registration = services.register(
        event=event,
        attendee=services.Attendee(
            name="Anna Neri", email="anna@example.org", language="en", session_ids=[a.pk, later.pk]
        ),
    ).registration
    services.confirm_email(token=registration.token)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    rows_without_limit = rows(event, **{str(a.pk): None})
    services.save_event(
        event=event, actor=CoordinatorFactory(), data=EventData(), programme=Programme(sessions=rows_without_limit)
    )
    client = Client()
    form = client.get(change_url(registration)).content.decode()
    slot = next(name for name in ("slot_1", "slot_2") if f'name="{name}" value="{later.pk}"' in form)
    response = client.post(change_url(registration), {slot: ""})  # gives up “Rigenerare”
    assert response.status_code == 302
    assert list(registration.session_choices.values_list("session", flat=True)) == [a.pk]
    # The service too, when the unlimited workshop is sent again with the rest.
    change = services.change_sessions(registration=registration, session_ids=[a.pk, later.pk], by_link=True)
    assert change.added == (later,) and change.removed == ()


# Subjects and texts of a series registered per meeting ------------------------------------------------------------


def full(meeting):
    """One seat, taken by someone else."""
    meeting.capacity = 1
    meeting.save()
    join(meeting.event, [meeting])


def confirmation(registration):
    return OutgoingEmail.objects.filter(template="event_confirmation", to=registration.email).latest("pk")


@pytest.mark.parametrize("language", ["en", "it"])
def test_no_seat_at_any_meeting_is_said_so_and_no_calendar_file_is_promised(language):
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    full(meetings[1])
    registration = join(event, [meetings[1]], language=language)
    assert registration.status == Status.CONFIRMED
    email = confirmation(registration)
    assert not calendars(email)  # no seat at any meeting: no file
    with translation.override(language):
        subject = gettext("Registration confirmed; you are waiting for a seat at “%(session)s”: %(title)s") % {
            "session": meetings[1].title,
            "title": event.title,
        }
        no_seat = gettext(
            "Your registration for “%(title)s” is confirmed, but every meeting you chose is full for "
            "now: you have no seat yet."
        ) % {"title": event.title}
        reserved = gettext("Your registration for “%(title)s” is confirmed: your seat is reserved.") % {
            "title": event.title
        }
        ics = gettext("The attached calendar file (.ics) adds your meetings to your calendar.")
        event_ics = gettext("The attached calendar file (.ics) adds the event to your calendar.")
    assert email.subject == subject
    assert no_seat in email.body_text and reserved not in email.body_text
    assert ics not in email.body_text and ics not in email.body_html
    assert event_ics not in email.body_text and event_ics not in email.body_html


@pytest.mark.parametrize("language", ["en", "it"])
def test_no_seat_at_two_meetings_counts_the_meetings(language):
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    full(meetings[1])
    full(meetings[2])
    registration = join(event, [meetings[1], meetings[2]], language=language)
    with translation.override(language):
        subject = ngettext(
            "Registration confirmed; you are waiting for a seat at your %(counter)s meeting: %(title)s",
            "Registration confirmed; you are waiting for a seat at your %(counter)s meetings: %(title)s",
            2,
        ) % {"counter": 2, "title": event.title}
    assert confirmation(registration).subject == subject


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_seat_at_some_meetings_counts_the_full_ones_as_meetings_and_attaches_the_file(language):
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    full(meetings[1])
    full(meetings[2])
    registration = join(event, [meetings[0], meetings[1], meetings[2]], language=language)
    email = confirmation(registration)
    with translation.override(language):
        subject = ngettext(
            "Your seat is confirmed; for %(counter)s meeting you are on the waiting list: %(title)s",
            "Your seat is confirmed; for %(counter)s meetings you are on the waiting list: %(title)s",
            2,
        ) % {"counter": 2, "title": event.title}
        ics = gettext("The attached calendar file (.ics) adds your meetings to your calendar.")
        reserved = gettext("Your registration for “%(title)s” is confirmed: your seat is reserved.") % {
            "title": event.title
        }
    assert email.subject == subject
    assert ics in email.body_text and reserved in email.body_text
    [cal] = calendars(email).values()
    assert starts(cal) == [at(meetings[0])]


def test_an_event_with_workshops_still_promises_the_file_it_attaches():
    event, a, b, later = workshops_event(seats=5)
    registration = services.register(
        event=event,
        attendee=services.Attendee(name="Anna Neri", email="anna@example.org", language="en", session_ids=[a.pk]),
    ).registration
    services.confirm_email(token=registration.token)
    email = confirmation(registration)
    assert calendars(email)
    assert "The attached calendar file (.ics) adds the event to your calendar." in email.body_text
    assert email.subject == f"Your seat is confirmed: {event.title}"


# Registration closed ------------------------------------------------------------------------------------------------


def test_after_registration_closed_meetings_may_be_given_up_but_not_added():
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    registration = join(event, [meetings[1], meetings[2]])
    event.registration_closes_at = timezone.now() - timedelta(minutes=1)
    event.save(update_fields=["registration_closes_at"])
    with pytest.raises(services.RegistrationError, match="Registration is closed. You may still give up a meeting"):
        services.change_sessions(
            registration=registration, session_ids=[meetings[1].pk, meetings[2].pk, meetings[3].pk], by_link=True
        )
    # A swap adds one too: refused, nothing changed.
    response = Client().post(change_url(registration), {"meetings": [meetings[1].pk, meetings[3].pk]})
    assert response.status_code == 200 and "Registration is closed." in response.content.decode()
    assert sorted(registration.session_choices.values_list("session", flat=True)) == [meetings[1].pk, meetings[2].pk]
    change = services.change_sessions(registration=registration, session_ids=[meetings[1].pk], by_link=True)
    assert change.removed == (meetings[2],) and change.added == ()


# The calendar link ---------------------------------------------------------------------------------------------------


def test_no_calendar_file_nor_link_without_a_seat_at_any_meeting():
    event = per_meeting_cycle()
    meetings = list(event.sessions.all())
    full(meetings[1])
    waiting = join(event, [meetings[1]])
    seated = join(event, [meetings[2]])
    client = Client()
    for registration, code in ((waiting, 404), (seated, 200)):
        ics_url = reverse("events:registration_ics", kwargs={"token": registration.token})
        assert client.get(ics_url).status_code == code
        page = client.get(reverse("events:registration", kwargs={"token": registration.token}))
        assert (ics_url in page.content.decode()) is (code == 200)


# Registration per meeting on an event that is not a series ---------------------------------------------------------


def test_registration_per_meeting_is_refused_on_an_event_that_is_not_a_series():
    from django.core.exceptions import ValidationError

    from tests.events.test_manage import page_data

    event, a, b, later = workshops_event()
    coordinator = CoordinatorFactory()
    with pytest.raises(ValidationError) as refused:
        services.save_event(event=event, actor=coordinator, data=EventData(register_per_meeting=True))
    assert "only for a series of meetings" in refused.value.message_dict["register_per_meeting"][0]
    event.refresh_from_db()
    assert not event.register_per_meeting

    client = Client()
    client.force_login(coordinator)
    with translation.override("en"):
        edit = reverse("events:event_edit", kwargs={"slug": event.slug})
    response = client.post(edit, page_data(client.get(edit), register_per_meeting="on"))
    assert response.status_code == 200
    assert response.context["editor"].event_form.errors["register_per_meeting"] == [
        "Registration per meeting is only for a series of meetings: tick “series of meetings” too, or untick this."
    ]
    event.refresh_from_db()
    assert not event.register_per_meeting
    # With the series ticked too, it is taken.
    response = client.post(edit, page_data(client.get(edit), register_per_meeting="on", is_series="on"))
    event.refresh_from_db()
    assert response.status_code == 302 and event.per_meeting
