"""The answers' documents move to the private storage (outside MEDIA_ROOT, served only by a view that checks
who asks); documents uploaded before are moved there from the public media folder."""

from django.core.files.storage import default_storage
from django.db import migrations, models

import alliance.media
import alliance.uploads


def move_documents(apps, schema_editor):
    Answer = apps.get_model("events", "RegistrationAnswer")
    private = alliance.media.private_storage()
    for answer in Answer.objects.exclude(file="").only("pk", "file").iterator():
        name = answer.file.name
        if not default_storage.exists(name) or private.exists(name):
            continue
        with default_storage.open(name, "rb") as source:
            private.save(name, source)
        default_storage.delete(name)


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0009_registration_questions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='registrationanswer',
            name='file',
            field=models.FileField(blank=True, storage=alliance.media.private_storage, upload_to=alliance.uploads.RandomName('events/answers'), verbose_name='document'),
        ),
        migrations.RunPython(move_documents, migrations.RunPython.noop),
    ]
