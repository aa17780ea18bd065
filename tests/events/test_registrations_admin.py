"""The registrations of an event seen by the people who run it: list, decisions, CSV, messages, check-in."""

import csv
import io
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from alliance.models import OutgoingEmail
from events.models import Registration, SessionChoice
from events.services import check_in
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory
from tests.factories.members import CoordinatorFactory

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


def url(name, *args, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, args=args, kwargs=kwargs)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def sent(template):
    return [(e.to, e.language) for e in OutgoingEmail.objects.filter(template=template).order_by("to")]


@pytest.fixture
def coordinator(client):
    user = CoordinatorFactory()
    client.force_login(user)
    return user


@pytest.fixture
def workshops_event():
    """Two parallel workshops with their own seats, and one registration in every state."""
    event = EventFactory(title="Giornata dei laboratori")
    reti = SessionFactory(event=event, title="Reti", kind="workshop", capacity=10)
    scuole = SessionFactory(event=event, title="Scuole", kind="workshop", capacity=10)
    people = {
        "anna": RegistrationFactory(event=event, name="Anna Bianchi", status="confirmed"),
        "bruno": RegistrationFactory(event=event, name="Bruno Rossi", status="waitlisted"),
        "carla": RegistrationFactory(event=event, name="Carla Neri", status="confirmed"),
        "dario": RegistrationFactory(event=event, name="Dario Verdi", status="pending", email_confirmed_at=None),
        "elena": RegistrationFactory(event=event, name="Elena Gialli", status="cancelled"),
    }
    SessionChoice.objects.create(registration=people["anna"], session=reti, status="confirmed")
    SessionChoice.objects.create(registration=people["bruno"], session=scuole, status="requested")
    SessionChoice.objects.create(registration=people["carla"], session=scuole, status="confirmed")
    return event, {"reti": reti, "scuole": scuole}, people


# The list and its filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Anna Bianchi", "Bruno Rossi", "Carla Neri", "Dario Verdi", "Elena Gialli"]),
        ({"status": "confirmed"}, ["Anna Bianchi", "Carla Neri"]),
        ({"status": "waitlisted"}, ["Bruno Rossi"]),
        ({"session": "reti"}, ["Anna Bianchi"]),
        ({"session": "scuole"}, ["Bruno Rossi", "Carla Neri"]),
        ({"session": "scuole", "status": "confirmed"}, ["Carla Neri"]),
        ({"session": "reti", "status": "waitlisted"}, []),
    ],
)
def test_the_list_filters_by_status_and_by_session(client, coordinator, workshops_event, params, expected):
    event, sessions, _people = workshops_event
    if "session" in params:
        params = {**params, "session": sessions[params["session"]].pk}

    response = client.get(url("events:registrations", slug=event.slug), params)

    assert [r.name for r in response.context["page_obj"]] == expected


def test_the_list_counts_every_status_and_the_seats_left(client, coordinator, workshops_event):
    event, _sessions, people = workshops_event

    response = client.get(url("events:registrations", slug=event.slug))

    assert [(value, count) for value, _label, count in response.context["counts"]] == [
        ("pending", 1),
        ("confirmed", 2),
        ("waitlisted", 1),
        ("declined", 0),
        ("cancelled", 1),
    ]
    assert response.context["seats_left"] == 48
    content = response.content.decode()
    assert people["anna"].email in content
    assert "Reti – Confirmed" in content
    assert "Scuole – Requested" in content


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_takes_the_same_queries_for_one_or_three(client, coordinator, django_assert_num_queries, count):
    event = EventFactory()
    session = SessionFactory(event=event, kind="workshop", capacity=5)
    for n in range(count):
        registration = RegistrationFactory(event=event, name=f"Persona {n}")
        SessionChoice.objects.create(registration=registration, session=session, status="confirmed")
        check_in(registration=registration, actor=coordinator)  # a history of two entries each
        check_in(registration=registration, actor=coordinator, undo=True)
    ContentType.objects.get_for_model(Registration)  # cached by Django after a server's first request

    # One query for the histories of the whole page, one for the answers to the event's questions.
    with django_assert_num_queries(12):
        response = client.get(url("events:registrations", slug=event.slug))

    assert [r.name for r in response.context["page_obj"]] == [f"Persona {n}" for n in range(count)]
    assert [[e.action for e in r.history] for r in response.context["page_obj"]] == [
        ["events.registration.checked_in", "events.registration.check_in_undone"]
    ] * count
    assert response.content.decode().count("Check-in undone") == count


# Decisions and moves -----------------------------------------------------------------------------


def act(client, registration, action, **data):
    event = registration.event
    back = url("events:registrations", slug=event.slug) + "?status=pending"
    return client.post(
        url("events:registration_action", slug=event.slug, pk=registration.pk),
        {"action": action, "next": back, **data},
    )


@pytest.fixture
def application():
    event = EventFactory(title="Scuola di comunità", registration_policy="application", capacity=2)
    return RegistrationFactory(
        event=event, name="Anna Bianchi", email="anna@example.org", status="pending", language="en"
    )


def test_approving_an_application_confirms_it_and_tells_the_person(client, coordinator, application):
    response = act(client, application, "approve")

    application.refresh_from_db()
    assert application.status == "confirmed"
    assert response["Location"] == (
        url("events:registrations", slug=application.event.slug) + f"?status=pending#registration-{application.pk}"
    )
    assert messages_of(response) == ["“Anna Bianchi” is confirmed; they were told by e-mail."]
    assert sent("event_confirmation") == [("anna@example.org", "en")]


def test_declining_needs_a_reason(client, coordinator, application):
    response = act(client, application, "decline", reason="  ")

    application.refresh_from_db()
    assert application.status == "pending"
    assert messages_of(response) == ["Please give the applicant a reason."]
    assert OutgoingEmail.objects.count() == 0


def test_declining_with_a_reason_sends_it(client, coordinator, application):
    response = act(client, application, "decline", reason="Il corso è riservato agli operatori.")

    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("declined", "Il corso è riservato agli operatori.")
    assert messages_of(response) == [
        "The application of “Anna Bianchi” is declined; they received your reason by e-mail."
    ]
    email = OutgoingEmail.objects.get()
    assert (email.to, email.template, email.language) == ("anna@example.org", "event_application_declined", "en")
    assert "Il corso è riservato agli operatori." in email.body_text


def test_an_application_whose_email_is_not_confirmed_cannot_be_decided(client, coordinator, application):
    application.email_confirmed_at = None
    application.save()

    response = act(client, application, "approve")

    application.refresh_from_db()
    assert application.status == "pending"
    assert messages_of(response) == ["Only applications waiting for a decision can be decided."]


def test_confirming_from_the_waiting_list(client, coordinator):
    event = EventFactory(capacity=2)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, name="Bruno Rossi", email="bruno@example.org", status="waitlisted")

    response = act(client, waiting, "confirm")

    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert messages_of(response) == ["“Bruno Rossi” is confirmed; they were told by e-mail."]
    assert sent("event_promoted") == [("bruno@example.org", "it")]


def test_confirming_when_the_event_is_full_is_refused(client, coordinator):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")

    response = act(client, waiting, "confirm")

    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    assert messages_of(response) == ["The event is full: raise the number of seats or free one first."]
    assert OutgoingEmail.objects.count() == 0


def test_moving_to_the_waiting_list(client, coordinator):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event, name="Anna Bianchi", email="anna@example.org")

    response = act(client, confirmed, "waitlist")

    confirmed.refresh_from_db()
    assert confirmed.status == "waitlisted"
    assert messages_of(response) == ["“Anna Bianchi” is on the waiting list; they were told by e-mail."]
    assert sent("event_waitlisted") == [("anna@example.org", "it")]


def test_cancelling_frees_the_seat_for_the_first_on_the_waiting_list(client, coordinator):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event, name="Anna Bianchi", email="anna@example.org")
    waiting = RegistrationFactory(event=event, email="bruno@example.org", status="waitlisted")

    response = act(client, confirmed, "cancel")

    confirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert (confirmed.status, waiting.status) == ("cancelled", "confirmed")
    assert messages_of(response) == ["The registration of “Anna Bianchi” is cancelled; they were told by e-mail."]
    assert sent("event_registration_cancelled") == [("anna@example.org", "it")]
    assert sent("event_promoted") == [("bruno@example.org", "it")]


def test_cancelling_a_cancelled_registration_says_so_and_sends_nothing(client, coordinator):
    cancelled = RegistrationFactory(status="cancelled")

    response = act(client, cancelled, "cancel")

    assert messages_of(response) == ["This registration is already declined or cancelled."]
    assert OutgoingEmail.objects.count() == 0


def test_a_registration_of_another_event_is_not_found(client, coordinator):
    event = EventFactory()
    other = RegistrationFactory()

    response = client.post(url("events:registration_action", slug=event.slug, pk=other.pk), {"action": "cancel"})

    other.refresh_from_db()
    assert (response.status_code, other.status) == (404, "confirmed")


def test_a_redirect_elsewhere_is_not_followed(client, coordinator):
    registration = RegistrationFactory(status="waitlisted", event=EventFactory(capacity=5))

    response = client.post(
        url("events:registration_action", slug=registration.event.slug, pk=registration.pk),
        {"action": "confirm", "next": "https://example.com/phishing"},
    )

    assert response["Location"] == (
        url("events:registrations", slug=registration.event.slug) + f"#registration-{registration.pk}"
    )


# The CSV export ------------------------------------------------------------------------------------


def test_the_csv_opens_in_a_spreadsheet_with_one_row_per_registration(client, coordinator):
    event = EventFactory(slug="giornata-dei-laboratori")
    reti = SessionFactory(event=event, title="Reti", kind="workshop", capacity=10)
    scuole = SessionFactory(
        event=event, title="Scuole", kind="workshop", capacity=10, start_time=time(14), end_time=time(15)
    )
    anna = RegistrationFactory(
        event=event,
        name="Anna Bianchi",
        email="anna@example.org",
        organization="Cooperativa L'Àpe",
        role="Educatrice",
        accessibility_needs="Sedia a rotelle",
        public_consent=True,
    )
    SessionChoice.objects.create(registration=anna, session=reti, status="confirmed")
    SessionChoice.objects.create(registration=anna, session=scuole, status="waitlisted")
    bruno = RegistrationFactory(
        event=event, name='=HYPERLINK("http://x")', email="bruno@example.org", status="waitlisted", language="en"
    )
    checked = datetime(2030, 5, 14, 9, 5, tzinfo=ROME)
    Registration.objects.filter(pk=anna.pk).update(
        created_at=datetime(2030, 5, 1, 18, 30, tzinfo=ROME), checked_in_at=checked
    )
    Registration.objects.filter(pk=bruno.pk).update(created_at=datetime(2030, 5, 2, 8, 0, tzinfo=ROME))

    response = client.get(url("events:registrations_csv", slug=event.slug))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="giornata-dei-laboratori-registrations.csv"'
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"))))
    assert rows == [
        [
            "Name",
            "E-mail address",
            "Organization",
            "Role",
            "Status",
            "Sessions",
            "Accessibility needs",
            "Shown in the public list",
            "Language",
            "Registered at",
            "Checked in at",
        ],
        [
            "Anna Bianchi",
            "anna@example.org",
            "Cooperativa L'Àpe",
            "Educatrice",
            "Confirmed",
            "Reti (Confirmed); Scuole (On the waiting list)",
            "Sedia a rotelle",
            "yes",
            "it",
            "2030-05-01 18:30",
            "2030-05-14 09:05",
        ],
        [
            '\'=HYPERLINK("http://x")',
            "bruno@example.org",
            "",
            "",
            "On the waiting list",
            "",
            "",
            "no",
            "en",
            "2030-05-02 08:00",
            "",
        ],
    ]


def test_the_csv_follows_the_filters(client, coordinator, workshops_event):
    event, _sessions, _people = workshops_event

    response = client.get(url("events:registrations_csv", slug=event.slug), {"status": "confirmed"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["Anna Bianchi", "Carla Neri"]


# Messages ------------------------------------------------------------------------------------------------


def test_a_message_to_the_waiting_list_reaches_only_them(
    client, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(title="Incontro di primavera", capacity=1)
    RegistrationFactory(event=event, email="confermata@example.org")
    RegistrationFactory(event=event, email="attesa1@example.org", status="waitlisted", language="en")
    RegistrationFactory(event=event, email="attesa2@example.org", status="waitlisted")
    RegistrationFactory(event=event, email="annullata@example.org", status="cancelled")

    page = client.get(url("events:message", slug=event.slug))
    assert "People on the waiting list (2)" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("events:message", slug=event.slug),
            {"recipients": "waitlisted", "subject": "Posti in più", "body": "Stiamo cercando una sala più grande."},
        )

    assert response["Location"] == url("events:registrations", slug=event.slug)
    assert messages_of(response) == ["Your message was sent to 2 people."]
    assert sent("event_message") == [("attesa1@example.org", "en"), ("attesa2@example.org", "it")]
    assert sorted(m.to[0] for m in mailoutbox) == ["attesa1@example.org", "attesa2@example.org"]
    english = next(m for m in mailoutbox if m.to == ["attesa1@example.org"])
    assert english.subject == "Posti in più – Incontro di primavera"
    assert "Stiamo cercando una sala più grande." in english.body


def test_a_message_to_the_pending_counts_and_reaches_only_the_confirmed_addresses(
    client, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(registration_policy="application")
    RegistrationFactory(event=event, email="richiedente@example.org", status="pending", confirmed_at=None)
    RegistrationFactory(
        event=event, email="mai-confermato@example.org", status="pending", confirmed_at=None, email_confirmed_at=None
    )

    page = client.get(url("events:message", slug=event.slug))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("events:message", slug=event.slug),
            {"recipients": "pending", "subject": "Documenti", "body": "Portate un documento."},
        )

    assert "Pending registrations (1)" in page.content.decode()
    assert messages_of(response) == ["Your message was sent to 1 person."]
    assert [m.to for m in mailoutbox] == [["richiedente@example.org"]]


def test_a_message_needs_a_subject_and_a_text(client, coordinator):
    event = EventFactory()
    RegistrationFactory(event=event)

    response = client.post(
        url("events:message", slug=event.slug), {"recipients": "confirmed", "subject": "", "body": ""}
    )

    assert response.status_code == 200
    assert OutgoingEmail.objects.count() == 0
    assert response.context["form"].errors == {
        "subject": ["This field is required."],
        "body": ["This field is required."],
    }


# Check-in at the door ----------------------------------------------------------------------------------


@pytest.fixture
def door():
    event = EventFactory(title="Incontro di primavera")
    people = {
        "maria": RegistrationFactory(event=event, name="Maria Rossi", email="maria@example.org"),
        "mario": RegistrationFactory(
            event=event, name="Mario Verdi", email="mv@example.org", organization="Cooperativa ROSSINI"
        ),
        "paolo": RegistrationFactory(event=event, name="Paolo Bianchi", email="paolo.rossi@example.org"),
        "waiting": RegistrationFactory(event=event, name="Rossana Neri", status="waitlisted"),
        "other": RegistrationFactory(event=event, name="Giulia Blu"),
    }
    return event, people


def test_check_in_search_finds_confirmed_people_by_name_email_or_organization(client, coordinator, door):
    event, _people = door

    response = client.get(url("events:check_in", slug=event.slug), {"q": "  ROSSI "})

    assert [r.name for r in response.context["attendees"]] == ["Maria Rossi", "Mario Verdi", "Paolo Bianchi"]
    assert response.context["totals"] == {"confirmed": 4, "checked_in": 0}
    assert "0 checked in out of 4 confirmed attendees." in response.content.decode()
    everyone = client.get(url("events:check_in", slug=event.slug))
    assert [r.name for r in everyone.context["attendees"]] == [
        "Giulia Blu",
        "Maria Rossi",
        "Mario Verdi",
        "Paolo Bianchi",
    ]


def test_one_tap_checks_in_and_undo_takes_it_back(client, coordinator, door):
    event, people = door
    maria = people["maria"]
    address = url("events:check_in", slug=event.slug)

    response = client.post(address, {"registration": maria.pk, "q": "rossi"})

    maria.refresh_from_db()
    assert maria.checked_in_at is not None
    assert response["Location"] == f"{address}?q=rossi#registration-{maria.pk}"
    page = client.get(address, {"q": "rossi"})
    assert page.context["totals"] == {"confirmed": 4, "checked_in": 1}
    assert "1 checked in out of 4 confirmed attendees." in page.content.decode()

    client.post(address, {"registration": maria.pk, "q": "rossi", "undo": "1"})

    maria.refresh_from_db()
    assert maria.checked_in_at is None


def test_checking_in_nobody_is_not_found(client, coordinator, door):
    event, _people = door

    responses = [client.post(url("events:check_in", slug=event.slug), {"registration": value}) for value in ("", "abc")]

    assert [r.status_code for r in responses] == [404, 404]


@pytest.mark.parametrize("value", ["²", "1²", "9" * 30])
def test_checking_in_with_digits_that_are_no_registration_is_not_found(client, coordinator, door, value):
    event, _people = door

    response = client.post(url("events:check_in", slug=event.slug), {"registration": value})

    assert response.status_code == 404
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 0


def test_someone_not_confirmed_cannot_be_checked_in(client, coordinator, door):
    event, people = door
    waiting = people["waiting"]

    response = client.post(url("events:check_in", slug=event.slug), {"registration": waiting.pk})

    waiting.refresh_from_db()
    assert waiting.checked_in_at is None
    assert messages_of(response) == ["Only confirmed attendees can be checked in."]


def test_the_check_in_page_is_made_for_a_phone(client, coordinator, door):
    event, people = door

    content = client.get(url("events:check_in", slug=event.slug), {"q": "Maria"}).content.decode()

    assert content.count("<h1") == 1
    assert f'id="registration-{people["maria"].pk}"' in content
    assert 'class="btn btn-success btn-lg check-in__button"' in content
    assert escape("Maria Rossi") in content
    assert 'style="' not in content


# The Django admin ---------------------------------------------------------------------------------------


def test_the_admin_lists_and_shows_events_registrations_and_reminders(client, workshops_event):
    from django.contrib.auth import get_user_model

    from events.models import Reminder

    event, _sessions, people = workshops_event
    reminder = Reminder.objects.create(registration=people["anna"], offset_minutes=120, due_at=event.start)
    client.force_login(get_user_model().objects.create_superuser(email="admin@example.org", password="x" * 20))

    pages = [
        reverse("admin:events_event_changelist"),
        reverse("admin:events_event_change", args=[event.pk]),
        reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}&status__exact=confirmed",
        reverse("admin:events_registration_change", args=[people["anna"].pk]),
        reverse("admin:events_reminder_changelist"),
        reverse("admin:events_reminder_change", args=[reminder.pk]),
    ]
    assert [client.get(page).status_code for page in pages] == [200] * 6
    registrations = client.get(pages[2]).context["cl"].result_list
    assert [r.name for r in registrations] == ["Anna Bianchi", "Carla Neri"]
    # The programme is the editor's (its rules about seats and removed sessions live in the service): read-only here.
    inlines = client.get(pages[1]).context["inline_admin_formsets"]
    assert [
        (i.opts.model.__name__, i.has_add_permission, i.has_change_permission, i.has_delete_permission) for i in inlines
    ] == [("Speaker", False, False, False), ("Session", False, False, False)]
