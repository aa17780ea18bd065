"""Seed 004 end to end in Chromium, with axe-core on every page visited (issue 9).

Mag Verona's cycle is for members only and each request is reviewed against the regional requirements: a
non-member is told to join; a member answers the eligibility question and asks for a place; the coordinator
reads the review card (ally, member since, the answer) and admits her; her e-mail lists the six Mondays and
its calendar holds six meetings 14:00–18:00; a reminder reaches her before the second meeting; she is checked
in at the third; she downloads her certificate, which lists that meeting only.

What tests/events/test_series.py proves meeting by meeting (the public calendars, the reminder sent once,
the log of a check-in, the certificate in each language) is not repeated here.
"""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader

from alliance.models import OutgoingEmail
from events.models import Attendance, Event, Registration
from events.services import send_due_reminders
from events.services.attendance import check_in_meeting
from tests.factories.events import EventFactory, SessionFactory
from tests.factories.members import (
    PASSWORD,
    AllyManagerFactory,
    CoordinatorFactory,
    MemberOrganizationFactory,
    VerifiedUserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROME = ZoneInfo("Europe/Rome")
TITLES = [
    "Nominazione della qualità",
    "Relazione con la P.A.",
    "Servizi sociali ripensati",
    "Co-progettazione",
    "Rendicontazione degli esiti",
    "Creatività al lavoro",
]
QUESTION_EN = "How do you or your organization meet the eligibility requirements set by the regional rules?"
QUESTION_IT = "In che modo tu o la tua organizzazione soddisfate i requisiti previsti dalla normativa regionale?"
ANSWER = "Cooperativa sociale di tipo A: gestiamo servizi domiciliari per anziani a Verona."


def members_only_cycle() -> Event:
    monday = timezone.localdate() + timedelta(days=30)
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    days = [monday + timedelta(weeks=2 * n) for n in range(6)]
    event = EventFactory(
        title="Imprese di nuovo welfare",
        slug="imprese-di-nuovo-welfare",
        is_series=True,
        city="Verona",
        venue_name="Casa Comune Mag",
        registration_policy="members",
        admission_review=True,
        capacity=30,
        start=datetime.combine(days[0], time(14), tzinfo=ROME),
        end=datetime.combine(days[-1], time(18), tzinfo=ROME),
        reminder_offsets=[2880],
    )
    for day, title in zip(days, TITLES, strict=True):
        SessionFactory(event=event, day=day, start_time=time(14), end_time=time(18), title=title)
    return event


def sign_in(page, email):
    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Sign In")).to_have_count(0)


def sign_out(page):
    page.context.clear_cookies()  # a new visitor on the same browser


def test_seed_004_a_member_answers_is_reviewed_admitted_reminded_checked_in_and_certified(
    page, assert_accessible, taxonomy
):
    event = members_only_cycle()
    meetings = list(event.sessions.all())
    ally = MemberOrganizationFactory(
        name="Cooperativa Il Ponte", approved_at=datetime(2021, 3, 15, 10, tzinfo=ROME), verified_at=timezone.now()
    )
    giulia = VerifiedUserFactory(email="giulia@example.org", full_name="Giulia Ferrari", preferred_language="en")
    AllyManagerFactory(ally=ally, user=giulia)
    VerifiedUserFactory(email="nuovo@example.org", full_name="Nuovo Utente", preferred_language="en")
    coordinator = CoordinatorFactory(email="coordinatrice@example.org", preferred_language="en")

    # The coordinator writes the eligibility question on its own page.
    sign_in(page, "coordinatrice@example.org")
    page.goto(f"/en/coordination/events/{event.slug}/registrations/")
    page.get_by_role("link", name="Registration questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Registration questions: {event.title}")
    assert_accessible(page)
    page.locator("#id_questions-0-kind").select_option("text")
    page.locator("#id_questions-0-label").fill(QUESTION_IT)
    page.locator("#id_questions-0-label_en").fill(QUESTION_EN)
    page.locator("label[for=id_questions-0-required]").click()
    page.get_by_role("button", name="Save the questions").click()
    expect(page.get_by_text("The questions are saved.")).to_be_visible()
    assert_accessible(page)
    [question] = event.questions.all()
    assert (question.kind, question.label, question.label_en, question.required) == (
        "text",
        QUESTION_IT,
        QUESTION_EN,
        True,
    )
    sign_out(page)

    # A signed-in person without a member ally is told to join.
    sign_in(page, "nuovo@example.org")
    page.goto(f"/en/events/{event.slug}/register/")
    expect(page.get_by_text("Your account does not manage an approved ally yet.", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Join the alliance").last).to_be_visible()
    expect(page.get_by_role("button", name="Register")).to_have_count(0)
    assert_accessible(page)
    sign_out(page)

    # A member answers the eligibility question and asks for a place.
    sign_in(page, "giulia@example.org")
    page.goto(f"/en/events/{event.slug}/register/")
    assert_accessible(page)
    expect(page.get_by_role("textbox", name=QUESTION_EN)).to_have_attribute("required", "")
    page.get_by_role("textbox", name=QUESTION_EN).fill(ANSWER)
    page.locator("label[for=id_privacy_consent]").click()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("We received your request.")).to_be_visible()
    registration = Registration.objects.get(event=event, email="giulia@example.org")
    assert registration.status == Registration.Status.PENDING
    assert list(registration.answers.values_list("value", flat=True)) == [ANSWER]
    sign_out(page)

    # The coordinator reads the card and admits her.
    sign_in(page, "coordinatrice@example.org")
    page.goto(f"/en/coordination/events/{event.slug}/registrations/")
    card = page.locator(f"#review-{registration.pk}")
    expect(card.get_by_role("link", name="Cooperativa Il Ponte")).to_have_attribute("href", f"/en/allies/{ally.slug}/")
    expect(card).to_contain_text("Member since 15 March 2021")
    expect(card).to_contain_text("Verified")
    expect(card).to_contain_text(QUESTION_EN)
    expect(card).to_contain_text(ANSWER)
    assert_accessible(page)
    card.get_by_role("button", name="Approve Giulia Ferrari").click()
    expect(page.get_by_text("Done: 1 person got a seat.", exact=False)).to_be_visible()
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED

    # Her e-mail lists the six Mondays; its calendar holds six meetings, 14:00–18:00.
    email = OutgoingEmail.objects.get(template="event_confirmation", to="giulia@example.org")
    for meeting in meetings:
        assert meeting.title in email.body_text and f"{meeting.day:%-d %B}" in email.body_text
    [ics] = [a["content"] for a in email.attachments if a["mimetype"] == "text/calendar"]
    components = list(Calendar.from_ical(ics).walk("VEVENT"))
    assert len(components) == 6
    starts = sorted(c.decoded("dtstart") for c in components)
    assert [s.date() for s in starts] == [m.day for m in meetings]
    for component in components:
        start, end = component.decoded("dtstart"), component.decoded("dtend")
        assert (start.weekday(), start.time(), end.time(), end.date()) == (0, time(14), time(18), start.date())

    # A reminder reaches her before the second meeting (the reminder task, run at a chosen time).
    second = datetime.combine(meetings[1].day, time(14), tzinfo=ROME)
    assert send_due_reminders(now=second - timedelta(hours=47)) == 1
    [reminder] = OutgoingEmail.objects.filter(template="event_reminder", to="giulia@example.org")
    assert meetings[1].title in reminder.body_text

    # Checked in at the third meeting: only that one counts.
    check_in_meeting(registration=registration, session=meetings[2], actor=coordinator)
    assert list(Attendance.objects.filter(registration=registration).values_list("session", flat=True)) == [
        meetings[2].pk
    ]
    sign_out(page)

    # She finds her answer on her registration page and downloads her certificate.
    page.goto(f"/en/registrations/{registration.token}/")
    expect(page.get_by_role("heading", name="Your answers")).to_be_visible()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate of attendance (PDF)").click()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages)
    assert "Giulia Ferrari" in text
    assert TITLES[2] in text
    assert not any(title in text for n, title in enumerate(TITLES) if n != 2)
