"""The demo's Verona cycle is a true series (seed 004): six Mondays 14:00–18:00, members only, requests in
several states, attendance at the past edition."""

from datetime import time

import pytest

from events.demo import load_demo_events
from events.models import Attendance, Event, Registration


@pytest.mark.django_db
def test_the_demo_verona_cycles_are_series_of_six_mondays_with_requests_in_several_states():
    load_demo_events()
    cycles = Event.objects.filter(is_series=True, city="Verona").order_by("start")
    assert cycles.count() == 2
    for event in cycles:
        meetings = list(event.sessions.all())
        assert len(meetings) == 6
        assert {(m.day.weekday(), m.start_time, m.end_time) for m in meetings} == {(0, time(14), time(18))}
        assert event.registration_policy != Event.Policy.OPEN
        if hasattr(event, "admission_review"):
            assert event.admission_review and event.members_only
    past, upcoming = cycles
    assert Attendance.objects.filter(registration__event=past).exists()
    states = set(upcoming.registrations.values_list("status", flat=True))
    assert {
        Registration.Status.PENDING,
        Registration.Status.CONFIRMED,
        Registration.Status.DECLINED,
        Registration.Status.CANCELLED,
    } <= states
    load_demo_events()  # twice: nothing doubled
    assert Event.objects.filter(is_series=True, city="Verona").count() == 2


@pytest.mark.django_db
def test_the_demo_verona_cycle_asks_one_eligibility_question_answered_by_requests_in_every_state():
    load_demo_events()
    upcoming = Event.objects.filter(is_series=True, city="Verona").order_by("start").last()
    [question] = upcoming.questions.all()
    assert question.required and "normativa regionale" in question.label and "regional rules" in question.label_en
    answered = set(Registration.objects.filter(answers__question=question).values_list("status", flat=True))
    assert {
        Registration.Status.PENDING,
        Registration.Status.CONFIRMED,
        Registration.Status.DECLINED,
        Registration.Status.CANCELLED,
    } <= answered
    load_demo_events()
    assert upcoming.questions.count() == 1
