"""Retention: rows older than each period are removed or blanked, younger ones untouched, twice the same."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from alliance import retention
from alliance.models import LogEntry, OutgoingEmail
from alliance.workflow import log
from events.models import Registration
from members.models import MembershipApplication
from tests.factories.alliance import OutgoingEmailFactory
from tests.factories.events import EventFactory, RegistrationFactory
from tests.factories.members import CoordinatorFactory, MembershipApplicationFactory

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


@pytest.fixture
def rows():
    past = EventFactory(start=ago(days=40), end=ago(days=40) + timedelta(hours=4))
    recent = EventFactory(start=ago(days=3), end=ago(days=3) + timedelta(hours=4))
    old_needs = RegistrationFactory(event=past, accessibility_needs="Sedia a rotelle")
    new_needs = RegistrationFactory(event=recent, accessibility_needs="Interprete LIS")

    old_guest = RegistrationFactory(status="pending", email_confirmed_at=None, confirmed_at=None)
    young_guest = RegistrationFactory(status="pending", email_confirmed_at=None, confirmed_at=None)
    Registration.objects.filter(pk=old_guest.pk).update(created_at=ago(days=8))

    old_mail = OutgoingEmailFactory(status="sent", sent_at=ago(days=200))
    new_mail = OutgoingEmailFactory(status="sent", sent_at=ago(days=10))
    pending_mail = OutgoingEmailFactory(status="pending")

    old_declined = MembershipApplicationFactory(status="declined", decided_at=ago(days=400))
    new_declined = MembershipApplicationFactory(status="declined", decided_at=ago(days=20))
    log(old_declined, "status.declined", data={"field": "status", "from": "submitted", "to": "declined"})

    coordinator = CoordinatorFactory()
    old_entry = log(
        new_declined, "status.declined", actor=coordinator, data={"note": "Manca lo statuto"}, at=ago(days=1200)
    )
    new_entry = log(new_declined, "status.declined", actor=coordinator, data={"note": "Recente"})
    return locals()


def test_only_rows_older_than_each_period_are_touched(rows):
    outcomes = {o.rule: o.count for o in retention.apply()}
    assert outcomes == {
        "accessibility needs and answers after the event": 1,
        "unconfirmed guest registrations": 1,
        "bodies of sent e-mails": 1,
        "declined applications": 1,
        "log entries anonymized": 1,
    }
    assert Registration.objects.get(pk=rows["old_needs"].pk).accessibility_needs == ""
    assert Registration.objects.get(pk=rows["new_needs"].pk).accessibility_needs == "Interprete LIS"
    assert not Registration.objects.filter(pk=rows["old_guest"].pk).exists()
    assert Registration.objects.filter(pk=rows["young_guest"].pk).exists()

    old_mail = OutgoingEmail.objects.get(pk=rows["old_mail"].pk)
    assert (old_mail.body_text, old_mail.body_html, old_mail.attachments) == ("", "", [])
    assert old_mail.subject == rows["old_mail"].subject and old_mail.to == rows["old_mail"].to  # proof kept
    assert OutgoingEmail.objects.get(pk=rows["new_mail"].pk).body_text == "Testo del messaggio."
    assert OutgoingEmail.objects.get(pk=rows["pending_mail"].pk).body_text == "Testo del messaggio."

    assert not MembershipApplication.objects.filter(pk=rows["old_declined"].pk).exists()
    assert not LogEntry.objects.filter(object_id=rows["old_declined"].pk, action__startswith="members.").exists()
    assert MembershipApplication.objects.filter(pk=rows["new_declined"].pk).exists()

    old_entry = LogEntry.objects.get(pk=rows["old_entry"].pk)
    assert old_entry.actor is None and "note" not in old_entry.data
    new_entry = LogEntry.objects.get(pk=rows["new_entry"].pk)
    assert new_entry.actor == rows["coordinator"] and new_entry.data["note"] == "Recente"


def test_twice_in_a_row_the_second_run_touches_nothing(rows):
    retention.apply()
    assert all(o.count == 0 for o in retention.apply())


def test_dry_run_counts_and_changes_nothing(rows, capsys):
    call_command("apply_retention", "--dry-run")
    printed = capsys.readouterr().out
    assert "unconfirmed guest registrations: would touch 1" in printed
    assert Registration.objects.filter(pk=rows["old_guest"].pk).exists()
    assert Registration.objects.get(pk=rows["old_needs"].pk).accessibility_needs == "Sedia a rotelle"
    assert OutgoingEmail.objects.get(pk=rows["old_mail"].pk).body_text == "Testo del messaggio."


def test_periods_come_from_settings(rows, settings):
    settings.RETENTION_UNCONFIRMED_GUEST_DAYS = 30
    outcomes = {o.rule: o.count for o in retention.apply()}
    assert outcomes["unconfirmed guest registrations"] == 0
    assert Registration.objects.filter(pk=rows["old_guest"].pk).exists()


def test_the_worker_knows_the_task_and_beat_runs_it_every_night(settings):
    from alliance.celery import app

    app.loader.import_default_modules()
    assert "alliance.apply_retention" in app.tasks
    schedule = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert schedule["task"] == "alliance.apply_retention"
    assert schedule["schedule"].hour == {3}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Registrations whose e-mail address was never confirmed: removed after 9 days."),
        ("it", "Iscrizioni il cui indirizzo e-mail non è mai stato confermato: rimosse dopo 9 giorni."),
    ],
)
def test_the_privacy_page_states_the_periods_in_both_languages(client, settings, language, text):
    from django.urls import reverse
    from django.utils import translation

    settings.RETENTION_UNCONFIRMED_GUEST_DAYS = 9
    with translation.override(language):
        url = reverse("alliance:privacy")
    page = client.get(url).content.decode()
    assert text in page
    assert ("180 days" if language == "en" else "180 giorni") in page
