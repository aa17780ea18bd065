from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_reminder_unsent_due"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="register_per_meeting",
            field=models.BooleanField(
                default=False,
                help_text="Only for a series of meetings: attendees choose the meetings they come to (at least one).",
                verbose_name="registration per meeting",
            ),
        ),
    ]
