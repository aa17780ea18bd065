"""A new edition by choosing the new start (issue 9): Fare Rete, two days and 14 sessions, one year later."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from alliance.models import LogEntry
from events.models import Event
from events.services import duplicate_event
from tests.factories.events import EventFactory, SessionFactory, SpeakerFactory
from tests.factories.members import CoordinatorFactory

ROME = ZoneInfo("Europe/Rome")


def fare_rete() -> Event:
    """Seed 001: two days of plenaries and parallel workshops, 7 sessions a day."""
    first, second = date(2027, 3, 26), date(2027, 3, 27)  # summer time begins in between (28 March)
    event = EventFactory(
        title="Fare Rete 2027",
        slug="fare-rete-2027",
        start=datetime.combine(first, time(9, 30), tzinfo=ROME),
        end=datetime.combine(second, time(17), tzinfo=ROME),
        registration_opens_at=datetime(2027, 1, 15, 9, tzinfo=ROME),
        registration_closes_at=datetime(2027, 3, 20, 23, 59, tzinfo=ROME),
        reminder_offsets=[2880, 120],
    )
    speaker = SpeakerFactory(event=event, name="Anna Zenarolla")
    slots = [
        (time(9, 30), time(10, 30)),
        (time(10, 30), time(11, 0)),
        (time(11, 0), time(13, 0)),
        (time(14, 0), time(15, 30)),
        (time(14, 0), time(15, 30)),
        (time(15, 30), time(16, 0)),
        (time(16, 0), time(17, 0)),
    ]
    for day in (first, second):
        for n, (begins, ends) in enumerate(slots):
            SessionFactory(
                event=event,
                day=day,
                start_time=begins,
                end_time=ends,
                title=f"{day:%d} sessione {n}",
                speakers=[speaker] if n == 0 else [],
            )
    assert event.sessions.count() == 14
    return event


def sessions_of(event):
    return [
        (s.title, s.day, s.start_time, s.end_time, [sp.name for sp in s.speakers.all()])
        for s in event.sessions.order_by("day", "start_time", "title")
    ]


@pytest.mark.django_db
def test_fare_rete_one_year_later_moves_every_session_and_date_and_takes_the_new_title():
    event = fare_rete()
    coordinator = CoordinatorFactory()
    new_start = datetime(2028, 3, 26, 9, 30, tzinfo=ROME)

    copy = duplicate_event(event=event, actor=coordinator, start=new_start, title="  Fare Rete   2028 ")

    copy = Event.objects.get(pk=copy.pk)
    assert (copy.title, copy.slug, copy.status) == ("Fare Rete 2028", "fare-rete-2028", Event.Status.DRAFT)
    assert "cop" not in copy.slug and "cop" not in copy.title.lower()
    offset = timedelta(days=366)  # 2028 is a leap year: 26 March 2027 → 26 March 2028
    assert copy.start == new_start
    assert copy.end == datetime(2028, 3, 27, 17, tzinfo=ROME)
    assert copy.registration_opens_at == datetime(2028, 1, 16, 9, tzinfo=ROME)
    assert copy.registration_closes_at == datetime(2028, 3, 20, 23, 59, tzinfo=ROME)
    assert copy.reminder_offsets == [2880, 120]  # minutes before the start: they follow it
    before, after = sessions_of(event), sessions_of(copy)
    assert len(after) == 14
    for (title, day, begins, ends, speakers), moved in zip(before, after, strict=True):
        assert moved == (title, day + offset, begins, ends, speakers)
    assert LogEntry.objects.filter(action="events.event.created", object_id=str(copy.pk)).exists()


@pytest.mark.django_db
def test_the_new_edition_form_on_the_management_page():
    event = fare_rete()
    client = Client()
    client.force_login(CoordinatorFactory())
    page = client.get(reverse("events:event_edit", kwargs={"slug": event.slug}))
    assert reverse("events:new_edition", kwargs={"slug": event.slug}) in page.content.decode()

    url = reverse("events:new_edition", kwargs={"slug": event.slug})
    refused = client.post(url, {"title": "Fare Rete 2028", "start": "2999-03-26T09:30"})
    assert refused.status_code == 200 and Event.objects.count() == 1
    refused = client.post(url, {"title": "  ", "start": "2028-03-26T09:30"})
    assert refused.status_code == 200 and Event.objects.count() == 1

    response = client.post(url, {"title": "Fare Rete 2028", "start": "2028-03-26T09:30"})
    copy = Event.objects.get(slug="fare-rete-2028")
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("events:event_edit", kwargs={"slug": copy.slug})
    )
    assert copy.sessions.count() == 14
    assert copy.sessions.order_by("day").first().day == date(2028, 3, 26)
