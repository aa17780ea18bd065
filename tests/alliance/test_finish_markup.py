"""The template tools of the shared markup (alliance/templatetags/portal.py) and pagination's words."""

import datetime
import zoneinfo

import pytest
from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.utils import timezone, translation

ROME = zoneinfo.ZoneInfo("Europe/Rome")


def render(source, language="it", **context):
    with translation.override(language):
        return Template("{% load portal %}" + source).render(Context(context))


def test_datetime_attributes_have_no_microseconds_and_dates_stay_dates():
    moment = datetime.datetime(2027, 1, 15, 8, 30, 5, 123456, tzinfo=datetime.UTC)
    with timezone.override(ROME):
        assert render("{{ value|datetime_attr }}", value=moment) == "2027-01-15T09:30:05+01:00"
    assert render("{{ value|datetime_attr }}", value=datetime.date(2027, 1, 15)) == "2027-01-15"
    assert render("{{ value|datetime_attr }}", value=None) == ""


def test_content_is_marked_italian_only_on_pages_in_another_language():
    source = "<p{% content_lang %}>Orti condivisi</p>"
    assert render(source, "it") == "<p>Orti condivisi</p>"
    assert render(source, "en") == '<p lang="it">Orti condivisi</p>'


@pytest.mark.parametrize(
    ("language", "previous", "following"),
    [("it", "Pagina precedente", "Pagina successiva"), ("en", "Previous page", "Next page")],
)
def test_pagination_says_whole_phrases_to_screen_readers(language, previous, following):
    page_obj = Paginator(list(range(30)), 10).page(2)
    request = RequestFactory().get("/cerca/?q=orti&page=2")
    with translation.override(language):
        html = Template('{% include "includes/pagination.html" %}').render(
            RequestContext(request, {"page_obj": page_obj, "page_range": [1, 2, 3]})
        )
    assert f'<span class="visually-hidden">{previous}</span>' in html
    assert f'<span class="visually-hidden">{following}</span>' in html
    assert "Successiva pagina" not in html
