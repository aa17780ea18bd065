# Series of meetings (issue 9): Event.is_series, Session.cancelled_at, Reminder.session, Attendance.

import alliance.dates
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0004_sequence_and_sane_dates'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='is_series',
            field=models.BooleanField(default=False, help_text='Each session is a meeting of its own: one calendar entry, reminders and check-in per meeting.', verbose_name='series of meetings'),
        ),
        migrations.AddField(
            model_name='session',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, null=True, validators=[alliance.dates.sane_date], verbose_name='meeting cancelled at'),
        ),
        migrations.RemoveConstraint(
            model_name='reminder',
            name='one_reminder_per_offset',
        ),
        migrations.AddField(
            model_name='reminder',
            name='session',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='events.session'),
        ),
        migrations.AddConstraint(
            model_name='reminder',
            constraint=models.UniqueConstraint(fields=('registration', 'session', 'offset_minutes'), name='one_reminder_per_offset', nulls_distinct=False),
        ),
        migrations.CreateModel(
            name='Attendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checked_in_at', models.DateTimeField(validators=[alliance.dates.sane_date], verbose_name='checked in at')),
                ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='events.registration', verbose_name='registration')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='events.session', verbose_name='meeting')),
            ],
            options={
                'verbose_name': 'attendance',
                'verbose_name_plural': 'attendances',
                'ordering': ['session__day', 'session__start_time'],
                'constraints': [models.UniqueConstraint(fields=('registration', 'session'), name='one_attendance_per_meeting')],
            },
        ),
    ]
