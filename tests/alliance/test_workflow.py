"""The one transition helper and the one log, on a real model with a transition table."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation

from alliance.dates import sane_date
from alliance.models import LogEntry
from alliance.workflow import ACTION_LABELS, TransitionError, attach_history, history, log, transition
from members.models import MembershipApplication
from tests.factories.members import CoordinatorFactory, MembershipApplicationFactory

pytestmark = pytest.mark.django_db


def test_allowed_transition_saves_and_logs_with_actor():
    application = MembershipApplicationFactory()
    coordinator = CoordinatorFactory()
    application.decision_reason = "Bene"
    transition(
        application,
        MembershipApplication.Status.APPROVED,
        actor=coordinator,
        note="Bene",
        update_fields=["decision_reason"],
    )
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.decision_reason == "Bene"
    entry = history(application).last()
    assert entry.action == "members.membershipapplication.status.approved"
    assert entry.actor == coordinator
    assert entry.data == {"field": "status", "from": "submitted", "to": "approved", "note": "Bene"}
    with translation.override("en"):
        assert entry.description == "Submitted → Approved"


def test_refused_transition_changes_nothing_and_logs_nothing():
    application = MembershipApplicationFactory(status=MembershipApplication.Status.DECLINED)
    before = LogEntry.objects.count()
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        transition(application, MembershipApplication.Status.APPROVED, actor=None)
    assert "declined" in refused.value.messages[0]
    application.refresh_from_db()
    assert application.status == "declined"
    assert LogEntry.objects.count() == before


def test_free_log_entry_uses_registered_label_and_short_action():
    application = MembershipApplicationFactory()
    ACTION_LABELS["members.membershipapplication.tested"] = "Tested label"
    try:
        entry = log(application, "tested", data={"note": "n"})
        assert entry.action == "members.membershipapplication.tested"
        assert entry.description == "Tested label"
        assert entry.actor is None
    finally:
        del ACTION_LABELS["members.membershipapplication.tested"]


def test_histories_of_many_objects_in_one_query(django_assert_num_queries):
    applications = [MembershipApplicationFactory() for _ in range(3)]
    for application in applications:
        log(application, "tested")
    log(applications[0], "tested")
    with django_assert_num_queries(1):  # the content type is cached by log()
        attached = attach_history(applications)
    assert [len(a.history) for a in attached] == [2, 1, 1]


def test_history_include_names_actor_and_note():
    application = MembershipApplicationFactory()
    coordinator = CoordinatorFactory(full_name="Anna Coordinatrice")
    transition(application, MembershipApplication.Status.DECLINED, actor=coordinator, note="Manca lo statuto")
    html = render_to_string("includes/history.html", {"entries": history(application)})
    assert "Anna Coordinatrice" in html
    assert "Manca lo statuto" in html
    assert "Inviata → Respinta" in html


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(1, 1, 1),
        datetime.date(9999, 12, 31),
        datetime.datetime(1, 1, 1, 12, 0),
        datetime.date(1949, 12, 31),
    ],
)
def test_dates_outside_the_sane_range_are_refused(value):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            sane_date(value)
        assert "between 01/01/1950 and 31/12/2100" in refused.value.messages[0]
    assert "tra il 01/01/1950 e il 31/12/2100" in refused.value.messages[0]  # the same message, in Italian


def test_dates_inside_the_range_pass():
    sane_date(datetime.date(2018, 1, 15))
    sane_date(datetime.datetime(2100, 12, 31, 23, 59))
