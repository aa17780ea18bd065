"""Every e-mail about events, rendered through the service that sends it, in the recipient's language."""

from datetime import time, timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from alliance.emails import render_email
from alliance.models import OutgoingEmail
from events import services
from events.models import Event, Registration
from events.services import Attendee
from tests.factories.events import ROME, EventFactory, RegistrationFactory, SessionFactory
from tests.factories.members import CoordinatorFactory

pytestmark = pytest.mark.django_db

ADDRESS = "giulia@example.org"
TITLE = "Generare comunità"


def absolute(name, language, **kwargs):
    with translation.override(language):
        return django_settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def in_words(moment, language):
    """The date and start time as the e-mails write them."""
    local = timezone.localtime(moment, ROME)
    with translation.override(language):
        return formats.date_format(local, "l j F Y"), formats.time_format(local.time())


def make_event(**overrides):
    fields = {
        "title": TITLE,
        "venue_name": "Centro Loris Malaguzzi",
        "address": "Viale Ramazzini 72/a",
        "city": "Reggio Emilia",
        **overrides,
    }
    return EventFactory(**fields)


def guest(event, language, email=ADDRESS, **kwargs):
    return services.register(
        event=event, attendee=Attendee(name="Giulia Ferri", email=email, language=language, **kwargs)
    ).registration


def confirmed_guest(event, language, email=ADDRESS, **kwargs):
    registration = guest(event, language, email=email, **kwargs)
    return services.confirm_email(token=registration.token)


# One scenario per template: it runs the real service and returns the recipient's registration.


def email_check(language):
    return guest(make_event(), language)


def application_received(language):
    return confirmed_guest(make_event(registration_policy=Event.Policy.APPLICATION), language)


def confirmation(language):
    return confirmed_guest(make_event(), language)


def waitlisted(language):
    event = make_event(capacity=1)
    RegistrationFactory(event=event)
    return confirmed_guest(event, language)


def promoted(language):
    event = make_event(capacity=1)
    leaving = RegistrationFactory(event=event)
    registration = confirmed_guest(event, language)
    services.cancel_registration(registration=leaving)
    return registration


def session_promoted(language):
    event = make_event()
    workshop = SessionFactory(
        event=event, title="Comunità educanti", kind="workshop", start_time=time(14), end_time=time(16), capacity=1
    )
    other = confirmed_guest(event, "it", email="altra@example.org", session_ids=[workshop.pk])
    registration = confirmed_guest(event, language, session_ids=[workshop.pk])
    services.cancel_registration(registration=other)
    return registration


def sessions_changed(language):
    event = make_event()
    workshop = SessionFactory(
        event=event, title="Comunità educanti", kind="workshop", start_time=time(14), end_time=time(16), capacity=5
    )
    registration = confirmed_guest(event, language)
    services.change_sessions(registration=registration, session_ids=[workshop.pk], by_link=True)
    return registration


def registration_cancelled(language):
    registration = confirmed_guest(make_event(), language)
    return services.cancel_registration(registration=registration)


def application_declined(language):
    registration = confirmed_guest(make_event(registration_policy=Event.Policy.APPLICATION), language)
    return services.decide_registration(
        registration=registration, actor=CoordinatorFactory(), approve=False, reason="Posti riservati alle scuole."
    )


def changed(language):
    event = make_event()
    registration = confirmed_guest(event, language)
    event = Event.objects.get(pk=event.pk)
    services.save_event(
        event=event,
        actor=CoordinatorFactory(),
        data=services.EventData(
            start=event.start + timedelta(days=1, hours=1),
            end=event.end + timedelta(days=1, hours=1),
            venue_name="Teatro Municipale Valli",
        ),
    )
    return registration


def cancelled(language):
    event = make_event()
    registration = confirmed_guest(event, language)
    services.cancel_event(event=event, actor=CoordinatorFactory(), message="Rinviato per l'allerta meteo.")
    return registration


def message(language):
    event = make_event()
    registration = confirmed_guest(event, language)
    services.message_attendees(
        event=event,
        actor=CoordinatorFactory(),
        statuses=[Registration.Status.CONFIRMED],
        subject="Parcheggio",
        body="Si parcheggia in via Roma.\nPortate una borraccia.",
    )
    return registration


def registration_link(language):
    registration = confirmed_guest(make_event(), language)
    services.resend_registration_link(registration)
    return registration


def reminder(offset):
    def scenario(language):
        event = make_event()
        registration = confirmed_guest(event, language)
        for due in sorted(event.reminder_offsets, reverse=True):  # the periodic task, at each due time
            if due >= offset:
                services.send_due_reminders(now=event.start - timedelta(minutes=due))
        return registration

    return scenario


SCENARIOS = {
    # template: (scenario, English subject, has the cancel link, has the calendar file)
    "event_email_check": (email_check, f"Confirm your registration for {TITLE}", True, False),
    "event_application_received": (
        application_received,
        f"We received your request to take part in {TITLE}",
        True,
        False,
    ),
    "event_confirmation": (confirmation, f"Your seat is confirmed: {TITLE}", True, True),
    "event_waitlisted": (waitlisted, f"You are number 1 on the waiting list: {TITLE}", True, False),
    "event_promoted": (promoted, f"A seat is yours: {TITLE}", True, True),
    "event_session_promoted": (session_promoted, "A seat is yours in “Comunità educanti”", True, True),
    "event_sessions_changed": (sessions_changed, f"Your sessions are changed: {TITLE}", True, True),
    "event_registration_cancelled": (
        registration_cancelled,
        f"Your registration for {TITLE} is cancelled",
        False,
        True,  # a METHOD:CANCEL file takes the event out of the calendar
    ),
    "event_application_declined": (application_declined, f"Your request to take part in {TITLE}", False, False),
    "event_changed": (changed, f"Changed: the date, time or place of {TITLE}", True, True),
    "event_cancelled": (cancelled, f"Cancelled: {TITLE}", False, True),
    "event_message": (message, f"Parcheggio – {TITLE}", True, False),
    "event_reminder": (reminder(2880), f"Reminder: {TITLE} starts in 2 days", True, False),
    "event_registration_link": (registration_link, f"Your registration for {TITLE}", True, False),
}


def sent(template, registration):
    return OutgoingEmail.objects.filter(template=template, to=registration.email).latest("pk")


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("template", list(SCENARIOS))
def test_every_event_email_says_what_happened_when_where_and_how_to_cancel(template, language):
    scenario, subject, has_cancel_link, has_calendar = SCENARIOS[template]

    registration = scenario(language)

    email = sent(template, registration)
    assert (email.to, email.language) == (ADDRESS, language)
    if language == "en":
        assert email.subject == subject
    assert f'<html lang="{language}">' in email.body_html
    event = Event.objects.get(pk=registration.event_id)
    day, start = in_words(event.start, language)
    for body in (email.body_text, email.body_html):
        assert TITLE in body
        assert f"{day}, " in body
        assert start in body
        assert event.venue_name in body
        assert "Viale Ramazzini 72/a" in body
        assert "Reggio Emilia" in body
        assert absolute("events:event_detail", language, slug=event.slug) in body
        assert (absolute("events:cancel", language, token=registration.token) in body) is has_cancel_link
    # The calendar file is named in the recipient's language.
    name = {"it": "evento.ics", "en": "event.ics"}[language]
    assert [a["filename"] for a in email.attachments] == ([name] if has_calendar else [])


def test_the_email_check_carries_the_confirmation_link():
    registration = email_check("en")

    email = sent("event_email_check", registration)
    link = absolute("events:confirm_email", "en", token=registration.token)
    assert link in email.body_text
    assert f'href="{link}"' in email.body_html
    assert email.body_text.startswith("Hello Giulia Ferri,\n\nSomeone, probably you, registered this address")


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_link_sent_again_opens_the_registration_once_the_address_is_confirmed(language):
    unconfirmed = guest(make_event(), language)
    confirmed = confirmed_guest(make_event(), language, email="altra@example.org")
    OutgoingEmail.objects.all().delete()

    services.resend_registration_link(unconfirmed)
    services.resend_registration_link(confirmed)

    assert sorted(OutgoingEmail.objects.values_list("template", "to")) == [
        ("event_email_check", ADDRESS),
        ("event_registration_link", "altra@example.org"),
    ]
    check, link = sent("event_email_check", unconfirmed), sent("event_registration_link", confirmed)
    assert absolute("events:confirm_email", language, token=unconfirmed.token) in check.body_text
    assert absolute("events:registration", language, token=confirmed.token) in link.body_text
    assert f'href="{absolute("events:registration", language, token=confirmed.token)}"' in link.body_html


def test_confirmation_and_promotion_say_the_seat_is_confirmed_and_the_calendar_file_is_attached():
    for template, scenario in (("event_confirmation", confirmation), ("event_promoted", promoted)):
        OutgoingEmail.objects.all().delete()
        email = sent(template, scenario("en"))
        assert "The attached calendar file (.ics) adds the event to your calendar." in email.body_text
        assert "is confirmed" in email.body_text


def test_the_waiting_list_email_says_they_will_be_told():
    email = sent("event_waitlisted", waitlisted("en"))
    assert "you are on the waiting list" in email.body_text
    assert "we will write to you at once" in email.body_text


def test_the_change_email_shows_the_old_and_the_new_date_and_place():
    registration = changed("en")

    email = sent("event_changed", registration)
    event = Event.objects.get(pk=registration.event_id)
    old_day, old_start = in_words(event.start - timedelta(days=1, hours=1), "en")
    new_day, new_start = in_words(event.start, "en")
    text = email.body_text
    assert f"Before: {old_day}, from {old_start} to" in text
    assert f"Now: {new_day}, from {new_start} to" in text
    assert "Before: Centro Loris Malaguzzi, Viale Ramazzini 72/a, Reggio Emilia" in text
    assert "Now: Teatro Municipale Valli, Viale Ramazzini 72/a, Reggio Emilia" in text


def test_the_cancellation_email_carries_the_organizers_message():
    email = sent("event_cancelled", cancelled("en"))
    assert "A message from the organizers:\nRinviato per l'allerta meteo." in email.body_text
    assert "Rinviato per l&#x27;allerta meteo." in email.body_html


def test_the_declined_email_gives_the_reason():
    email = sent("event_application_declined", application_declined("en"))
    assert "Their reason:\nPosti riservati alle scuole." in email.body_text


def test_the_message_email_carries_the_organizers_subject_and_text():
    email = sent("event_message", message("it"))
    assert email.subject.startswith("Parcheggio – ")
    assert "Si parcheggia in via Roma.\nPortate una borraccia." in email.body_text
    assert "Si parcheggia in via Roma.<br>Portate una borraccia." in email.body_html


def test_the_session_promotion_names_the_session():
    email = sent("event_session_promoted", session_promoted("en"))
    assert "a seat freed up in the session “Comunità educanti”" in email.body_text
    assert "Comunità educanti" in email.body_text.split("Your sessions:")[1]
    assert "seat confirmed" in email.body_text.split("Your sessions:")[1]


@pytest.mark.parametrize(
    ("offset", "subject"),
    [(2880, f"Reminder: {TITLE} starts in 2 days"), (120, f"Reminder: {TITLE} starts in 2 hours")],
)
def test_each_reminder_is_sent_once_and_says_when_the_event_starts(offset, subject):
    registration = reminder(offset)("en")

    emails = OutgoingEmail.objects.filter(template="event_reminder", to=ADDRESS).order_by("pk")
    assert [email.subject for email in emails][-1] == subject
    assert len(emails) == (1 if offset == 2880 else 2)
    when = subject.split("starts ")[1]
    assert f"A reminder: “{TITLE}” starts {when}, and your seat is confirmed." in emails.last().body_text
    assert absolute("events:cancel", "en", token=registration.token) in emails.last().body_text


@pytest.mark.parametrize(
    ("offset", "when"),
    [
        (2880, "in 2 days"),
        (1440, "in 1 day"),
        (4320, "in 3 days"),
        (120, "in 2 hours"),
        (60, "in 1 hour"),
        (30, "in 30 minutes"),
        (1, "in 1 minute"),
    ],
)
def test_the_reminder_writes_the_time_left_in_days_hours_or_minutes(offset, when):
    registration = RegistrationFactory(event=make_event(), language="en")

    subject, text, html = render_email(
        template="event_reminder",
        context={"event": registration.event, "registration": registration, "choices": [], "offset": offset},
        language="en",
    )

    assert subject == f"Reminder: {TITLE} starts {when}"
    assert f"starts {when}, and your seat is confirmed" in text
    assert f"starts {when}, and your seat is confirmed" in html


def test_the_online_link_goes_only_to_confirmed_attendees():
    event = make_event(capacity=1, online_url="https://meet.example.org/generare")
    seated = confirmed_guest(event, "en", email="seduta@example.org")
    waiting = confirmed_guest(event, "en", email="in-attesa@example.org")

    assert "Online: https://meet.example.org/generare" in sent("event_confirmation", seated).body_text
    waiting_text = sent("event_waitlisted", waiting).body_text
    assert "https://meet.example.org/generare" not in waiting_text
    assert "Online: the link comes with the confirmation of your seat." in waiting_text
