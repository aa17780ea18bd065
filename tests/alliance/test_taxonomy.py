"""The taxonomy seeded by ``alliance/migrations/0002_seed_taxonomy.py``."""

import pytest

from alliance.models import Province, Region, Theme

pytestmark = pytest.mark.django_db


def test_twenty_regions():
    assert Region.objects.count() == 20


def test_one_hundred_seven_provinces():
    assert Province.objects.count() == 107


def test_every_region_has_a_province():
    assert Region.objects.filter(provinces__isnull=True).count() == 0
    assert Province.objects.values("region").distinct().count() == 20


@pytest.mark.parametrize(
    ("region_code", "region_name", "expected"),
    [
        ("03", "Lombardia", 12),
        ("20", "Sardegna", 5),
        ("02", "Valle d'Aosta/Vallée d'Aoste", 1),
        ("14", "Molise", 2),
        ("19", "Sicilia", 9),
        ("05", "Veneto", 7),
        ("11", "Marche", 5),
        ("08", "Emilia-Romagna", 9),
        ("01", "Piemonte", 8),
        ("09", "Toscana", 10),
        ("12", "Lazio", 5),
        ("15", "Campania", 5),
        ("16", "Puglia", 6),
        ("18", "Calabria", 5),
    ],
)
def test_provinces_per_region(region_code, region_name, expected):
    region = Region.objects.get(code=region_code)
    assert region.name == region_name
    assert region.provinces.count() == expected


@pytest.mark.parametrize(
    ("code", "abbreviation", "name", "region_name"),
    [
        ("023", "VR", "Verona", "Veneto"),
        ("044", "AP", "Ascoli Piceno", "Marche"),
        ("001", "TO", "Torino", "Piemonte"),
        ("015", "MI", "Milano", "Lombardia"),
        ("035", "RE", "Reggio nell'Emilia", "Emilia-Romagna"),
        ("080", "RC", "Reggio di Calabria", "Calabria"),
        ("093", "PN", "Pordenone", "Friuli-Venezia Giulia"),
        ("108", "MB", "Monza e della Brianza", "Lombardia"),
        ("110", "BT", "Barletta-Andria-Trani", "Puglia"),
        ("111", "SU", "Sud Sardegna", "Sardegna"),
        ("021", "BZ", "Bolzano/Bozen", "Trentino-Alto Adige/Südtirol"),
        ("007", "AO", "Aosta", "Valle d'Aosta/Vallée d'Aoste"),
    ],
)
def test_specific_provinces(code, abbreviation, name, region_name):
    province = Province.objects.select_related("region").get(code=code)
    assert province.abbreviation == abbreviation
    assert province.name == name
    assert province.region.name == region_name


def test_region_english_names():
    english = dict(Region.objects.values_list("code", "name_en"))
    assert english["01"] == "Piedmont"
    assert english["02"] == "Aosta Valley"
    assert english["04"] == "Trentino-South Tyrol"
    assert english["16"] == "Apulia"
    assert english["20"] == "Sardinia"


def test_themes_in_order():
    assert list(Theme.objects.order_by("position").values_list("position", "slug", "name")) == [
        (1, "rigenerazione-beni-comuni", "Rigenerazione dei beni comuni"),
        (2, "sussidiarieta-circolare", "Sussidiarietà circolare e attivismo civico"),
        (3, "welfare-territoriale-generativo", "Welfare territoriale generativo"),
        (4, "inserimento-lavorativo", "Inserimento e attivazione lavorativa"),
        (5, "reti-filiere-valore", "Reti e filiere di valore"),
        (6, "lotta-nuove-poverta", "Lotta alle nuove povertà e alle disuguaglianze"),
    ]
    assert Theme.objects.filter(description="").count() == 0
