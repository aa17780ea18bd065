"""Personal data kept only as long as it serves: the retention rules, run on a schedule.

Each rule removes or blanks what is older than its period and returns how
many rows it touched; running the rules twice in a row touches nothing the
second time. `apply(dry_run=True)` counts without changing anything. Periods
come from settings (environment variables of the same name), with these
defaults:

| setting | what | default |
|---|---|---|
| RETENTION_ACCESSIBILITY_DAYS | accessibility needs and answers to an event's questions, after the event ends | 30 days |
| RETENTION_UNCONFIRMED_GUEST_DAYS | guest registrations whose address was never confirmed | 7 days |
| RETENTION_EMAIL_BODY_DAYS | bodies and attachments of sent e-mails (recipient, subject, dates kept as proof) | 180 days |
| RETENTION_DECLINED_APPLICATION_DAYS | declined membership and pathway applications, with their log | 365 days |
| RETENTION_LOG_ANONYMIZE_DAYS | the log: who did it and the free-text notes | 1095 days (3 years) |

`alliance` imports no domain: the models are looked up by name.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger("alliance.retention")

DEFAULTS = {
    "RETENTION_ACCESSIBILITY_DAYS": 30,
    "RETENTION_UNCONFIRMED_GUEST_DAYS": 7,
    "RETENTION_EMAIL_BODY_DAYS": 180,
    "RETENTION_DECLINED_APPLICATION_DAYS": 365,
    "RETENTION_LOG_ANONYMIZE_DAYS": 1095,
}


def period(name: str) -> timedelta:
    return timedelta(days=int(getattr(settings, name, DEFAULTS[name])))


@dataclass
class Outcome:
    rule: str
    count: int


def _accessibility_needs(now, dry_run):
    Registration = apps.get_model("events", "Registration")
    cutoff = now - period("RETENTION_ACCESSIBILITY_DAYS")
    rows = Registration.objects.filter(event__end__lt=cutoff)
    blank = {"accessibility_needs": ""}
    conditions = ~Q(accessibility_needs="")
    field_names = {f.name for f in Registration._meta.get_fields()}
    if "answers" in field_names and not Registration._meta.get_field("answers").is_relation:
        blank["answers"] = {}
        conditions |= ~Q(answers={})
    rows = rows.filter(conditions)
    Answer = _model("events", "RegistrationAnswer")
    # Deleted row by row (Django's delete sends each row's signal): their documents leave the storage too.
    answers = Answer.objects.filter(registration__event__end__lt=cutoff) if Answer is not None else None
    if dry_run:
        return rows.count() + (answers.count() if answers is not None else 0)
    count = rows.update(**blank)
    if answers is not None:
        count += answers.delete()[0]
    return count


def _unconfirmed_guests(now, dry_run):
    Registration = apps.get_model("events", "Registration")
    rows = Registration.objects.filter(
        status="pending",
        email_confirmed_at__isnull=True,
        created_at__lt=now - period("RETENTION_UNCONFIRMED_GUEST_DAYS"),
    )
    if dry_run:
        return rows.count()
    return _delete_with_log(rows)


def _email_bodies(now, dry_run):
    OutgoingEmail = apps.get_model("alliance", "OutgoingEmail")
    rows = OutgoingEmail.objects.filter(status="sent", sent_at__lt=now - period("RETENTION_EMAIL_BODY_DAYS")).filter(
        ~Q(body_text="") | ~Q(body_html="") | ~Q(attachments=[])
    )
    if dry_run:
        return rows.count()
    return rows.update(body_text="", body_html="", attachments=[])


def _declined_applications(now, dry_run):
    cutoff = now - period("RETENTION_DECLINED_APPLICATION_DAYS")
    count = 0
    for app_label, model_name in (("members", "MembershipApplication"), ("initiatives", "PathwayApplication")):
        Model = _model(app_label, model_name)
        if Model is None:
            continue
        rows = Model.objects.filter(status="declined", decided_at__lt=cutoff)
        count += rows.count() if dry_run else _delete_with_log(rows)
    return count


def _log_entries(now, dry_run):
    LogEntry = apps.get_model("alliance", "LogEntry")
    rows = LogEntry.objects.filter(created_at__lt=now - period("RETENTION_LOG_ANONYMIZE_DAYS")).filter(
        Q(actor__isnull=False) | Q(data__has_key="note")
    )
    if dry_run:
        return rows.count()
    count = 0
    for entry in rows.iterator():
        entry.actor = None
        entry.data = {key: value for key, value in (entry.data or {}).items() if key != "note"}
        entry.save(update_fields=["actor", "data"])
        count += 1
    return count


def _model(app_label, model_name):
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _delete_with_log(queryset) -> int:
    """Delete the rows and their entries in the log (the log must not outlive what it describes)."""
    LogEntry = apps.get_model("alliance", "LogEntry")
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    content_type = ContentType.objects.get_for_model(queryset.model, for_concrete_model=False)
    LogEntry.objects.filter(content_type=content_type, object_id__in=ids).delete()
    queryset.model.objects.filter(pk__in=ids).delete()
    return len(ids)


RULES = [
    ("accessibility needs and answers after the event", _accessibility_needs),
    ("unconfirmed guest registrations", _unconfirmed_guests),
    ("bodies of sent e-mails", _email_bodies),
    ("declined applications", _declined_applications),
    ("log entries anonymized", _log_entries),
]


def apply(*, dry_run: bool = False, now=None) -> list[Outcome]:
    now = now or timezone.now()
    outcomes = []
    for name, rule in RULES:
        with transaction.atomic():
            count = rule(now, dry_run)
        outcomes.append(Outcome(rule=name, count=count))
        if count and not dry_run:
            logger.info("retention: %s: %d", name, count)
    return outcomes


def _task():
    from celery import shared_task

    @shared_task(name="alliance.apply_retention", ignore_result=True)
    def apply_retention():
        """Run every night by Celery beat (CELERY_BEAT_SCHEDULE)."""
        return [(o.rule, o.count) for o in apply()]

    return apply_retention


apply_retention = _task()
