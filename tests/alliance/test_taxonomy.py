"""The shared taxonomy (alliance/italy.py, seeded by migration 0002 and by the `taxonomy` fixture):
one table test against ISTAT's 2024 classification, and the database holding exactly the tables."""

import pytest

from alliance.italy import PROVINCES, REGIONS, THEME_DESCRIPTIONS, THEME_DESCRIPTIONS_EN, THEMES
from alliance.models import Province, Region, Theme

pytestmark = pytest.mark.django_db

# ISTAT, 2024: region code -> (Italian name, English name, number of supra-municipal units).
ISTAT_2024 = {
    "01": ("Piemonte", "Piedmont", 8),
    "02": ("Valle d'Aosta/Vallée d'Aoste", "Aosta Valley", 1),
    "03": ("Lombardia", "Lombardy", 12),
    "04": ("Trentino-Alto Adige/Südtirol", "Trentino-South Tyrol", 2),
    "05": ("Veneto", "Veneto", 7),
    "06": ("Friuli-Venezia Giulia", "Friuli-Venezia Giulia", 4),
    "07": ("Liguria", "Liguria", 4),
    "08": ("Emilia-Romagna", "Emilia-Romagna", 9),
    "09": ("Toscana", "Tuscany", 10),
    "10": ("Umbria", "Umbria", 2),
    "11": ("Marche", "Marche", 5),
    "12": ("Lazio", "Lazio", 5),
    "13": ("Abruzzo", "Abruzzo", 4),
    "14": ("Molise", "Molise", 2),
    "15": ("Campania", "Campania", 5),
    "16": ("Puglia", "Apulia", 6),
    "17": ("Basilicata", "Basilicata", 2),
    "18": ("Calabria", "Calabria", 5),
    "19": ("Sicilia", "Sicily", 9),
    "20": ("Sardegna", "Sardinia", 5),
}


def test_regions_and_their_provinces_are_istats_table(taxonomy):
    counts = {code: Province.objects.filter(region__code=code).count() for code in ISTAT_2024}
    regions = {code: (name, name_en) for code, name, name_en in Region.objects.values_list("code", "name", "name_en")}

    assert {code: (*regions[code], counts[code]) for code in regions} == ISTAT_2024
    assert Province.objects.count() == sum(count for _it, _en, count in ISTAT_2024.values()) == 107


def test_the_database_holds_exactly_the_reference_tables(taxonomy):
    assert sorted(Region.objects.values_list("code", "name", "name_en", "slug")) == sorted(REGIONS)
    assert sorted(Province.objects.values_list("code", "abbreviation", "name", "region__code")) == sorted(PROVINCES)
    assert list(Theme.objects.values_list("slug", "name", "name_en", "position", "description", "description_en")) == [
        (slug, name, name_en, position, THEME_DESCRIPTIONS[slug], THEME_DESCRIPTIONS_EN[slug])
        for slug, name, name_en, position in THEMES
    ]
    assert len({abbreviation for _code, abbreviation, _name, _region in PROVINCES}) == 107


def test_seeding_again_changes_nothing(taxonomy):
    from alliance.italy import seed_taxonomy

    before = (list(Region.objects.values()), list(Province.objects.values()), list(Theme.objects.values()))
    seed_taxonomy(theme_model=Theme, region_model=Region, province_model=Province)

    assert (list(Region.objects.values()), list(Province.objects.values()), list(Theme.objects.values())) == before
