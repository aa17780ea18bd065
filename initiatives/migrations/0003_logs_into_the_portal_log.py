"""Move the projects' and pathway applications' own logs into the one log of the portal (alliance.LogEntry),
and number objectives and stages from 1 as the editors do (the demo numbered them from 0)."""

from django.db import migrations
from django.db.models import F


def _content_type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="initiatives", model=model)[0]


def move_logs(apps, schema_editor):
    LogEntry = apps.get_model("alliance", "LogEntry")
    ProjectLogEntry = apps.get_model("initiatives", "ProjectLogEntry")
    PathwayApplicationLogEntry = apps.get_model("initiatives", "PathwayApplicationLogEntry")

    rows = []
    project_type = _content_type(apps, "project")
    for entry in ProjectLogEntry.objects.order_by("at", "pk").iterator():
        data = {"field": "publication", "from": entry.from_state, "to": entry.to_state}
        if entry.note:
            data["note"] = entry.note
        rows.append(LogEntry(
            content_type_id=project_type.pk, object_id=entry.project_id,
            action=f"initiatives.project.publication.{entry.to_state}", actor_id=entry.actor_id, data=data,
            created_at=entry.at,
        ))
    application_type = _content_type(apps, "pathwayapplication")
    for entry in PathwayApplicationLogEntry.objects.order_by("at", "pk").iterator():
        data = {"field": "status", "from": entry.from_status, "to": entry.to_status}
        if entry.note:
            data["note"] = entry.note
        rows.append(LogEntry(
            content_type_id=application_type.pk, object_id=entry.application_id,
            action=f"initiatives.pathwayapplication.status.{entry.to_status}", actor_id=entry.actor_id, data=data,
            created_at=entry.at,
        ))
    LogEntry.objects.bulk_create(rows, batch_size=1000)


def move_logs_back(apps, schema_editor):
    LogEntry = apps.get_model("alliance", "LogEntry")
    ProjectLogEntry = apps.get_model("initiatives", "ProjectLogEntry")
    PathwayApplicationLogEntry = apps.get_model("initiatives", "PathwayApplicationLogEntry")
    project_type = _content_type(apps, "project")
    application_type = _content_type(apps, "pathwayapplication")
    for entry in LogEntry.objects.filter(content_type=project_type, action__startswith="initiatives.project.publication."):
        row = ProjectLogEntry.objects.create(
            project_id=entry.object_id, from_state=entry.data.get("from", ""), to_state=entry.data.get("to", ""),
            actor_id=entry.actor_id, note=entry.data.get("note", ""),
        )
        ProjectLogEntry.objects.filter(pk=row.pk).update(at=entry.created_at)
        entry.delete()
    for entry in LogEntry.objects.filter(
        content_type=application_type, action__startswith="initiatives.pathwayapplication.status."
    ):
        row = PathwayApplicationLogEntry.objects.create(
            application_id=entry.object_id, from_status=entry.data.get("from", ""),
            to_status=entry.data.get("to", ""), actor_id=entry.actor_id, note=entry.data.get("note", ""),
        )
        PathwayApplicationLogEntry.objects.filter(pk=row.pk).update(at=entry.created_at)
        entry.delete()


def number_from_one(apps, schema_editor):
    # Rows numbered from 0 (the demo did) move up by one, keeping their order.
    for model, parent in (("ProjectObjective", "project"), ("PathwayObjective", "pathway"), ("Stage", "pathway")):
        Model = apps.get_model("initiatives", model)
        parents = Model.objects.filter(position=0).values_list(f"{parent}_id", flat=True).distinct()
        Model.objects.filter(**{f"{parent}_id__in": list(parents)}).update(position=F("position") + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0004_log_entry"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("initiatives", "0002_random_upload_names"),
    ]

    operations = [
        migrations.RunPython(move_logs, move_logs_back),
        migrations.RunPython(number_from_one, migrations.RunPython.noop),
    ]
