"""Admission as two settings (issue 9): who may register (`admission`) and how (`admission_review`).

The former `registration_policy` becomes: open → everyone, at once; members → members of the
alliance, at once; application → everyone, on review; none → no registration.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Event.objects.filter(registration_policy="application").update(admission="open", admission_review=True)
    for value in ("open", "members", "none"):
        Event.objects.filter(registration_policy=value).update(admission=value, admission_review=False)


def backwards(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Event.objects.filter(admission="open", admission_review=True).update(registration_policy="application")
    Event.objects.filter(admission="open", admission_review=False).update(registration_policy="open")
    Event.objects.filter(admission__in=["members", "allies", "regions"]).update(registration_policy="members")
    Event.objects.filter(admission="none").update(registration_policy="none")


class Migration(migrations.Migration):

    dependencies = [
        ("alliance", "0008_search_vector"),
        ("members", "0008_directory_order_index"),
        ("events", "0005_series_meetings"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="admission",
            field=models.CharField(
                choices=[
                    ("open", "Everyone (guests confirm their e-mail address)"),
                    ("members", "Members of the alliance"),
                    ("allies", "Members of given allies"),
                    ("regions", "Members from given regions"),
                    ("none", "No registration"),
                ],
                default="open", max_length=12, verbose_name="who may register",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="admission_review",
            field=models.BooleanField(
                default=False, help_text="Otherwise a seat is given at once, while there are seats.",
                verbose_name="requests reviewed by the organizers",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="admission_allies",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="members.ally", verbose_name="allies whose members may register"
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="admission_regions",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="alliance.region", verbose_name="regions whose members may register"
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="event", name="registration_policy"),
    ]
