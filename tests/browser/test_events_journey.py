"""Events end to end in Chromium, with axe-core on every page visited.

A visitor registers as a guest, confirms by the link in the e-mail and cancels;
a coordinator creates an event with three sessions, publishes it and checks an
attendee in at the door; an organizer, on a phone, moves an attendee to the
afternoon workshop they asked for, and does it again without JavaScript.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliance.models import OutgoingEmail
from events.models import Event, Registration, Session
from tests.factories.events import EventFactory, SessionFactory
from tests.factories.members import PASSWORD, CoordinatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in(email: OutgoingEmail, name: str) -> str:
    [path] = re.findall(rf"https?://[^/\s]+(/\S*/{name}/)", email.body_text)
    return path


def test_a_guest_registers_confirms_by_email_and_cancels(page, assert_accessible, taxonomy):
    event = EventFactory(
        title="Laboratorio sul valore generato", capacity=10, venue_name="Casa Comune Mag", city="Verona"
    )
    SessionFactory(event=event, title="Apertura")

    page.goto(f"/en/events/{event.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Laboratorio sul valore generato")
    assert_accessible(page)
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for Laboratorio sul valore generato")
    assert_accessible(page)
    page.get_by_role("textbox", name="Full name", exact=True).fill("Teresa Galli")
    page.get_by_role("textbox", name="E-mail address", exact=True).fill("teresa@example.org")
    page.get_by_role("textbox", name="Organization", exact=True).fill("Cooperativa La Tessitura")
    page.locator("label[for=id_privacy_consent]").click()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("teresa@example.org").first).to_be_visible()
    assert_accessible(page)

    registration = Registration.objects.get(email="teresa@example.org")
    assert registration.status == Registration.Status.PENDING
    check = OutgoingEmail.objects.get(to="teresa@example.org", template="event_email_check")
    page.goto(link_in(check, "confirm"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration for Laboratorio sul valore generato")
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    confirmation = OutgoingEmail.objects.get(to="teresa@example.org", template="event_confirmation")
    assert [a["filename"] for a in confirmation.attachments] == ["event.ics"]  # registered in English
    assert "Casa Comune Mag" in confirmation.body_text

    page.goto(link_in(confirmation, "cancel"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your registration")
    assert_accessible(page)
    page.get_by_role("button", name="Cancel my registration").click()
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert OutgoingEmail.objects.filter(to="teresa@example.org", template="event_registration_cancelled").count() == 1


def test_a_coordinator_creates_an_event_with_three_sessions_publishes_it_and_checks_someone_in(
    page, assert_accessible, taxonomy
):
    CoordinatorFactory(email="coordinatrice@example.org", preferred_language="en")
    day = (timezone.localdate() + timedelta(days=20)).isoformat()

    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill("coordinatrice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto("/en/coordination/")
    page.get_by_role("link", name="Events and registrations").click()
    assert_accessible(page)
    page.get_by_role("link", name="New event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New event")
    assert_accessible(page)

    page.locator("#id_title").fill("Cantieri di comunità a Verona")
    page.locator("#id_kind").select_option("conference")
    page.locator("#id_summary").fill("Una giornata di laboratori paralleli tra alleati.")
    page.locator("#id_venue_name").fill("Casa Comune Mag")
    page.locator("#id_city").fill("Verona")
    page.locator("#id_start").fill(f"{day}T09:30")
    page.locator("#id_end").fill(f"{day}T17:30")
    page.locator("#id_capacity").fill("40")
    page.locator("#id_registration_policy").select_option("open")
    page.locator("#id_speakers-0-name").fill("Paolo Dagazzini")
    page.locator("#id_speakers-0-role").fill("Coordinatore di progetto")
    for n, (title, kind, start, end, room, seats) in enumerate(
        [
            ("Plenaria di apertura", "plenary", "09:30", "10:30", "Sala grande", ""),
            ("Laboratorio: beni comuni", "workshop", "11:00", "13:00", "Aula 1", "20"),
            ("Laboratorio: welfare generativo", "workshop", "11:00", "13:00", "Aula 2", "20"),
        ]
    ):
        page.locator(f"#id_sessions-{n}-title").fill(title)
        page.locator(f"#id_sessions-{n}-kind").select_option(kind)
        page.locator(f"#id_sessions-{n}-day").fill(day)
        page.locator(f"#id_sessions-{n}-start_time").fill(start)
        page.locator(f"#id_sessions-{n}-end_time").fill(end)
        page.locator(f"#id_sessions-{n}-room").fill(room)
        page.locator(f"#id_sessions-{n}-capacity").fill(seats)
    page.locator("#id_sessions-0-speaker_names").fill("Paolo Dagazzini")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Cantieri di comunità a Verona”")
    assert_accessible(page)

    event = Event.objects.get(title="Cantieri di comunità a Verona")
    assert event.status == Event.Status.DRAFT
    assert list(event.sessions.values_list("title", "capacity")) == [
        ("Plenaria di apertura", None),
        ("Laboratorio: beni comuni", 20),
        ("Laboratorio: welfare generativo", 20),
    ]
    assert [s.name for s in Session.objects.get(title="Plenaria di apertura").speakers.all()] == ["Paolo Dagazzini"]

    page.get_by_role("button", name="Publish").click()
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED

    Registration.objects.create(
        event=event,
        name="Nadia Fontana",
        email="nadia@example.org",
        privacy_accepted_at=timezone.now(),
        email_confirmed_at=timezone.now(),
        status=Registration.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    page.goto(f"/en/coordination/events/{event.slug}/check-in/")
    assert_accessible(page)
    page.locator("#check-in-q").fill("nadia")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Check in Nadia Fontana").click()
    expect(page.get_by_role("button", name="Undo – Nadia Fontana")).to_be_visible()
    assert_accessible(page)
    assert Registration.objects.get(email="nadia@example.org").checked_in_at is not None


def test_an_organizer_lowers_the_seats_confirms_the_move_and_reads_the_history(page, assert_accessible, taxonomy):
    from tests.factories.events import RegistrationFactory

    CoordinatorFactory(email="coordinatrice@example.org", preferred_language="en")
    event = EventFactory(title="Tavolo sui beni comuni", capacity=3, venue_name="Casa Comune Mag", city="Verona")
    now = timezone.now()
    people = [
        RegistrationFactory(event=event, name=name, confirmed_at=now + timedelta(seconds=n))
        for n, name in enumerate(["Anna Bianchi", "Bruno Neri", "Carla Rossi"])
    ]

    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill("coordinatrice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"/en/coordination/events/{event.slug}/")
    page.locator("#id_capacity").fill("1")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("3 people hold a confirmed seat, more than the 1 seats you set")).to_be_visible()
    confirm = page.get_by_label("Yes, move the latest confirmed to the waiting list", exact=False)
    expect(confirm).to_be_visible()
    assert_accessible(page)
    event.refresh_from_db()
    assert event.capacity == 3

    page.locator("label[for=id_confirm_moves]").click()  # Bootstrap Italia draws the box on the label
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("2 people moved to the waiting list and were told by e-mail.")).to_be_visible()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_text("Number of seats changed")).to_be_visible()
    assert_accessible(page)
    assert [Registration.objects.get(pk=p.pk).status for p in people] == ["confirmed", "waitlisted", "waitlisted"]
    assert sorted(OutgoingEmail.objects.filter(template="event_moved_to_waitlist").values_list("to", flat=True)) == [
        people[1].email,
        people[2].email,
    ]

    page.goto(f"/en/coordination/events/{event.slug}/registrations/")
    page.get_by_text("Show the history").last.click()
    expect(page.get_by_text("Confirmed → On the waiting list").last).to_be_visible()
    assert_accessible(page)


def test_an_organizer_moves_an_attendee_to_the_afternoon_workshop_on_a_phone(
    page, assert_accessible, browser, live_server
):
    from datetime import time

    from events.models import SessionChoice
    from tests.factories.events import RegistrationFactory
    from tests.factories.members import AllyManagerFactory, MemberOrganizationFactory

    cgm = MemberOrganizationFactory(name="Consorzio Cgm")
    AllyManagerFactory(ally=cgm, user__email="organizzatrice@example.org", user__preferred_language="en")
    event = EventFactory(title="Fare Rete", capacity=None, organizers=[cgm])
    day = timezone.localtime(event.start).date()

    def workshop(title, start, seats):
        return SessionFactory(
            event=event, day=day, start_time=time(start), end_time=time(start + 2), title=title, kind="workshop",
            capacity=seats,
        )  # fmt: skip

    housing, ambiente, salute = (
        workshop("Housing sociale", 10, 1),
        workshop("Ambiente", 14, 1),
        workshop("Salute", 14, 5),
    )
    luca = RegistrationFactory(event=event, name="Luca Bianchi", language="en")
    marta = RegistrationFactory(event=event, name="Marta Rossi")
    anna = RegistrationFactory(event=event, name="Anna Neri")
    SessionChoice.objects.create(registration=luca, session=housing, status="confirmed")
    SessionChoice.objects.create(registration=marta, session=housing, status="waitlisted", waitlisted_at=timezone.now())
    SessionChoice.objects.create(registration=anna, session=ambiente, status="confirmed")
    event.registration_closes_at = timezone.now() - timedelta(hours=1)  # Luca could no longer add a workshop
    event.save(update_fields=["registration_closes_at"])

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill("organizzatrice@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"/en/coordination/events/{event.slug}/registrations/")
    page.get_by_role("link", name="Change the sessions – Luca Bianchi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the sessions of Luca Bianchi")
    afternoon = page.get_by_role("group", name=re.compile("14:00"))
    expect(
        page.get_by_role("group", name=re.compile("10:00")).get_by_role("radio", name=re.compile("Housing"))
    ).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    # Ambiente is full: refused, the summary takes focus and says why.
    page.locator("label", has_text="Ambiente").click()
    page.locator("label", has_text="None of these").first.click()
    page.get_by_role("button", name="Save the choice").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("“Ambiente” is full: raise its seats or free one first.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    assert set(luca.session_choices.values_list("session", "status")) == {(housing.pk, "confirmed")}

    afternoon.get_by_text("Salute").click()
    page.get_by_role("button", name="Save the choice").click()
    expect(page.get_by_text("The choice of “Luca Bianchi” is changed; we sent them an e-mail")).to_be_visible()
    expect(page.locator(f"#registration-{luca.pk}")).to_contain_text("Salute – Confirmed")
    expect(page.locator(f"#registration-{marta.pk}")).to_contain_text("Housing sociale – Confirmed")
    assert_accessible(page)
    assert set(luca.session_choices.values_list("session", "status")) == {(salute.pk, "confirmed")}
    assert sorted(OutgoingEmail.objects.values_list("template", "to", "language")) == [
        ("event_session_promoted", marta.email, "it"),
        ("event_sessions_changed", luca.email, "en"),
    ]

    # Without JavaScript, the same page and form: back to no afternoon workshop.
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    plain.goto(f"/en/coordination/events/{event.slug}/registrations/")
    plain.get_by_role("link", name="Change the sessions – Luca Bianchi").click()
    plain.get_by_role("group", name=re.compile("14:00")).locator("label", has_text="None of these").click()
    plain.get_by_role("button", name="Save the choice").click()
    expect(plain.get_by_text("The choice of “Luca Bianchi” is changed")).to_be_visible()
    context.close()
    assert set(luca.session_choices.values_list("session", "status")) == set()
