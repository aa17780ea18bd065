"""Dates through the locale: one format for project and event dates per language, and
Italian month and weekday names lowercase in running text (locale/it overrides Django's)."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

ROME = zoneinfo.ZoneInfo("Europe/Rome")
DAY = datetime.date(2018, 2, 12)
MOMENT = datetime.datetime(2018, 2, 12, 14, 30, tzinfo=ROME)


def render(source, language, **context):
    with translation.override(language):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "it",
            "12 febbraio 2018|12 febbraio 2018|12 febbraio 2018, 14:30|12 febbraio 2018, 14:30|12/02/2018"
            "|12/02/2018, 14:30|14:30|febbraio 2018|12 febbraio",
        ),
        (
            "en",
            "12 February 2018|12 February 2018|12 February 2018, 14:30|12 February 2018, 14:30|12/02/2018"
            "|12/02/2018, 14:30|14:30|February 2018|12 February",
        ),
    ],
)
def test_project_dates_and_event_dates_read_the_same(language, expected):
    # A project's period uses DATE_FORMAT (or none), an event's card "j F Y": the same text.
    source = (
        "{{ day }}|{{ day|date:'j F Y' }}|{{ moment|date:'DATETIME_FORMAT' }}|{{ moment|date:'j F Y, H:i' }}"
        "|{{ day|date:'SHORT_DATE_FORMAT' }}|{{ moment|date:'SHORT_DATETIME_FORMAT' }}|{{ moment|time }}"
        "|{{ day|date:'YEAR_MONTH_FORMAT' }}|{{ day|date:'MONTH_DAY_FORMAT' }}"
    )
    with timezone.override(ROME):
        assert render(source, language, day=DAY, moment=MOMENT) == expected


def test_italian_month_and_weekday_names_are_lowercase_in_running_text():
    months = [datetime.date(2018, month, 1) for month in range(1, 13)]
    assert [render("{{ d|date:'F' }}", "it", d=d) for d in months] == [
        "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
        "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
    ]  # fmt: skip
    # "E" is the month name some locales decline ("alt. month"), "N" the abbreviation, "b" the short one.
    assert [render("{{ d|date:'E' }}", "it", d=d) for d in months] == [
        render("{{ d|date:'F' }}", "it", d=d) for d in months
    ]
    assert [render("{{ d|date:'N' }}", "it", d=d) for d in months] == [
        "gen.", "feb.", "mar.", "apr.", "mag.", "giu.", "lug.", "ago.", "set.", "ott.", "nov.", "dic.",
    ]  # fmt: skip
    assert [render("{{ d|date:'b' }}", "it", d=d) for d in months] == [
        "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
    ]  # fmt: skip
    week = [DAY + datetime.timedelta(days=offset) for offset in range(7)]
    assert [render("{{ d|date:'l' }}", "it", d=d) for d in week] == [
        "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
    ]  # fmt: skip
    assert [render("{{ d|date:'D' }}", "it", d=d) for d in week] == ["lun", "mar", "mer", "gio", "ven", "sab", "dom"]
    # At the start of a sentence the template capitalises, as the event pages do.
    assert render("{{ d|date:'l j F Y'|capfirst }}", "it", d=DAY) == "Lunedì 12 febbraio 2018"
    assert render("{{ d|date:'l j F Y'|capfirst }}", "en", d=DAY) == "Monday 12 February 2018"


def test_english_names_stay_english():
    assert render("{{ d|date:'l j F Y' }} {{ d|date:'N' }}", "en", d=DAY) == "Monday 12 February 2018 Feb."
