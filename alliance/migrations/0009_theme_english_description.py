"""The themes' descriptions in English too (English pages fall back to the Italian one when empty),
and the English descriptions of the six seeded themes. The texts are kept here as they were written,
so that later changes to alliance/italy.py do not change what this migration did."""

from django.db import migrations, models

ENGLISH = {
    "rigenerazione-beni-comuni": (
        "Giving back to the community spaces, buildings and resources left unused or underused, "
        "and looking after them together as everyone's goods."
    ),
    "sussidiarieta-circolare": (
        "Bringing citizens, third-sector organizations, businesses and public institutions to plan "
        "and design together the answers to shared needs."
    ),
    "welfare-territoriale-generativo": (
        "Building local services that draw on the resources of people and communities "
        "instead of only delivering benefits."
    ),
    "inserimento-lavorativo": (
        "Guiding vulnerable or disadvantaged people towards decent work through training, "
        "traineeships and personal pathways."
    ),
    "reti-filiere-valore": (
        "Connecting organizations and businesses in networks and supply chains that create "
        "economic and social value shared by the territory."
    ),
    "lotta-nuove-poverta": (
        "Countering the new forms of poverty and inequality, from housing to education and energy, "
        "with joined-up and timely action."
    ),
}


def fill(apps, schema_editor):
    Theme = apps.get_model("alliance", "Theme")
    for slug, text in ENGLISH.items():
        # Only where nobody has written one yet.
        Theme.objects.filter(slug=slug, description_en="").update(description_en=text)


def empty(apps, schema_editor):
    Theme = apps.get_model("alliance", "Theme")
    for slug, text in ENGLISH.items():
        Theme.objects.filter(slug=slug, description_en=text).update(description_en="")


class Migration(migrations.Migration):

    dependencies = [
        ("alliance", "0008_search_vector"),
    ]

    operations = [
        migrations.AddField(
            model_name="theme",
            name="description_en",
            field=models.TextField(
                blank=True,
                help_text="Left empty, English pages show the Italian one.",
                verbose_name="description (English)",
            ),
        ),
        migrations.AlterField(
            model_name="theme",
            name="description",
            field=models.TextField(blank=True, verbose_name="description (Italian)"),
        ),
        migrations.RunPython(fill, empty),
    ]
