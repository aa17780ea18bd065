"""A past event no longer says how many seats are left, neither for the event nor for its workshops
(issue 14: "past events still show '40 seats left of 40'")."""

import datetime
from datetime import time

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories.events import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def page(client, event):
    with translation.override("en"):
        return client.get(reverse("events:event_detail", kwargs={"slug": event.slug})).content.decode()


def event_with_a_workshop(day):
    event = EventFactory(day=day, capacity=40)
    SessionFactory(event=event, title="Laboratorio", capacity=40, start_time=time(10), end_time=time(12))
    return event


def test_an_upcoming_event_says_the_seats_left_of_the_event_and_of_its_workshops(client):
    html = page(client, event_with_a_workshop(datetime.date.today() + datetime.timedelta(days=30)))

    assert '<p class="event-registration__seats">40 seats left of 40.</p>' in html
    assert '<p class="programme-session__seats">40 seats left of 40</p>' in html


def test_a_past_event_says_no_seats_left_anywhere(client):
    html = page(client, event_with_a_workshop(datetime.date(2013, 11, 14)))

    assert "Laboratorio" in html
    assert "seats left" not in html
    assert "programme-session__seats" not in html and "event-registration__seats" not in html
