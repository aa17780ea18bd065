"""Seed the shared taxonomy: the six themes, the 20 regions and the 107 provinces.

The data lives in ``alliance/italy.py``. Seeding is idempotent (rows are
matched on their ISTAT code or slug and updated in place); the reverse
deletes exactly the seeded rows.
"""

from django.db import migrations

from alliance.italy import PROVINCES, REGIONS, THEMES, seed_taxonomy


def seed(apps, schema_editor):
    seed_taxonomy(
        theme_model=apps.get_model("alliance", "Theme"),
        region_model=apps.get_model("alliance", "Region"),
        province_model=apps.get_model("alliance", "Province"),
    )


def unseed(apps, schema_editor):
    Theme = apps.get_model("alliance", "Theme")
    Region = apps.get_model("alliance", "Region")
    Province = apps.get_model("alliance", "Province")

    Province.objects.filter(code__in=[row[0] for row in PROVINCES]).delete()
    Region.objects.filter(code__in=[row[0] for row in REGIONS]).delete()
    Theme.objects.filter(slug__in=[row[0] for row in THEMES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("alliance", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
