# The application log now lives in alliance.LogEntry (moved by 0006).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0006_membership_status_and_log_entries'),
    ]

    operations = [
        migrations.DeleteModel(
            name='ApplicationLogEntry',
        ),
    ]
