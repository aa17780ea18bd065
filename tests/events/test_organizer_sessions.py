"""Organizers change an attendee's workshops or meetings for them (`services.change_sessions(by_organizer=True)`,
the page `events:registration_sessions` reached from the organizers' list of registrations).

People phone or write to the organizer: "please move me to the afternoon workshop". The organizer places them,
also after registration has closed, never beyond a session's seats; the attendee gets the new calendar file (same
UIDs, a higher SEQUENCE) in their language, and whoever waited for the seat given up takes it and is told.
"""

import re
from datetime import time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from alliance.models import LogEntry, OutgoingEmail
from events.models import Registration, Reminder, SessionChoice
from events.services import Attendee, RegistrationError, change_sessions, register
from tests.events.test_series import ROME, verona_cycle
from tests.factories.events import EventFactory, RegistrationFactory, SessionFactory
from tests.factories.members import (
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db

Choice = SessionChoice.Status


@pytest.fixture(autouse=True)
def in_english():
    """Messages of the services in English (the pages carry their language in the address: /en/…)."""
    with translation.override("en"):
        yield


def url(name, language="en", query="", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs) + query


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def calendars(email) -> dict:
    """The calendar files of an e-mail, by METHOD (REQUEST: the new file; CANCEL: what it takes out)."""
    files = [Calendar.from_ical(a["content"]) for a in email.attachments if a["mimetype"] == "text/calendar"]
    return {str(cal["method"]): cal for cal in files}


def by_summary(cal) -> dict:
    return {str(c["summary"]): (str(c["uid"]), int(c["sequence"])) for c in cal.walk("VEVENT")}


class FareRete:
    """Seed 001: a day of parallel workshops with few seats, organized by an ally whose manager runs it."""

    def __init__(self, closed=False):
        cgm = MemberOrganizationFactory(name="Consorzio Cgm")
        self.organizer = AllyManagerFactory(ally=cgm).user
        self.event = EventFactory(title="Fare Rete", capacity=None, organizers=[cgm])
        day = timezone.localtime(self.event.start, ROME).date()

        def workshop(title, start, seats):
            return SessionFactory(
                event=self.event,
                day=day,
                start_time=time(start),
                end_time=time(start + 2),
                title=title,
                kind="workshop",
                capacity=seats,
            )

        self.housing = workshop("Housing sociale", 10, 1)
        self.scuola = workshop("Scuola", 10, 10)
        self.ambiente = workshop("Ambiente", 14, 1)
        self.salute = workshop("Salute", 14, 10)

    def join(self, name, sessions, language="it", user=None):
        user = user or VerifiedUserFactory(full_name=name)
        return register(
            event=self.event,
            user=user,
            attendee=Attendee(name=name, email=user.email, language=language, session_ids=[s.pk for s in sessions]),
        ).registration

    def close_registration(self):
        self.event.registration_closes_at = timezone.now() - timedelta(hours=1)
        self.event.save(update_fields=["registration_closes_at"])

    def choices(self, registration):
        return dict(registration.session_choices.values_list("session__title", "status"))


@pytest.fixture
def fare_rete():
    return FareRete()


# The service ---------------------------------------------------------------------------------------------------


def test_an_organizer_moves_an_attendee_after_registration_closed_and_the_seat_goes_to_the_next_in_line(fare_rete):
    f = fare_rete
    luca = f.join("Luca Bianchi", [f.housing], language="en")
    marta = f.join("Marta Rossi", [f.housing, f.ambiente])  # housing is full: she waits for it
    assert f.choices(marta) == {"Housing sociale": Choice.WAITLISTED, "Ambiente": Choice.CONFIRMED}
    before = by_summary(calendars(OutgoingEmail.objects.get(template="event_confirmation", to=luca.email))["REQUEST"])
    f.close_registration()
    sequence = f.event.sequence
    OutgoingEmail.objects.all().delete()

    # The attendee alone could only give up a workshop now; the organizer places them.
    with pytest.raises(RegistrationError, match="Registration is closed"):
        change_sessions(registration=luca, session_ids=[f.scuola.pk], by_link=True)
    change = change_sessions(
        registration=luca, session_ids=[f.scuola.pk, f.salute.pk], actor=f.organizer, by_organizer=True
    )

    assert (change.added, change.removed) == ((f.scuola, f.salute), (f.housing,))
    assert f.choices(luca) == {"Scuola": Choice.CONFIRMED, "Salute": Choice.CONFIRMED}
    assert f.choices(marta) == {"Housing sociale": Choice.CONFIRMED, "Ambiente": Choice.CONFIRMED}
    # Two e-mails: the attendee's in English with the new calendar, Marta's promotion in Italian.
    assert sorted(OutgoingEmail.objects.values_list("template", "to", "language")) == [
        ("event_session_promoted", marta.email, "it"),
        ("event_sessions_changed", luca.email, "en"),
    ]
    email = OutgoingEmail.objects.get(template="event_sessions_changed")
    assert email.subject == "Your sessions are changed: Fare Rete"
    assert "The organizers of “Fare Rete” changed your choice of sessions." in email.body_text
    assert "Removed:" in email.body_text and "Given up:" not in email.body_text
    # Same UIDs, a higher SEQUENCE: the calendar program updates the entries it holds.
    f.event.refresh_from_db()
    assert f.event.sequence == sequence + 1
    files = calendars(email)
    after = by_summary(files["REQUEST"])
    assert set(after) == {"Fare Rete", "Scuola – Fare Rete", "Salute – Fare Rete"}
    assert after["Fare Rete"] == (before["Fare Rete"][0], f.event.sequence)
    assert before["Fare Rete"][1] < f.event.sequence
    assert by_summary(files["CANCEL"]) == {
        "Housing sociale – Fare Rete": (before["Housing sociale – Fare Rete"][0], f.event.sequence)
    }
    # On the record, with the organizer as actor; Marta's seat names who caused it.
    entry = LogEntry.objects.get(action="events.registration.sessions_changed", object_id=luca.pk)
    assert (entry.actor, entry.data["by_organizer"]) == (f.organizer, True)
    assert (entry.data["added_ids"], entry.data["removed_ids"]) == ([f.scuola.pk, f.salute.pk], [f.housing.pk])
    promoted = LogEntry.objects.get(action="events.registration.session_promoted", object_id=marta.pk)
    assert (promoted.actor, promoted.data["caused_by"]) == (None, f.organizer.pk)


def test_an_organizer_never_places_a_confirmed_attendee_beyond_a_sessions_seats(fare_rete):
    f = fare_rete
    f.join("Anna Neri", [f.ambiente])  # the only seat of Ambiente
    luca = f.join("Luca Bianchi", [f.salute])
    sequence = f.event.sequence
    OutgoingEmail.objects.all().delete()
    entries = LogEntry.objects.count()

    with pytest.raises(RegistrationError) as refused:
        change_sessions(registration=luca, session_ids=[f.ambiente.pk], actor=f.organizer, by_organizer=True)

    assert refused.value.messages == ["“Ambiente” is full: raise its seats or free one first."]
    assert f.choices(luca) == {"Salute": Choice.CONFIRMED}
    assert f.ambiente.choices.filter(status=Choice.CONFIRMED).count() == 1
    f.event.refresh_from_db()
    assert (f.event.sequence, OutgoingEmail.objects.count(), LogEntry.objects.count()) == (sequence, 0, entries)
    # The attendee themselves would join its waiting list, as always.
    change_sessions(registration=luca, session_ids=[f.ambiente.pk], by_link=True)
    assert f.choices(luca) == {"Ambiente": Choice.WAITLISTED}


def test_an_organizer_keeps_the_one_session_per_slot_rule(fare_rete):
    f = fare_rete
    luca = f.join("Luca Bianchi", [f.scuola])

    with pytest.raises(RegistrationError, match="take place at the same time"):
        change_sessions(
            registration=luca, session_ids=[f.scuola.pk, f.housing.pk], actor=f.organizer, by_organizer=True
        )

    assert f.choices(luca) == {"Scuola": Choice.CONFIRMED}


def test_a_request_not_confirmed_yet_may_be_given_a_full_session_without_taking_its_seat(fare_rete):
    f = fare_rete
    f.join("Anna Neri", [f.ambiente])
    request = RegistrationFactory(event=f.event, name="Dario Verdi", status="pending", confirmed_at=None)
    SessionChoice.objects.create(registration=request, session=f.salute)

    change_sessions(registration=request, session_ids=[f.ambiente.pk], actor=f.organizer, by_organizer=True)

    assert f.choices(request) == {"Ambiente": Choice.REQUESTED}
    assert f.ambiente.choices.filter(status=Choice.CONFIRMED).count() == 1
    email = OutgoingEmail.objects.get(template="event_sessions_changed")
    assert (email.to, calendars(email)) == (request.email, {})


@pytest.mark.parametrize("who", ["nobody signed in", "plain user", "manager of another ally", "the attendee"])
def test_only_the_events_managers_change_sessions_as_organizers(fare_rete, who):
    f = fare_rete
    owner = VerifiedUserFactory()
    luca = f.join("Luca Bianchi", [f.scuola], user=owner)
    actor = {
        "nobody signed in": None,
        "plain user": VerifiedUserFactory(),
        "manager of another ally": AllyManagerFactory(ally=MemberOrganizationFactory()).user,
        "the attendee": owner,
    }[who]
    f.close_registration()  # the attendee might not add a workshop now, and may not get around it this way
    OutgoingEmail.objects.all().delete()

    with pytest.raises(PermissionDenied):
        change_sessions(registration=luca, session_ids=[f.scuola.pk, f.salute.pk], actor=actor, by_organizer=True)

    assert f.choices(luca) == {"Scuola": Choice.CONFIRMED}
    assert not OutgoingEmail.objects.exists()


def test_a_coordinator_changes_the_meetings_of_a_series_but_not_one_that_has_begun():
    event = verona_cycle(register_per_meeting=True, reminder_offsets=[120])
    meetings = list(event.sessions.all())
    user = VerifiedUserFactory()
    nadia = register(
        event=event,
        user=user,
        attendee=Attendee(name="Nadia Fontana", email=user.email, language="en", session_ids=[meetings[0].pk]),
    ).registration
    meetings[0].day = timezone.localdate(timezone.now(), ROME)  # the first meeting is under way
    meetings[0].start_time, meetings[0].end_time = time(0, 0), time(23, 59)
    meetings[0].save()
    coordinator = CoordinatorFactory()
    OutgoingEmail.objects.all().delete()

    with pytest.raises(RegistrationError, match="already begun"):
        change_sessions(registration=nadia, session_ids=[meetings[2].pk], actor=coordinator, by_organizer=True)
    change_sessions(
        registration=nadia, session_ids=[meetings[0].pk, meetings[2].pk], actor=coordinator, by_organizer=True
    )

    assert sorted(nadia.session_choices.values_list("session", "status")) == [
        (meetings[0].pk, Choice.CONFIRMED),
        (meetings[2].pk, Choice.CONFIRMED),
    ]
    assert Reminder.objects.filter(registration=nadia, session=meetings[2]).exists()
    email = OutgoingEmail.objects.get(template="event_sessions_changed")
    assert email.subject == "Your meetings are changed: Imprese di nuovo welfare"
    assert "The organizers of “Imprese di nuovo welfare” changed your choice of meetings." in email.body_text


# The page ----------------------------------------------------------------------------------------------------


@pytest.fixture
def signed_in_organizer(client, fare_rete):
    client.force_login(fare_rete.organizer)
    return fare_rete.organizer


def page_url(registration, **kwargs):
    return url("events:registration_sessions", slug=registration.event.slug, pk=registration.pk, **kwargs)


def test_the_list_links_each_active_registration_to_its_change_page(client, fare_rete, signed_in_organizer):
    f = fare_rete
    luca = f.join("Luca Bianchi", [f.scuola])
    waiting = RegistrationFactory(event=f.event, name="Bruno Neri", status="waitlisted", confirmed_at=None)
    gone = RegistrationFactory(event=f.event, name="Elena Gialli", status="cancelled")
    list_url = url("events:registrations", slug=f.event.slug, query="?status=")

    html = client.get(list_url).content.decode()

    links = re.findall(r'<a class="btn btn-outline-primary" href="([^"]+)">Change the sessions', html)
    query = "?next=" + list_url.replace("/", "%2F").replace("?", "%3F").replace("=", "%3D")
    assert links == [page_url(luca) + query, page_url(waiting) + query]
    assert page_url(gone) not in html


def test_no_link_when_the_event_has_no_session_to_choose(client, signed_in_organizer, fare_rete):
    event = EventFactory(organizers=list(fare_rete.event.organizers.all()))
    SessionFactory(event=event, kind="plenary")  # no seats of its own: nothing to choose
    registration = RegistrationFactory(event=event)

    html = client.get(url("events:registrations", slug=event.slug)).content.decode()
    response = client.get(page_url(registration))

    assert "Change the sessions" not in html
    assert response.status_code == 302
    assert response["Location"] == url("events:registrations", slug=event.slug) + f"#registration-{registration.pk}"


def test_the_page_shows_the_attendees_form_prefilled_with_a_fieldset_per_slot(client, fare_rete, signed_in_organizer):
    f = fare_rete
    luca = f.join("Luca Bianchi", [f.housing, f.salute])

    response = client.get(page_url(luca))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].slot_names == ["slot_1", "slot_2"]
    assert "<h1>Change the sessions of Luca Bianchi</h1>" in html
    assert re.findall(r"<legend>([^<]+)</legend>", html) == [
        response.context["form"].fields["slot_1"].label,
        response.context["form"].fields["slot_2"].label,
    ]
    checked = re.findall(r'<input type="radio" name="(slot_\d)" value="(\d*)"[^>]* checked>', html)
    assert checked == [("slot_1", str(f.housing.pk)), ("slot_2", str(f.salute.pk))]
    # Each radio button has its label; a full workshop says so, without the attendee's "you would wait".
    assert re.search(rf'<label for="id_slot_1_1"><input[^>]*value="{f.housing.pk}"[^>]*>\s*Housing sociale', html)
    assert "Housing sociale · full</label>" in html
    assert "you would be on its waiting list" not in html


def test_saving_the_page_moves_the_attendee_and_goes_back_to_the_list(client, fare_rete, signed_in_organizer):
    f = fare_rete
    luca = f.join("Luca Bianchi", [f.housing], language="en")
    f.close_registration()
    back = url("events:registrations", slug=f.event.slug, query="?status=confirmed")
    OutgoingEmail.objects.all().delete()

    response = client.post(page_url(luca), {"slot_1": "", "slot_2": f.salute.pk, "next": back})

    assert response.status_code == 302
    assert response["Location"] == f"{back}#registration-{luca.pk}"
    assert messages_of(response) == [
        "The choice of “Luca Bianchi” is changed; we sent them an e-mail with the new calendar file."
    ]
    assert f.choices(luca) == {"Salute": Choice.CONFIRMED}
    assert list(OutgoingEmail.objects.values_list("template", "to", "language")) == [
        ("event_sessions_changed", luca.email, "en")
    ]
    assert LogEntry.objects.get(action="events.registration.sessions_changed").actor == signed_in_organizer


def test_a_full_session_is_refused_with_a_clear_message_in_the_organizers_language(
    client, fare_rete, signed_in_organizer
):
    f = fare_rete
    f.join("Anna Neri", [f.ambiente])
    luca = f.join("Luca Bianchi", [f.salute])

    response = client.post(page_url(luca), {"slot_2": f.ambiente.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["“Ambiente” is full: raise its seats or free one first."]
    summary = re.search(r'<div class="alert alert-danger error-summary" role="alert".*?</div>', html, re.S).group()
    assert "<li>“Ambiente” is full: raise its seats or free one first.</li>" in summary
    assert f.choices(luca) == {"Salute": Choice.CONFIRMED}


def test_saving_the_same_choice_changes_nothing(client, fare_rete, signed_in_organizer):
    f = fare_rete
    luca = f.join("Luca Bianchi", [f.salute])
    OutgoingEmail.objects.all().delete()

    response = client.post(page_url(luca), {"slot_2": f.salute.pk})

    assert messages_of(response) == ["Nothing changed: these are the sessions “Luca Bianchi” had chosen."]
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize("who", ["plain user", "manager of another ally", "the attendee"])
def test_people_who_do_not_run_the_event_do_not_find_the_page(client, fare_rete, who):
    f = fare_rete
    owner = VerifiedUserFactory()
    luca = f.join("Luca Bianchi", [f.scuola], user=owner)
    client.force_login(
        {
            "plain user": VerifiedUserFactory(),
            "manager of another ally": AllyManagerFactory(ally=MemberOrganizationFactory()).user,
            "the attendee": owner,
        }[who]
    )

    # As every page of the coordination area: to whoever does not run the event it does not exist.
    responses = [client.get(page_url(luca)), client.post(page_url(luca), {"slot_2": f.salute.pk})]

    assert [r.status_code for r in responses] == [404, 404]
    assert f.choices(luca) == {"Scuola": Choice.CONFIRMED}


def test_a_registration_of_another_event_or_no_longer_active_is_not_changed(client, fare_rete, signed_in_organizer):
    f = fare_rete
    other = RegistrationFactory()
    gone = RegistrationFactory(event=f.event, status="cancelled")

    missing = client.get(url("events:registration_sessions", slug=f.event.slug, pk=other.pk))
    closed = client.post(page_url(gone), {"slot_2": f.salute.pk})

    assert missing.status_code == 404
    assert closed.status_code == 302
    assert messages_of(closed) == ["The choice of sessions of this registration can no longer change."]
    assert not gone.session_choices.exists()


@pytest.mark.parametrize("slots", [1, 3])
def test_the_page_asks_the_same_queries_for_one_or_three_slots(
    client, signed_in_organizer, fare_rete, django_assert_num_queries, slots
):
    event = EventFactory(organizers=list(fare_rete.event.organizers.all()))
    day = timezone.localtime(event.start, ROME).date()
    chosen = []
    for n in range(slots):
        for title in ("Laboratorio A", "Laboratorio B"):
            session = SessionFactory(
                event=event, day=day, start_time=time(9 + 2 * n), end_time=time(10 + 2 * n), kind="workshop",
                title=f"{title} {n}", capacity=5,
            )  # fmt: skip
        chosen.append(session)
    registration = RegistrationFactory(event=event)
    for session in chosen:
        SessionChoice.objects.create(registration=registration, session=session, status=Choice.CONFIRMED)

    # The session and user; the event and who runs it (coordinator? manager of an organizer?); the registration,
    # its choices with their sessions; whether the event has sessions to choose, those sessions with their seats;
    # the menu's coordinator check.
    with django_assert_num_queries(10):
        response = client.get(page_url(registration))

    assert response.context["form"].slot_names == [f"slot_{n + 1}" for n in range(slots)]
    assert Registration.objects.get(pk=registration.pk).session_choices.count() == slots


def test_a_coordinator_changes_the_meetings_of_a_series_from_the_page(client):
    event = verona_cycle(register_per_meeting=True)
    meetings = list(event.sessions.all())
    user = VerifiedUserFactory()
    nadia = register(
        event=event,
        user=user,
        attendee=Attendee(name="Nadia Fontana", email=user.email, language="it", session_ids=[meetings[1].pk]),
    ).registration
    client.force_login(CoordinatorFactory())
    listed = client.get(url("events:registrations", slug=event.slug)).content.decode()

    page = client.get(page_url(nadia))
    html = page.content.decode()
    response = client.post(page_url(nadia), {"meetings": [meetings[1].pk, meetings[3].pk]})

    assert f'href="{page_url(nadia)}?next=' in listed and "Change the meetings" in listed
    assert "<h1>Change the meetings of Nadia Fontana</h1>" in html
    assert re.findall(r"<legend>([^<]+)<", html) == ["The meetings they come to"]  # then the required mark
    assert html.count('type="checkbox" name="meetings"') == 6
    assert re.findall(r'type="checkbox" name="meetings" value="(\d+)"[^>]* checked', html) == [str(meetings[1].pk)]
    assert messages_of(response) == [
        "The choice of “Nadia Fontana” is changed; we sent them an e-mail with the new calendar file."
    ]
    assert sorted(nadia.session_choices.values_list("session", flat=True)) == [meetings[1].pk, meetings[3].pk]
    email = OutgoingEmail.objects.get(template="event_sessions_changed")
    assert (email.to, email.language) == (nadia.email, "it")
