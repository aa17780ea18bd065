"""Coordinators and organizing allies create, edit, publish, copy and cancel events with their programme."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from alliance.models import OutgoingEmail
from events.models import Event, Registration, Session, Speaker
from events.services import EventData, Programme, SessionData, save_event
from tests.factories.events import (
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
    next_month_day,
    rome,
)
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


def url(name, *args, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, args=args, kwargs=kwargs)


def formset(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def new_event_data(day: date, *, speakers=None, sessions=None, **overrides):
    """What the “new event” page sends: the event, then the speakers and sessions rows (empty ones too)."""
    data = {
        "title": "Generare comunità a Reggio Emilia",
        "kind": "conference",
        "summary": "Una giornata con plenarie e laboratori paralleli.",
        "description": "Il programma completo è qui sotto.",
        "venue_name": "Centro civico",
        "address": "Via Roma 1",
        "city": "Reggio Emilia",
        "province": "",
        "region": "",
        "online_url": "",
        "interpretation": "LIS",
        "accessibility_notes": "",
        "start": f"{day:%Y-%m-%d}T09:30",
        "end": f"{day:%Y-%m-%d}T17:30",
        "capacity": "80",
        "language": "it",
        "registration_policy": "open",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "reminders": "48, 2",
        "action": "save",
    }
    data.update(overrides)
    data.update(formset("speakers", speakers if speakers is not None else [{}, {}, {}]))
    data.update(formset("sessions", sessions if sessions is not None else [{}, {}, {}]))
    return data


def session_row(day, title, start, end, speakers="", kind="plenary", capacity="", room=""):
    return {
        "title": title,
        "kind": kind,
        "day": f"{day:%Y-%m-%d}",
        "start_time": start,
        "end_time": end,
        "room": room,
        "capacity": capacity,
        "description": "",
        "speaker_names": speakers,
    }


def page_data(response, **changes):
    """What the editor page sends back untouched, as a browser would, with `changes` applied."""
    editor = response.context["editor"]
    data = {}
    forms = [
        editor.event_form,
        editor.speakers.management_form,
        editor.sessions.management_form,
        *editor.speakers.forms,
        *editor.sessions.forms,
    ]
    for form in forms:
        for field in form:
            if field.widget_type in ("clearablefile", "file"):
                continue
            value = field.value()
            if value is None or value is False or value == "":
                continue
            if value is True:
                data[field.html_name] = "on"
            elif isinstance(value, dict):  # an ally picker (initiatives.forms.allies.AllyPickerField): the ticked
                data[field.html_name] = [str(v) for v in value["ids"]]
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            elif isinstance(value, date | time):  # datetimes are dates too
                data[field.html_name] = field.field.widget.format_value(value)
            else:
                data[field.html_name] = str(value)
    data["action"] = "save"
    data.update(changes)
    return data


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def coordinator(client):
    user = CoordinatorFactory()
    client.force_login(user)
    return user


# Creating, with the programme, in one go ---------------------------------------------------


def test_a_coordinator_creates_an_event_with_its_speakers_and_sessions_in_one_post(client, coordinator):
    day = next_month_day(12)
    data = new_event_data(
        day,
        speakers=[
            {"name": "Anna Bianchi", "role": "Sociologa", "affiliation": "Università di Bologna", "bio": ""},
            {
                "name": "Luca  Verdi",
                "role": "Presidente",
                "affiliation": "Cooperativa L'Ape",
                "to_be_confirmed": "on",
                "bio": "",
            },
            {},
        ],
        sessions=[
            session_row(day, "Apertura", "09:30", "10:30", speakers="anna bianchi"),
            session_row(
                day,
                "Laboratorio sulle reti",
                "11:00",
                "12:30",
                speakers="Luca Verdi",
                kind="workshop",
                capacity="20",
                room="Sala A",
            ),
            session_row(day, "Conclusioni", "16:30", "17:30", speakers="Anna Bianchi, Luca Verdi"),
            {"kind": "plenary"},  # an empty row as a browser sends it: the select keeps its default
        ],
    )

    response = client.post(url("events:event_create"), data)

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("events:event_edit", slug=event.slug)
    assert (event.title, event.slug, event.status, event.created_by) == (
        "Generare comunità a Reggio Emilia",
        "generare-comunita-a-reggio-emilia",
        "draft",
        coordinator,
    )
    assert (event.start, event.end) == (rome(day, 9, 30), rome(day, 17, 30))
    assert (event.capacity, event.interpretation, event.reminder_offsets) == (80, "LIS", [2880, 120])
    assert list(event.organizers.all()) == []
    assert list(Speaker.objects.values_list("event", "name", "role", "to_be_confirmed", "position")) == [
        (event.pk, "Anna Bianchi", "Sociologa", False, 0),
        (event.pk, "Luca Verdi", "Presidente", True, 1),
    ]
    sessions = [
        (s.title, s.kind, s.day, s.start_time, s.end_time, s.room, s.capacity, sorted(p.name for p in s.speakers.all()))
        for s in Session.objects.filter(event=event)
    ]
    assert sessions == [
        ("Apertura", "plenary", day, time(9, 30), time(10, 30), "", None, ["Anna Bianchi"]),
        ("Laboratorio sulle reti", "workshop", day, time(11), time(12, 30), "Sala A", 20, ["Luca Verdi"]),
        ("Conclusioni", "plenary", day, time(16, 30), time(17, 30), "", None, ["Anna Bianchi", "Luca Verdi"]),
    ]
    assert messages_of(response) == [
        "The event is saved as a draft: only its organizers can see it until you publish it."
    ]


def test_the_new_event_page_offers_three_empty_rows_of_each(client, coordinator):
    response = client.get(url("events:event_create"))

    editor = response.context["editor"]
    assert (len(editor.speakers.forms), len(editor.sessions.forms)) == (3, 3)
    content = response.content.decode()
    assert content.count("<h1") == 1
    assert 'name="sessions-2-speaker_names"' in content
    assert 'name="speakers-2-name"' in content


def test_save_and_add_more_rows_saves_and_comes_back_with_three_more_empty_rows(client, coordinator):
    day = next_month_day(12)
    data = new_event_data(
        day,
        speakers=[{"name": "Anna Bianchi"}, {}, {}],
        sessions=[session_row(day, "Apertura", "09:30", "10:30", speakers="Anna Bianchi"), {}, {}],
        action="more",
    )

    response = client.post(url("events:event_create"), data)

    event = Event.objects.get()
    assert response["Location"] == url("events:event_edit", slug=event.slug) + "?rows=6"
    editor = client.get(response["Location"]).context["editor"]
    assert (len(editor.speakers.forms), len(editor.sessions.forms)) == (1 + 6, 1 + 6)
    assert [f.instance.name for f in editor.speakers.forms if f.instance.pk] == ["Anna Bianchi"]


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"end": "{day}T08:00"}, "The end must come after the start."),
        (
            {"session_speakers": "Anna Bianchi, Carla Neri"},
            "“Carla Neri” is not among the speakers of this event: add them to the speakers above, or check the "
            "spelling.",
        ),
        (
            {"pdf": b"<html>not a pdf</html>"},
            "This file is not a PDF, whatever its name says: export the programme as PDF and upload it again.",
        ),
        ({"session_day": 1}, "The event takes place on {date}: move the session to that day."),
        ({"session_end": "09:00"}, "The session must end after it starts."),
        ({"kind": "webinar"}, "A webinar needs its online link."),
        ({"reminders": "48, due"}, "“due” is not a number of hours: write e.g. “48, 2”."),
        (
            {"session_capacity": "30"},
            "Only workshops can have seats of their own: plenaries and breaks are for "
            "everyone registered to the event. Leave it empty, or make it a workshop.",
        ),
        ({"registration_closes_at": "{day}T18:00"}, "Registration must close before the event ends."),
    ],
    ids=[
        "end-before-start",
        "unknown-speaker",
        "not-a-pdf",
        "session-outside-the-event",
        "session-backwards",
        "webinar-without-link",
        "reminders-not-numbers",
        "seats-for-a-plenary",
        "registration-closes-too-late",
    ],
)
def test_invalid_data_saves_nothing_and_says_why(client, coordinator, change, field_error):
    day = next_month_day(12)
    data = new_event_data(
        day,
        speakers=[{"name": "Anna Bianchi"}, {}, {}],
        sessions=[
            session_row(
                day + timedelta(days=change.get("session_day", 0)),
                "Apertura",
                "09:30",
                change.get("session_end", "10:30"),
                speakers=change.get("session_speakers", "Anna Bianchi"),
                capacity=change.get("session_capacity", ""),
            ),
            {},
            {},
        ],
    )
    for key in ("end", "kind", "reminders", "registration_closes_at"):
        if key in change:
            data[key] = change[key].format(day=f"{day:%Y-%m-%d}")
    if "pdf" in change:
        data["programme_pdf"] = SimpleUploadedFile("programma.pdf", change["pdf"], content_type="application/pdf")

    response = client.post(url("events:event_create"), data)

    assert response.status_code == 200
    assert (Event.objects.count(), Speaker.objects.count(), Session.objects.count()) == (0, 0, 0)
    assert escape(field_error.format(date=f"{day:%d/%m/%Y}")) in response.content.decode()
    assert "Nothing was saved: please correct the errors marked below." in response.content.decode()


def test_a_real_pdf_is_stored(client, coordinator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    day = next_month_day(12)
    data = new_event_data(day)
    data["programme_pdf"] = SimpleUploadedFile(
        "programma", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", content_type="application/pdf"
    )

    client.post(url("events:event_create"), data)

    event = Event.objects.get()
    assert event.programme_pdf.name.startswith("events/programmes/") and event.programme_pdf.name.endswith(".pdf")
    assert event.programme_pdf.name.endswith(".pdf")


def test_a_failing_session_leaves_an_edited_event_as_it_was(client, coordinator):
    event = EventFactory(draft=True, title="Titolo di prima")
    speaker = SpeakerFactory(event=event, name="Anna Bianchi")
    SessionFactory(event=event, title="Apertura", speakers=[speaker])
    page = client.get(url("events:event_edit", slug=event.slug))
    data = page_data(page, title="Titolo nuovo")
    data["speakers-0-name"] = "Anna Maria Bianchi"
    data["sessions-0-speaker_names"] = "Anna Bianchi"  # the old name: no longer a speaker

    response = client.post(url("events:event_edit", slug=event.slug), data)

    assert response.status_code == 200
    event.refresh_from_db()
    assert event.title == "Titolo di prima"
    assert list(Speaker.objects.values_list("name", flat=True)) == ["Anna Bianchi"]
    assert escape("“Anna Bianchi” is not among the speakers of this event") in response.content.decode()


def test_editing_keeps_deletes_and_adds_rows(client, coordinator):
    event = EventFactory(draft=True)
    anna = SpeakerFactory(event=event, name="Anna Bianchi", position=0)
    luca = SpeakerFactory(event=event, name="Luca Verdi", position=1)
    SessionFactory(event=event, title="Apertura", speakers=[anna, luca])
    SessionFactory(event=event, title="Da togliere", start_time=time(11), end_time=time(12))
    page = client.get(url("events:event_edit", slug=event.slug))
    data = page_data(page)
    data["speakers-1-DELETE"] = "on"
    data["sessions-0-speaker_names"] = "Anna Bianchi"
    data["sessions-1-DELETE"] = "on"
    data["speakers-2-name"] = "Carla Neri"
    data["sessions-2-title"] = "Laboratorio"
    data["sessions-2-kind"] = "workshop"
    data["sessions-2-day"] = f"{event.start.astimezone(ROME):%Y-%m-%d}"
    data["sessions-2-start_time"] = "14:00"
    data["sessions-2-end_time"] = "15:30"
    data["sessions-2-speaker_names"] = "Carla Neri, Anna Bianchi"

    response = client.post(url("events:event_edit", slug=event.slug), data)

    assert response.status_code == 302
    assert list(Speaker.objects.filter(event=event).values_list("name", "position")) == [
        ("Anna Bianchi", 0),
        ("Carla Neri", 1),
    ]
    assert [(s.title, sorted(p.name for p in s.speakers.all())) for s in Session.objects.filter(event=event)] == [
        ("Apertura", ["Anna Bianchi"]),
        ("Laboratorio", ["Anna Bianchi", "Carla Neri"]),
    ]
    assert messages_of(response) == ["Your changes are saved."]


# Changing a published event tells the people registered ---------------------------------------


def test_moving_a_published_event_emails_the_people_registered(
    client, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(title="Incontro di primavera", capacity=1)  # full: the waiting list stays
    confirmed = RegistrationFactory(event=event, email="confermata@example.org", language="en")
    waiting = RegistrationFactory(event=event, email="in-attesa@example.org", status="waitlisted")
    RegistrationFactory(event=event, email="annullata@example.org", status="cancelled")
    page = client.get(url("events:event_edit", slug=event.slug))
    day = event.start.astimezone(ROME).date() + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("events:event_edit", slug=event.slug),
            page_data(page, start=f"{day:%Y-%m-%d}T10:00", end=f"{day:%Y-%m-%d}T18:00"),
        )

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.start, event.end) == (rome(day, 10), rome(day, 18))
    sent = OutgoingEmail.objects.filter(template="event_changed").order_by("to")
    assert [(e.to, e.language) for e in sent] == [
        ("confermata@example.org", "en"),
        ("in-attesa@example.org", "it"),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == [confirmed.email, waiting.email]
    english = next(m for m in mailoutbox if m.to == [confirmed.email])
    assert english.subject == "Changed: the date, time or place of Incontro di primavera"


def test_editing_a_published_event_without_moving_it_emails_nobody(client, coordinator):
    event = EventFactory()
    RegistrationFactory(event=event)
    page = client.get(url("events:event_edit", slug=event.slug))

    client.post(url("events:event_edit", slug=event.slug), page_data(page, summary="Un riassunto migliore."))

    event.refresh_from_db()
    assert event.summary == "Un riassunto migliore."
    assert OutgoingEmail.objects.count() == 0


# Publishing, copying, cancelling ---------------------------------------------------------------------


def test_publishing_a_draft(client, coordinator):
    event = EventFactory(draft=True)

    response = client.post(url("events:event_publish", slug=event.slug))

    event.refresh_from_db()
    assert (event.status, event.published_at is not None) == ("published", True)
    assert response["Location"] == url("events:event_edit", slug=event.slug)


def test_a_cancelled_event_cannot_be_published_again(client, coordinator):
    event = EventFactory(cancelled=True)

    response = client.post(url("events:event_publish", slug=event.slug))

    event.refresh_from_db()
    assert event.status == "cancelled"
    assert messages_of(response) == ["A cancelled event cannot be published again: duplicate it instead."]


def test_duplicating_copies_the_programme_into_a_draft(client, coordinator):
    ally = MemberOrganizationFactory()
    event = EventFactory(title="Lunedì generativi 1", organizers=[ally])
    anna = SpeakerFactory(event=event, name="Anna Bianchi")
    SessionFactory(event=event, title="Apertura", speakers=[anna])
    SessionFactory(
        event=event,
        title="Laboratorio",
        kind="workshop",
        capacity=15,
        start_time=time(11),
        end_time=time(12),
        speakers=[anna],
    )
    RegistrationFactory(event=event)

    response = client.post(url("events:event_duplicate", slug=event.slug))

    copy = Event.objects.exclude(pk=event.pk).get()
    assert response["Location"] == url("events:event_edit", slug=copy.slug)
    assert (copy.title, copy.status, copy.published_at, copy.created_by) == (
        "Lunedì generativi 1 (copy)",
        "draft",
        None,
        coordinator,
    )
    assert list(copy.organizers.all()) == [ally]
    assert list(copy.speakers.values_list("name", flat=True)) == ["Anna Bianchi"]
    copied_anna = copy.speakers.get()
    assert [(s.title, s.capacity, list(s.speakers.all())) for s in copy.sessions.all()] == [
        ("Apertura", None, [copied_anna]),
        ("Laboratorio", 15, [copied_anna]),
    ]
    assert copy.registrations.count() == 0


def test_cancelling_asks_first_then_tells_everyone_registered(client, coordinator):
    event = EventFactory(title="Incontro di primavera")
    RegistrationFactory(event=event, email="confermata@example.org", language="en")
    RegistrationFactory(event=event, email="in-attesa@example.org", status="waitlisted")
    RegistrationFactory(event=event, email="da-confermare@example.org", status="pending", email_confirmed_at=None)
    RegistrationFactory(event=event, email="annullata@example.org", status="cancelled")

    confirmation = client.get(url("events:event_cancel", slug=event.slug))
    # Not the pending address that was never confirmed: it may not belong to whoever registered it.
    assert "2 people registered will receive an e-mail about the cancellation." in confirmation.content.decode()
    event.refresh_from_db()
    assert event.status == "published"

    response = client.post(url("events:event_cancel", slug=event.slug), {"message": "Ci rivediamo in autunno."})

    event.refresh_from_db()
    assert event.status == "cancelled"
    assert response["Location"] == url("events:event_edit", slug=event.slug)
    sent = OutgoingEmail.objects.filter(template="event_cancelled").order_by("to")
    assert [e.to for e in sent] == ["confermata@example.org", "in-attesa@example.org"]
    assert all("Ci rivediamo in autunno." in e.body_text for e in sent)
    assert (sent[0].language, sent[0].subject) == ("en", "Cancelled: Incontro di primavera")


# Who may run an event ------------------------------------------------------------------------------


def management_urls(event, registration):
    return [
        url("events:event_edit", slug=event.slug),
        url("events:event_publish", slug=event.slug),
        url("events:event_duplicate", slug=event.slug),
        url("events:event_cancel", slug=event.slug),
        url("events:registrations", slug=event.slug),
        url("events:registrations_csv", slug=event.slug),
        url("events:registration_action", slug=event.slug, pk=registration.pk),
        url("events:registration_sessions", slug=event.slug, pk=registration.pk),
        url("events:message", slug=event.slug),
        url("events:check_in", slug=event.slug),
    ]


POSTS = {
    "edit": {"title": "Preso", "action": "save"},
    "action": {"action": "cancel"},
    "message": {"recipients": "active", "subject": "Ciao", "body": "Ciao"},
    "check_in": {"registration": "0"},
    "cancel": {"message": "Annullato"},
}


def snapshot():
    return (
        list(Event.objects.order_by("pk").values_list("pk", "title", "status")),
        list(Registration.objects.order_by("pk").values_list("pk", "status", "checked_in_at")),
        OutgoingEmail.objects.count(),
    )


@pytest.fixture
def draft_event():
    ally = MemberOrganizationFactory()
    event = EventFactory(draft=True, organizers=[ally])
    registration = RegistrationFactory(event=event)
    return event, registration


def test_anonymous_visitors_are_asked_to_sign_in(client, draft_event):
    event, registration = draft_event
    before = snapshot()
    for address in [url("events:manage_list"), url("events:event_create"), *management_urls(event, registration)]:
        for method in (client.get, client.post):
            response = method(address, {"action": "cancel"} if method == client.post else None)
            assert response.status_code == 302, address
            assert response["Location"].startswith(url("account_login")), address
    assert snapshot() == before


@pytest.mark.parametrize("who", ["plain user", "manager of another ally", "manager of an unapproved ally"])
def test_people_who_do_not_run_the_event_find_nothing(client, draft_event, who):
    event, registration = draft_event
    if who == "plain user":
        user = VerifiedUserFactory()
    elif who == "manager of another ally":
        user = AllyManagerFactory(ally=MemberOrganizationFactory()).user
    else:
        user = AllyManagerFactory().user
    client.force_login(user)
    before = snapshot()
    for address in management_urls(event, registration):
        assert client.get(address).status_code == 404, address
        for data in POSTS.values():
            assert client.post(address, data).status_code == 404, address
    assert snapshot() == before


def test_only_coordinators_and_members_may_create_events(client):
    client.force_login(VerifiedUserFactory())
    assert client.get(url("events:event_create")).status_code == 404
    assert client.get(url("events:manage_list")).status_code == 404
    client.force_login(AllyManagerFactory().user)  # their ally is not approved yet
    assert client.get(url("events:event_create")).status_code == 404


def test_the_manager_of_an_organizing_ally_runs_their_event_and_not_anothers(client):
    manager = AllyManagerFactory(ally=MemberOrganizationFactory(name="Cooperativa L'Ape"))
    theirs = EventFactory(draft=True, organizers=[manager.ally])
    other = EventFactory(draft=True, organizers=[MemberOrganizationFactory()])
    client.force_login(manager.user)

    assert client.get(url("events:event_edit", slug=theirs.slug)).status_code == 200
    assert client.get(url("events:registrations", slug=theirs.slug)).status_code == 200
    client.post(url("events:event_publish", slug=theirs.slug))
    assert client.get(url("events:event_edit", slug=other.slug)).status_code == 404
    assert client.post(url("events:event_publish", slug=other.slug)).status_code == 404

    theirs.refresh_from_db()
    other.refresh_from_db()
    assert (theirs.status, other.status) == ("published", "draft")
    listed = client.get(url("events:manage_list")).context["page_obj"].object_list
    assert list(listed) == [theirs]


def test_a_member_creates_an_event_organized_by_their_ally(client):
    manager = AllyManagerFactory(ally=MemberOrganizationFactory())
    stranger = MemberOrganizationFactory()
    client.force_login(manager.user)
    page = client.get(url("events:event_create"))
    form = page.context["editor"].event_form
    assert list(form.fields["organizers"].queryset) == [manager.ally]
    assert form["organizers"].value()["ids"] == [str(manager.ally.pk)]
    day = next_month_day(12)

    refused = client.post(url("events:event_create"), new_event_data(day, organizers=[str(stranger.pk)]))
    assert refused.status_code == 200
    assert Event.objects.count() == 0

    client.post(url("events:event_create"), new_event_data(day, organizers=[str(manager.ally.pk)]))
    event = Event.objects.get()
    assert (list(event.organizers.all()), event.created_by) == ([manager.ally], manager.user)
    assert client.get(url("events:event_edit", slug=event.slug)).status_code == 200


def test_a_member_editing_keeps_the_co_organizers_they_do_not_manage(client):
    manager = AllyManagerFactory(ally=MemberOrganizationFactory())
    partner = MemberOrganizationFactory()
    event = EventFactory(draft=True, organizers=[manager.ally, partner])
    client.force_login(manager.user)
    page = client.get(url("events:event_edit", slug=event.slug))

    client.post(url("events:event_edit", slug=event.slug), page_data(page, title="Nuovo titolo"))

    event.refresh_from_db()
    assert event.title == "Nuovo titolo"
    assert set(event.organizers.all()) == {manager.ally, partner}


def test_the_names_of_the_co_organizers_are_shown_as_text_not_html(client):
    manager = AllyManagerFactory(ally=MemberOrganizationFactory(name="Cooperativa Mia"))
    partner = MemberOrganizationFactory(name='<img src=x onerror="alert(1)"> Rossi & Figli')
    event = EventFactory(draft=True, organizers=[manager.ally, partner])
    client.force_login(manager.user)

    content = client.get(url("events:event_edit", slug=event.slug)).content.decode()

    assert (
        "Your organizations that organize this event. Also organizing it: "
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Rossi &amp; Figli.</div>"
    ) in content
    assert "<img src=x" not in content


# The list of events one runs ----------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_of_events_takes_the_same_queries_for_one_or_three(
    client, coordinator, django_assert_num_queries, count
):
    for n in range(count):
        event = EventFactory(title=f"Evento {n}", day=next_month_day(10 + n))
        RegistrationFactory(event=event)
        RegistrationFactory(event=event, status="waitlisted")

    with django_assert_num_queries(8):
        response = client.get(url("events:manage_list"))

    rows = [(e.title, e.confirmed_count, e.waitlisted_count, e.pending_count) for e in response.context["page_obj"]]
    assert rows == [(f"Evento {n}", 1, 1, 0) for n in range(count)]  # upcoming, by start


def test_a_manager_of_two_co_organizing_allies_sees_each_event_once_with_its_true_counts(client):
    user = VerifiedUserFactory()
    first = AllyManagerFactory(user=user, ally=MemberOrganizationFactory()).ally
    second = AllyManagerFactory(user=user, ally=MemberOrganizationFactory()).ally
    event = EventFactory(title="Insieme", organizers=[first, second])
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status="waitlisted", confirmed_at=None)
    RegistrationFactory(event=event, status="pending", confirmed_at=None)
    EventFactory(title="Di altri", organizers=[MemberOrganizationFactory()])
    client.force_login(user)

    response = client.get(url("events:manage_list"))

    rows = [(e.title, e.confirmed_count, e.waitlisted_count, e.pending_count) for e in response.context["page_obj"]]
    assert rows == [("Insieme", 1, 1, 1)]


def test_the_list_shows_status_counts_and_links(client, coordinator):
    event = EventFactory(title="Incontro di primavera", draft=True, capacity=30)
    RegistrationFactory(event=event)

    content = client.get(url("events:manage_list")).content.decode()

    assert "Incontro di primavera" in content
    assert "1 / 30" in content
    assert url("events:registrations", slug=event.slug) in content
    assert url("events:check_in", slug=event.slug) in content
    assert url("events:event_create") in content


def test_the_editor_shows_italian_time_in_the_browsers_date_picker(client, coordinator):
    event = EventFactory(
        start=datetime(2031, 7, 1, 7, 30, tzinfo=ZoneInfo("UTC")),
        end=datetime(2031, 7, 1, 15, 0, tzinfo=ZoneInfo("UTC")),
    )

    content = client.get(url("events:event_edit", slug=event.slug)).content.decode()

    assert 'type="datetime-local" name="start" id="id_start" value="2031-07-01T09:30" class="form-control"' in content
    assert 'type="datetime-local" name="end" id="id_end" value="2031-07-01T17:00" class="form-control"' in content
    assert 'name="reminders" id="id_reminders" value="48, 2"' in content


def test_start_and_end_are_italian_time(client, coordinator):
    """Summer time in Rome is UTC+2: 09:30 typed in the form is 07:30 UTC."""
    data = new_event_data(date(2031, 7, 1), speakers=[], sessions=[])
    client.post(url("events:event_create"), data)

    event = Event.objects.get()
    assert event.start == datetime(2031, 7, 1, 7, 30, tzinfo=ZoneInfo("UTC"))


@pytest.mark.django_db
def test_saving_a_published_event_without_more_seats_moves_no_one_from_the_waiting_list():
    coordinator = CoordinatorFactory()
    event = EventFactory(capacity=2)
    RegistrationFactory(event=event, status=Registration.Status.CONFIRMED)
    moved = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)

    save_event(event=event, actor=coordinator, data=EventData(summary="Un nuovo sommario."))

    moved.refresh_from_db()
    assert moved.status == Registration.Status.WAITLISTED


@pytest.mark.django_db
def test_more_seats_for_a_workshop_saved_with_the_programme_promote_its_waiting_list():
    from events.models import SessionChoice

    coordinator = CoordinatorFactory()
    event = EventFactory(capacity=10)
    workshop = SessionFactory(event=event, kind="workshop", capacity=1)
    first = RegistrationFactory(event=event, status=Registration.Status.CONFIRMED)
    second = RegistrationFactory(event=event, status=Registration.Status.CONFIRMED)
    SessionChoice.objects.create(registration=first, session=workshop, status=SessionChoice.Status.CONFIRMED)
    waiting = SessionChoice.objects.create(
        registration=second, session=workshop, status=SessionChoice.Status.WAITLISTED, waitlisted_at=timezone.now()
    )

    more_seats = SessionData(
        pk=workshop.pk,
        title=workshop.title,
        kind=workshop.kind,
        day=workshop.day,
        start_time=workshop.start_time,
        end_time=workshop.end_time,
        capacity=2,
    )
    save_event(event=event, actor=coordinator, data=EventData(), programme=Programme(sessions=[more_seats]))

    waiting.refresh_from_db()
    assert waiting.status == SessionChoice.Status.CONFIRMED
