"""Seed the shared taxonomy: the six themes, the 20 regions and the 107 provinces.

The data lives in ``alliance/italy.py``. Seeding is idempotent (rows are
matched on their ISTAT code or slug and updated in place); the reverse
deletes exactly the seeded rows.
"""

from django.db import migrations

from alliance.italy import PROVINCES, REGIONS, THEME_DESCRIPTIONS, THEMES


def seed(apps, schema_editor):
    Theme = apps.get_model("alliance", "Theme")
    Region = apps.get_model("alliance", "Region")
    Province = apps.get_model("alliance", "Province")

    for slug, name_it, name_en, position in THEMES:
        Theme.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name_it,
                "name_en": name_en,
                "position": position,
                "description": THEME_DESCRIPTIONS.get(slug, ""),
            },
        )

    regions = {}
    for code, name_it, name_en, slug in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code,
            defaults={"name": name_it, "name_en": name_en, "slug": slug},
        )

    for code, abbreviation, name, region_code in PROVINCES:
        Province.objects.update_or_create(
            code=code,
            defaults={"abbreviation": abbreviation, "name": name, "region": regions[region_code]},
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
