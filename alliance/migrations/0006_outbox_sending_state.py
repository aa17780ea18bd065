"""The outbox's `sending` state: claim, hand-over and a stable Message-ID (issue 11)."""

from django.db import migrations, models


def fill_message_ids(apps, schema_editor):
    from alliance.emails import message_id_for

    OutgoingEmail = apps.get_model("alliance", "OutgoingEmail")
    for email in OutgoingEmail.objects.filter(message_id="").only("pk").iterator():
        OutgoingEmail.objects.filter(pk=email.pk).update(message_id=message_id_for(email.pk))


class Migration(migrations.Migration):

    dependencies = [
        ("alliance", "0005_search_document"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="message_id",
            field=models.CharField(blank=True, max_length=255, verbose_name="Message-ID"),
        ),
        migrations.AlterField(
            model_name="outgoingemail",
            name="status",
            field=models.CharField(
                choices=[("pending", "Pending"), ("sending", "Sending"), ("sent", "Sent"), ("failed", "Failed")],
                default="pending", max_length=10, verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="handed to the queue at"),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="give_up_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="retried until"),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="attempt_id",
            field=models.UUIDField(blank=True, null=True, verbose_name="attempt"),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed at"),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="handed_over_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="handed over at"),
        ),
        migrations.RunPython(fill_message_ids, migrations.RunPython.noop),
    ]
