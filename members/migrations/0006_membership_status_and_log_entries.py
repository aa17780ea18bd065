"""Fill the new membership status from the approval date, and move the application log into the portal's one log.

Every ApplicationLogEntry becomes an alliance.LogEntry on its application, as
`alliance.workflow.transition` writes them: action
``members.membershipapplication.status.<to>``, data ``{field, from, to, note}``,
the same actor and time. The reverse puts them back.
"""

from django.db import migrations

ACTION = "members.membershipapplication.status."


def _content_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(app_label="members", model="membershipapplication")
    return content_type


def forward(apps, schema_editor):
    Ally = apps.get_model("members", "Ally")
    ApplicationLogEntry = apps.get_model("members", "ApplicationLogEntry")
    LogEntry = apps.get_model("alliance", "LogEntry")

    Ally.objects.filter(approved_at__isnull=False).update(membership_status="active")
    Ally.objects.filter(approved_at__isnull=True).update(membership_status="applicant")

    content_type = _content_type(apps)
    batch = []
    for entry in ApplicationLogEntry.objects.order_by("at", "pk").iterator(chunk_size=2000):
        data = {"field": "status", "from": entry.from_status, "to": entry.to_status}
        if entry.note:
            data["note"] = entry.note
        batch.append(
            LogEntry(
                content_type_id=content_type.pk,
                object_id=entry.application_id,
                action=ACTION + entry.to_status,
                actor_id=entry.actor_id,
                data=data,
                created_at=entry.at,
            )
        )
        if len(batch) >= 2000:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)
    ApplicationLogEntry.objects.all().delete()


def backward(apps, schema_editor):
    ApplicationLogEntry = apps.get_model("members", "ApplicationLogEntry")
    LogEntry = apps.get_model("alliance", "LogEntry")
    MembershipApplication = apps.get_model("members", "MembershipApplication")

    # The historical model is this migration's own: keep the old times instead of "now".
    ApplicationLogEntry._meta.get_field("at").auto_now_add = False
    content_type = _content_type(apps)
    entries = LogEntry.objects.filter(content_type_id=content_type.pk, action__startswith=ACTION)
    existing = set(MembershipApplication.objects.values_list("pk", flat=True))
    ApplicationLogEntry.objects.bulk_create(
        [
            ApplicationLogEntry(
                application_id=entry.object_id,
                from_status=(entry.data or {}).get("from", ""),
                to_status=(entry.data or {}).get("to", entry.action.rsplit(".", 1)[-1]),
                actor_id=entry.actor_id,
                note=(entry.data or {}).get("note", ""),
                at=entry.created_at,
            )
            for entry in entries.order_by("created_at", "pk")
            if entry.object_id in existing
        ]
    )
    entries.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_membership_lifecycle'),
        ('alliance', '0004_log_entry'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
