"""Attendees in the browser's place: registering, confirming the address, the token page, cancelling, my registrations."""

from datetime import time, timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar

from alliance.models import LogEntry, OutgoingEmail
from events.models import Event, Registration, SessionChoice
from tests.factories.events import ROME, EventFactory, RegistrationFactory, SessionFactory
from tests.factories.members import AllyManagerFactory, MemberOrganizationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def absolute(name, language="en", **kwargs):
    return django_settings.SITE_URL.rstrip("/") + url(name, language=language, **kwargs)


def page_messages(response):
    """The messages the response left for the next page; the next request starts with none."""
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return texts


def form_data(**overrides):
    data = {
        "name": "Giulia  Ferri",
        "email": "Giulia.Ferri@example.org",
        "organization": "Cooperativa L'Ape",
        "role": "Educatrice",
        "accessibility_needs": "Accesso senza gradini",
        "public_consent": "on",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def member():
    user = VerifiedUserFactory(email="socia@example.org", full_name="Sara Socia", preferred_language="en")
    AllyManagerFactory(ally=MemberOrganizationFactory(), user=user)
    return user


def sent_to(mailoutbox, email):
    return [message for message in mailoutbox if message.to == [email]]


def calendar_event(message):
    [(filename, content, mimetype)] = message.attachments
    # The file is named in the language the e-mail is written in.
    language = "en" if '<html lang="en">' in message.alternatives[0][0] else "it"
    assert (filename, mimetype) == ({"it": "evento.ics", "en": "event.ics"}[language], "text/calendar")
    [component] = Calendar.from_ical(content).walk("VEVENT")
    return component


# Registering as a guest ------------------------------------------------------------------


@pytest.mark.parametrize("full", [False, True], ids=["seats left", "full"])
def test_a_guest_registers_confirms_the_address_and_gets_a_seat_or_the_waiting_list(
    client, django_capture_on_commit_callbacks, mailoutbox, full
):
    event = EventFactory(title="Generare comunità", capacity=1)
    if full:
        RegistrationFactory(event=event)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("events:register", slug=event.slug), form_data())

    registration = Registration.objects.get(email="giulia.ferri@example.org")
    assert response.status_code == 302
    assert response["Location"] == url("events:event_detail", slug=event.slug)  # the token only travels by e-mail
    assert page_messages(response) == [
        "We sent an e-mail to giulia.ferri@example.org to confirm the address: your seat counts once you confirm "
        "it with the link in the e-mail."
    ]
    assert (registration.name, registration.organization, registration.role, registration.accessibility_needs) == (
        "Giulia Ferri",
        "Cooperativa L'Ape",
        "Educatrice",
        "Accesso senza gradini",
    )
    assert (registration.status, registration.email_confirmed_at, registration.language) == (Status.PENDING, None, "en")
    assert (registration.public_consent, registration.user) == (True, None)

    [check] = mailoutbox
    assert check.to == ["giulia.ferri@example.org"]
    assert check.subject == "Confirm your registration for Generare comunità"
    confirm_link = absolute("events:confirm_email", token=registration.token)
    assert confirm_link in check.body
    assert f'href="{confirm_link}"' in check.alternatives[0][0]

    page = client.get(confirm_link)
    assert page.status_code == 200
    assert "Confirm my address" in page.content.decode()
    registration.refresh_from_db()
    assert registration.status == Status.PENDING  # a GET (a link scanner, say) confirms nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_link)

    registration.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url("events:registration", token=registration.token)
    assert registration.email_confirmed_at is not None
    [second] = mailoutbox[1:]
    assert second.to == ["giulia.ferri@example.org"]
    if full:
        assert registration.status == Status.WAITLISTED
        assert page_messages(response) == [
            "Thank you: your address is confirmed. The event is full: you are number 1 on the waiting list, and "
            "we will write to you as soon as a seat frees up."
        ]
        assert second.subject == "You are number 1 on the waiting list: Generare comunità"
        assert second.attachments == []
    else:
        assert registration.status == Status.CONFIRMED
        assert page_messages(response) == [
            "Thank you: your address is confirmed and so is your seat. We sent you an e-mail with the calendar file."
        ]
        assert second.subject == "Your seat is confirmed: Generare comunità"
        component = calendar_event(second)
        assert component["SUMMARY"] == "Generare comunità"
        assert component.decoded("DTSTART") == event.start
        assert component["DTSTART"].params["TZID"] == "Europe/Rome"
        assert component.decoded("DTSTART").hour == 9

    token_page = client.get(response["Location"]).content.decode()
    expected = (
        "you are number 1 on the waiting list" if full else "Your seat is confirmed. We look forward to seeing you."
    )
    assert expected in token_page

    # Following the link again changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(confirm_link)
    assert page_messages(again) == ["Your e-mail address was already confirmed."]
    assert len(mailoutbox) == 2


def test_on_an_event_by_application_the_confirmed_guest_waits_for_the_organizers(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(title="Laboratorio di co-progettazione", registration_policy=Event.Policy.APPLICATION)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("events:register", slug=event.slug), form_data())
    registration = Registration.objects.get()
    assert (registration.status, registration.email_confirmed_at) == (Status.PENDING, None)
    assert response["Location"] == url("events:event_detail", slug=event.slug)
    page_messages(response)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("events:confirm_email", token=registration.token))

    registration.refresh_from_db()
    assert (registration.status, registration.email_confirmed_at is not None) == (Status.PENDING, True)
    assert page_messages(response) == [
        "Thank you: your address is confirmed. The organizers will review your request and write to you with their "
        "decision."
    ]
    assert [m.subject for m in mailoutbox] == [
        "Confirm your registration for Laboratorio di co-progettazione",
        "We received your request to take part in Laboratorio di co-progettazione",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "The organizers are reviewing your request and will write to you with their decision." in page


NEUTRAL = (
    "We sent an e-mail to giulia.ferri@example.org to confirm the address: your seat counts once you confirm "
    "it with the link in the e-mail."
)


def test_registering_twice_returns_the_same_registration_and_sends_the_check_again_to_the_address(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first_response = client.post(url("events:register", slug=event.slug), form_data())
    first_messages = page_messages(first_response)
    first = Registration.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("events:register", slug=event.slug), form_data(name="Qualcun Altro"))

    assert list(Registration.objects.values_list("pk", "name")) == [(first.pk, "Giulia Ferri")]
    # Whoever typed the address gets the very answer of a first registration: nothing tells it was there.
    assert response["Location"] == first_response["Location"] == url("events:event_detail", slug=event.slug)
    assert page_messages(response) == first_messages == [NEUTRAL]
    assert [(m.to, m.subject) for m in mailoutbox] == 2 * [
        (["giulia.ferri@example.org"], f"Confirm your registration for {event.title}")
    ]
    assert absolute("events:confirm_email", token=first.token) in mailoutbox[1].body


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "another account"])
def test_registering_an_address_already_confirmed_tells_nothing_and_mails_its_link_to_the_address(
    client, django_capture_on_commit_callbacks, mailoutbox, signed_in
):
    event = EventFactory(title="Generare comunità")
    registration = RegistrationFactory(
        event=event, email="giulia.ferri@example.org", name="Giulia Ferri", language="en"
    )
    if signed_in:
        client.force_login(VerifiedUserFactory(email="curioso@example.org"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("events:register", slug=event.slug), form_data(name="Curioso"))

    assert response["Location"] == url("events:event_detail", slug=event.slug)
    assert page_messages(response) == [NEUTRAL]
    assert list(Registration.objects.values_list("pk", "name", "status")) == [
        (registration.pk, "Giulia Ferri", Status.CONFIRMED)
    ]
    [link] = mailoutbox
    assert (link.to, link.subject) == (["giulia.ferri@example.org"], "Your registration for Generare comunità")
    assert absolute("events:registration", token=registration.token) in link.body
    assert f'href="{absolute("events:registration", token=registration.token)}"' in link.alternatives[0][0]
    assert OutgoingEmail.objects.get().template == "event_registration_link"


def test_the_privacy_policy_must_be_accepted(client, mailoutbox):
    event = EventFactory()

    response = client.post(url("events:register", slug=event.slug), form_data(privacy_consent=None))

    assert response.status_code == 200
    html = response.content.decode()
    assert "To register, please accept the privacy policy." in html
    assert f'<a href="{url("alliance:privacy")}">privacy policy</a>' in html
    assert Registration.objects.count() == 0
    assert mailoutbox == []


def test_the_form_shows_who_reads_the_accessibility_needs_and_the_public_list_consent(client):
    event = EventFactory()

    html = client.get(url("events:register", slug=event.slug)).content.decode()

    assert "Only the organizers of the event read it, to prepare the place." in html
    assert "Show my name and organization in the public list of participants" in html
    for field in ("name", "email", "organization", "role", "accessibility_needs", "public_consent", "privacy_consent"):
        assert f'<label for="id_{field}">' in html


# Members ------------------------------------------------------------------------------------


def test_a_member_with_a_verified_address_is_confirmed_at_once_on_a_members_only_event(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(title="Assemblea delle socie", registration_policy=Event.Policy.MEMBERS)
    user = member()
    client.force_login(user)

    form_page = client.get(url("events:register", slug=event.slug, language="it")).content.decode()
    assert 'value="socia@example.org"' in form_page
    assert 'value="Sara Socia"' in form_page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("events:register", slug=event.slug, language="it"),
            form_data(name="Sara Socia", email="socia@example.org"),
        )

    registration = Registration.objects.get()
    assert (registration.status, registration.user, registration.email) == (
        Status.CONFIRMED,
        user,
        "socia@example.org",
    )
    assert registration.language == "en"  # the language the account chose for its e-mails
    assert response["Location"] == url("events:registration", token=registration.token, language="it")
    with translation.override("it"):  # the page's language
        expected = gettext("Your seat is confirmed. We sent you an e-mail with the details and the calendar file.")
    assert page_messages(response) == [expected]
    [confirmation] = mailoutbox
    assert (confirmation.to, confirmation.subject) == (
        ["socia@example.org"],
        "Your seat is confirmed: Assemblea delle socie",
    )
    assert calendar_event(confirmation).decoded("DTSTART") == event.start

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            url("events:register", slug=event.slug), form_data(name="Sara Socia", email="socia@example.org")
        )
    assert again["Location"] == url("events:registration", token=registration.token)
    assert page_messages(again) == ["You were already registered for this event."]
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("policy", "capacity", "status", "message"),
    [
        (
            Event.Policy.OPEN,
            5,
            Status.CONFIRMED,
            "Your seat is confirmed. We sent you an e-mail with the details and the calendar file.",
        ),
        (
            Event.Policy.OPEN,
            1,
            Status.WAITLISTED,
            "The event is full: you are number 2 on the waiting list. We will write to you as soon as a seat frees up.",
        ),
        (
            Event.Policy.APPLICATION,
            5,
            Status.PENDING,
            "We received your request. The organizers will review it and write to you with their decision.",
        ),
    ],
    ids=["confirmed", "waitlisted", "application"],
)
def test_a_signed_in_person_is_told_exactly_what_happens_next(
    client, django_capture_on_commit_callbacks, policy, capacity, status, message
):
    event = EventFactory(registration_policy=policy, capacity=capacity)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Status.WAITLISTED, confirmed_at=None, waitlisted_at=timezone.now())
    user = VerifiedUserFactory(email="persona@example.org", preferred_language="en")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("events:register", slug=event.slug), form_data(email="persona@example.org"))

    registration = Registration.objects.get(email="persona@example.org")
    assert (registration.status, registration.user) == (status, user)
    assert registration.email_confirmed_at is not None
    assert response["Location"] == url("events:registration", token=registration.token)
    assert page_messages(response) == [message]


def test_a_signed_in_member_registering_another_address_must_confirm_it(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(registration_policy=Event.Policy.MEMBERS)
    client.force_login(member())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("events:register", slug=event.slug), form_data(email="collega@example.org"))

    registration = Registration.objects.get()
    assert (registration.status, registration.email_confirmed_at) == (Status.PENDING, None)
    assert response["Location"] == url("events:event_detail", slug=event.slug)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["collega@example.org"], f"Confirm your registration for {event.title}")
    ]


def test_registering_another_address_again_never_leads_the_account_to_its_token_page(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(registration_policy=Event.Policy.MEMBERS)
    client.force_login(member())
    with django_capture_on_commit_callbacks(execute=True):
        page_messages(client.post(url("events:register", slug=event.slug), form_data(email="collega@example.org")))
    registration = Registration.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("events:register", slug=event.slug), form_data(email="collega@example.org"))

    assert again["Location"] == url("events:event_detail", slug=event.slug)
    assert page_messages(again) == [
        "We sent an e-mail to collega@example.org to confirm the address: your seat counts once you confirm "
        "it with the link in the e-mail."
    ]
    registration.refresh_from_db()
    assert (registration.status, registration.email_confirmed_at) == (Status.PENDING, None)
    assert [(m.to, m.subject) for m in mailoutbox] == 2 * [
        (["collega@example.org"], f"Confirm your registration for {event.title}")
    ]


def test_my_registrations_shows_a_registration_for_another_address_only_once_that_address_is_confirmed(client):
    me = member()
    event = EventFactory(title="Per una collega", registration_policy=Event.Policy.MEMBERS)
    client.force_login(me)
    page_messages(client.post(url("events:register", slug=event.slug), form_data(email="collega@example.org")))
    registration = Registration.objects.get(user=me)

    before = client.get(url("events:my_registrations"))
    client.post(url("events:confirm_email", token=registration.token))
    after = client.get(url("events:my_registrations"))

    assert before.context["sections"][0]["registrations"] == []
    assert url("events:registration", token=registration.token) not in before.content.decode()
    assert [r.pk for r in after.context["sections"][0]["registrations"]] == [registration.pk]


def test_a_signed_in_non_member_learns_how_to_join_and_nothing_is_created(client, mailoutbox):
    event = EventFactory(registration_policy=Event.Policy.MEMBERS)
    client.force_login(VerifiedUserFactory())

    for response in (
        client.get(url("events:register", slug=event.slug)),
        client.post(url("events:register", slug=event.slug), form_data()),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Your account does not manage an approved ally yet." in html
        assert f'href="{url("members:join")}"' in html
        assert 'name="privacy_consent"' not in html
    assert Registration.objects.count() == 0
    assert mailoutbox == []


def test_an_anonymous_visitor_is_invited_to_sign_in_on_a_members_only_event(client):
    event = EventFactory(registration_policy=Event.Policy.MEMBERS)
    register_url = url("events:register", slug=event.slug)

    html = client.get(register_url).content.decode()

    next_query = urlencode({"next": register_url})
    assert f'href="{url("account_login")}?{next_query}"' in html
    assert "Sign in to register" in html
    assert 'name="privacy_consent"' not in html

    client.post(register_url, form_data())
    assert Registration.objects.count() == 0


# Sessions ----------------------------------------------------------------------------------


def workshops(event):
    """Two parallel workshops in the morning, one in the afternoon, and a plenary nobody chooses."""
    morning_a = SessionFactory(
        event=event,
        title="Comunità educanti",
        kind="workshop",
        room="Sala A",
        start_time=time(10, 0),
        end_time=time(12, 0),
        capacity=20,
    )
    morning_b = SessionFactory(
        event=event,
        title="Welfare generativo",
        kind="workshop",
        room="Sala B",
        start_time=time(10, 30),
        end_time=time(11, 30),
        capacity=1,
    )
    afternoon = SessionFactory(
        event=event,
        title="Abitare collaborativo",
        kind="workshop",
        room="Sala A",
        start_time=time(14, 0),
        end_time=time(16, 0),
        capacity=10,
    )
    SessionFactory(event=event, title="Plenaria di apertura", start_time=time(9, 30), end_time=time(10, 0))
    return morning_a, morning_b, afternoon


def test_the_form_offers_one_choice_per_time_slot_with_seats_left(client):
    event = EventFactory()
    morning_a, morning_b, afternoon = workshops(event)
    RegistrationFactory(event=event).session_choices.create(session=morning_b, status=SessionChoice.Status.CONFIRMED)

    html = client.get(url("events:register", slug=event.slug)).content.decode()

    with translation.override("en"):
        day = formats.date_format(morning_a.day, "l j F")
        ten, half_past_eleven = formats.time_format(time(10, 0)), formats.time_format(time(12, 0))
    assert f"<legend>{day}, {ten}–{half_past_eleven}</legend>" in html
    assert "Comunità educanti · Sala A · 20 seats left" in html
    assert "Welfare generativo · Sala B · full: you would be on its waiting list" in html
    assert "Abitare collaborativo · Sala A · 10 seats left" in html
    assert "Plenaria di apertura" not in html
    assert html.count('type="radio" name="slot_1"') == 3  # none, and the two morning workshops
    assert html.count('type="radio" name="slot_2"') == 2


def test_choosing_two_sessions_of_the_same_slot_is_refused_and_nothing_is_created(client, mailoutbox):
    event = EventFactory()
    morning_a, morning_b, afternoon = workshops(event)

    response = client.post(
        url("events:register", slug=event.slug),
        {**form_data(), "slot_1": [str(morning_a.pk), str(morning_b.pk)], "slot_2": str(afternoon.pk)},
    )

    assert response.status_code == 200
    assert "“Comunità educanti” and “Welfare generativo” take place at the same time: choose one of them." in (
        response.content.decode()
    )
    assert Registration.objects.count() == 0
    assert SessionChoice.objects.count() == 0
    assert mailoutbox == []


def test_the_chosen_sessions_are_kept_and_shown_with_their_status(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    morning_a, morning_b, afternoon = workshops(event)
    RegistrationFactory(event=event).session_choices.create(session=morning_b, status=SessionChoice.Status.CONFIRMED)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("events:register", slug=event.slug),
            {**form_data(), "slot_1": str(morning_b.pk), "slot_2": str(afternoon.pk)},
        )
    registration = Registration.objects.get(email="giulia.ferri@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("events:confirm_email", token=registration.token))

    assert dict(registration.session_choices.values_list("session__title", "status")) == {
        "Welfare generativo": SessionChoice.Status.WAITLISTED,
        "Abitare collaborativo": SessionChoice.Status.CONFIRMED,
    }
    html = client.get(url("events:registration", token=registration.token)).content.decode()
    assert "Welfare generativo" in html and "on the waiting list of the session" in html
    assert "Abitare collaborativo" in html and "seat confirmed" in html


# The token page, cancelling -----------------------------------------------------------------


def test_the_token_page_shows_the_place_on_the_waiting_list_without_login_and_sets_no_cookie(client):
    event = EventFactory(title="Generare comunità", capacity=1)
    RegistrationFactory(event=event)
    now = timezone.now()
    first = RegistrationFactory(event=event, status=Status.WAITLISTED, confirmed_at=None, waitlisted_at=now)
    second = RegistrationFactory(
        event=event, status=Status.WAITLISTED, confirmed_at=None, waitlisted_at=now + timedelta(seconds=1)
    )

    response = client.get(url("events:registration", token=second.token))

    html = response.content.decode()
    assert response.status_code == 200
    assert "you are number 2 on the waiting list" in html
    assert "Generare comunità" in html
    assert f'href="{url("events:cancel", token=second.token)}"' in html
    assert response.cookies == {}
    assert "number 1 on the waiting list" in client.get(url("events:registration", token=first.token)).content.decode()


def test_confirming_after_registration_closed_says_why_and_changes_nothing(client, mailoutbox):
    event = EventFactory()
    registration = RegistrationFactory(event=event, status=Status.PENDING, email_confirmed_at=None, confirmed_at=None)
    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - timedelta(minutes=1))

    response = client.post(url("events:confirm_email", token=registration.token))

    assert response.status_code == 200
    assert "Registration is closed." in response.content.decode()
    registration.refresh_from_db()
    assert (registration.status, registration.email_confirmed_at) == (Status.PENDING, None)
    assert mailoutbox == []


def test_a_cancelled_registration_has_nothing_to_confirm(client, mailoutbox):
    registration = RegistrationFactory(
        status=Status.CANCELLED, email_confirmed_at=None, confirmed_at=None, cancelled_at=timezone.now()
    )

    page = client.get(url("events:confirm_email", token=registration.token)).content.decode()
    assert "This registration is no longer active: there is nothing to confirm." in page
    assert "Confirm my address" not in page

    response = client.post(url("events:confirm_email", token=registration.token))
    assert page_messages(response) == ["This registration is no longer active: there is nothing to confirm."]
    registration.refresh_from_db()
    assert (registration.status, registration.email_confirmed_at) == (Status.CANCELLED, None)
    assert mailoutbox == []


@pytest.mark.parametrize("name", ["events:registration", "events:confirm_email", "events:cancel"])
def test_an_unknown_token_is_not_found(client, name):
    RegistrationFactory()
    assert client.get(url(name, token="non-esiste")).status_code == 404
    if name != "events:registration":
        assert client.post(url(name, token="non-esiste")).status_code == 404


def test_cancelling_through_the_link_frees_the_seat_for_the_first_on_the_waiting_list(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(title="Generare comunità", capacity=1)
    leaving = RegistrationFactory(event=event, email="anna@example.org", language="en")
    waiting = RegistrationFactory(
        event=event,
        email="bruno@example.org",
        status=Status.WAITLISTED,
        confirmed_at=None,
        waitlisted_at=timezone.now(),
        language="en",
    )
    RegistrationFactory(
        event=event,
        email="carla@example.org",
        status=Status.WAITLISTED,
        confirmed_at=None,
        waitlisted_at=timezone.now() + timedelta(seconds=1),
    )

    page = client.get(url("events:cancel", token=leaving.token))
    assert page.status_code == 200
    assert "Your seat goes to the first person on the waiting list." in page.content.decode()
    assert Registration.objects.get(pk=leaving.pk).status == Status.CONFIRMED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("events:cancel", token=leaving.token))

    assert response["Location"] == url("events:registration", token=leaving.token)
    assert page_messages(response) == [
        "Your registration for “Generare comunità” is cancelled. Thank you for freeing your seat."
    ]
    assert dict(event.registrations.values_list("email", "status")) == {
        "anna@example.org": Status.CANCELLED,
        "bruno@example.org": Status.CONFIRMED,
        "carla@example.org": Status.WAITLISTED,
    }
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("anna@example.org", "Your registration for Generare comunità is cancelled"),
        ("bruno@example.org", "A seat is yours: Generare comunità"),
    ]
    [promoted] = sent_to(mailoutbox, "bruno@example.org")
    assert OutgoingEmail.objects.get(to="bruno@example.org").template == "event_promoted"
    assert calendar_event(promoted).decoded("DTSTART") == event.start
    assert f"{absolute('events:cancel', token=waiting.token)}" in promoted.body

    # Cancelling twice is harmless.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("events:cancel", token=leaving.token))
    assert page_messages(again) == ["This registration was already cancelled."]
    assert len(mailoutbox) == 2
    html = client.get(url("events:cancel", token=leaving.token)).content.decode()
    assert "there is nothing to cancel" in html
    assert 'type="submit"' not in html.split("<main", 1)[1]


# My registrations ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_my_registrations_lists_exactly_mine_with_a_constant_number_of_queries(
    client, django_assert_num_queries, count
):
    me = VerifiedUserFactory(email="io@example.org")
    for n in range(count):
        event = EventFactory(title=f"Il mio evento {n}", day=timezone.localdate() + timedelta(days=30 - n))
        registration = RegistrationFactory(event=event, user=me, email=me.email)
        SessionFactory(event=event, capacity=5).choices.create(registration=registration)
    RegistrationFactory(event=EventFactory(title="Evento di altri"), name="Zebedeo Distintivo")
    client.force_login(me)

    with django_assert_num_queries(5):
        response = client.get(url("events:my_registrations"))

    html = response.content.decode()
    titles = [f"Il mio evento {n}" for n in reversed(range(count))]  # the soonest first
    assert [r.event.title for r in response.context["sections"][0]["registrations"]] == titles
    assert [html.index(title) for title in titles] == sorted(html.index(title) for title in titles)
    assert "Zebedeo Distintivo" not in html
    assert "Evento di altri" not in html


def test_my_registrations_shows_upcoming_first_then_past_with_cancel_links_only_where_useful(client):
    me = VerifiedUserFactory()
    today = timezone.localdate()
    later = RegistrationFactory(event=EventFactory(title="Più avanti", day=today + timedelta(days=40)), user=me)
    sooner = RegistrationFactory(event=EventFactory(title="Presto", day=today + timedelta(days=5)), email=me.email)
    over = RegistrationFactory(event=EventFactory(title="Già passato", day=today - timedelta(days=5)), user=me)
    cancelled = RegistrationFactory(
        event=EventFactory(title="Rinunciato", day=today + timedelta(days=10)), user=me, status=Status.CANCELLED
    )
    client.force_login(me)

    response = client.get(url("events:my_registrations"))

    upcoming, past = response.context["sections"]
    assert [r.pk for r in upcoming["registrations"]] == [sooner.pk, cancelled.pk, later.pk]
    assert [r.pk for r in past["registrations"]] == [over.pk]
    html = response.content.decode()
    for registration in (sooner, later):
        assert f'href="{url("events:cancel", token=registration.token)}"' in html
    for registration in (over, cancelled):
        assert f'href="{url("events:cancel", token=registration.token)}"' not in html
        assert f'href="{url("events:registration", token=registration.token)}"' in html


def test_my_registrations_needs_an_account(client):
    response = client.get(url("events:my_registrations"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("account_login"))


# Closed and unpublished events -----------------------------------------------------------------


def test_when_registration_is_over_the_page_says_why_and_shows_no_form(client):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))

    for response in (
        client.get(url("events:register", slug=event.slug)),
        client.post(url("events:register", slug=event.slug), form_data()),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Registration is closed." in html
        assert 'name="privacy_consent"' not in html
    assert Registration.objects.count() == 0


def test_a_cancelled_event_says_so(client):
    event = EventFactory(cancelled=True)
    html = client.get(url("events:register", slug=event.slug)).content.decode()
    assert "This event has been cancelled." in html
    assert 'name="privacy_consent"' not in html


def test_the_register_page_of_a_draft_event_is_not_found(client):
    event = EventFactory(draft=True)
    assert client.get(url("events:register", slug=event.slug)).status_code == 404
    assert client.post(url("events:register", slug=event.slug), form_data()).status_code == 404
    assert client.get(url("events:register", slug="non-esiste")).status_code == 404
    assert Registration.objects.count() == 0


def test_times_on_the_pages_are_in_rome_time(client):
    event = EventFactory()
    html = client.get(url("events:register", slug=event.slug)).content.decode()
    start = timezone.localtime(event.start, ROME)
    with translation.override("en"):
        assert f"from {formats.time_format(start.time())} to" in html


@pytest.mark.django_db
def test_the_link_is_sent_again_at_most_once_every_ten_minutes():
    from events.services import resend_registration_link

    registration = RegistrationFactory(email="flood@example.org")
    OutgoingEmail.objects.all().delete()

    for _attempt in range(5):
        resend_registration_link(registration)

    assert OutgoingEmail.objects.filter(to="flood@example.org").count() == 1


# Rate limits and address length (issue 9) ------------------------------------------------------------


def test_guest_registrations_are_rate_limited_per_address(client, settings, django_capture_on_commit_callbacks):
    settings.ALLEANZA_RATE_LIMITS = {"events.guest_registration": "100/h/ip,2/h/key"}
    events = [EventFactory() for _ in range(3)]

    statuses = []
    for event in events:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("events:register", slug=event.slug), form_data())
        statuses.append(response.status_code)

    assert statuses == [302, 302, 429]
    assert Registration.objects.count() == 2  # the third was not even tried
    with translation.override("en"):
        assert "Too many attempts" in response.content.decode()


def test_send_the_link_again_is_rate_limited(client, settings, django_capture_on_commit_callbacks, mailoutbox):
    settings.ALLEANZA_RATE_LIMITS = {
        "events.guest_registration": "100/h/ip,100/h/key",
        "events.resend_link": "100/h/ip,0/h/key",
    }
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("events:register", slug=event.slug), form_data())
    assert len(mailoutbox) == 1  # the e-mail check

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("events:register", slug=event.slug), form_data())

    assert response.status_code == 302  # the same answer as ever: whoever asked learns nothing
    assert len(mailoutbox) == 1  # but no second e-mail: the limit for the address is reached


def test_an_address_longer_than_254_characters_is_a_form_error(client):
    event = EventFactory()
    email = "a" * 64 + "@" + ("b" * 62 + ".") * 3 + "example.org"
    assert len(email) > 254

    response = client.post(url("events:register", slug=event.slug), form_data(email=email))

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_the_waiting_list_e_mail_tells_the_position(django_capture_on_commit_callbacks, mailoutbox):
    from events import services

    event = EventFactory(capacity=1)
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            registration = services.register(
                event=event, attendee=services.Attendee(name=f"Persona {n}", email=f"p{n}@example.org", language="en")
            ).registration
        with django_capture_on_commit_callbacks(execute=True):
            services.confirm_email(token=registration.token)

    waitlisted = [m for m in mailoutbox if "on the waiting list:" in m.subject]
    assert [m.to for m in waitlisted] == [["p1@example.org"], ["p2@example.org"]]
    assert [m.subject for m in waitlisted] == [f"You are number {n} on the waiting list: {event.title}" for n in (1, 2)]
    assert "You are number 1 on the waiting list." in waitlisted[0].body
    assert "You are number 2 on the waiting list." in waitlisted[1].body


# The session and the account; the event, its questions and sessions; the checks; the row, its log, the lock, the
# seat and the place; the e-mail in a transaction of its own (it knows the registration chose no session).
QUERIES_TO_JOIN_A_WAITING_LIST = 23


@pytest.mark.parametrize("waiting", [1, 6])
def test_joining_a_full_event_takes_the_same_queries_however_long_the_waiting_list(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, mailoutbox, waiting
):
    """The registration a burst sends a thousand times: the signed-in owner of the address, a full event. The
    page tells the place the service read under the event's lock, which is the e-mail's."""
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    for n in range(waiting):
        RegistrationFactory(
            event=event, status=Status.WAITLISTED, confirmed_at=None, waitlisted_at=timezone.now() - timedelta(hours=n)
        )
    client.force_login(VerifiedUserFactory(email="persona@example.org", preferred_language="en"))
    ContentType.objects.get_for_model(Registration)  # the log's, read once per process

    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(QUERIES_TO_JOIN_A_WAITING_LIST):
            response = client.post(url("events:register", slug=event.slug), form_data(email="persona@example.org"))

    position = waiting + 1
    assert page_messages(response) == [
        f"The event is full: you are number {position} on the waiting list. We will write to you as soon as a seat "
        "frees up."
    ]
    assert [m.subject for m in sent_to(mailoutbox, "persona@example.org")] == [
        f"You are number {position} on the waiting list: {event.title}"
    ]


def _statements_under_the_lock(queries) -> list[str]:
    """The statements run from the lock of the event's row to the end of the transaction (here, the savepoint)
    that holds it, each as its verb and table (``"SELECT COUNT events_registration"``); the lock itself first."""
    sqls = [q["sql"] for q in queries]
    lock = next(i for i, sql in enumerate(sqls) if "FOR NO KEY UPDATE" in sql)
    # The savepoint the lock was taken in: the innermost one opened before it and not yet released.
    open_savepoints = []
    for sql in sqls[:lock]:
        if sql.startswith("SAVEPOINT "):
            open_savepoints.append(sql.split()[1])
        elif sql.startswith(("RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")):
            open_savepoints.remove(sql.split()[-1])
    end = sqls.index(f"RELEASE SAVEPOINT {open_savepoints[-1]}", lock)
    statements = []
    for sql in sqls[lock:end]:
        if "SAVEPOINT " in sql:
            continue
        verb = sql.split()[0]
        if sql.startswith("SELECT COUNT(*)"):
            verb = "SELECT COUNT"
        keyword = {"INSERT": " INTO ", "UPDATE": "UPDATE "}.get(verb, " FROM ")
        assert keyword in sql, f"a statement this test cannot read: {sql}"
        statements.append(f"{verb} {sql.split(keyword)[1].split()[0].strip(chr(34))}")
    return statements


@pytest.mark.parametrize("full", [False, True])
def test_a_burst_waits_on_each_other_only_for_the_seat(client, full):
    """What a thousand people registering at once queue for: the event's row is locked from the seat's decision to
    the commit, and only the statements that depend on the seats run under it. The row, its log, the address's
    confirmation, the session choices and answers are written before; the e-mail after."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = EventFactory(capacity=1, reminder_offsets=[1440])
    if full:
        RegistrationFactory(event=event)
    client.force_login(VerifiedUserFactory(email="persona@example.org"))

    with CaptureQueriesContext(connection) as captured:
        response = client.post(url("events:register", slug=event.slug), form_data(email="persona@example.org"))

    assert response.status_code == 302
    registration = Registration.objects.get(email="persona@example.org")
    assert registration.status == (Status.WAITLISTED if full else Status.CONFIRMED)
    seat = ["INSERT events_reminder"] if not full else ["SELECT COUNT events_registration"]  # reminder, or place
    assert _statements_under_the_lock(captured.captured_queries) == [
        "SELECT events_event",  # the lock
        "SELECT events_registrationquestion",  # the questions, which the organizers may have changed meanwhile
        "SELECT COUNT events_registration",  # the seats taken
        "UPDATE events_registration",  # the status
        "INSERT alliance_logentry",  # its log
        *seat,
    ]
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Registration))
    actions = [e.action.rsplit(".", 1)[1] for e in entries.filter(object_id=registration.pk).order_by("pk")]
    assert actions == ["created", "email_confirmed", "waitlisted" if full else "confirmed"]
    assert registration.reminders.count() == (0 if full else 1)


def test_the_owners_confirmation_names_the_full_workshop_and_its_line(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    """A first registration by the signed-in owner, written and seated in one transaction: the e-mail reads the
    workshops it chose (the seats are decided under the lock), and the calendar file holds only the seated one."""
    event = EventFactory(title="Scuola di comunità")
    morning_a, morning_b, afternoon = workshops(event)
    RegistrationFactory(event=event).session_choices.create(session=morning_b, status=SessionChoice.Status.CONFIRMED)
    client.force_login(VerifiedUserFactory(email="persona@example.org", preferred_language="en"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("events:register", slug=event.slug),
            {**form_data(email="persona@example.org"), "slot_1": str(morning_b.pk), "slot_2": str(afternoon.pk)},
        )

    [mail] = sent_to(mailoutbox, "persona@example.org")
    assert (
        mail.subject
        == "Your seat is confirmed; for “Welfare generativo” you are on the waiting list: Scuola di comunità"
    )
    assert "- Welfare generativo (number 1 in line)" in mail.body
    [calendar] = [Calendar.from_ical(a[1]) for a in mail.attachments if a[0].endswith(".ics")]
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Scuola di comunità",
        "Abitare collaborativo – Scuola di comunità",
    ]
